"""Config collectors: find, read and parse the OpenStack and Ceph configuration files.

Concepts:

* A *kind* is one sort of file (``glance-api``, ``glance-image-import``, ``nova``,
  ``cinder``, ``ceph``, ``glance-swift``). ``KINDS`` maps each kind to its INI dialect
  and parser; every parser turns an ``IniDocument`` into a ``Parsed`` view plus warnings.
* ``ConfigPaths`` names the files to read: given explicitly, or found by ``discover`` in a
  directory tree (see ``discover`` for the layouts). A service instance may read several
  files (``ConfigPaths.overlays``); its view is parsed from all of them merged in load
  order (``services``), so every field holds the occurrence oslo.config uses.
* ``collect_configs`` reads and parses them into a ``DeploymentConfig`` whose ``services``
  list each instance's files in load order. A file the operator named explicitly that is
  missing or broken raises ``ConfigFileError``; a kind that discovery did not find, or a
  discovered file that cannot be read, becomes a ``Gap``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from imageyard.collect.configs import ceph, cinder, glance_api, glance_import, glance_swift, nova
from imageyard.collect.configs._common import Parsed, ParsedView
from imageyard.collect.configs.discover import discover
from imageyard.collect.configs.paths import ConfigPaths, Overlay, split_group
from imageyard.collect.configs.services import merge, service_configs
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
    Service,
    ServiceConfig,
)
from imageyard.model.gap import Gap

__all__ = [
    "KINDS",
    "ConfigKind",
    "ConfigPaths",
    "Overlay",
    "Parsed",
    "collect_configs",
    "discover",
    "parse_document",
    "split_group",
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

# The parser that turns each service instance's merged files into its view.
_SERVICE_KIND = {
    Service.GLANCE_API: "glance-api",
    Service.GLANCE_IMAGE_IMPORT: "glance-image-import",
    Service.NOVA_COMPUTE: "nova",
    Service.CINDER_VOLUME: "cinder",
}


def parse_document(kind: str, doc: IniDocument) -> Parsed:
    """Run the parser registered for ``kind``."""
    return KINDS[kind].parse(doc)


@dataclass
class _Collected:
    files: list[ConfigFile] = field(default_factory=list)
    docs: dict[str, IniDocument] = field(default_factory=dict)
    views: list[ParsedView] = field(default_factory=list)
    services: tuple[ServiceConfig, ...] = ()
    warnings: list[str] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    def result(self) -> DeploymentConfig:
        glance = _primary_first([v for v in self.views if isinstance(v, GlanceApiConfig)])
        imports = [v for v in self.views if isinstance(v, GlanceImportConfig)]
        return DeploymentConfig(
            files=tuple(self.files),
            glance_api=glance[0] if glance else None,
            more_glance_apis=tuple(glance[1:]),
            glance_import=imports[0] if imports else None,
            nova=tuple(v for v in self.views if isinstance(v, NovaConfig)),
            cinder=tuple(v for v in self.views if isinstance(v, CinderConfig)),
            ceph=tuple(v for v in self.views if isinstance(v, CephConfig)),
            warnings=tuple(self.warnings),
            services=_primary_service_first(self.services, glance[0] if glance else None),
        )


def _primary_first(apis: list[GlanceApiConfig]) -> list[GlanceApiConfig]:
    """The glance-api instances, the internal one Nova and Cinder use first (else the first)."""
    internal = next((a for a in apis if a.user_facing is False), None)
    return [internal, *(a for a in apis if a is not internal)] if internal else apis


def _primary_service_first(
    services: tuple[ServiceConfig, ...], primary: GlanceApiConfig | None
) -> tuple[ServiceConfig, ...]:
    def later(svc: ServiceConfig) -> bool:
        return not (svc.service is Service.GLANCE_API and primary and svc.name == primary.path)

    return tuple(sorted(services, key=later))


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
    state.files.append(ConfigFile(kind, content.path, content.sha256, content.size, doc.values))
    state.docs[content.path] = doc
    state.warnings += doc.warnings


def _parse_views(state: _Collected, paths: ConfigPaths) -> None:
    """One view per service instance (merged files) and per ceph.conf / glance-swift.conf."""
    state.services = service_configs(paths, state.docs)
    for svc in state.services:
        kind = _SERVICE_KIND[svc.service]
        merged = merge(svc.name, tuple(state.docs[f] for f in svc.files))
        parsed = KINDS[kind].parse(merged)
        _add_view(state, parsed, svc.files)
    for kind, path in paths.mains():
        if kind in ("ceph", "glance-swift") and path in state.docs:
            _add_view(state, KINDS[kind].parse(state.docs[path]), (path,))


def _add_view(state: _Collected, parsed: Parsed, files: tuple[str, ...]) -> None:
    view = parsed.view
    if isinstance(view, GlanceApiConfig | GlanceImportConfig | NovaConfig | CinderConfig):
        view = replace(view, files=files)
    state.views.append(view)
    state.warnings += [w for w in parsed.warnings if w not in state.warnings]


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
    _parse_views(state, paths)
    given = {kind for kind, _ in paths.mains()}
    for kind in EXPECTED_KINDS:
        if kind in given:
            continue
        searched = paths.searched
        error = "not given" if explicit or searched is None else f"not found in {searched}"
        state.gaps.append(Gap(f"config:{kind}", "file", error))
    return state.result(), tuple(state.gaps)
