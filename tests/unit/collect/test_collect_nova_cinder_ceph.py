"""nova.conf, cinder.conf, ceph.conf and glance-image-import.conf on the sample deployments."""

from __future__ import annotations

from collections.abc import Callable

from collect_fixtures import at, val

from imageyard.collect.configs import cinder, nova
from imageyard.collect.ini import parse_ini
from imageyard.model.config import (
    CinderConfig,
    DeploymentConfig,
    NovaConfig,
    as_bool,
    as_dict,
    as_int,
    as_list,
)

Load = Callable[[str], DeploymentConfig]


def _by_host(config: DeploymentConfig) -> dict[str, NovaConfig]:
    return {val(n.host) or "": n for n in config.nova}


def test_tripleo_dcn_computes_use_their_edge_store(deployment: Load) -> None:
    config = deployment("tripleo-dcn")
    computes = _by_host(config)
    assert sorted(computes) == ["dcn0-computehci-0.localdomain", "dcn1-computehci-0.localdomain"]
    dcn0 = computes["dcn0-computehci-0.localdomain"]
    conf = "tripleo-dcn/nova_libvirt_dcn0/etc/nova/nova.conf"
    assert dcn0.uses_rbd
    assert (val(dcn0.images_rbd_glance_store_name), at(dcn0.images_rbd_glance_store_name)) == (
        "dcn0",
        f"{conf}:20",
    )
    assert val(dcn0.images_rbd_ceph_conf) == "/etc/ceph/dcn0.conf"
    assert as_int(dcn0.images_rbd_glance_copy_poll_interval) == 15
    assert as_int(dcn0.images_rbd_glance_copy_timeout) == 600
    assert as_bool(dcn0.never_download_image_if_on_rbd) is True
    assert val(dcn0.availability_zone) == "dcn0"
    assert val(dcn0.rbd_secret_uuid) == "a1b2c3d4-0000-4000-8000-00000000dc00"


def test_tripleo_dcn_three_clusters_with_their_own_fsid(deployment: Load) -> None:
    clusters = {c.cluster: c for c in deployment("tripleo-dcn").ceph}
    assert sorted(clusters) == ["central", "dcn0", "dcn1"]
    assert val(clusters["dcn1"].fsid) == "c0a80101-aaaa-4bbb-8ccc-0000000000d1"
    mon = clusters["central"].mon_host
    assert (
        mon is not None and mon.key == "mon host" and at(mon) == "tripleo-dcn/ceph/central.conf:4"
    )
    assert clusters["dcn0"].client_sections == ("client.openstack",)
    assert [val(k) for k in clusters["dcn0"].client_keyrings] == [
        "/etc/ceph/dcn0.client.openstack.keyring"
    ]


def test_mixed_computes_rbd_and_qcow2(deployment: Load) -> None:
    computes = _by_host(deployment("mixed-computes"))
    rbd, local = computes["rbd-compute-01"], computes["local-compute-01"]
    assert rbd.uses_rbd and not local.uses_rbd
    assert local.effective_images_type == "qcow2"
    conf = "mixed-computes/nova-qcow2/nova.conf"
    # [image_cache] manager_interval wins over the deprecated [DEFAULT] name
    assert (val(local.cache_manager_interval), at(local.cache_manager_interval)) == (
        "1200",
        f"{conf}:16",
    )
    # only the deprecated names are set for these
    assert local.cache_subdirectory_name is not None
    assert local.cache_subdirectory_name.section == "DEFAULT"
    assert at(local.remove_unused_original_minimum_age_seconds) == f"{conf}:9"
    resized = local.remove_unused_resized_minimum_age_seconds
    assert resized is not None and resized.section == "libvirt" and resized.value == "1800"
    assert as_bool(local.force_raw_images) is False
    assert val(local.instances_path) == "/srv/nova/instances"
    assert as_bool(local.glance_enable_rbd_download) is True
    assert val(local.glance_rbd_pool) == "images"
    assert as_bool(local.verify_glance_signatures) is True
    assert as_bool(local.reserve_disk_resource_for_image_cache) is True


def test_charm_nova_and_ceph_without_fsid(deployment: Load) -> None:
    config = deployment("charm")
    (compute,) = config.nova
    assert val(compute.images_rbd_pool) == "nova"
    assert val(compute.rbd_user) == "nova-compute"
    assert at(compute.cache_manager_interval) == "charm/etc/nova/nova.conf:21"
    (ceph,) = config.ceph
    assert ceph.cluster == "ceph" and ceph.fsid is None
    assert val(ceph.mon_host) == "10.5.0.51 10.5.0.52 10.5.0.53"
    assert val(ceph.keyring) == "/etc/ceph/$cluster.$name.keyring"
    assert any("no fsid" in w for w in config.warnings)
    libvirt_flags = [v for v in config.files[1].values if v.key.startswith("inject_")]
    assert [v.value for v in libvirt_flags] == ["false", "false", "-2"]


