"""The @rule decorator refuses bad metadata; releases, gates and rule selection."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from imageyard.audit.engine import select_rules
from imageyard.audit.registry import RULES
from imageyard.audit.releases import parse_release
from imageyard.audit.rule import AuditContext, parse_gate, rule
from imageyard.errors import UsageError
from imageyard.model.finding import Outcome
from imageyard.model.inventory import Inventory

GOOD = {
    "id": "some-rule",
    "title": "t",
    "severity": "low",
    "confidence": "high",
    "category": "hygiene",
    "remediation": "fix it",
}


def _check(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """A rule that checks nothing."""
    return iter(())


def test_good_metadata_is_accepted() -> None:
    wrapped = rule(**GOOD)(_check)  # type: ignore[arg-type]
    assert wrapped.id == "some-rule"
    assert wrapped.meta.summary == "A rule that checks nothing."
    assert list(wrapped(Inventory(), AuditContext())) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "Some_Rule"),
        ("id", "single"),
        ("severity", "severe"),
        ("confidence", "certain"),
        ("category", "misc"),
        ("remediation", " "),
    ],
)
def test_bad_metadata_fails_at_decoration(field: str, value: str) -> None:
    with pytest.raises(ValueError):
        rule(**{**GOOD, field: value})(_check)  # type: ignore[arg-type]


def test_rule_without_docstring_is_refused() -> None:
    def bare(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
        return iter(())

    with pytest.raises(TypeError):
        rule(**GOOD)(bare)  # type: ignore[arg-type]


def test_registry_ids_are_unique() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("text", "major"),
    [("2025.1", 30), ("epoxy", 30), ("30", 30), ("30.0.2", 30), ("Zed", 25), (None, 33)],
)
def test_release_parsing(text: str | None, major: int) -> None:
    assert parse_release(text).major == major


@pytest.mark.parametrize("text", ["2019.1", "99", "banana"])
def test_unknown_release_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError):
        parse_release(text)


def test_release_gates() -> None:
    assert parse_gate("all").admits(13)
    gate = parse_gate(">=25,<29")
    assert [gate.admits(m) for m in (24, 25, 28, 29)] == [False, True, True, False]
    assert str(gate) == ">=25,<29"
    with pytest.raises(ValueError):
        parse_gate(">=25,>=26")


def test_select_by_id_and_category() -> None:
    chosen = select_rules(RULES, ids=["removed-option"], categories=["startup"])
    assert "removed-option" in {r.id for r in chosen}
    assert all(r.id == "removed-option" or r.meta.category == "startup" for r in chosen)
    with pytest.raises(UsageError):
        select_rules(RULES, ids=["no-such-rule"])
