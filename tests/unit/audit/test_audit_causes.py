"""Per-image rules give each finding a cause that names no image, so twins share one group.

Each rule's fail fixture is run with a twin of every image it fails on (same data and name,
another id; servers of the image get twins on the twin): the original and the twin must
fail with different messages and one cause, free of either image's id and of its name.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from audit_support import AUDIT_FIXTURES, audit, collect_dir
from test_cow_fixture_builder import FSID_A, cluster, collected, raw_image, rbd_image

from imageyard.model.ceph import CephCluster, Pool
from imageyard.model.finding import Finding
from imageyard.model.inventory import Inventory

CASES = [
    ("non-raw-in-rbd", "fail-qcow2-in-rbd"),
    ("raw-label-mismatch", "fail-qcow2-labelled-raw"),
    ("qcow2-backing-file", "fail-backing-file"),
    ("disk-format-not-allowed", "fail-qcow2-not-allowed"),
    ("hidden-image-public-name", "fail-hidden-family-or-newest"),
    ("image-owner-deleted", "fail-owner-deleted"),
    ("image-signature-incomplete", "fail-two-of-four"),
    ("public-image-unsigned", "fail-nova-verifies"),
    ("signature-verify-cow-bypass", "fail-nova-verifies-raw-clone"),
    ("signature-verify-cow-bypass", "fail-cinder-verifies-signed-clone"),
    ("signed-image-converted-on-import", "fail-signed-qcow2-converted"),
    ("public-image-foreign-owner", "fail-public-from-ordinary-project"),
    ("image-member-stale", "fail-deleted-and-pending-members"),
    ("image-used-cross-project", "fail-private-image-used-elsewhere"),
    ("public-image-duplicate", "fail-three-public-copies"),
    ("community-image-sprawl", "fail-old-unused-community"),
]


def _twin_id(image_id: str) -> str:
    return "aaaaaaaa" + image_id[8:]


def _with_twins(inv: Inventory, failed: set[str]) -> Inventory:
    """``inv`` plus a twin of each image in ``failed`` (and of the servers booted from it)."""
    twins = tuple(replace(i, id=_twin_id(i.id)) for i in inv.images if i.id in failed)
    servers = tuple(
        replace(s, id=f"{s.id}-twin", image_ref=_twin_id(s.image_ref))
        for s in inv.servers
        if s.image_ref in failed
    )
    return replace(inv, images=inv.images + twins, servers=inv.servers + servers)


def _by_image(findings: tuple[Finding, ...]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in findings:
        out.setdefault(f.resource.id, []).append(f)
    return out


def test_every_per_image_rule_is_covered() -> None:
    """Every rule whose fail fixtures fail on images (but cow-not-eligible) is in CASES."""
    per_image = {
        rule_dir.name
        for rule_dir in AUDIT_FIXTURES.iterdir()
        for case in rule_dir.glob("fail-*")
        if any(f.resource.kind == "image" for f in audit(collect_dir(case), rule_dir.name).findings)
    }
    assert per_image - {"cow-not-eligible"} == {rule for rule, _ in CASES}


@pytest.mark.parametrize(("rule_id", "case"), CASES)
def test_an_image_and_its_twin_share_a_cause_that_names_neither(rule_id: str, case: str) -> None:
    inv = collect_dir(AUDIT_FIXTURES / rule_id / case)
    failed = {f.resource.id for f in audit(inv, rule_id).findings if f.resource.kind == "image"}
    assert failed
    twinned = _with_twins(inv, failed)
    assert len({i.id for i in twinned.images}) == len(twinned.images)
    found = _by_image(audit(twinned, rule_id).findings)
    names = {i.id: i.name for i in twinned.images}
    for image_id in failed:
        original, twin = found[image_id], found[_twin_id(image_id)]
        assert [f.cause for f in original] == [f.cause for f in twin]
        assert [f.message for f in original] != [f.message for f in twin]
        for f in original:
            assert f.cause
            for word in (image_id, _twin_id(image_id), names[image_id]):
                assert word not in f.cause


def _headers_unread(pools: tuple[Pool, ...]) -> Inventory:
    ids = ("11111111-0000-4000-8000-000000000001", "22222222-0000-4000-8000-000000000002")
    return collected(
        *(raw_image(i) for i in ids), clusters=(CephCluster(fsid=FSID_A, pools=pools),)
    )


@pytest.mark.parametrize("rule_id", ["raw-label-mismatch", "qcow2-backing-file"])
def test_unread_headers_share_a_cause_without_the_image(rule_id: str) -> None:
    ids = ("11111111-0000-4000-8000-000000000001", "22222222-0000-4000-8000-000000000002")
    unread = cluster(FSID_A, *(rbd_image(i) for i in ids)).pools
    result = audit(_headers_unread(unread), rule_id)
    first, second = result.unknowns
    assert first.reason != second.reason
    assert (
        first.cause
        == second.cause
        == "the header of the image's rbd data in pool images was not read"
    )


@pytest.mark.parametrize("rule_id", ["raw-label-mismatch", "qcow2-backing-file"])
def test_an_unread_pool_is_its_own_cause(rule_id: str) -> None:
    result = audit(_headers_unread((Pool(name="images", complete=False),)), rule_id)
    first, second = result.unknowns
    assert first.resource != second.resource
    assert first.cause == second.cause == first.reason
    assert first.reason == f"Ceph pool images of cluster {FSID_A} was not read"
