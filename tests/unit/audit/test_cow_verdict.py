"""boot_path on hand-built inventories: one named case per branch of the decision."""

from __future__ import annotations

from dataclasses import replace

import pytest
from audit_support import AUDIT_FIXTURES, audit, collect_dir
from test_cow_fixture_builder import (
    FILE_ID,
    FSID_A,
    FSID_B,
    QCOW_ID,
    RAW_ID,
    cluster,
    collected,
    image,
    raw_image,
    rbd_image,
    rbd_url,
)

from imageyard.audit.cow import BootPath, Consumer, ConsumerKind, boot_path, consumers
from imageyard.model.config import ConfigValue, DeploymentConfig, GlanceApiConfig
from imageyard.model.finding import Confidence, Severity
from imageyard.model.gap import Gap
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.store import Store, StoreSource, StoreType


def cv(section: str, key: str, value: str) -> ConfigValue:
    return ConfigValue(section, key, value, "/etc/glance/glance-api.conf", 1)


def glance(*, multiple: bool = True, direct: bool = True) -> GlanceApiConfig:
    return GlanceApiConfig(
        path="/etc/glance/glance-api.conf",
        show_multiple_locations=cv("DEFAULT", "show_multiple_locations", str(multiple)),
        show_image_direct_url=cv("DEFAULT", "show_image_direct_url", str(direct)),
    )


STORES = (
    Store("ceph", StoreType.RBD, StoreSource.CONFIG, weight=10, rbd_pool="images", rbd_fsid=FSID_A),
    Store("edge", StoreType.RBD, StoreSource.CONFIG, weight=5, rbd_pool="images", rbd_fsid=FSID_B),
    Store("local", StoreType.FILE, StoreSource.CONFIG, weight=100),
)


