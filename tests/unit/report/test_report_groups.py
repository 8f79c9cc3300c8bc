"""Table and Markdown: findings and unknowns that share a cause are one row per cause."""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import replace

import pytest

from imageyard.audit.engine import AuditResult, run_audit
from imageyard.audit.registry import rules_by_id
from imageyard.audit.rule import AuditContext
from imageyard.model.finding import (
    Confidence,
    Finding,
    MuteNote,
    Resource,
    Severity,
    Status,
    Unknown,
)
from imageyard.model.inventory import Inventory
from imageyard.report import json_format, markdown, sarif, table
from imageyard.report.groups import finding_key, grouped

QCOW = "qcow2 image in rbd store(s) ceph: never cloned"
VMDK = "vmdk image in rbd store(s) ceph: never cloned"
UNREAD = "the header of the image's rbd data in pool images was not read"


def _finding(n: int, cause: str, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(
        rule_id="non-raw-in-rbd",
        resource=Resource("image", f"img-{n:04d}"),
        message=f"image img-{n:04d} is {cause.split()[0]} in rbd store(s) ceph: never cloned",
        severity=severity,
        confidence=Confidence.HIGH,
        cause=cause,
    )


def _single(n: int) -> Finding:
    return Finding(
        rule_id="locations-exposed-user-facing",
        resource=Resource("file", f"/etc/glance/glance-api-{n}.conf"),
        message=f"endpoint {n} shows image locations",
        severity=Severity.HIGH,
        confidence=Confidence.LOW,
    )


def _unknown(n: int, cause: str = UNREAD) -> Unknown:
    reason = f"the header of images/img-{n:04d} was not read"
    return Unknown("qcow2-backing-file", Resource("image", f"img-{n:04d}"), reason, cause=cause)


@pytest.fixture(scope="module")
def empty() -> AuditResult:
    """A result whose rules are the ones the tests' findings name (findings replaced)."""
    ids = ("non-raw-in-rbd", "locations-exposed-user-facing", "qcow2-backing-file")
    rules = [rules_by_id()[i] for i in ids]
    return run_audit(Inventory(), AuditContext(), rules, today=datetime.date(2026, 1, 1))


def _result(
    empty: AuditResult, findings: list[Finding], unknowns: Sequence[Unknown] = ()
) -> AuditResult:
    ordered = tuple(sorted(findings, key=lambda f: f.sort_key))
    return replace(empty, findings=ordered, unknowns=tuple(unknowns))


def _mixed(empty: AuditResult) -> AuditResult:
    findings = [_finding(n, QCOW) for n in range(10)] + [_finding(n, VMDK) for n in range(10, 12)]
    return _result(empty, [*findings, _single(1), _single(2)], [_unknown(n) for n in range(7)])


def test_table_gives_one_row_per_cause_with_count_and_examples(empty: AuditResult) -> None:
    text = table.render(_mixed(empty), width=160)
    rows = [line for line in text.splitlines() if QCOW[:20] in line or VMDK[:20] in line]
    assert len(rows) == 2
    assert rows[0].startswith("│ 10 ") and "│ high " in rows[0]  # largest group first
    assert rows[1].startswith("│ 2 ")
    for n in range(3):
        assert f"image img-{n:04d}" in text
    assert "image img-0003" not in text and "and 7 more" in text
    assert "image img-0010" in text and "image img-0011" in text  # a group of two: no "more"
    assert "and 0 more" not in text


def test_table_prints_findings_without_cause_one_row_each(empty: AuditResult) -> None:
    text = table.render(_mixed(empty), width=160)
    for n in (1, 2):
        assert f"file /etc/glance/glance-api-{n}.conf" in text
        assert f"endpoint {n} shows image locations" in text
    assert "img-0005 is qcow2" not in text  # grouped findings' own messages stay in JSON


def test_table_groups_unknowns_by_cause(empty: AuditResult) -> None:
    result = _result(empty, [], [*(_unknown(n) for n in range(7)), _unknown(9, cause="")])
    text = table.render(result, width=160)
    assert "Could not check (8)" in text and "qcow2-backing-file (8)" in text
    assert sum(UNREAD in line for line in text.splitlines()) == 1
    assert "and 4 more" in text
    assert "the header of images/img-0009 was not read" in text  # no cause: its own row
    assert "the header of images/img-0005 was not read" not in text


def test_table_of_many_findings_stays_short(empty: AuditResult) -> None:
    many = _result(empty, [_finding(n, QCOW) for n in range(5000)])
    lines = table.render(many, width=160).splitlines()
    assert len(lines) < 20
    assert any(line.startswith("│ 5000 ") for line in lines)


def test_groups_keep_severities_and_mutes_apart(empty: AuditResult) -> None:
    muted = replace(_finding(3, QCOW), status=Status.MUTED, mute=MuteNote("ok", "2030", "m:1"))
    findings = [_finding(0, QCOW), _finding(1, QCOW, Severity.LOW), _finding(2, QCOW), muted]
    groups = grouped(findings, finding_key)
    assert [(g.lead.severity, g.count, g.lead.status) for g in groups] == [
        (Severity.HIGH, 2, Status.FAIL),
        (Severity.HIGH, 1, Status.MUTED),
        (Severity.LOW, 1, Status.FAIL),
    ]
    text = table.render(_result(empty, findings), width=160)
    assert "high (muted)" in text


def test_markdown_gives_one_row_per_cause(empty: AuditResult) -> None:
    text = markdown.render(_mixed(empty))
    rows = [line for line in text.splitlines() if line.startswith("| high ")]
    assert len(rows) == 4  # two causes, two findings without one
    assert "10 resources: image img-0000, image img-0001, image img-0002, and 7 more" in rows[0]
    assert f"| {QCOW} |" in rows[0]
    assert "2 resources: image img-0010, image img-0011 |" in rows[1]
    lone = markdown.render(_result(empty, [_finding(7, VMDK)]))
    assert "| image img-0007 | image img-0007 is vmdk in rbd store(s) ceph: never cloned |" in lone
    assert "endpoint 1 shows image locations" in rows[2]
    unknowns = [line for line in text.splitlines() if line.startswith("- `qcow2-backing-file`")]
    assert unknowns == [
        f"- `qcow2-backing-file` 7 resources: image img-0000, image img-0001, image img-0002, "
        f"and 4 more: {UNREAD}"
    ]


def test_json_keeps_every_finding_with_its_cause(empty: AuditResult) -> None:
    doc = json.loads(json_format.render(_mixed(empty)))
    assert len(doc["findings"]) == 14 and len(doc["unknowns"]) == 7
    causes = [f["cause"] for f in doc["findings"]]
    assert causes.count(QCOW) == 10 and causes.count(VMDK) == 2 and causes.count("") == 2
    assert {u["cause"] for u in doc["unknowns"]} == {UNREAD}


def test_sarif_has_a_result_per_finding_and_the_cause_as_a_property(empty: AuditResult) -> None:
    run = json.loads(sarif.render(_mixed(empty)))["runs"][0]
    causes = [r["properties"].get("cause") for r in run["results"]]
    assert len(causes) == 14 + 7
    assert causes.count(QCOW) == 10 and causes.count(UNREAD) == 7 and causes.count(None) == 2


@pytest.mark.parametrize("width", [80, 120])
def test_grouped_table_fits_the_width(empty: AuditResult, width: int) -> None:
    lines = table.render(_mixed(empty), width=width).splitlines()
    assert max(len(line) for line in lines) <= width
    assert sum("and 7 more" in line for line in lines) == 1


def test_grouped_rows_are_coloured_by_severity(empty: AuditResult) -> None:
    text = table.render(_mixed(empty), color=True, width=160)
    assert "\x1b[31m10   \x1b[0m" in text and "\x1b[31mhigh    \x1b[0m" in text
    assert "\x1b[" not in table.render(_mixed(empty), width=160)


def test_a_group_of_one_shows_its_own_message(empty: AuditResult) -> None:
    one = _result(empty, [_finding(7, VMDK), _finding(8, QCOW), _finding(9, QCOW)], [_unknown(3)])
    text = table.render(one, width=200)
    assert "image img-0007 is vmdk in rbd store(s) ceph: never cloned" in text
    assert f"│ {QCOW}" in text  # the group of two keeps its cause
    assert "the header of images/img-0003 was not read" in text
    assert UNREAD not in text
    lines = markdown.render(one).splitlines()
    assert any(
        line.startswith("- `qcow2-backing-file` image img-0003: the header of") for line in lines
    )
