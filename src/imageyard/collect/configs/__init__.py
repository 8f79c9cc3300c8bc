"""Config collectors: find, read and parse the OpenStack and Ceph configuration files.

Concepts:

* A *kind* is one sort of file (``glance-api``, ``glance-image-import``, ``nova``,
  ``cinder``, ``ceph``, ``glance-swift``). ``KINDS`` maps each kind to its INI dialect
  and parser; every parser turns an ``IniDocument`` into a ``Parsed`` view plus warnings.
* ``ConfigPaths`` names the files to read: given explicitly, or found by ``discover`` in a
  directory tree (flat, ``etc/<service>/`` or one directory per service).
* ``collect_configs`` reads and parses them into a ``DeploymentConfig``. A file the
  operator named explicitly that is missing or broken raises ``ConfigFileError``; a kind
  that discovery did not find, or a discovered file that cannot be read, becomes a ``Gap``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from imageyard.collect.configs import ceph, cinder, glance_api, glance_import, glance_swift, nova
from imageyard.collect.configs._common import Parsed, ParsedView
from imageyard.collect.ini import (
    MAX_CONFIG_BYTES,
    Dialect,
    IniDocument,
    Opener,
    load_ini,
    open_binary,
)
from imageyard.errors import ConfigFileError
from imageyard.model.config import (
    CephConfig,
    CinderConfig,
    ConfigFile,
    DeploymentConfig,
    GlanceApiConfig,
    GlanceImportConfig,
    NovaConfig,
)
from imageyard.model.gap import Gap

__all__ = [
    "KINDS",
    "ConfigKind",
    "ConfigPaths",
    "Parsed",
    "collect_configs",
    "discover",
    "parse_document",
]


@dataclass(frozen=True)
class ConfigKind:
    """One sort of configuration file: its INI dialect and its parser."""

    name: str
    dialect: Dialect
    parse: Callable[[IniDocument], Parsed]


KINDS: dict[str, ConfigKind] = {
    "glance-api": ConfigKind("glance-api", Dialect.OSLO, glance_api.parse),
    "glance-image-import": ConfigKind("glance-image-import", Dialect.OSLO, glance_import.parse),
    "glance-swift": ConfigKind("glance-swift", Dialect.OSLO, glance_swift.parse),
    "nova": ConfigKind("nova", Dialect.OSLO, nova.parse),
    "cinder": ConfigKind("cinder", Dialect.OSLO, cinder.parse),
    "ceph": ConfigKind("ceph", Dialect.CEPH, ceph.parse),
}

# Kinds whose absence leaves later stages blind, so it is recorded as a gap.
EXPECTED_KINDS = ("glance-api", "glance-image-import", "nova", "cinder", "ceph")

_FILE_NAMES = {
    "glance-api.conf": "glance-api",
    "glance-image-import.conf": "glance-image-import",
    "glance-swift.conf": "glance-swift",
    "nova.conf": "nova",
    "cinder.conf": "cinder",
    "ceph.conf": "ceph",
}
_MAX_DEPTH = 8


@dataclass(frozen=True)
class ConfigPaths:
    """The files to read; nova, cinder and ceph may have several (compute groups, clusters)."""

    glance_api: str | None = None
    glance_import: str | None = None
    glance_swift: str | None = None
    nova: tuple[str, ...] = ()
    cinder: tuple[str, ...] = ()
    ceph: tuple[str, ...] = ()
    searched: str | None = None  # the directory discovery looked in
    notes: tuple[str, ...] = field(default=(), compare=False)

    def items(self) -> tuple[tuple[str, str], ...]:
        """``(kind, path)`` pairs in reading order."""
        singles = (
            ("glance-api", self.glance_api),
            ("glance-image-import", self.glance_import),
            ("glance-swift", self.glance_swift),
        )
        pairs = [(kind, path) for kind, path in singles if path is not None]
        pairs += [("nova", p) for p in self.nova]
        pairs += [("cinder", p) for p in self.cinder]
        pairs += [("ceph", p) for p in self.ceph]
        return tuple(pairs)


# ---------------------------------------------------------------- discovery


def _kind_of(path: str) -> str | None:
    name = os.path.basename(path)
    known = _FILE_NAMES.get(name)
    if known is not None:
        return known
    parent = os.path.basename(os.path.dirname(path))
    return "ceph" if parent == "ceph" and name.endswith(".conf") else None


def _walk(root: str) -> list[str]:
    """Every file under ``root`` (no symlinked directories), shallowest first."""
    found: list[str] = []
    for top, dirs, files in os.walk(root):
        depth = os.path.relpath(top, root).count(os.sep)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")) if depth < _MAX_DEPTH else []
        found += [os.path.join(top, f) for f in sorted(files)]
    return sorted(found, key=lambda p: (p.count(os.sep), p))


def discover(config_dir: str | os.PathLike[str]) -> ConfigPaths:
    """Find the configuration files under ``config_dir`` by their conventional names."""
    root = os.fspath(config_dir)
    if not os.path.isdir(root):
        raise ConfigFileError(root, "config directory not found (or not a directory)")
    by_kind: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for path in _walk(root):
        kind = _kind_of(path)
        if kind is not None:
            by_kind[kind].append(path)
    notes: list[str] = []
    singles: dict[str, str | None] = {}
    for kind in ("glance-api", "glance-image-import", "glance-swift"):
        paths = by_kind[kind]
        singles[kind] = paths[0] if paths else None
        notes += [f"{p}: another {kind} file; only {paths[0]} was read" for p in paths[1:]]
    return ConfigPaths(
        glance_api=singles["glance-api"],
        glance_import=singles["glance-image-import"],
        glance_swift=singles["glance-swift"],
        nova=tuple(by_kind["nova"]),
        cinder=tuple(by_kind["cinder"]),
        ceph=tuple(by_kind["ceph"]),
        searched=root,
        notes=tuple(notes),
    )


# ---------------------------------------------------------------- collection


def parse_document(kind: str, doc: IniDocument) -> Parsed:
    """Run the parser registered for ``kind``."""
    return KINDS[kind].parse(doc)


@dataclass
class _Collected:
    files: list[ConfigFile] = field(default_factory=list)
    views: list[ParsedView] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    def result(self) -> DeploymentConfig:
        glance = [v for v in self.views if isinstance(v, GlanceApiConfig)]
        imports = [v for v in self.views if isinstance(v, GlanceImportConfig)]
        return DeploymentConfig(
            files=tuple(self.files),
            glance_api=glance[0] if glance else None,
            glance_import=imports[0] if imports else None,
            nova=tuple(v for v in self.views if isinstance(v, NovaConfig)),
            cinder=tuple(v for v in self.views if isinstance(v, CinderConfig)),
            ceph=tuple(v for v in self.views if isinstance(v, CephConfig)),
            warnings=tuple(self.warnings),
        )


def _read_one(
    state: _Collected, kind: str, path: str, *, explicit: bool, max_bytes: int, opener: Opener
) -> None:
    spec = KINDS[kind]
    try:
        content, doc = load_ini(path, dialect=spec.dialect, max_bytes=max_bytes, opener=opener)
    except ConfigFileError as exc:
        if explicit:
            raise
        state.gaps.append(Gap(f"config:{kind}", f"file {path}", exc.message))
        return
    parsed = spec.parse(doc)
    state.files.append(ConfigFile(kind, content.path, content.sha256, content.size, doc.values))
    state.views.append(parsed.view)
    state.warnings += [*doc.warnings, *parsed.warnings]


def collect_configs(
    paths: ConfigPaths,
    *,
    explicit: bool,
    max_bytes: int = MAX_CONFIG_BYTES,
    opener: Opener | None = None,
) -> tuple[DeploymentConfig, tuple[Gap, ...]]:
    """Read and parse every file in ``paths``; see the module docstring for errors and gaps."""
    state = _Collected(warnings=list(paths.notes))
    for kind, path in paths.items():
        _read_one(
            state,
            kind,
            path,
            explicit=explicit,
            max_bytes=max_bytes,
            opener=opener or open_binary,
        )
    given = {kind for kind, _ in paths.items()}
    for kind in EXPECTED_KINDS:
        if kind in given:
            continue
        searched = paths.searched
        error = "not given" if explicit or searched is None else f"not found in {searched}"
        state.gaps.append(Gap(f"config:{kind}", "file", error))
    return state.result(), tuple(state.gaps)
