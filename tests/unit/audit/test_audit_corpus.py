"""collect + audit over the corpus of real deployment config sets (tests/corpus/<set>/).

Each set holds the files a deploy tool renders from its own templates, laid out as the tool
installs them, a PROVENANCE.md naming the upstream sources, and an expected.yaml:

* ``findings``: the exact (rule, resource) findings a correct audit gives, each with a
  one-line ``why``; file resources are relative to the set directory;
* ``absent``: known false positives that must not come back (``resource`` optional);
* ``decided``: rules that must reach a verdict (pass or fail), not ``unknown``;
* ``xfail``: why today's configuration loading cannot read the set correctly yet.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from audit_support import ROOT, audit, collect_dir

from imageyard.audit.engine import AuditResult
from imageyard.audit.registry import rules_by_id
from imageyard.model.snapshot import dump_inventory

CORPUS = ROOT / "tests" / "corpus"
SETS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
# Every secret in the corpus is a placeholder carrying this marker.
SECRET_MARK = "_PASS_"


def _expected(name: str) -> dict[str, Any]:
    data = yaml.safe_load((CORPUS / name / "expected.yaml").read_text())
    assert isinstance(data, dict), f"{name}/expected.yaml is not a mapping"
    return data


def _params() -> list[Any]:
    params = []
    for name in SETS:
        reason = _expected(name).get("xfail")
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(name, marks=marks, id=name))
    return params


def _run(name: str) -> tuple[AuditResult, str]:
    inv = collect_dir(CORPUS / name)
    return audit(inv), dump_inventory(inv)


@pytest.mark.parametrize("name", _params())
def test_corpus_set_gives_exactly_the_expected_findings(name: str) -> None:
    expected = _expected(name)
    base = CORPUS / name
    result, _ = _run(name)
    got = {(f.rule_id, str(f.resource).replace(f"{base}/", "")) for f in result.findings}
    want = {(e["rule"], e["resource"]) for e in expected.get("findings") or []}
    assert got == want
    for gone in expected.get("absent") or []:
        hits = {r for rule, r in got if rule == gone["rule"]}
        if "resource" in gone:
            hits &= {gone["resource"]}
        assert not hits, f"known false positive {gone['rule']} is back: {sorted(hits)}"
    verdicts = {o.meta.id: o.verdict.value for o in result.rules}
    for rule_id in expected.get("decided") or []:
        assert verdicts[rule_id] in {"pass", "fail"}, f"{rule_id}: {verdicts[rule_id]}"


@pytest.mark.parametrize("name", SETS)
def test_corpus_set_is_documented(name: str) -> None:
    expected = _expected(name)
    assert (CORPUS / name / "PROVENANCE.md").is_file()
    known = rules_by_id()
    for entry in [*(expected.get("findings") or []), *(expected.get("absent") or [])]:
        assert entry["rule"] in known, entry
        assert str(entry.get("why", "")).strip(), f"{name}: no justification for {entry}"
    for rule_id in expected.get("decided") or []:
        assert rule_id in known


@pytest.mark.parametrize("name", SETS)
def test_corpus_secrets_never_reach_the_snapshot(name: str) -> None:
    _, snapshot = _run(name)
    assert SECRET_MARK not in snapshot


def test_corpus_has_at_least_fifteen_sets() -> None:
    assert len(SETS) >= 15


def test_corpus_secret_check_is_not_vacuous() -> None:
    with_secrets = [
        name
        for name in SETS
        if any(SECRET_MARK in p.read_text() for p in (CORPUS / name).rglob("*.conf"))
    ]
    assert len(with_secrets) >= 10
