"""nova.conf: the libvirt image backend, Glance access and the compute image cache."""

from __future__ import annotations

from imageyard.collect.configs._common import Parsed, choice_problem, first, problems
from imageyard.collect.ini import IniDocument
from imageyard.model.config import NovaConfig, ValueKind

_D = "DEFAULT"
_LV = "libvirt"
_IC = "image_cache"
_G = "glance"
IMAGES_TYPES = ("raw", "flat", "qcow2", "lvm", "rbd", "ploop", "default")


def _build(doc: IniDocument) -> NovaConfig:
    return NovaConfig(
        path=doc.path,
        host=doc.get(_D, "host"),
        availability_zone=doc.get(_D, "default_availability_zone"),
        compute_driver=doc.get(_D, "compute_driver"),
        images_type=doc.get(_LV, "images_type"),
        images_rbd_pool=doc.get(_LV, "images_rbd_pool"),
        images_rbd_ceph_conf=doc.get(_LV, "images_rbd_ceph_conf"),
        rbd_user=doc.get(_LV, "rbd_user"),
        rbd_secret_uuid=doc.get(_LV, "rbd_secret_uuid"),
        images_rbd_glance_store_name=doc.get(_LV, "images_rbd_glance_store_name"),
        images_rbd_glance_copy_poll_interval=doc.get(_LV, "images_rbd_glance_copy_poll_interval"),
        images_rbd_glance_copy_timeout=doc.get(_LV, "images_rbd_glance_copy_timeout"),
        never_download_image_if_on_rbd=doc.get("workarounds", "never_download_image_if_on_rbd"),
        disable_deep_image_inspection=doc.get("workarounds", "disable_deep_image_inspection"),
        reserve_disk_resource_for_image_cache=doc.get(
            "workarounds", "reserve_disk_resource_for_image_cache"
        ),
        force_raw_images=doc.get(_D, "force_raw_images"),
        use_cow_images=doc.get(_D, "use_cow_images"),
        instances_path=doc.get(_D, "instances_path"),
        glance_api_servers=doc.get(_G, "api_servers"),
        glance_enable_rbd_download=doc.get(_G, "enable_rbd_download"),
        glance_rbd_user=doc.get(_G, "rbd_user"),
        glance_rbd_pool=doc.get(_G, "rbd_pool"),
        glance_rbd_ceph_conf=doc.get(_G, "rbd_ceph_conf"),
        verify_glance_signatures=doc.get(_G, "verify_glance_signatures"),
        enable_certificate_validation=doc.get(_G, "enable_certificate_validation"),
        # [image_cache] options, falling back to their deprecated names
        cache_manager_interval=first(
            doc, (_IC, "manager_interval"), (_D, "image_cache_manager_interval")
        ),
        cache_subdirectory_name=first(
            doc, (_IC, "subdirectory_name"), (_D, "image_cache_subdirectory_name")
        ),
        remove_unused_base_images=first(
            doc, (_IC, "remove_unused_base_images"), (_D, "remove_unused_base_images")
        ),
        remove_unused_original_minimum_age_seconds=first(
            doc,
            (_IC, "remove_unused_original_minimum_age_seconds"),
            (_D, "remove_unused_original_minimum_age_seconds"),
        ),
        remove_unused_resized_minimum_age_seconds=first(
            doc,
            (_IC, "remove_unused_resized_minimum_age_seconds"),
            (_LV, "remove_unused_resized_minimum_age_seconds"),
            (_D, "remove_unused_resized_minimum_age_seconds"),
        ),
        precache_concurrency=doc.get(_IC, "precache_concurrency"),
    )


def parse(doc: IniDocument) -> Parsed:
    """Build the ``NovaConfig`` view of one nova.conf."""
    view = _build(doc)
    bools = (
        view.force_raw_images,
        view.use_cow_images,
        view.never_download_image_if_on_rbd,
        view.disable_deep_image_inspection,
        view.reserve_disk_resource_for_image_cache,
        view.remove_unused_base_images,
        view.glance_enable_rbd_download,
        view.verify_glance_signatures,
        view.enable_certificate_validation,
    )
    ints = (
        view.images_rbd_glance_copy_poll_interval,
        view.images_rbd_glance_copy_timeout,
        view.cache_manager_interval,
        view.remove_unused_original_minimum_age_seconds,
        view.remove_unused_resized_minimum_age_seconds,
        view.precache_concurrency,
    )
    warnings = problems(
        [(cv, ValueKind.BOOL) for cv in bools] + [(cv, ValueKind.INT) for cv in ints]
    )
    warnings += choice_problem(view.images_type, IMAGES_TYPES)
    return Parsed(view, warnings)
