"""Section (f): publishers, signing and retention, stated from the audit and the planner."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from design_support import ROOT

from imageyard import cli
from imageyard.audit.releases import parse_release
from imageyard.audit.rules.signing import SIGNATURE_PROPERTIES, is_signed
from imageyard.design import memo, run_design
from imageyard.design.hygiene import KEEP, decide_hygiene
from imageyard.design.model import Decision
from imageyard.design.provenance import source_of
from imageyard.design.situation import measured_site, merge
from imageyard.errors import ExitCode
from imageyard.model.compute import Server
from imageyard.model.gap import SourceStatus
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory

sys.path.insert(0, str(ROOT / "tests" / "unit" / "audit"))
from audit_support import AUDIT_FIXTURES, audit, collect_dir

OWNER = AUDIT_FIXTURES / "public-image-foreign-owner"
BYPASS = AUDIT_FIXTURES / "signature-verify-cow-bypass"
COMPLETE = tuple(SourceStatus(s, True) for s in ("glance", "keystone", "nova", "cinder"))


def _by_key(decisions: list[Decision]) -> dict[str, Decision]:
    assert {d.section for d in decisions} == {"hygiene"}
    return {d.key: d for d in decisions}


def _section(path: Path) -> dict[str, Decision]:
    inv = collect_dir(path)
    return _by_key(decide_hygiene(inv, audit(inv)))


def test_without_a_catalog_the_section_says_what_to_collect() -> None:
    for inv in (None, Inventory(images=(Image(id="x", visibility="public"),))):
        found = _by_key(decide_hygiene(inv, None))
        assert list(found) == ["hygiene.collect"]
        assert "imageyard collect" in found["hygiene.collect"].why
        assert [source_of(e) for e in found["hygiene.collect"].evidence] == ["assumed"]


def test_a_public_image_of_an_ordinary_project_is_named_with_the_accepted_publisher() -> None:
    found = _section(OWNER / "fail-public-from-ordinary-project")["hygiene.publishers"]
    assert found.choice == "public images only from p-admin; 1 from proj-a to fix"
    assert "measured: public images by owner project: p-admin (1), proj-a (1)" in found.evidence
    assert any("public-image-foreign-owner: 1 findings (22222222-" in e for e in found.evidence)


def test_public_images_of_the_publisher_only_need_no_fix() -> None:
    found = _section(OWNER / "pass-public-from-admin")["hygiene.publishers"]
    assert found.choice == "public images only from p-admin"
    assert "measured: audit public-image-foreign-owner: 0 findings" in found.evidence


def test_unknown_projects_ask_for_keystone_instead_of_guessing() -> None:
    inv = collect_dir(OWNER / "fail-public-from-ordinary-project")
    inv = Inventory(images=inv.images, sources=(SourceStatus("glance", True),))
    found = _by_key(decide_hygiene(inv, audit(inv)))["hygiene.publishers"]
    assert found.choice.startswith("collect Keystone's projects")
    assert any("public-image-foreign-owner: undecided (Keystone" in e for e in found.evidence)


def test_no_public_image_needs_no_publisher() -> None:
    inv = Inventory(images=(Image(id="x", owner="p"),), sources=COMPLETE)
    found = _by_key(decide_hygiene(inv, audit(inv)))["hygiene.publishers"]
    assert found.choice == "no public images today: keep publicize_image admin-only"


def test_the_cow_bypass_names_the_image_and_the_three_ways_out() -> None:
    found = _section(BYPASS / "fail-nova-verifies-raw-clone")["hygiene.signing"]
    assert found.choice.startswith("1 image(s) cloned unverified")
    line = next(e for e in found.evidence if "signature-verify-cow-bypass" in e)
    assert "11111111-0000-4000-8000-000000000001" in line
    for way in ("uploaded or imported", "accepting that clones skip", "non-rbd images_type"):
        assert way in found.why
    assert "signature-verify-download" in found.facts


def test_no_bypass_when_the_verified_image_downloads() -> None:
    found = _section(BYPASS / "pass-verify-but-qcow2-downloads")["hygiene.signing"]
    assert "cloned unverified" not in found.choice
    assert "measured: audit signature-verify-cow-bypass: 0 findings" in found.evidence


def _family(used: str | None) -> Inventory:
    images = tuple(
        Image(
            id=f"{n:08d}-0000-4000-8000-000000000000",
            name=f"ubuntu-24.04-2025010{n}",
            created_at=f"2025-01-0{n}T00:00:00Z",
            os_hidden=n == 2,
        )
        for n in range(1, 6)
    )
    servers = (Server(id="s1", image_ref=images[0].id),) if used == "s1" else ()
    sources = COMPLETE if used != "unknown" else COMPLETE[:2]
    return Inventory(images=images, servers=servers, sources=sources)


def test_retention_retires_the_old_builds_but_never_a_used_one() -> None:
    assert KEEP == 3
    found = _by_key(decide_hygiene(_family("s1"), None))
    keep = found["hygiene.retention"]
    # five builds, three kept; build 1 is used by a server; build 2 is already hidden
    assert keep.choice == "keep the newest 3 of each family: hide 0, deactivate 1"
    assert "imageyard plan make inv.json --keep 3 -o plan.json" in keep.why
    assert any("00000001-" in e and "1 server(s)" in e for e in keep.evidence)
    assert "assumed: keep 3 per family (no retention number declared)" in keep.evidence
    assert found["hygiene.signing"].choice == "run the audit first"


def test_retention_without_usage_says_to_collect_it_first() -> None:
    keep = _by_key(decide_hygiene(_family("unknown"), None))["hygiene.retention"]
    assert keep.choice.startswith("collect usage before retiring anything")
    assert "hide 1, deactivate 2" in keep.choice


def test_the_memo_prints_the_section_from_an_inventory() -> None:
    inv = collect_dir(BYPASS / "fail-nova-verifies-raw-clone")
    run = run_design(merge(measured_site(inv), None), inv, parse_release(None))
    text = memo.render(run.design, run.diffs)
    section = text.split("## (f) Visibility, signing and retention", 1)[1]
    assert "### Image signing" in section
    assert "**Decision:** 1 image(s) cloned unverified" in section
    assert "### Retention" in section


def test_the_audits_rule_options_reach_the_section() -> None:
    inv = collect_dir(OWNER / "fail-public-from-ordinary-project")
    site = merge(measured_site(inv), None)
    options = {"public-image-foreign-owner.projects": "p-admin,proj-a"}
    found = run_design(site, inv, parse_release(None), rule_settings=options).design.decisions
    publishers = next(d for d in found if d.key == "hygiene.publishers")
    assert publishers.choice == "public images only from p-admin, proj-a"
    default = run_design(site, inv, parse_release(None)).design.decisions
    assert next(d for d in default if d.key == "hygiene.publishers").choice.endswith("to fix")


def test_a_bad_rule_option_stops_design_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["design", "--site", str(ROOT / "examples" / "all-ceph.yaml"),
            "--rule-option", "community-image-sprawl.max_age_days=old"]  # fmt: skip
    assert cli.run(argv) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith("imageyard: error: --rule-option") and "not a whole number" in err


def test_signed_images_are_counted_whatever_properties_they_share() -> None:
    full = tuple((k, "v") for k in SIGNATURE_PROPERTIES)
    sets = (full, full[:3], (), (*full, ("os_distro", "x")), full, full[1:], ())
    images = tuple(Image(id=f"i{n}", properties=p) for n, p in enumerate(sets * 3))
    inv = Inventory(images=images, sources=COMPLETE)
    found = _by_key(decide_hygiene(inv, audit(inv)))["hygiene.signing"]
    assert "measured: 9 of 21 images carry all four signature properties" in found.evidence
    assert sum(1 for i in images if is_signed(i)) == 9


def test_each_rule_line_counts_that_rules_failing_findings_only() -> None:
    images = tuple(
        Image(id=f"i{n}", visibility="community", owner="p", properties=(("img_signature", "s"),))
        for n in range(12)
    )
    inv = Inventory(images=images, sources=COMPLETE)
    audited = audit(inv)
    found = _by_key(decide_hygiene(inv, audited))
    counted = {}
    for decision in (found["hygiene.publishers"], found["hygiene.signing"]):
        for line in decision.evidence:
            rule = line.removeprefix("measured: audit ").partition(":")[0]
            if line.startswith("measured: audit ") and "undecided" not in line:
                want = sum(
                    1 for f in audited.findings if f.rule_id == rule and f.status.value == "fail"
                )
                assert f"{rule}: {want} findings" in line
                counted[rule] = want
    assert len(counted) >= 6 and counted["image-signature-incomplete"] == 12
    assert "measured: audit image-signature-incomplete: 12 findings (i0, i1," in "".join(
        found["hygiene.signing"].evidence
    )
