"""glance-api.conf parsing on the sample deployments: values and their file:line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from collect_fixtures import at, val

from imageyard.collect.configs import collect_configs, discover
from imageyard.model.config import (
    DeploymentConfig,
    GlanceApiConfig,
    Service,
    StoreType,
    as_bool,
    as_list,
)

Load = Callable[[str], DeploymentConfig]


def _glance(deployment: Load, name: str) -> GlanceApiConfig:
    glance = deployment(name).glance_api
    assert glance is not None
    return glance


def test_kolla_multistore(deployment: Load) -> None:
    g = _glance(deployment, "kolla-multistore")
    conf = "kolla-multistore/glance-api/glance-api.conf"
    assert [(b.id, b.store_type) for b in g.backends] == [
        ("file", StoreType.FILE),
        ("rbd", StoreType.RBD),
    ]
    assert at(g.enabled_backends) == f"{conf}:14"
    assert (val(g.default_backend), at(g.default_backend)) == ("rbd", f"{conf}:41")
    rbd = g.store("rbd")
    assert rbd is not None and rbd.section_found
    assert val(rbd.rbd_store_pool) == "images"
    assert val(rbd.rbd_store_user) == "glance"
    assert at(rbd.rbd_store_ceph_conf) == f"{conf}:49"
    assert rbd.weight == 0  # not written: the glance_store default
    file_store = g.store("file")
    assert file_store is not None
    assert val(file_store.filesystem_store_datadir) == "/var/lib/glance/images/"
    assert [s.id for s in g.reserved_stores] == ["os_glance_staging_store", "os_glance_tasks_store"]
    assert as_bool(g.show_image_direct_url) is True
    assert as_bool(g.show_multiple_locations) is True
    assert val(g.paste_flavor) == "keystone"
    assert not g.cache_enabled
    assert g.legacy_store is None and g.is_multistore


def test_lab_five_weighted_stores_and_central_cache(deployment: Load) -> None:
    g = _glance(deployment, "lab")
    assert [(s.id, s.type, s.weight) for s in g.stores] == [
        ("fast", "file", 100),
        ("cheap", "file", 50),
        ("ceph", "rbd", 80),
        ("s3", "s3", 10),
        ("swift", "swift", 20),
    ]
    assert at(g.store("ceph").weight_value) == "lab/glance-api.conf:42"  # type: ignore[union-attr]
    s3 = g.store("s3")
    assert s3 is not None and val(s3.s3_store_host) == "http://127.0.0.1:7480"
    assert val(s3.s3_store_bucket) == "glance-lab-s3"
    secret = s3.get("s3_store_secret_key")
    assert secret is not None and secret.redacted and secret.value == "***"
    swift = g.store("swift")
    assert swift is not None
    assert val(swift.swift_store_container) == "glance-lab-swift"
    assert val(swift.swift_store_config_file) == "/tmp/glancelab/etc/glance-swift.conf"
    assert val(swift.default_swift_reference) == "ref1"
    assert val(g.store("ceph").rbd_store_chunk_size) == "8"  # type: ignore[union-attr]
    assert g.cache_driver == "centralized_db"
    assert at(g.image_cache_max_size) == "lab/glance-api.conf:17"
    assert val(g.worker_self_reference_url) == "http://127.0.0.1:9292"
    assert as_list(g.enabled_import_methods) == ("glance-direct", "web-download", "copy-image")
    assert as_list(g.image_import_plugins) == ("image_conversion",)
    assert val(g.image_conversion_output_format) == "raw"
    assert val(g.task_work_dir) == "/tmp/glancelab/data/work"
    connection = next(v for v in deployment("lab").files[0].values if v.key == "connection")
    assert connection.value == "postgresql+psycopg2://postgres@127.0.0.1:5433/glance"


def test_tripleo_dcn_stores_point_at_their_clusters(deployment: Load) -> None:
    g = _glance(deployment, "tripleo-dcn")
    conf = "tripleo-dcn/glance_api/etc/glance/glance-api.conf"
    assert [(s.id, val(s.rbd_store_ceph_conf)) for s in g.stores] == [
        ("central", "/etc/ceph/central.conf"),
        ("dcn0", "/etc/ceph/dcn0.conf"),
        ("dcn1", "/etc/ceph/dcn1.conf"),
    ]
    assert at(g.store("dcn1").rbd_store_ceph_conf) == f"{conf}:37"  # type: ignore[union-attr]
    assert val(g.store("dcn0").store_description) == "dcn0 rbd glance store"  # type: ignore[union-attr]
    assert val(g.node_staging_uri) == "file:///var/lib/glance/staging"
    assert as_list(g.enabled_import_methods) == ("web-download", "copy-image", "glance-direct")


def test_legacy_single_store(deployment: Load) -> None:
    g = _glance(deployment, "legacy-single-store")
    assert not g.is_multistore and g.stores == () and g.backends == ()
    assert val(g.legacy_stores) == "rbd" and val(g.legacy_default_store) == "rbd"
    legacy = g.legacy_store
    assert legacy is not None and legacy.store_type is StoreType.RBD
    assert val(legacy.rbd_store_pool) == "images"
    assert at(legacy.rbd_store_chunk_size) == "legacy-single-store/glance-api.conf:15"


def test_no_store_options_at_all_means_the_default_file_store() -> None:
    from imageyard.collect.configs import glance_api
    from imageyard.collect.ini import parse_ini

    view = glance_api.parse(parse_ini("[DEFAULT]\ndebug = true\n", "g.conf")).view
    assert isinstance(view, GlanceApiConfig)
    assert view.legacy_store is not None and view.legacy_store.store_type is StoreType.FILE
    assert not view.legacy_store.section_found


def test_sqlite_cache_and_location_strategy(deployment: Load) -> None:
    config = deployment("sqlite-cache-old")
    g = config.glance_api
    assert g is not None
    assert g.cache_driver == "sqlite" and g.cache_enabled
    assert val(g.image_cache_sqlite_db) == "cache.db"
    assert val(g.location_strategy) == "store_type"
    assert at(g.location_strategy) == "sqlite-cache-old/glance-api.conf:6"
    assert val(g.store_type_preference) == "rbd,file"
    assert as_bool(g.delayed_delete) is True
    assert val(g.paste_flavor) == "keystone+cachemanagement"
    assert any(
        "rbd_store_chunk_size = 'eight' is not a valid integer" in w for w in config.warnings
    )


def test_swift_s3_archive_on_a_public_endpoint(deployment: Load) -> None:
    config = deployment("swift-s3-archive")
    g = config.glance_api
    assert g is not None
    assert val(g.public_endpoint) == "https://image.cloud.example.com"
    assert as_bool(g.show_image_direct_url) is True
    assert as_bool(g.show_multiple_locations) is False
    assert [(s.id, s.store_type) for s in g.stores] == [
        ("ceph", StoreType.RBD),
        ("archive-swift", StoreType.SWIFT),
        ("archive-s3", StoreType.S3),
    ]
    # [backend_defaults] fills what a store does not set
    chunk = g.store_option("ceph", "rbd_store_chunk_size")
    assert chunk is not None and chunk.section == "backend_defaults" and chunk.value == "8"
    assert g.store_option("ceph", "rbd_store_pool").section == "ceph"  # type: ignore[union-attr]
    assert "glance-download" in as_list(g.enabled_import_methods)
    # the internal glance-api beside it is a second instance, read with its own files
    [internal] = config.more_glance_apis
    assert internal.path.endswith("swift-s3-archive/internal/glance-api.conf")
    assert internal.files == (internal.path,)
    assert as_bool(internal.show_multiple_locations) is True and internal.user_facing is None
    assert not any("another glance-api file" in w for w in config.warnings)
    swift_file = next(f for f in config.files if f.kind == "glance-swift")
    key = next(v for v in swift_file.values if v.key == "key")
    assert key.redacted and key.section == "archive" and key.line == 3


def test_continuations_and_repeated_keys(deployment: Load) -> None:
    g = _glance(deployment, "continuation-repeated")
    conf = "continuation-repeated/glance-api.conf"
    assert [b.id for b in g.backends] == ["fast", "bulk", "ceph"]
    assert at(g.enabled_backends) == f"{conf}:3"
    assert as_bool(g.show_image_direct_url) is True and at(g.show_image_direct_url) == f"{conf}:8"
    assert val(g.image_cache_dir) == "/var/lib/glance/cache"  # "key: value"
    assert val(g.public_endpoint) == "https://glance.example.org/#internal"
    assert as_list(g.enabled_import_methods) == ("glance-direct", "copy-image")
    assert val(g.default_backend) == "fast" and at(g.default_backend) == f"{conf}:18"
    assert g.store("fast").weight == 90  # type: ignore[union-attr]
    assert as_list(g.disk_formats) == ("raw", "qcow2", "iso")


def test_duplicated_sections_merge(deployment: Load) -> None:
    config = deployment("duplicated-sections")
    g = config.glance_api
    assert g is not None
    conf = "duplicated-sections/glance-api.conf"
    assert as_bool(g.show_image_direct_url) is False and at(g.show_image_direct_url) == f"{conf}:18"
    assert as_bool(g.show_multiple_locations) is True
    ceph = g.store("ceph")
    assert ceph is not None
    assert [v.key for v in ceph.values] == [
        "rbd_store_pool",
        "rbd_store_user",
        "rbd_store_pool",
        "rbd_store_ceph_conf",
    ]
    assert val(ceph.rbd_store_pool) == "glance-images"
    assert f"{conf.split('/')[-1]}:16: section [DEFAULT] repeated" in " ".join(config.warnings)
    assert any(":20: section [ceph] repeated (first at line 9)" in w for w in config.warnings)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[DEFAULT]\nenabled_backends = fast\n", "is not a valid id:value dictionary"),
        ("[DEFAULT]\nshow_image_direct_url = maybe\n", "is not a valid boolean"),
        ("[DEFAULT]\nenabled_backends = os_glance_x:file\n", "reserved os_glance_ prefix"),
        ("[DEFAULT]\nenabled_backends = a:file\n[a]\nweight = high\n", "weight = 'high'"),
    ],
)
def test_value_problems_become_warnings(text: str, fragment: str) -> None:
    from imageyard.collect.configs import glance_api
    from imageyard.collect.ini import parse_ini

    warnings = glance_api.parse(parse_ini(text, "g.conf")).warnings
    assert any(fragment in w for w in warnings), warnings


def test_operator_api_pods_are_instances_and_the_internal_one_is_primary(tmp_path: Path) -> None:
    for pod, kind in (("api-a", "external"), ("api-b", "internal")):
        conf_d = tmp_path / pod / "etc" / "glance" / "glance.conf.d"
        conf_d.mkdir(parents=True)
        (conf_d / "00-config.conf").write_text(
            f"[DEFAULT]\nlog_file = /var/log/glance/glance-default-{kind}.log\n"
        )
        (conf_d / "01-config.conf").write_text(f"[DEFAULT]\npublic_endpoint = https://{pod}\n")
    config, _gaps = collect_configs(discover(tmp_path), explicit=False)
    apis = config.glance_api_instances()
    assert [(a.name, a.user_facing) for a in apis] == [
        ("glance-default-internal", False),
        ("glance-default-external", True),
    ]
    for api, pod in zip(apis, ("api-b", "api-a"), strict=True):
        assert [f.split(f"{tmp_path}/")[1] for f in api.files] == [
            f"{pod}/etc/glance/glance.conf.d/00-config.conf",
            f"{pod}/etc/glance/glance.conf.d/01-config.conf",
        ]
        assert val(api.public_endpoint) == f"https://{pod}"
    glance_services = config.service_configs(Service.GLANCE_API)
    assert [s.files for s in glance_services] == [a.files for a in apis]
