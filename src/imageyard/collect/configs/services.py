"""Each service instance's files merged in load order, as oslo.config reads them.

Concepts: ``merge`` concatenates the occurrences of several parsed files in the order the
process loads them, so ``IniDocument.get`` (the last occurrence wins) returns the value
oslo.config uses, with its own ``file:line``. ``service_files`` gives that order per
service: glance-api reads glance-image-import.conf, then glance-api.conf, then its
overlays (glance ``common/wsgi_app.py`` ``CONFIG_FILES``, then oslo.config's default
config dirs); nova-compute and cinder-volume read their main file, then its overlays.
The import options live in glance-api's process, so the glance-image-import view is built
from the same files.
"""

from __future__ import annotations

from collections.abc import Mapping

from imageyard.collect.configs.paths import ConfigPaths
from imageyard.collect.ini import Dialect, IniDocument, SectionHeader, normalize_section
from imageyard.model.config import Service, ServiceConfig

_SERVICE_OF_KIND = {
    "glance-api": Service.GLANCE_API,
    "nova": Service.NOVA_COMPUTE,
    "cinder": Service.CINDER_VOLUME,
}


def merge(main: str, docs: tuple[IniDocument, ...]) -> IniDocument:
    """One document holding every occurrence of ``docs`` in order; named after ``main``."""
    headers: dict[str, SectionHeader] = {}
    for doc in docs:
        for header in doc.sections:
            headers.setdefault(normalize_section(header.name), header)
    return IniDocument(
        path=main,
        values=tuple(v for d in docs for v in d.values),
        sections=tuple(headers.values()),
        warnings=(),
        dialect=Dialect.OSLO,
    )


def glance_files(paths: ConfigPaths, main: str | None = None) -> tuple[str, ...]:
    """The files the glance-api instance ``main`` (default: the first) reads, in load order."""
    files = [paths.glance_import] if paths.glance_import else []
    if paths.glance_import:
        files += paths.overlays_of(paths.glance_import)
    api = main or paths.glance_api
    if api:
        files += [api, *paths.overlays_of(api)]
    return tuple(files)


def service_groups(paths: ConfigPaths) -> tuple[tuple[Service, str, tuple[str, ...]], ...]:
    """``(service, the file that must be read, files in load order)`` per service instance.

    glance-api needs glance-api.conf (one group per glance-api instance); the
    glance-image-import view needs glance-image-import.conf (without it, whether the file
    exists on the host is unknown) and is built from the first instance's files.
    """
    groups: list[tuple[Service, str, tuple[str, ...]]] = [
        (Service.GLANCE_API, main, glance_files(paths, main)) for main in paths.glance_apis()
    ]
    if paths.glance_import:
        groups.append((Service.GLANCE_IMAGE_IMPORT, paths.glance_import, glance_files(paths)))
    for kind, main in paths.mains():
        service = _SERVICE_OF_KIND.get(kind)
        if service is not None and service is not Service.GLANCE_API:
            groups.append((service, main, (main, *paths.overlays_of(main))))
    return tuple(groups)


def service_configs(
    paths: ConfigPaths, docs: Mapping[str, IniDocument]
) -> tuple[ServiceConfig, ...]:
    """The service instances whose main file was read, each with the files that were read."""
    return tuple(
        ServiceConfig(service, tuple(f for f in files if f in docs), main)
        for service, main, files in service_groups(paths)
        if main in docs
    )
