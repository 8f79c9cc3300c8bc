"""The summary counts every result's own findings, however many results are summarised."""

from __future__ import annotations

from imageyard.audit.engine import AuditResult
from imageyard.audit.rule import AuditContext
from imageyard.model.finding import Confidence, Finding, Resource, Severity, Status
from imageyard.report.view import summary_doc


def _result(*statuses: Status) -> AuditResult:
    findings = tuple(
        Finding("r", Resource("image", str(n)), "m", Severity.LOW, Confidence.HIGH, status=s)
        for n, s in enumerate(statuses)
    )
    return AuditResult(AuditContext().release, (), findings, ())


def _counts(result: AuditResult) -> tuple[int, int]:
    doc = summary_doc(result)
    return doc["findings"], doc["findings_muted"]


def test_each_result_is_counted_as_it_is() -> None:
    one = _result(Status.FAIL, Status.MUTED, Status.FAIL)
    other = _result(Status.MUTED)
    equal = _result(Status.FAIL, Status.MUTED, Status.FAIL)
    assert _counts(one) == (2, 1)
    assert _counts(one) == (2, 1)
    assert _counts(other) == (0, 1)
    assert _counts(equal) == (2, 1)
    assert _counts(one) == (2, 1)
    assert _counts(_result()) == (0, 0)
