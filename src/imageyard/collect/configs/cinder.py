"""cinder.conf: volume backends (RBD or not), Glance access and the image-volume cache."""

from __future__ import annotations

from imageyard.collect.configs._common import Parsed, choice_problem, problems
from imageyard.collect.ini import IniDocument
from imageyard.model.config import (
    CinderBackendConfig,
    CinderConfig,
    ConfigValue,
    ValueKind,
    as_list,
)

_D = "DEFAULT"
_BD = "backend_defaults"


def _backend(doc: IniDocument, section: str) -> CinderBackendConfig:
    """One backend section; options it lacks come from ``[backend_defaults]``."""

    def opt(key: str) -> ConfigValue | None:
        own = doc.get(section, key)
        return own if own is not None else doc.get(_BD, key)

    return CinderBackendConfig(
        section=section,
        section_found=doc.has_section(section),
        values=doc.section(section),
        volume_driver=opt("volume_driver"),
        volume_backend_name=opt("volume_backend_name"),
        rbd_pool=opt("rbd_pool"),
        rbd_user=opt("rbd_user"),
        rbd_ceph_conf=opt("rbd_ceph_conf"),
        rbd_cluster_name=opt("rbd_cluster_name"),
        rbd_secret_uuid=opt("rbd_secret_uuid"),
        rbd_flatten_volume_from_snapshot=opt("rbd_flatten_volume_from_snapshot"),
        rbd_max_clone_depth=opt("rbd_max_clone_depth"),
        image_volume_cache_enabled=opt("image_volume_cache_enabled"),
        image_volume_cache_max_size_gb=opt("image_volume_cache_max_size_gb"),
        image_volume_cache_max_count=opt("image_volume_cache_max_count"),
    )


def _backends(doc: IniDocument, enabled: ConfigValue | None) -> tuple[CinderBackendConfig, ...]:
    if enabled is not None:
        return tuple(_backend(doc, name) for name in as_list(enabled))
    if doc.get(_D, "volume_driver") is not None:
        return (_backend(doc, _D),)  # pre-multi-backend layout: the driver in [DEFAULT]
    return ()


def _backend_problems(backend: CinderBackendConfig) -> tuple[str, ...]:
    return problems(
        [
            (backend.rbd_flatten_volume_from_snapshot, ValueKind.BOOL),
            (backend.rbd_max_clone_depth, ValueKind.INT),
            (backend.image_volume_cache_enabled, ValueKind.BOOL),
            (backend.image_volume_cache_max_size_gb, ValueKind.INT),
            (backend.image_volume_cache_max_count, ValueKind.INT),
        ]
    )


def parse(doc: IniDocument) -> Parsed:
    """Build the ``CinderConfig`` view of one cinder.conf."""
    enabled = doc.get(_D, "enabled_backends")
    backends = _backends(doc, enabled)
    view = CinderConfig(
        path=doc.path,
        host=doc.get(_D, "host"),
        enabled_backends=enabled,
        backends=backends,
        backend_defaults=doc.section(_BD),
        allowed_direct_url_schemes=doc.get(_D, "allowed_direct_url_schemes"),
        cinder_internal_tenant_project_id=doc.get(_D, "cinder_internal_tenant_project_id"),
        cinder_internal_tenant_user_id=doc.get(_D, "cinder_internal_tenant_user_id"),
        verify_glance_signatures=doc.get(_D, "verify_glance_signatures"),
        image_conversion_dir=doc.get(_D, "image_conversion_dir"),
        image_upload_use_cinder_backend=doc.get(_D, "image_upload_use_cinder_backend"),
        image_upload_use_internal_tenant=doc.get(_D, "image_upload_use_internal_tenant"),
        glance_api_servers=doc.get(_D, "glance_api_servers"),
        glance_auth_type=doc.get("glance", "auth_type"),
        glance_section_found=doc.has_section("glance"),
    )
    warnings = choice_problem(view.verify_glance_signatures, ("enabled", "disabled"))
    warnings += problems(
        [
            (view.image_upload_use_cinder_backend, ValueKind.BOOL),
            (view.image_upload_use_internal_tenant, ValueKind.BOOL),
        ]
    )
    for backend in backends:
        warnings += _backend_problems(backend)
        if not backend.section_found and enabled is not None:
            warnings += (f"{enabled.where}: backend [{backend.section}] has no section",)
    return Parsed(view, warnings)
