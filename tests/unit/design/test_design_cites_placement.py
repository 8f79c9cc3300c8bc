"""``design --placement``: section (a) cites a placement comparison, as simulate wrote it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imageyard import cli

ROOT = Path(__file__).resolve().parents[3]
SITE = str(ROOT / "examples" / "all-ceph.yaml")


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("placement")
    trace, costs, out = tmp / "boots.csv", tmp / "costs.yaml", tmp / "placement.json"
    assert cli.run(["simulate", "generate", "--events", "500", "--zones", "2", "--seed", "9",
                    "-o", str(trace)]) == 0  # fmt: skip
    costs.write_text("cold: {gib_month: 0.002}\n")
    assert cli.run(["simulate", "placement", "--trace", str(trace), "--costs", str(costs),
                    "-f", "json", "-o", str(out)]) == 0  # fmt: skip
    return out


def test_json_decision_restates_the_comparison(
    comparison: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["design", "--site", SITE, "--placement", str(comparison), "-f", "json", "-q"]
    assert cli.run(args) == 0
    decisions = json.loads(capsys.readouterr().out)["decisions"]
    sections = [d["section"] for d in decisions]
    at = [d["key"] for d in decisions].index("layout.placement")
    assert sections[at] == "layout" and "layout" not in sections[at + 1 :]
    cited = decisions[at]
    doc = json.loads(comparison.read_text())
    for layout in doc["layouts"]:
        line = f"{layout['monthly_cost']:.2f} per month, boot p50 {layout['p50_seconds']:.1f} s"
        assert any(line in e for e in cited["evidence"]), line
    fastest = min(doc["layouts"], key=lambda r: (r["p95_seconds"], r["monthly_cost"]))
    assert cited["choice"].startswith(f"fastest: {fastest['layout']}")
    assert "declared: price per GiB-month: ceph 0.05, site 0.05, cold 0.002" in cited["evidence"]
    assert "declared: throughputs: from " in " ".join(cited["evidence"])


def test_without_placement_there_is_no_such_decision(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["design", "--site", SITE, "-f", "json", "-q"]) == 0
    keys = [d["key"] for d in json.loads(capsys.readouterr().out)["decisions"]]
    assert "layout.placement" not in keys


def test_memo_shows_it_in_section_a(comparison: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["design", "--site", SITE, "--placement", str(comparison), "-q"]) == 0
    memo = capsys.readouterr().out
    a, b = memo.index("## (a) Store layout"), memo.index("## (b) Format policy")
    assert a < memo.index("### Placement: cost against boot time") < b


def test_a_cache_simulation_is_not_a_placement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = tmp_path / "cache.json"
    wrong.write_text('{"schema": "imageyard-simulate-cache/1", "models": []}')
    assert cli.run(["design", "--site", SITE, "--placement", str(wrong), "-q"]) == 5
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a simulate placement result" in err[0]