def nova(fsid: str | None = FSID_A, **kw: object) -> Consumer:
    base = Consumer(
        name="nova:/etc/nova/nova.conf",
        kind=ConsumerKind.NOVA,
        config_path="/etc/nova/nova.conf",
        rbd=True,
        ceph_conf="/etc/ceph/ceph.conf",
        fsid=fsid,
        why_no_fsid="" if fsid else "/etc/ceph/ceph.conf was not read",
        pool="vms",
        user="nova",
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def cinder(**kw: object) -> Consumer:
    base = Consumer(
        name="cinder:rbd-1",
        kind=ConsumerKind.CINDER,
        config_path="/etc/cinder/cinder.conf",
        rbd=True,
        fsid=FSID_A,
        pool="volumes",
        user="cinder",
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def inv(*images: Image, g: GlanceApiConfig | None = None, ceph: bool = True) -> Inventory:
    rbd = [rbd_image(i.id) for i in images]
    clusters = (cluster(FSID_A, *rbd), cluster(FSID_B, *rbd)) if ceph else ()
    base = collected(*images, clusters=clusters)
    return replace(base, config=DeploymentConfig(glance_api=g or glance()), stores=STORES)


def test_raw_in_cluster_visible_is_clone() -> None:
    img = raw_image()
    v = boot_path(img, nova(), inv(img))
    assert v.path is BootPath.CLONE
    assert v.location == rbd_url(RAW_ID)
    assert v.confidence is Confidence.MEDIUM  # cephx caps are not in the inventory
    assert any("client.nova" in n for n in v.notes)


def test_raw_other_fsid_is_download() -> None:
    img = raw_image(fsid=FSID_B, store="edge")
    v = boot_path(img, nova(), inv(img))
    assert v.path is BootPath.DOWNLOAD
    assert "different cluster" in v.reasons[0] and FSID_B in v.reasons[0]


def test_raw_other_fsid_with_store_name_in_compute_cluster_is_copy_to_store() -> None:
    img = raw_image(fsid=FSID_B, store="edge")
    v = boot_path(img, nova(glance_store_name="ceph"), inv(img))
    assert v.path is BootPath.COPY_TO_STORE and v.store == "ceph"
    assert v.confidence is Confidence.LOW
    assert any("unconfirmed" in n for n in v.notes)


def test_copy_store_in_another_cluster_does_not_help() -> None:
    img = raw_image(fsid=FSID_B, store="edge")
    v = boot_path(img, nova(glance_store_name="edge"), inv(img))
    assert v.path is BootPath.DOWNLOAD
    assert any("not the compute's" in r for r in v.reasons)


def test_raw_lower_weight_location_only_direct_url_is_not_visible() -> None:
    img = image(
        RAW_ID, "raw", (f"file:///srv/glance/local/{RAW_ID}", "local"), (rbd_url(RAW_ID), "ceph")
    )
    v = boot_path(img, nova(), inv(img, g=glance(multiple=False, direct=True)))
    assert v.path is BootPath.DOWNLOAD
    assert "only show_image_direct_url" in v.reasons[0]
    assert "not stored in rbd" in v.reasons[1]
    # the same image is cloned when every location is shown
    assert boot_path(img, nova(), inv(img)).path is BootPath.CLONE


def test_no_show_option_shows_nothing() -> None:
    img = raw_image()
    v = boot_path(img, nova(), inv(img, g=glance(multiple=False, direct=False)))
    assert v.path is BootPath.DOWNLOAD
    assert "neither show_multiple_locations nor show_image_direct_url" in v.reasons[0]


def test_iso_is_download_even_with_a_copy_store() -> None:
    img = image(RAW_ID, "iso", (rbd_url(RAW_ID), "ceph"))
    v = boot_path(img, nova(glance_store_name="ceph"), inv(img))
    assert v.path is BootPath.DOWNLOAD
    assert "not exactly raw" in v.reasons[0]
    assert "cannot help" in v.reasons[1]


def test_qcow2_in_rbd_is_download_convert_import() -> None:
    img = image(QCOW_ID, "qcow2", (rbd_url(QCOW_ID), "ceph"))
    v = boot_path(img, nova(glance_store_name="ceph"), inv(img))
    assert v.path is BootPath.DOWNLOAD_CONVERT
    assert "not raw or iso" in v.reasons[0]
    assert "converts it from qcow2 to raw" in v.reasons[-1]
    assert boot_path(img, cinder(), inv(img)).path is BootPath.DOWNLOAD_CONVERT


def test_never_download_with_rbd_elsewhere_errors() -> None:
    img = raw_image(fsid=FSID_B, store="edge")
    v = boot_path(img, nova(never_download=True), inv(img))
    assert v.path is BootPath.ERROR and v.cause == "never-download"
    assert "never_download_image_if_on_rbd" in v.reasons[-1]
    assert v.confidence is Confidence.HIGH


def test_never_download_without_any_rbd_location_is_less_certain() -> None:
    img = image(FILE_ID, "raw", (f"file:///srv/glance/local/{FILE_ID}", "local"))
    v = boot_path(img, nova(never_download=True), inv(img))
    assert v.path is BootPath.ERROR
    assert v.confidence is Confidence.MEDIUM
    assert any("no rbd location" in n for n in v.notes)


@pytest.mark.parametrize(
    ("url", "cloneable"),
    [
        (f"rbd://{FSID_A}/images/{RAW_ID}", False),  # 3 parts
        (f"rbd://{FSID_A}//{RAW_ID}/snap", False),  # blank part
        (f"rbd://{FSID_A}/images/{RAW_ID}%2Fsnap", False),  # quoted slash: still 3 parts
        (f"rbd://{RAW_ID}", False),  # legacy one-part form
        (f"RBD://{FSID_A}/images/{RAW_ID}/snap", False),  # prefix is case-sensitive
        (f"rbd://{FSID_A}/imag%65s/{RAW_ID}/snap", True),  # unquoted to "images"
    ],
)
def test_malformed_rbd_urls_are_not_cloneable(url: str, cloneable: bool) -> None:
    img = image(RAW_ID, "raw", (url, "ceph"))
    v = boot_path(img, nova(), inv(img))
    assert (v.path is BootPath.CLONE) is cloneable, v.reasons


def test_snapshot_missing_in_ceph_is_not_cloneable() -> None:
    img = raw_image()
    base = inv(img)
    no_snap = replace(base, ceph_clusters=(cluster(FSID_A, rbd_image(RAW_ID, snap=False)),))
    v = boot_path(img, nova(), no_snap)
    assert v.path is BootPath.DOWNLOAD
    assert "snapshot images/" in v.reasons[0] and "does not exist in Ceph" in v.reasons[0]
    gone = replace(base, ceph_clusters=(cluster(FSID_A),))
    assert "RBD image images/" in boot_path(img, nova(), gone).reasons[0]


def test_ceph_not_collected_keeps_clone_at_medium_with_a_note() -> None:
    img = raw_image()
    v = boot_path(img, nova(), inv(img, ceph=False))
    assert v.path is BootPath.CLONE
    assert any("unchecked" in n for n in v.notes)


def test_missing_inputs_are_unknown() -> None:
    img = raw_image()
    assert boot_path(img, nova(fsid=None), inv(img)).path is BootPath.UNKNOWN
    no_glance = replace(inv(img), config=DeploymentConfig())
    v = boot_path(img, nova(), no_glance)
    assert v.path is BootPath.UNKNOWN and "glance-api.conf was not read" in v.reasons[0]
    hidden = replace(img, locations=(), direct_url=None)
    gap = Gap("glance", "image locations", "403 Forbidden")
    v = boot_path(hidden, nova(), replace(inv(hidden), gaps=(gap,)))
    assert v.path is BootPath.UNKNOWN and "glance gap" in v.reasons[0]


@pytest.mark.parametrize(
    ("gaps", "error"),
    [
        # the first glance gap on all locations or on this image's, in recorded order
        ((("glance", "image {id} locations", "E1"), ("glance", "image locations", "E2")), "E1"),
        ((("glance", "image locations", "E2"), ("glance", "image {id} locations", "E1")), "E2"),
        ((("glance", "image z locations", "E3"), ("glance", "image {id} locations", "E1")), "E1"),
        ((("ceph", "image locations", "E4"), ("glance", "image {id} locations", "E1")), "E1"),
        ((("glance", "image {id} locations", "E1"), ("glance", "image locations", "E5")), "E1"),
    ],
)
def test_location_gap_is_the_first_matching_glance_gap(
    gaps: tuple[tuple[str, str, str], ...], error: str
) -> None:
    hidden = replace(raw_image(), locations=(), direct_url=None)
    recorded = tuple(Gap(src, scope.format(id=hidden.id), err) for src, scope, err in gaps)
    v = boot_path(hidden, nova(), replace(inv(hidden), gaps=recorded))
    assert v.path is BootPath.UNKNOWN and f"({error}): a glance gap" in v.reasons[0]


def test_location_gap_of_another_source_or_image_is_not_a_glance_gap() -> None:
    hidden = replace(raw_image(), locations=(), direct_url=None)
    recorded = (Gap("ceph", "image locations", "E4"), Gap("glance", "image x locations", "E3"))
    v = boot_path(hidden, nova(), replace(inv(hidden), gaps=recorded))
    assert "glance gap" not in " ".join(v.reasons)


def test_collector_locations_do_not_decide_visibility() -> None:
    # the collector read locations through the admin API; the consumer's endpoint shows none
    img = raw_image()
    v = boot_path(img, nova(), inv(img, g=glance(multiple=False, direct=False)))
    assert v.path is not BootPath.CLONE


def test_inactive_image_is_refused_by_the_api() -> None:
    img = replace(raw_image(), status="deactivated")
    v = boot_path(img, nova(), inv(img))
    assert v.path is BootPath.REFUSED and "deactivated" in v.reasons[0]
    assert "ImageNotActive" in v.reasons[0] and v.cause == "inactive"
    c = boot_path(img, cinder(), inv(img))
    assert c.path is BootPath.REFUSED and "check_image_metadata" in c.reasons[0]


def test_non_rbd_compute_always_downloads() -> None:
    qcow = image(QCOW_ID, "qcow2", (rbd_url(QCOW_ID), "ceph"))
    flat = nova(rbd=False, images_type="qcow2")
    assert boot_path(raw_image(), flat, inv(raw_image())).path is BootPath.DOWNLOAD
    assert boot_path(qcow, flat, inv(qcow)).path is BootPath.DOWNLOAD_CONVERT


def test_cinder_with_service_locations_api_sees_every_location() -> None:
    img = raw_image()
    hidden = inv(img, g=glance(multiple=False, direct=False))
    without = boot_path(img, cinder(), hidden)
    assert without.path is BootPath.DOWNLOAD
    with_api = boot_path(img, cinder(service_locations_api=True), hidden)
    assert with_api.path is BootPath.CLONE
    assert any("Cinder 27" in n for n in with_api.notes)


def test_cinder_has_no_copy_to_store_and_mentions_the_cache() -> None:
    img = raw_image(fsid=FSID_B, store="edge")
    v = boot_path(img, cinder(image_cache=True), inv(img))
    assert v.path is BootPath.DOWNLOAD
    assert "image-volume cache" in v.reasons[-1]


def test_consumers_from_config() -> None:
    found = consumers(
        collect_dir(AUDIT_FIXTURES / "cow-not-eligible" / "fail-compute-in-other-cluster")
    )
    by_kind = {c.kind: c for c in found}
    assert by_kind[ConsumerKind.NOVA].fsid == FSID_B
    assert by_kind[ConsumerKind.NOVA].glance_store_name == "edge"
    assert by_kind[ConsumerKind.NOVA].user == "nova" and by_kind[ConsumerKind.NOVA].pool == "vms"
    assert by_kind[ConsumerKind.CINDER].name == "cinder:rbd-1"
    assert by_kind[ConsumerKind.CINDER].fsid == FSID_A
    assert not by_kind[ConsumerKind.CINDER].service_locations_api


def _rule_findings(case: str) -> dict[str, object]:
    base = AUDIT_FIXTURES / "cow-not-eligible" / case
    result = audit(collect_dir(base), "cow-not-eligible")
    return {str(f.resource).replace(f"{base}/", ""): f for f in result.findings}


def test_rule_severity_remediation_and_action_by_path() -> None:
    found = _rule_findings("fail-qcow2-and-file-only")
    qcow = found[f"image {QCOW_ID}@nova:nova.conf"]
    assert qcow.severity is Severity.HIGH  # type: ignore[attr-defined]
    assert "qemu-img convert -f qcow2 -O raw" in qcow.remediation  # type: ignore[attr-defined]
    assert qcow.action.kind == "convert-to-raw"  # type: ignore[attr-defined]
    assert "download-convert-import" in qcow.message and "centos-qcow2" in qcow.message  # type: ignore[attr-defined]
    raw = found[f"image {FILE_ID}@nova:nova.conf"]
    assert raw.severity is Severity.MEDIUM  # type: ignore[attr-defined]
    assert "--import-method copy-image --stores ceph" in raw.remediation  # type: ignore[attr-defined]
    assert raw.action.kind == "copy-image"  # type: ignore[attr-defined]


def test_rule_copy_to_store_is_low() -> None:
    (finding,) = _rule_findings("fail-compute-in-other-cluster").values()
    assert finding.severity is Severity.LOW  # type: ignore[attr-defined]
    assert "copy-to-store-then-clone" in finding.message  # type: ignore[attr-defined]
    assert "--stores edge" in finding.remediation  # type: ignore[attr-defined]


def test_rule_unknown_without_nova_conf(tmp_path: object) -> None:
    from pathlib import Path

    base = AUDIT_FIXTURES / "cow-not-eligible" / "pass-raw-in-cluster"
    target = Path(str(tmp_path))
    for rel in ("glance-api.conf", "cinder.conf", "ceph/ceph.conf", "inventory.json"):
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_text((base / rel).read_text())
    result = audit(collect_dir(target), "cow-not-eligible")
    assert not result.findings
    assert [str(u.resource) for u in result.unknowns] == ["file nova.conf"]


def test_rule_fail_path_is_critical() -> None:
    base = inv(raw_image(fsid=FSID_B, store="edge"))
    from imageyard.audit.rules.cow_eligibility import _per_consumer

    (finding,) = list(_per_consumer(base, nova(never_download=True)))
    assert finding.severity is Severity.CRITICAL  # type: ignore[union-attr]
