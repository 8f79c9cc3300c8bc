"""Each store's options as glance-api reads them, secrets included, held in memory only.

Concepts: the ``config`` source keeps no secret (``s3_store_secret_key``, a Swift reference's
``key`` are redacted as they are read), but listing a bucket or container needs them. So the
glance-api files are read again here, in glance-api's load order, with oslo.config's own
parser (the last occurrence wins; a multi-valued option keeps every occurrence); a store's
option falls back to ``[backend_defaults]`` in multi-store mode, as glance_store's
``BackendGroupConfiguration`` does, and lives in ``[glance_store]`` in single-store mode.
Every secret read is handed to the run's redactor at once, so no output can show it; the
values never enter the inventory.
"""

from __future__ import annotations

import configparser
from collections.abc import Iterable
from dataclasses import dataclass, field

from oslo_config import cfg

from imageyard import secrets
from imageyard.model.config import GlanceApiConfig

Sections = dict[str, dict[str, list[str]]]


class OptionsError(Exception):
    """A file holding store options could not be read or parsed (one line)."""


def _parse(path: str) -> Sections:
    sections: Sections = {}
    try:
        cfg.ConfigParser(path, sections).parse()
    except (OSError, cfg.ParseError) as exc:
        raise OptionsError(f"{path}: {exc}") from None
    return sections


def _merged(paths: Iterable[str]) -> Sections:
    merged: Sections = {}
    for path in paths:
        for section, values in _parse(path).items():
            group = merged.setdefault(section if section == "DEFAULT" else section.lower(), {})
            group.update(values)
    return merged


@dataclass(frozen=True)
class StoreOptions:
    """The options of one store (its section, then ``[backend_defaults]``)."""

    own: dict[str, list[str]] = field(default_factory=dict)
    defaults: dict[str, list[str]] = field(default_factory=dict)

    def all(self, key: str) -> list[str]:
        """Every occurrence of a multi-valued option."""
        return self.own.get(key) or self.defaults.get(key) or []

    def get(self, key: str, default: str | None = None) -> str | None:
        """The effective value (the last occurrence), else ``default``."""
        found = self.all(key)
        value = found[-1].strip() if found else ""
        return value if value else default


def store_options(glance: GlanceApiConfig, store_id: str) -> StoreOptions:
    """The options of ``store_id`` as glance-api reads them; raises OptionsError."""
    merged = _merged(glance.files or (glance.path,))
    if glance.is_multistore:
        options = StoreOptions(merged.get(store_id.lower(), {}), merged.get("backend_defaults", {}))
    else:
        options = StoreOptions(merged.get("glance_store", {}))
    _remember(options.own, options.defaults)
    return options


def _remember(*groups: dict[str, list[str]]) -> None:
    secrets.current().remember(
        v for group in groups for k, vs in group.items() if secrets.is_secret_key(k) for v in vs
    )


def swift_reference(path: str, reference: str) -> dict[str, str]:
    """One account reference of a ``swift_store_config_file``, as glance_store reads it."""
    parser = configparser.ConfigParser()
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        raise OptionsError(f"{path}: {exc}") from None
    if not parser.has_section(reference):
        raise OptionsError(f"{path}: no reference [{reference}]")
    found = {k: _unquote(v) for k, v in parser.items(reference)}
    secrets.current().remember(v for k, v in found.items() if secrets.is_secret_key(k))
    return found


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
        return value[1:-1]
    return value
