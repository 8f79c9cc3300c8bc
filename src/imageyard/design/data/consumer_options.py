"""Nova and Cinder option names design may write, with the upstream file defining each.

Concepts: Nova and Cinder are not installed next to imageyard, so their options cannot be
read from code at run time. This table lists only the options design emits, each checked
against the named upstream file (nova master 00a030403f67, cinder master ab09bc39dbcd);
``options.py`` refuses any nova.conf or cinder.conf change not listed here. Cinder backend
options live in the backend's own section, written ``<backend>`` below.
"""

from __future__ import annotations

NOVA_OPTIONS: dict[tuple[str, str], str] = {
    ("libvirt", "images_rbd_glance_store_name"): "nova/conf/libvirt.py",
    ("workarounds", "never_download_image_if_on_rbd"): "nova/conf/workarounds.py",
    ("image_cache", "manager_interval"): "nova/conf/imagecache.py",
    ("image_cache", "remove_unused_base_images"): "nova/conf/imagecache.py",
    ("image_cache", "remove_unused_original_minimum_age_seconds"): "nova/conf/imagecache.py",
    ("image_cache", "remove_unused_resized_minimum_age_seconds"): "nova/conf/imagecache.py",
    ("DEFAULT", "force_raw_images"): "nova/conf/compute.py",
    ("glance", "enable_rbd_download"): "nova/conf/glance.py",
}

CINDER_OPTIONS: dict[tuple[str, str], str] = {
    ("<backend>", "image_volume_cache_enabled"): "cinder/volume/driver.py",
    ("<backend>", "image_volume_cache_max_size_gb"): "cinder/volume/driver.py",
    ("<backend>", "image_volume_cache_max_count"): "cinder/volume/driver.py",
    ("DEFAULT", "cinder_internal_tenant_project_id"): "cinder/context.py",
    ("DEFAULT", "cinder_internal_tenant_user_id"): "cinder/context.py",
}
