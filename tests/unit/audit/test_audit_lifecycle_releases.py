"""removed-option and deprecated-option follow the generated per-release tables."""

from __future__ import annotations

from pathlib import Path

from audit_support import audit, collect_dir

from imageyard.audit.engine import AuditResult
from imageyard.audit.releases import parse_release
from imageyard.audit.rule import AuditContext

HEAD = """[DEFAULT]
enabled_backends = ceph:rbd
show_image_direct_url = True
{extra}
[glance_store]
default_backend = ceph

[ceph]
rbd_store_pool = images
"""


def _run(tmp_path: Path, extra: str, release: str) -> AuditResult:
    (tmp_path / "glance-api.conf").write_text(HEAD.format(extra=extra))
    ctx = AuditContext(parse_release(release))
    return audit(collect_dir(tmp_path), "removed-option", "deprecated-option", ctx=ctx)


def _found(result: AuditResult) -> dict[str, str]:
    return {f.rule_id: f.message for f in result.findings}


def test_enforce_secure_rbac_deprecated_then_removed(tmp_path: Path) -> None:
    yoga = _found(_run(tmp_path, "enforce_secure_rbac = True", "25"))
    assert set(yoga) == {"deprecated-option"}
    assert "since Glance 22 (Wallaby)" in yoga["deprecated-option"]
    antelope = _found(_run(tmp_path, "enforce_secure_rbac = True", "2023.1"))
    assert set(antelope) == {"removed-option"}
    assert "removed in Glance 26 (Antelope)" in antelope["removed-option"]
    assert "enforce_new_defaults" in antelope["removed-option"]


def test_eventlet_options_removed_only_from_glance_33(tmp_path: Path) -> None:
    assert not _found(_run(tmp_path, "workers = 4", "32"))
    hibiscus = _found(_run(tmp_path, "workers = 4", "33"))
    assert "removed in Glance 33" in hibiscus["removed-option"]


def test_finding_cites_file_and_line(tmp_path: Path) -> None:
    result = _run(tmp_path, "enable_v2_api = True", "21")
    (finding,) = result.findings
    assert finding.rule_id == "removed-option"
    assert any(e.where.endswith("glance-api.conf:4") for e in finding.evidence)
    assert "nothing: the v2 API is always on" in finding.message


def test_enable_v2_api_still_there_in_ussuri(tmp_path: Path) -> None:
    assert not _found(_run(tmp_path, "enable_v2_api = True", "ussuri"))


def test_release_older_than_the_tables_is_unknown(tmp_path: Path) -> None:
    result = _run(tmp_path, "enable_v2_api = True", "train")
    assert not result.findings
    assert {u.rule_id for u in result.unknowns} == {"removed-option", "deprecated-option"}


def test_store_options_follow_the_target_glance_store(tmp_path: Path) -> None:
    (tmp_path / "glance-api.conf").write_text(HEAD.format(extra="") + "weight = 10\n")
    inv = collect_dir(tmp_path)
    old = audit(inv, "unknown-store-option", ctx=AuditContext(parse_release("26")))
    assert {str(f.resource) for f in old.findings} == {"option [ceph] weight"}
    assert "glance_store 4.3.3 (Antelope)" in old.findings[0].message
    new = audit(inv, "unknown-store-option", ctx=AuditContext(parse_release("27")))
    assert not new.findings
