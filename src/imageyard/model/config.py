"""Configuration as read from files: every value keeps the file and line it came from.

Concepts:

* ``ConfigValue`` is one option as written: its section, key, raw text (secrets already
  replaced by ``REDACTED``) and ``file:line``. Repeated keys keep every occurrence.
* ``ConfigFile`` is what became of one file: present or not, its size, and the values read.
* ``DeploymentConfig`` gathers the parsed view of glance-api.conf, glance-image-import.conf,
  nova.conf, cinder.conf and ceph.conf. Each parsed field is a ConfigValue (or None when the
  option is not set), so every later finding can cite ``file:line``.
"""

from __future__ import annotations

from dataclasses import dataclass

REDACTED = "***"


@dataclass(frozen=True)
class ConfigValue:
    """One option occurrence: ``[section] key = value`` at ``path:line``."""

    section: str
    key: str
    value: str
    path: str
    line: int
    redacted: bool = False

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class ConfigFile:
    """One configuration file and the values read from it (in file order)."""

    kind: str  # glance-api | glance-image-import | nova | cinder | ceph | glance-swift ...
    path: str
    sha256: str
    size: int
    values: tuple[ConfigValue, ...] = ()
