"""Deployment layouts: which files each service reads, in which order, and what wins."""

from __future__ import annotations

from pathlib import Path

from collect_fixtures import FIXTURES, at

from imageyard.collect.base import run_collectors
from imageyard.collect.config_source import ConfigCollector
from imageyard.collect.configs import ConfigPaths, Overlay, collect_configs, discover
from imageyard.model.config import DeploymentConfig, Service
from imageyard.model.inventory import Inventory


def _inventory(name: str) -> Inventory:
    return run_collectors([ConfigCollector(discover(FIXTURES / name))], Inventory())


def _files(config: DeploymentConfig, service: Service) -> list[list[str]]:
    return [
        [Path(f).relative_to(FIXTURES).as_posix() for f in svc.files]
        for svc in config.service_configs(service)
    ]


def test_glance_api_reads_the_import_file_first_and_glance_api_conf_wins() -> None:
    config = _inventory("devstack").config
    files = ["devstack/etc/glance/glance-image-import.conf", "devstack/etc/glance/glance-api.conf"]
    assert _files(config, Service.GLANCE_API) == [files]
    assert _files(config, Service.GLANCE_IMAGE_IMPORT) == [files]
    assert config.glance_import is not None
    assert at(config.glance_import.image_import_plugins) == files[1] + ":14"
    assert config.glance_import.plugins == ("image_conversion",)
    # an option only the import file sets still comes from it
    assert at(config.glance_import.output_format) == files[0] + ":6"
    svc = config.service_configs(Service.GLANCE_API)[0]
    found = config.effective(svc, "image_import_opts", "image_import_plugins")
    assert found is not None
    assert at(found.value) == files[1] + ":14"
    assert [at(cv) for cv in found.overridden] == [files[0] + ":3"]


def test_devstack_compute_reads_nova_cpu_conf_only() -> None:
    inv = _inventory("devstack")
    assert _files(inv.config, Service.NOVA_COMPUTE) == [["devstack/etc/nova/nova-cpu.conf"]]
    assert [n.uses_rbd for n in inv.config.nova] == [True]
    assert any("not a compute group" in w for w in inv.config.warnings)


def test_glance_operator_conf_d_merges_in_name_order() -> None:
    inv = _inventory("glance-operator")
    base = "glance-operator/etc/glance/glance.conf.d"
    assert _files(inv.config, Service.GLANCE_API) == [
        [f"{base}/00-config.conf", f"{base}/01-config.conf", f"{base}/02-config.conf"]
    ]
    glance = inv.config.glance_api
    assert glance is not None
    assert [b.id for b in glance.backends] == ["default_backend", "fast"]
    assert at(glance.default_backend) == f"{base}/01-config.conf:6"
    assert at(glance.show_image_direct_url) == f"{base}/02-config.conf:2"
    svc = inv.config.service_configs(Service.GLANCE_API)[0]
    found = inv.config.effective(svc, "glance_store", "default_backend")
    assert found is not None
    assert [at(cv) for cv in found.overridden] == [f"{base}/00-config.conf:7"]
    assert [(s.id, s.is_default, s.rbd_pool) for s in inv.stores] == [
        ("default_backend", False, "images"),
        ("fast", True, "images-ssd"),
    ]
    assert not [g for g in inv.gaps if g.source == "config"]


def test_openstack_helm_backends_conf_follows_cinder_conf() -> None:
    inv = _inventory("openstack-helm")
    assert _files(inv.config, Service.CINDER_VOLUME) == [
        ["openstack-helm/etc/cinder/cinder.conf", "openstack-helm/etc/cinder/conf/backends.conf"]
    ]
    (cinder,) = inv.config.cinder
    (backend,) = cinder.backends
    assert backend.is_rbd and backend.section_found
    assert at(backend.rbd_pool) == "openstack-helm/etc/cinder/conf/backends.conf:4"
    assert not any("has no section" in w for w in inv.config.warnings)


def test_nova_compute_conf_overrides_nova_conf() -> None:
    inv = _inventory("ubuntu-compute")
    (nova,) = inv.config.nova
    assert nova.uses_rbd
    assert at(nova.images_type) == "ubuntu-compute/etc/nova/nova-compute.conf:6"
    svc = inv.config.service_configs(Service.NOVA_COMPUTE)[0]
    found = inv.config.effective(svc, "libvirt", "images_type")
    assert found is not None
    assert [at(cv) for cv in found.overridden] == ["ubuntu-compute/etc/nova/nova.conf:6"]
    assert inv.config.effective(svc, "libvirt", "not_set") is None


