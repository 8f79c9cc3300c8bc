"""discover() on every sample tree, and collect_configs' errors versus gaps."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from collect_fixtures import FIXTURES

from imageyard.collect.configs import KINDS, ConfigPaths, collect_configs, discover
from imageyard.errors import ConfigFileError
from imageyard.model.config import DeploymentConfig
from imageyard.model.gap import Gap


def _rel(paths: tuple[str, ...]) -> list[str]:
    return [Path(p).relative_to(FIXTURES).as_posix() for p in paths]


EXPECTED = {
    "charm": ("charm/etc/glance/glance-api.conf", None, 1, 1, 1),
    "cinder-lvm-rbd": (None, None, 0, 1, 1),
    "devstack": (
        "devstack/etc/glance/glance-api.conf",
        "devstack/etc/glance/glance-image-import.conf",
        1,
        0,
        1,
    ),
    "glance-operator": ("glance-operator/etc/glance/glance.conf.d/00-config.conf", None, 0, 0, 1),
    "kolla-control-services": (
        "kolla-control-services/etc/kolla/glance-api/glance-api.conf",
        None,
        1,
        1,
        3,
    ),
    "kolla-ceph-conflict": ("kolla-ceph-conflict/glance-api/glance-api.conf", None, 0, 0, 2),
    "openstack-helm": (None, None, 0, 1, 1),
    "ubuntu-compute": (None, None, 1, 0, 1),
    "tripleo-puppet-generated": (
        "tripleo-puppet-generated/var/lib/config-data/puppet-generated/glance_api/etc/glance/"
        "glance-api.conf",
        None,
        1,
        1,
        1,
    ),
    "continuation-repeated": ("continuation-repeated/glance-api.conf", None, 0, 0, 0),
    "duplicated-sections": ("duplicated-sections/glance-api.conf", None, 0, 0, 1),
    "edge-two-clusters": ("edge-two-clusters/glance-api.conf", None, 1, 0, 2),
    "kolla-multistore": ("kolla-multistore/glance-api/glance-api.conf", None, 1, 1, 3),
    "lab": ("lab/glance-api.conf", None, 0, 0, 1),
    "legacy-single-store": ("legacy-single-store/glance-api.conf", None, 1, 1, 1),
    "mixed-computes": ("mixed-computes/glance-api.conf", None, 2, 0, 1),
    "osa": ("osa/etc/glance/glance-api.conf", "osa/etc/glance/glance-image-import.conf", 1, 1, 1),
    "sqlite-cache-old": ("sqlite-cache-old/glance-api.conf", None, 0, 0, 0),
    "swift-s3-archive": ("swift-s3-archive/glance-api.conf", None, 0, 0, 1),
    "tripleo-dcn": (
        "tripleo-dcn/glance_api/etc/glance/glance-api.conf",
        None,
        2,
        1,
        3,
    ),
}


def test_every_fixture_is_covered() -> None:
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == sorted(EXPECTED)
    assert len(EXPECTED) >= 10


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_discover_fixture(name: str) -> None:
    glance, imports, n_nova, n_cinder, n_ceph = EXPECTED[name]
    paths = discover(FIXTURES / name)
    assert paths.searched == str(FIXTURES / name)
    assert (_rel((paths.glance_api,))[0] if paths.glance_api else None) == glance
    assert (_rel((paths.glance_import,))[0] if paths.glance_import else None) == imports
    assert (len(paths.nova), len(paths.cinder), len(paths.ceph)) == (n_nova, n_cinder, n_ceph)
    config, gaps = collect_configs(paths, explicit=False)
    assert len(config.files) == len(paths.items())
    assert {g.source for g in gaps} == {
        f"config:{kind}"
        for kind, present in (
            ("glance-api", glance),
            ("glance-image-import", imports),
            ("nova", n_nova),
            ("cinder", n_cinder),
            ("ceph", n_ceph),
        )
        if not present
    }


def test_discover_tripleo_ceph_clusters_and_etc_layout() -> None:
    paths = discover(FIXTURES / "tripleo-dcn")
    assert _rel(paths.ceph) == [
        "tripleo-dcn/ceph/central.conf",
        "tripleo-dcn/ceph/dcn0.conf",
        "tripleo-dcn/ceph/dcn1.conf",
    ]
    osa = discover(FIXTURES / "osa")
    assert _rel(osa.nova) == ["osa/etc/nova/nova.conf"]
    assert _rel(osa.ceph) == ["osa/etc/ceph/ceph.conf"]


def test_discover_refuses_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError):
        discover(tmp_path / "absent")


def test_missing_kind_during_discovery_is_a_gap(tmp_path: Path) -> None:
    (tmp_path / "glance-api.conf").write_text("[DEFAULT]\nenabled_backends = a:file\n")
    config, gaps = collect_configs(discover(tmp_path), explicit=False)
    assert config.glance_api is not None
    assert Gap("config:nova", "file", f"not found in {tmp_path}") in gaps
    assert len(gaps) == 4


def test_broken_file_found_by_discovery_is_a_gap(tmp_path: Path) -> None:
    (tmp_path / "nova.conf").write_text("[DEFAULT]\nthis is not ini\n")
    config, gaps = collect_configs(discover(tmp_path), explicit=False)
    assert config.nova == ()
    path = os.path.join(tmp_path, "nova.conf")
    assert (
        Gap(
            "config:nova",
            f"file {path}",
            f"{path}:2: not a section, option or comment (no '=' or ':')",
        )
        in gaps
    )


@pytest.mark.parametrize("content", [None, b"[DEFAULT]\ngarbage line\n", b"\xff\xfe", b"[a]\x00"])
def test_explicit_file_that_is_missing_or_broken_raises(
    tmp_path: Path, content: bytes | None
) -> None:
    conf = tmp_path / "glance-api.conf"
    if content is not None:
        conf.write_bytes(content)
    with pytest.raises(ConfigFileError) as info:
        collect_configs(ConfigPaths(glance_api=str(conf)), explicit=True)
    assert info.value.path == str(conf)


def test_explicit_paths_several_computes_and_clusters() -> None:
    root = FIXTURES / "tripleo-dcn"
    paths = ConfigPaths(
        nova=(
            str(root / "nova_libvirt_dcn0/etc/nova/nova.conf"),
            str(root / "nova_libvirt_dcn1/etc/nova/nova.conf"),
        ),
        ceph=(str(root / "ceph/dcn0.conf"), str(root / "ceph/dcn1.conf")),
    )
    config, gaps = collect_configs(paths, explicit=True)
    assert len(config.nova) == 2 and [c.cluster for c in config.ceph] == ["dcn0", "dcn1"]
    assert [f.kind for f in config.files] == ["nova", "nova", "ceph", "ceph"]
    assert all(f.size > 0 and len(f.sha256) == 64 for f in config.files)
    assert Gap("config:glance-api", "file", "not given") in gaps


def test_registry_and_empty_deployment() -> None:
    assert set(KINDS) == {
        "glance-api",
        "glance-image-import",
        "glance-swift",
        "nova",
        "cinder",
        "ceph",
    }
    assert all(spec.name == kind for kind, spec in KINDS.items())
    empty = DeploymentConfig()
    assert empty.files == () and empty.glance_api is None and empty.warnings == ()


def test_openstack_helm_internal_tenant_conf_is_cinder_volumes_last_file(tmp_path: Path) -> None:
    files = {
        "volume-0/etc/cinder/cinder.conf": "[DEFAULT]\ncinder_internal_tenant_user_id = a\n",
        "volume-0/etc/cinder/conf/backends.conf": "[DEFAULT]\nenabled_backends = rbd1\n",
        "volume-0/tmp/pod-shared/internal_tenant.conf": (
            "[DEFAULT]\ncinder_internal_tenant_user_id = b\n"
        ),
        "other-0/tmp/pod-shared/internal_tenant.conf": "[DEFAULT]\n",  # no cinder.conf: not read
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    paths = discover(tmp_path)
    config, _ = collect_configs(paths, explicit=False)
    [volume] = [s for s in config.services if s.service.value == "cinder-volume"]
    assert [Path(f).relative_to(tmp_path).as_posix() for f in volume.files] == list(files)[:3]
    effective = config.effective(volume, "DEFAULT", "cinder_internal_tenant_user_id")
    assert effective is not None and effective.value.value == "b"
    assert not any("other-0" in f.path for f in config.files)
