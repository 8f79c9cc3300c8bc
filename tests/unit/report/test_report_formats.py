"""The audit renderers: SARIF 2.1.0 structure, canonical JSON, Markdown and table."""

from __future__ import annotations

import datetime
import gc
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from imageyard import gcpause
from imageyard.audit.engine import AuditResult, run_audit
from imageyard.audit.mute import parse_mutes
from imageyard.audit.registry import RULES
from imageyard.audit.rule import AuditContext
from imageyard.collect.base import run_collectors
from imageyard.collect.config_source import ConfigCollector
from imageyard.collect.configs import discover
from imageyard.model.inventory import Inventory
from imageyard.report import FORMATS, json_format, markdown, sarif, table
from imageyard.report.view import result_document, summary_line

ROOT = Path(__file__).resolve().parents[3]
SQLITE_OLD = ROOT / "tests" / "fixtures" / "configs" / "sqlite-cache-old"
MUTE = (
    "- rule: removed-option\n  resource: '*cache_prefetcher_interval'\n  reason: ok\n"
    "  expires: 2030-01-01\n"
)


@pytest.fixture(scope="module")
def result() -> AuditResult:
    inv = run_collectors([ConfigCollector(discover(SQLITE_OLD))], Inventory())
    mutes = parse_mutes(MUTE, origin="mute.yaml")
    return run_audit(inv, AuditContext(), RULES, mutes=mutes, today=datetime.date(2026, 1, 1))


def _check_sarif(doc: dict[str, Any]) -> None:
    """The key requirements of SARIF 2.1.0 (sarifLog, run, toolComponent, result)."""
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-2.1.0.json")
    assert isinstance(doc["runs"], list) and len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert isinstance(driver["name"], str) and driver["name"]
    rule_ids = [r["id"] for r in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in {"none", "note", "warning", "error"}
    for res in run["results"]:
        assert res["message"]["text"]
        assert res["ruleId"] == rule_ids[res["ruleIndex"]]
        assert res["kind"] in {"fail", "open"}
        assert res["level"] in {"none", "note", "warning", "error"}
        if res["kind"] != "fail":
            assert res["level"] == "none"
        for loc in res["locations"]:
            physical = loc["physicalLocation"]
            assert physical["artifactLocation"]["uri"]
            if "region" in physical:
                assert isinstance(physical["region"]["startLine"], int)
                assert physical["region"]["startLine"] >= 1
        for sup in res.get("suppressions", []):
            assert sup["kind"] in {"inSource", "external"}


def test_sarif_structure(result: AuditResult) -> None:
    doc = json.loads(sarif.render(result))
    _check_sarif(doc)
    results = doc["runs"][0]["results"]
    removed = [r for r in results if r["ruleId"] == "removed-option"]
    assert removed and all(r["level"] == "warning" for r in removed)
    uri = removed[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("file:///") and uri.endswith("sqlite-cache-old/glance-api.conf")
    assert any(r["kind"] == "open" for r in results)  # unknowns: nova.conf, cinder.conf
    suppressed = [r for r in results if r.get("suppressions")]
    assert [r["properties"]["resource"] for r in suppressed] == [
        "option [DEFAULT] cache_prefetcher_interval"
    ]


def test_json_is_canonical(result: AuditResult) -> None:
    text = json_format.render(result)
    assert text == json_format.render(result)
    doc = json.loads(text)
    assert text == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert doc["schema"] == "imageyard-audit/1"
    assert doc["release"]["major"] == 33
    severities = [f["severity"] for f in doc["findings"]]
    order = ["critical", "high", "medium", "low", "info"]
    assert severities == sorted(severities, key=order.index)
    assert doc["summary"]["findings_muted"] == 1


def test_markdown_lists_findings_unknowns_and_mutes(result: AuditResult) -> None:
    text = markdown.render(result)
    assert text.startswith("# imageyard audit\n")
    assert "| medium | high | `removed-option` |" in text
    assert "## Could not check" in text
    assert "muted: ok" in text


def test_table_has_no_markup_surprises(result: AuditResult) -> None:
    text = table.render(result, width=200)
    assert "[store_type_location_strategy]" in text
    assert "\x1b[" not in text
    assert "Could not check" in text


def test_formats_registry_is_complete(result: AuditResult) -> None:
    modules = {"table": table, "json": json_format, "markdown": markdown, "sarif": sarif}
    assert set(FORMATS) == set(modules)
    for name, module in modules.items():
        assert FORMATS[name](result) == module.render(result)


@pytest.mark.parametrize("width", [80, 120])
def test_table_fits_the_width_groups_by_rule_and_cites_file_and_line(
    result: AuditResult, width: int
) -> None:
    text = table.render(result, width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    for rule_id in {f.rule_id for f in result.findings}:
        headings = [line for line in text.splitlines() if f" {rule_id} (" in line]
        assert len(headings) == 1, rule_id
    cited = [e for f in result.findings for e in f.evidence if e.path and e.line]
    assert cited
    wide = table.render(result, width=400)  # narrower, a long path wraps inside its column
    assert f"{cited[0].path}:{cited[0].line}" in wide
    assert text.count(summary_line(result)[:20]) == 1


def test_table_streams_one_block_per_rule(result: AuditResult) -> None:
    blocks = list(table.chunks(result, width=120))
    finding_rules = {f.rule_id for f in result.findings}
    unknown_rules = {u.rule_id for u in result.unknowns}
    # a block per rule with findings, the unknowns' heading, a block per rule with unknowns,
    # then the summary
    assert len(blocks) == len(finding_rules) + 1 + len(unknown_rules) + 1
    assert all(b.endswith("\n") for b in blocks)
    assert blocks[-1].rstrip("\n").endswith(summary_line(result).split()[-1])
    assert "".join(blocks) == table.render(result, width=120)


@pytest.mark.parametrize("batch", [1, 2, 1000])
def test_json_chunks_are_the_whole_document_text(
    result: AuditResult, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(json_format, "BATCH", batch)
    whole = json.dumps(result_document(result), indent=2, sort_keys=True, ensure_ascii=False)
    pieces = [p if isinstance(p, str) else p.decode() for p in json_format.chunks(result)]
    assert "".join(pieces) == whole + "\n"
    assert len(pieces) >= 5 + (len(result.findings) + len(result.unknowns)) // batch
    empty = replace(result, findings=(), unknowns=())
    assert json_format.render(empty) == (
        json.dumps(result_document(empty), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def test_json_chunks_leave_cyclic_garbage_per_batch_not_per_item(result: AuditResult) -> None:
    """The offline commands run with the cyclic collector paused: what it alone could free
    must not grow with the number of findings."""

    def garbage(r: AuditResult) -> int:
        gc.collect()
        with gcpause.paused():
            json_format.render(r)
            return gc.collect()

    many = replace(result, unknowns=result.unknowns * 1000)
    assert len(many.unknowns) > 10 * json_format.BATCH
    # NOTE: a dumps per item left some 160 objects of cyclic garbage per item; a dumps per
    # batch leaves a few dozen per thousand
    assert garbage(many) < len(many.unknowns) / 5
