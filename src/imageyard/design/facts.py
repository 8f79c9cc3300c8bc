"""The facts every design decision rests on, each with its upstream source.

Concepts: a ``Fact`` is one statement about Glance, glance_store, Nova, Cinder or Ceph with
the upstream file (``project: path``) or document it comes from. Decisions cite facts by id;
``kind`` says whether the statement is read from code/docs (``fact``) or inferred from them
(``inference``), so the memo never presents an inference as documented behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    """One cited statement."""

    id: str
    text: str
    source: str
    kind: str = "fact"  # fact | inference


_FACTS: tuple[Fact, ...] = (
    Fact(
        "cow-clone-rules",
        "Nova and Cinder clone an image only when its disk_format is raw and an rbd:// location "
        "names their own cluster's fsid and a pool they can read; otherwise they download it.",
        "nova: nova/storage/rbd_utils.py is_cloneable; cinder: cinder/volume/drivers/rbd.py "
        "_is_cloneable",
    ),
    Fact(
        "ceph-raw-required",
        "Ceph does not support qcow2 for VM disks; raw images are required to boot from Ceph.",
        "ceph: doc/rbd/rbd-openstack.rst",
    ),
    Fact(
        "default-backend",
        "[glance_store] default_backend must name an enabled backend or glance-api will not start; "
        "imports and uploads without a store go there.",
        "glance_store: glance_store/multi_backend.py; glance: api-ref/source/v2/images-import.inc",
    ),
    Fact(
        "store-weight",
        "Store weight (integer, default 0, glance_store 4.6.0 / Glance 27.0.0) orders an image's "
        "locations, highest first, for download and for direct_url.",
        "glance_store: glance_store/driver.py; glance: glance/common/utils.py sort_image_locations",
    ),
    Fact(
        "direct-url-single",
        "With only show_image_direct_url, Glance exposes one location: the highest-weighted one. "
        "A consumer whose cluster holds a lower-weighted copy sees no cloneable location unless "
        "show_multiple_locations is on.",
        "glance: glance/api/v2/images.py ResponseSerializer.show",
        "inference",
    ),
    Fact(
        "reserved-stores",
        "Store ids starting with os_glance_ are reserved; os_glance_staging_store and "
        "os_glance_tasks_store are file stores configured only by filesystem_store_datadir, in "
        "directories distinct from every file store.",
        "glance: doc/source/admin/multistores.rst",
    ),
    Fact(
        "store-holding-images",
        "A store that still holds image locations cannot simply be removed from "
        "enabled_backends: those locations become unreadable. Copy with copy-image, then delete "
        "the old copy with DELETE /v2/stores/{store_id}/{image_id}.",
        "glance: glance/api/v2/images.py (delete_from_store); "
        "doc/source/admin/interoperable-image-import.rst",
        "inference",
    ),
    Fact(
        "ossn-0090",
        "Never show locations or direct_url to end users: run a user-facing glance-api with both "
        "show options False and an internal-only one for Nova, Cinder and Ironic with them on.",
        "OSSN-0090, https://lists.openstack.org/pipermail/openstack-announce/2022-October/"
        "002062.html",
    ),
    Fact(
        "show-multiple-locations",
        "show_multiple_locations is deprecated since Newton but still honoured; it exposes every "
        "location, which multi-cluster consumers need to find their local copy.",
        "glance: glance/common/config.py; nova: nova/image/glance.py GlanceImageServiceV2.show",
    ),
    Fact(
        "image-conversion",
        "The image_conversion plugin ([image_import_opts] image_import_plugins, [image_conversion] "
        "output_format qcow2|raw|vmdk, default raw) runs only for interoperable import, never for "
        "PUT /v2/images/{id}/file nor for copy-image.",
        "glance: glance/async_/flows/plugins/image_conversion.py; "
        "doc/source/admin/interoperable-image-import.rst",
    ),
    Fact(
        "raw-grows",
        "Converting qcow2 to raw stores the full virtual_size (thin only where the backend "
        "skips zeroes), so the stored size grows from size to about virtual_size.",
        "glance: glance/async_/flows/plugins/image_conversion.py (size set from the converted "
        "file); glance_store: glance_store/_drivers/rbd.py rbd_thin_provisioning",
        "inference",
    ),
    Fact(
        "nova-store-name",
        "[libvirt] images_rbd_glance_store_name (nova 22.0.0) makes Nova ask Glance to copy a "
        "non-cloneable image into that store (copy-image) and clone it, instead of a flat "
        "download per host.",
        "nova: nova/conf/libvirt.py; nova/virt/libvirt/imagebackend.py",
    ),
    Fact(
        "never-download",
        "[workarounds] never_download_image_if_on_rbd (nova 21.0.0, default False) makes Nova "
        "refuse to download an rbd-backed image from another cluster and re-import it flat.",
        "nova: nova/conf/workarounds.py; bug 1858877",
    ),
    Fact(
        "copy-image-policy",
        "The copy_image policy defaults to admin only, and Nova sends copy-image with the user's "
        "token: non-admin boots needing a copy may be refused unless the policy is relaxed.",
        "glance: glance/policies/image.py; nova: nova/image/glance.py image_import_copy",
        "inference",
    ),
    Fact(
        "copy-image-method",
        "copy-image is an import method (in enabled_import_methods by default since 20.0.0); it "
        "copies an active image into more stores.",
        "glance: glance/common/config.py; doc/source/admin/interoperable-image-import.rst",
    ),
    Fact(
        "cache-useless-with-rbd",
        "COW clones never download, so a Glance API cache only adds disk use when images live in "
        "RBD; the Ceph guide disables it (flavor keystone).",
        "ceph: doc/rbd/rbd-openstack.rst",
    ),
    Fact(
        "cache-max-size",
        "image_cache_max_size (default 10 GiB) is only the pruner's target, not a hard cap; the "
        "cache grows past it between prune runs. The cache is per glance-api node.",
        "glance: glance/image_cache/__init__.py; doc/source/admin/cache.rst",
    ),
    Fact(
        "cache-clean-api",
        "POST /v2/cache/clean and POST /v2/cache/prune (API 2.18) exist only from Glance 33; "
        "older releases run glance-cache-pruner and glance-cache-cleaner from cron (deprecated "
        "from 32.0.0, still shipped).",
        "glance: releasenotes/notes/cache-clean-prune-api-endpoints.yaml; pyproject.toml "
        "console scripts",
    ),
    Fact(
        "cache-centralized-db",
        "image_cache_driver centralized_db (default from 28.0.0) requires "
        "worker_self_reference_url when caching is on.",
        "glance: glance/image_cache/drivers/centralized_db.py; glance/sqlite_migration.py",
    ),
    Fact(
        "cache-paste-flavor",
        "Caching needs the cache filter of the paste pipeline: [paste_deploy] flavor "
        "keystone+caching or keystone+cachemanagement; keystone has none.",
        "glance: etc/glance-api-paste.ini",
    ),
    Fact(
        "nova-image-cache",
        "Nova's _base cache has no size limit; [image_cache] manager_interval (2400 s), "
        "remove_unused_base_images (True) and remove_unused_original_minimum_age_seconds (86400) "
        "decide when unused files go.",
        "nova: nova/conf/imagecache.py; doc/source/admin/image-caching.rst",
    ),
    Fact(
        "nova-precache",
        "POST /os-aggregates/{id}/images (microversion 2.81) pre-caches images into _base on the "
        "aggregate's computes; on rbd computes it fills _base but puts nothing into Ceph.",
        "nova: api-ref/source/os-aggregates.inc; nova/virt/libvirt/driver.py cache_image",
    ),
    Fact(
        "cinder-image-cache",
        "Cinder's image-volume cache (image_volume_cache_enabled, _max_size_gb, _max_count, per "
        "backend) turns repeated non-COW volume creations into clones of a cached volume; it "
        "needs cinder_internal_tenant_project_id and cinder_internal_tenant_user_id.",
        "cinder: cinder/volume/driver.py; cinder/context.py",
    ),
    Fact(
        "rbd-delete-in-use",
        "Deleting an rbd image whose snap has clones fails with InUseByStore (HTTP 409); an image "
        "with other snapshots goes to the RBD trash (glance_store 4.6.0+).",
        "glance_store: glance_store/_drivers/rbd.py _delete_image",
    ),
    Fact(
        "location-strategy-removed",
        "location_strategy and store_type_preference were removed in Glance 29.0.0; store weight "
        "replaces them.",
        "glance: releasenotes/notes/removed-location-strategy-functionality-b1b562e68608a6f8.yaml",
    ),
    Fact(
        "dcn-edge",
        "In distributed (edge) layouts every edge site has its own Ceph and Glance store, images "
        "must be raw, and a copy of each image must exist at the central site.",
        "https://docs.redhat.com/en/documentation/red_hat_openstack_platform/17.1/html/"
        "creating_and_managing_images/assembly_image-service-with-multiple-stores_glance-"
        "creating-images",
    ),
    Fact(
        "rbd-thin-provisioning",
        "[<rbd store>] rbd_thin_provisioning (glance_store 2.3.0, default False) skips writing "
        "all-zero chunks, so a raw image in RBD takes about its allocated data rather than its "
        "full virtual size.",
        "glance_store: glance_store/_drivers/rbd.py",
    ),
    Fact(
        "os-hash-value",
        "Glance computes os_hash_value over the image data with os_hash_algo ([DEFAULT] "
        "hashing_algorithm, default sha512) when the data is stored: two images with the same "
        "algorithm and value hold the same bytes.",
        "glance: glance/location.py ImageProxy.set_data; glance/common/config.py hashing_algorithm",
    ),
    Fact(
        "image-protected",
        "A protected image cannot be deleted (403) until protected is set to False; deleting an "
        "image does not touch the servers and volumes made from it, but they can no longer be "
        "rebuilt from it.",
        "glance: glance/domain/__init__.py Image.delete; nova: nova/compute/api.py rebuild",
        "inference",
    ),
    Fact(
        "nova-read-path",
        "Nova reads an image's rbd locations only from 'locations' (show_multiple_locations) "
        "or direct_url (show_image_direct_url), which holds the single top-weighted location.",
        "nova: nova/image/glance.py GlanceImageServiceV2.show; glance: glance/api/v2/images.py "
        "ResponseSerializer, glance/common/utils.py sort_image_locations",
    ),
    Fact(
        "copy-image-boot-failure",
        "With images_rbd_glance_store_name set, Nova's copy-image request uses the user's token; "
        "a 403 from Glance's admin-only copy_image policy becomes ImageNotAuthorized, which the "
        "download fallback (it catches only ImageUnacceptable) does not catch: the boot fails. "
        "With never_download_image_if_on_rbd the fallback itself re-raises: a boot of an image "
        "with no cloneable copy in the local cluster fails instead of downloading.",
        "nova: nova/virt/libvirt/imagebackend.py Rbd.copy_to_store; nova/image/glance.py "
        "image_import_copy; nova/virt/libvirt/driver.py clone_fallback_to_fetch; glance: "
        "glance/policies/image.py copy_image",
    ),
    Fact(
        "release-gating",
        "Multi-store (enabled_backends, default_backend, per-store sections) exists from "
        "Glance 17.0.0 (Rocky), the image_conversion import plugin from 18.0.0 (Stein), the "
        "reserved os_glance_staging_store/os_glance_tasks_store and copy-image from 20.0.0 "
        "(Ussuri), store weight from 27.0.0; Nova's never_download_image_if_on_rbd from 21.0.0 "
        "(Ussuri) and images_rbd_glance_store_name from 22.0.0 (Victoria).",
        "glance: releasenotes/notes (multi-store Rocky, image conversion Stein, reserved stores "
        "and copy-image Ussuri); nova: nova/conf/workarounds.py, nova/conf/libvirt.py",
        "inference",
    ),
    Fact(
        "startup-fix",
        "The audit's startup rules find what stops glance-api or nova-compute from starting "
        "(an unknown store type, a default store not enabled, a reserved store id, a list "
        "option without brackets, force_raw_images=False with rbd, a cache without a node URL).",
        "imageyard: docs/rules/ (one page per rule, each citing the upstream code)",
    ),
    Fact(
        "file-location-path",
        "The file store reads and deletes an image at the absolute path in its file:// location, "
        "not under the current filesystem_store_datadir, which only decides where new images go.",
        "glance_store: glance_store/_drivers/filesystem.py Store._resolve_location, get, delete",
    ),
    Fact(
        "legacy-location-store",
        "With enabled_backends set, Glance gives a location without a 'store' (single-store "
        "uploads) the store whose url_prefix the URL starts with, on the next read of the image; "
        "an rbd store's url_prefix is rbd://<fsid>/<pool>/ of the cluster it connects to, so the "
        "new store must keep the pool, user and ceph.conf of the old [glance_store] options.",
        "glance: glance/common/store_utils.py update_store_in_locations, _get_store_id_from_uri; "
        "glance/location.py ImageRepoProxy.get; glance_store: glance_store/_drivers/rbd.py "
        "_set_url_prefix",
    ),
    Fact(
        "multistore-sections",
        "In multi-store mode glance_store reads each store's driver options from the section "
        "named by its id (then [backend_defaults]); driver options left in [glance_store] are "
        "ignored, so the store falls back to the driver defaults (pool images, default user).",
        "glance_store: glance_store/multi_backend.py register_store_opts; glance_store/driver.py",
    ),
    Fact(
        "store-driver-names",
        "enabled_backends and [glance_store] stores name glance_store drivers by their entry "
        "points: file, http, swift, rbd, cinder, vmware, s3, and the legacy class paths "
        "glance.store.<module>.Store; any other type makes glance-api fail to load the store.",
        "glance_store: setup.cfg [entry_points] glance_store.drivers",
    ),
    Fact(
        "nova-rbd-download",
        "[glance] enable_rbd_download lets non-rbd computes read rbd-backed images with rbd "
        "export instead of through the Glance API.",
        "nova: nova/conf/glance.py",
    ),
    Fact(
        "publicize-image",
        "Making an image public is the publicize_image policy, admin only by default; every "
        "project sees and may boot a public image.",
        "glance: glance/policies/image.py (publicize_image); api-ref/source/v2/"
        "images-parameters.yaml (visibility)",
    ),
    Fact(
        "signature-verify-download",
        "Nova ([glance] verify_glance_signatures) and Cinder (verify_glance_signatures) verify "
        "an image signature only on download; a copy-on-write RBD clone downloads nothing and "
        "is not verified.",
        "nova: nova/image/glance.py (_get_verifier), doc/source/user/certificate-validation.rst "
        "(Limitations); cinder: cinder/volume/flows/manager/create_volume.py",
    ),
    Fact(
        "glance-signature-upload",
        "When all four img_signature* properties are set, Glance verifies the data on upload "
        "and fails the upload if the signature does not match; it cannot require signatures.",
        "glance: glance/location.py (set_data), doc/source/user/signature.rst",
    ),
    Fact(
        "image-retire",
        "An image with os_hidden true is left out of the default image list; a deactivated "
        "image cannot be downloaded by non-admin users and Nova and Cinder refuse inactive "
        "images; both are reversible (os_hidden false, reactivate).",
        "glance: api-ref/source/v2/images-images-v2.inc (deactivate, reactivate), "
        "api-ref/source/v2/images-parameters.yaml (os_hidden)",
    ),
)

FACTS: dict[str, Fact] = {f.id: f for f in _FACTS}


def fact(fact_id: str) -> Fact:
    """The fact ``fact_id`` (a KeyError is a bug in a decision function)."""
    return FACTS[fact_id]
