"""``AuditResult.fails``: whether any unmuted finding reaches a severity (the exit code)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from imageyard.audit.engine import AuditResult
from imageyard.audit.rule import AuditContext
from imageyard.model.finding import Confidence, Finding, Resource, Severity, Status


def _finding(n: int, severity: Severity, status: Status) -> Finding:
    return Finding(
        "some-rule", Resource("image", str(n)), "m", severity, Confidence.HIGH, status=status
    )


def _result(found: list[tuple[Severity, Status]]) -> AuditResult:
    findings = sorted(
        (_finding(n, sev, status) for n, (sev, status) in enumerate(found)),
        key=lambda f: f.sort_key,
    )
    return AuditResult(AuditContext().release, (), tuple(findings), ())


@given(
    st.lists(
        st.tuples(st.sampled_from(Severity), st.sampled_from([Status.FAIL, Status.MUTED])),
        max_size=12,
    ),
    st.sampled_from(Severity),
)
def test_fails_exactly_when_failing_is_not_empty(
    found: list[tuple[Severity, Status]], threshold: Severity
) -> None:
    result = _result(found)
    assert result.fails(threshold) == bool(result.failing(threshold))


def test_a_muted_finding_or_a_milder_one_does_not_fail() -> None:
    result = _result([(Severity.CRITICAL, Status.MUTED), (Severity.LOW, Status.FAIL)])
    assert not result.fails(Severity.HIGH)
    assert result.fails(Severity.LOW)
