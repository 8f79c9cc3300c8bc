"""glance-api.conf: enabled backends, per-store sections, location exposure and cache."""

from __future__ import annotations

import re

from imageyard.collect.configs._common import Parsed, first, problems
from imageyard.collect.ini import IniDocument
from imageyard.model.config import (
    BackendRef,
    ConfigValue,
    GlanceApiConfig,
    StoreConfig,
    ValueKind,
    as_dict,
    as_list,
)

RESERVED_STORES = ("os_glance_staging_store", "os_glance_tasks_store")
_D = "DEFAULT"
_GS = "glance_store"


def _backends(cv: ConfigValue | None) -> tuple[BackendRef, ...]:
    if cv is None:
        return ()
    return tuple(BackendRef(store_id, kind, cv) for store_id, kind in as_dict(cv) or ())


def _store(doc: IniDocument, store_id: str, kind: str, *, reserved: bool = False) -> StoreConfig:
    return StoreConfig(
        id=store_id,
        type=kind,
        values=doc.section(store_id),
        section_found=doc.has_section(store_id),
        reserved=reserved,
    )


def _legacy_store(doc: IniDocument) -> StoreConfig:
    """The single store of a deployment without ``enabled_backends`` (default: file)."""
    default = doc.get(_GS, "default_store")
    listed = as_list(doc.get(_GS, "stores"))
    kind = default.value.strip() if default is not None else (listed[0] if listed else "file")
    return StoreConfig(
        id=kind, type=kind, values=doc.section(_GS), section_found=doc.has_section(_GS)
    )


def _store_problems(stores: tuple[StoreConfig, ...]) -> tuple[str, ...]:
    checks = [(s.weight_value, ValueKind.INT) for s in stores]
    checks += [(s.rbd_store_chunk_size, ValueKind.INT) for s in stores]
    return problems(checks)


def _reserved_id_problems(backends: tuple[BackendRef, ...]) -> tuple[str, ...]:
    return tuple(
        f"{b.source.where}: store id {b.id!r} uses the reserved os_glance_ prefix"
        for b in backends
        if b.id.startswith("os_glance_")
    )


# glance-operator names each GlanceAPI <glance>-<api>-<type> and logs to
# /var/log/glance/<name>.log (internal/controller/glanceapi_controller.go); external APIs
# face users, internal and edge ones serve the other services, a single one does both.
_OPERATOR_LOG = re.compile(
    r"^/var/log/glance/([A-Za-z0-9-]+-(internal|external|single|edge))\.log$"
)
_USER_FACING = {"external": True, "internal": False, "edge": False}


def _instance(doc: IniDocument) -> tuple[str, bool | None]:
    """The instance's name and whether it faces users, from glance-operator's log_file."""
    cv = doc.get(_D, "log_file")
    match = _OPERATOR_LOG.match(cv.value.strip()) if cv is not None else None
    if match is None:
        return doc.path, None
    return match.group(1), _USER_FACING.get(match.group(2))


def parse(doc: IniDocument) -> Parsed:
    """Build the ``GlanceApiConfig`` view of one glance-api.conf."""
    enabled = doc.get(_D, "enabled_backends")
    backends = _backends(enabled)
    stores = tuple(_store(doc, b.id, b.type) for b in backends)
    reserved = tuple(
        _store(doc, name, "file", reserved=True)
        for name in RESERVED_STORES
        if doc.has_section(name)
    )
    name, user_facing = _instance(doc)
    view = GlanceApiConfig(
        path=doc.path,
        name=name,
        user_facing=user_facing,
        enabled_backends=enabled,
        backends=backends,
        default_backend=doc.get(_GS, "default_backend"),
        stores=stores,
        reserved_stores=reserved,
        backend_defaults=doc.section("backend_defaults"),
        show_image_direct_url=doc.get(_D, "show_image_direct_url"),
        show_multiple_locations=doc.get(_D, "show_multiple_locations"),
        image_cache_dir=doc.get(_D, "image_cache_dir"),
        image_cache_driver=doc.get(_D, "image_cache_driver"),
        image_cache_max_size=doc.get(_D, "image_cache_max_size"),
        image_cache_stall_time=doc.get(_D, "image_cache_stall_time"),
        image_cache_sqlite_db=doc.get(_D, "image_cache_sqlite_db"),
        paste_flavor=doc.get("paste_deploy", "flavor"),
        worker_self_reference_url=doc.get(_D, "worker_self_reference_url"),
        public_endpoint=doc.get(_D, "public_endpoint"),
        enabled_import_methods=doc.get(_D, "enabled_import_methods"),
        image_import_plugins=doc.get("image_import_opts", "image_import_plugins"),
        image_conversion_output_format=doc.get("image_conversion", "output_format"),
        legacy_stores=doc.get(_GS, "stores"),
        legacy_default_store=doc.get(_GS, "default_store"),
        glance_store_values=doc.section(_GS),
        legacy_store=None if enabled is not None else _legacy_store(doc),
        location_strategy=doc.get(_D, "location_strategy"),
        store_type_preference=first(
            doc,
            ("store_type_location_strategy", "store_type_preference"),
            (_D, "store_type_preference"),
        ),
        delayed_delete=doc.get(_D, "delayed_delete"),
        disk_formats=doc.get("image_format", "disk_formats"),
        task_work_dir=doc.get("task", "work_dir"),
        node_staging_uri=doc.get(_D, "node_staging_uri"),
    )
    warnings = problems(
        [
            (enabled, ValueKind.DICT),
            (view.show_image_direct_url, ValueKind.BOOL),
            (view.show_multiple_locations, ValueKind.BOOL),
            (view.delayed_delete, ValueKind.BOOL),
            (view.image_cache_max_size, ValueKind.INT),
            (view.image_cache_stall_time, ValueKind.INT),
        ]
    )
    warnings += _store_problems(stores + reserved)
    warnings += _reserved_id_problems(backends)
    return Parsed(view, warnings)