def test_osa_cinder_rbd_with_cache_and_internal_tenant(deployment: Load) -> None:
    config = deployment("osa")
    (c,) = config.cinder
    assert as_list(c.enabled_backends) == ("RBD",)
    (backend,) = c.backends
    assert backend.is_rbd and backend.section == "RBD" and backend.section_found
    assert val(backend.rbd_pool) == "volumes"
    assert as_bool(backend.image_volume_cache_enabled) is True
    assert as_int(backend.image_volume_cache_max_size_gb) == 200
    assert as_int(backend.rbd_max_clone_depth) == 5
    assert c.has_internal_tenant and c.glance_auth_configured
    assert val(c.verify_glance_signatures) == "disabled"
    assert as_list(c.allowed_direct_url_schemes) == ("cinder",)
    assert val(c.image_conversion_dir) == "/var/lib/cinder/conversion"
    (compute,) = config.nova
    assert at(compute.cache_manager_interval) == "osa/etc/nova/nova.conf:19"
    assert as_int(compute.precache_concurrency) == 4


def test_osa_import_conf(deployment: Load) -> None:
    imp = deployment("osa").glance_import
    assert imp is not None
    assert imp.plugins == ("image_conversion",)
    assert val(imp.output_format) == "raw"
    assert as_dict(imp.inject_properties) == (("property1", "value1"), ("property2", "value2"))
    assert val(imp.inject_ignore_user_roles) == "admin"
    assert as_list(imp.allowed_schemes) == ("http", "https")
    assert at(imp.allowed_ports) == "osa/etc/glance/glance-image-import.conf:13"


def test_cinder_lvm_next_to_rbd(deployment: Load) -> None:
    (c,) = deployment("cinder-lvm-rbd").cinder
    lvm, rbd = c.backends
    assert (lvm.section, lvm.is_rbd, rbd.section, rbd.is_rbd) == ("lvm-1", False, "rbd-1", True)
    # lvm-1 overrides the cache, rbd-1 inherits it from [backend_defaults]
    assert as_bool(lvm.image_volume_cache_enabled) is False
    assert lvm.image_volume_cache_enabled is not None
    assert lvm.image_volume_cache_enabled.section == "lvm-1"
    cache = rbd.image_volume_cache_enabled
    assert cache is not None and cache.section == "backend_defaults" and as_bool(cache) is True
    assert at(rbd.rbd_max_clone_depth) == "cinder-lvm-rbd/cinder.conf:32"
    assert as_int(rbd.rbd_max_clone_depth) == 0
    assert as_list(c.allowed_direct_url_schemes) == ("cinder",)
    assert c.glance_auth_configured and c.has_internal_tenant
    assert [v.key for v in c.backend_defaults] == [
        "image_volume_cache_enabled",
        "image_volume_cache_max_size_gb",
        "image_volume_cache_max_count",
    ]


def test_cinder_legacy_default_backend_and_missing_section() -> None:
    legacy = cinder.parse(
        parse_ini("[DEFAULT]\nvolume_driver = cinder.volume.drivers.rbd.RBDDriver\n", "c")
    )
    assert isinstance(legacy.view, CinderConfig)
    assert [b.section for b in legacy.view.backends] == ["DEFAULT"]
    missing = cinder.parse(parse_ini("[DEFAULT]\nenabled_backends = a\n", "c.conf"))
    assert missing.warnings == ("c.conf:2: backend [a] has no section",)


def test_edge_two_clusters(deployment: Load) -> None:
    config = deployment("edge-two-clusters")
    edge = config.ceph_cluster("edge")
    central = config.ceph_cluster("ceph")
    assert edge is not None and central is not None
    assert val(edge.fsid) == "edededed-1111-4222-8333-444444444444"
    assert val(edge.mon_host) == "10.50.0.11 10.50.0.12 10.50.0.13"  # "mon-host", comment cut
    assert val(edge.keyring) == "/etc/ceph/edge.client.glance-edge.keyring"
    assert val(central.fsid) == "3c3c3c3c-aaaa-4bbb-8ccc-dddddddddddd"
    g = config.glance_api
    assert g is not None
    assert [(s.id, s.weight) for s in g.stores] == [("edge", 100), ("central", 10)]
    (compute,) = config.nova
    assert val(compute.images_rbd_glance_store_name) == "edge"
    assert as_bool(compute.never_download_image_if_on_rbd) is False


def test_nova_value_problems() -> None:
    text = "[DEFAULT]\nforce_raw_images = perhaps\n[libvirt]\nimages_type = zfs\n"
    warnings = nova.parse(parse_ini(text, "n.conf")).warnings
    assert warnings == (
        "n.conf:2: [DEFAULT] force_raw_images = 'perhaps' is not a valid boolean",
        "n.conf:4: [libvirt] images_type = 'zfs' is not one of "
        "raw, flat, qcow2, lvm, rbd, ploop, default",
    )


def test_nova_defaults_when_nothing_is_set() -> None:
    view = nova.parse(parse_ini("[DEFAULT]\n", "n.conf")).view
    assert isinstance(view, NovaConfig)
    assert view.effective_images_type == "default" and not view.uses_rbd
