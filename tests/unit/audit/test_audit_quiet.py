"""One finding per configuration problem, however many files or stores repeat it."""

from __future__ import annotations

from audit_support import AUDIT_FIXTURES, ROOT, audit, collect_dir

EDGE = ROOT / "tests" / "corpus" / "glance-operator-edge"


def test_an_option_repeated_in_several_files_is_one_finding_citing_each() -> None:
    result = audit(collect_dir(EDGE), "deprecated-option")
    stores = [f for f in result.findings if str(f.resource) == "option [glance_store] stores"]
    assert len(stores) == 1
    cited = {e.path for e in stores[0].evidence if e.line}
    assert len(cited) == 4
    assert "set in 4 glance-api files" in stores[0].message


def test_a_weight_tie_is_one_finding_naming_the_consumer() -> None:
    base = AUDIT_FIXTURES / "store-weights-tied" / "fail-two-pools-one-cluster"
    [finding] = audit(collect_dir(base), "store-weights-tied").findings
    assert str(finding.resource) == "stores fast, cheap"
    assert "every location" in finding.message
    assert "nova:" in finding.message


def test_hidden_locations_are_one_finding_for_several_rbd_stores() -> None:
    base = ROOT / "tests" / "corpus" / "glance-doc-multistores"
    [finding] = audit(collect_dir(base), "rbd-store-without-direct-url").findings
    assert finding.resource.kind == "file"
    assert "fast, cheap" in finding.message
