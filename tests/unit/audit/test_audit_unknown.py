"""A rule whose inputs are missing reports unknown, never pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_support import AUDIT_FIXTURES, audit, collect_dir

from imageyard.audit.engine import Verdict
from imageyard.audit.registry import RULES


def test_every_rule_is_unknown_when_no_file_was_collected(tmp_path: Path) -> None:
    result = audit(collect_dir(tmp_path))
    assert not result.findings
    assert {o.meta.id for o in result.rules if o.verdict is Verdict.UNKNOWN} == {
        r.id for r in RULES
    }
    assert all("was not read" in u.reason for u in result.unknowns)


@pytest.mark.parametrize(
    ("rule_id", "kept", "missing"),
    [
        ("default-backend-not-enabled", "nova.conf", "glance-api.conf"),
        ("nova-rbd-force-raw-off", "glance-api.conf", "nova.conf"),
        ("nova-rbd-cluster-mismatch", "nova.conf", "glance-api.conf"),
        ("cinder-rbd-cluster-mismatch", "glance-api.conf", "cinder.conf"),
    ],
)
def test_the_unknown_names_the_missing_file(
    rule_id: str, kept: str, missing: str, tmp_path: Path
) -> None:
    source = AUDIT_FIXTURES / "nova-rbd-cluster-mismatch" / "pass-same-cluster"
    (tmp_path / kept).write_text((source / kept).read_text())
    result = audit(collect_dir(tmp_path), rule_id)
    assert not result.findings
    assert [str(u.resource) for u in result.unknowns] == [f"file {missing}"]
    assert "not found in" in result.unknowns[0].reason


def test_compute_cluster_without_ceph_conf_is_unknown(tmp_path: Path) -> None:
    source = AUDIT_FIXTURES / "nova-rbd-cluster-mismatch" / "fail-other-cluster"
    for name in ("glance-api.conf", "nova.conf"):
        (tmp_path / name).write_text((source / name).read_text())
    (tmp_path / "ceph").mkdir()
    (tmp_path / "ceph" / "ceph.conf").write_text((source / "ceph" / "ceph.conf").read_text())
    result = audit(collect_dir(tmp_path), "nova-rbd-cluster-mismatch")
    assert not result.findings
    assert len(result.unknowns) == 1
    assert "/etc/ceph/site-b.conf: no ceph.conf for cluster 'site-b' was read" in (
        result.unknowns[0].reason
    )


def test_glance_store_fsid_unknown_is_unknown(tmp_path: Path) -> None:
    source = AUDIT_FIXTURES / "nova-rbd-cluster-mismatch" / "fail-other-cluster"
    for name in ("glance-api.conf", "nova.conf"):
        (tmp_path / name).write_text((source / name).read_text())
    (tmp_path / "ceph").mkdir()
    (tmp_path / "ceph" / "site-b.conf").write_text((source / "ceph" / "site-b.conf").read_text())
    result = audit(collect_dir(tmp_path), "nova-rbd-cluster-mismatch")
    assert not result.findings
    assert [u.reason for u in result.unknowns] == ["fsid of Glance rbd store(s) ceph unknown"]