def test_kolla_copies_of_one_cluster_are_one_cluster() -> None:
    inv = _inventory("kolla-multistore")
    rbd = [s for s in inv.stores if s.id == "rbd"]
    assert [s.rbd_fsid for s in rbd] == ["5e2c6b1a-8a0f-4c1e-9f61-1d3a1c2f7a10"]
    assert not [g for g in inv.gaps if g.source == "config"]


def test_two_different_files_claiming_one_cluster_is_said_so() -> None:
    inv = _inventory("kolla-ceph-conflict")
    (gap,) = [g for g in inv.gaps if g.source == "config"]
    assert gap.scope == "store rbd"
    assert "2 different files claim cluster 'ceph1'" in gap.error
    assert "was not read" not in gap.error


def test_read_ceph_conf_without_fsid_is_not_called_unread(tmp_path: Path) -> None:
    (tmp_path / "glance-api.conf").write_text(
        "[DEFAULT]\nenabled_backends = r:rbd\n[glance_store]\ndefault_backend = r\n"
    )
    (tmp_path / "ceph.conf").write_text("[global]\nmon_host = 10.0.0.1\n")
    inv = run_collectors([ConfigCollector(discover(tmp_path))], Inventory())
    (gap,) = [g for g in inv.gaps if g.source == "config"]
    assert gap.error == f"fsid unknown: {tmp_path}/ceph.conf was read, but sets no fsid"


def test_explicit_files_of_one_service_merge_in_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a.conf", tmp_path / "b.conf"
    first.write_text("[DEFAULT]\nenabled_backends = a:file\n[glance_store]\ndefault_backend = a\n")
    second.write_text("[glance_store]\ndefault_backend = b\n")
    paths = ConfigPaths(
        glance_api=str(first), overlays=(Overlay("glance-api", str(first), str(second)),)
    )
    config, _ = collect_configs(paths, explicit=True)
    assert config.glance_api is not None
    assert config.glance_api.default_backend is not None
    assert config.glance_api.default_backend.where == f"{second}:2"
    assert config.glance_api.files == (str(first), str(second))


def test_backend_defaults_fill_driver_options_but_not_weight(tmp_path: Path) -> None:
    (tmp_path / "glance-api.conf").write_text(
        "[DEFAULT]\nenabled_backends = a:rbd, b:rbd\n"
        "[glance_store]\ndefault_backend = a\n"
        "[backend_defaults]\nrbd_store_pool = shared\nweight = 50\n"
        "[b]\nrbd_store_pool = own\nweight = 5\n"
    )
    inv = run_collectors([ConfigCollector(discover(tmp_path))], Inventory())
    stores = {s.id: (s.rbd_pool, s.weight) for s in inv.stores}
    assert stores == {"a": ("shared", 0), "b": ("own", 5)}


def test_control_services_files_are_not_compute_groups_or_volume_hosts() -> None:
    inv = _inventory("kolla-control-services")
    assert _files(inv.config, Service.NOVA_COMPUTE) == [
        ["kolla-control-services/etc/kolla/nova-compute/nova.conf"]
    ]
    assert _files(inv.config, Service.CINDER_VOLUME) == [
        ["kolla-control-services/etc/kolla/cinder-volume/cinder.conf"]
    ]
    notes = [w for w in inv.config.warnings if "not a nova-compute file" in w]
    assert len(notes) == 2 and any("nova-api/nova.conf" in w for w in notes)
    assert [s.rbd_fsid for s in inv.stores] == ["1c5f0a3e-7d2b-4e8f-9a61-0b2c3d4e5f60"]


def test_tripleo_puppet_generated_compute_is_nova_libvirt() -> None:
    inv = _inventory("tripleo-puppet-generated")
    base = "tripleo-puppet-generated/var/lib/config-data/puppet-generated"
    assert _files(inv.config, Service.NOVA_COMPUTE) == [[f"{base}/nova_libvirt/etc/nova/nova.conf"]]
    assert _files(inv.config, Service.CINDER_VOLUME) == [[f"{base}/cinder/etc/cinder/cinder.conf"]]
    assert [n.uses_rbd for n in inv.config.nova] == [True]
