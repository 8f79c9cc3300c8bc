"""Each class x consumer boot path is decided once per inventory, whoever asks."""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path

import pytest
from audit_support import AUDIT_FIXTURES, collect_dir

from imageyard.audit.cow import BootPath, boot_path, classes, consumers, verdicts
from imageyard.audit.cow.consumers import Consumer
from imageyard.audit.cow.trace import Verdict
from imageyard.audit.engine import run_audit
from imageyard.audit.registry import RULES
from imageyard.audit.releases import parse_release
from imageyard.audit.rule import AuditContext
from imageyard.design.pain import cow_tally
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.paths import build_paths

CASES = [AUDIT_FIXTURES / "cow-not-eligible" / name for name in (
    "fail-qcow2-and-file-only", "pass-raw-in-cluster",
)]  # fmt: skip


def _counting(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, str]]:
    """Each image x consumer decision the table makes (a class's first member, or an image
    of a class decided image by image)."""
    calls: Counter[tuple[str, str]] = Counter()
    real = classes.boot_path

    def counted(image: Image, consumer: Consumer, inv: Inventory) -> Verdict:
        calls[(image.id, consumer.name)] += 1
        return real(image, consumer, inv)

    monkeypatch.setattr(classes, "boot_path", counted)
    return calls


@pytest.mark.parametrize("case", CASES, ids=lambda p: Path(p).name)
def test_audit_paths_and_design_share_one_decision(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inv = collect_dir(case)
    calls = _counting(monkeypatch)
    ctx = AuditContext(release=parse_release("2025.1"))
    result = run_audit(inv, ctx, RULES, today=datetime.date(2026, 1, 1))
    tally = cow_tally(inv)
    rows = list(build_paths(inv).rows())
    assert consumers(inv) and rows
    assert calls and max(calls.values()) == 1
    assert len(calls) <= len(rows)
    kept = [v for per in verdicts(inv)._decided.values() for v in per.values()]
    assert not [v for v in kept if v.shared]  # nothing kept per image of a shared class
    for row in rows:  # the same verdicts a fresh decision gives
        assert row.verdict == boot_path(row.image, row.consumer, inv)
    assert tally.images == sum(1 for i in inv.images if i.is_active)
    assert result.rules


def test_the_table_is_kept_with_its_inventory_only() -> None:
    inv = collect_dir(CASES[0])
    assert verdicts(inv) is verdicts(inv)
    other = collect_dir(CASES[0])
    assert verdicts(other) is not verdicts(inv)


def test_a_consumer_from_elsewhere_is_decided_but_not_kept() -> None:
    inv = collect_dir(CASES[0])
    mine = verdicts(inv)
    foreign = consumers(inv)[0]
    image = inv.images[0]
    assert mine.of(image, foreign) == boot_path(image, foreign, inv)
    assert all(image.id not in kept for kept in mine._decided.values())
    assert mine.of(image, mine.consumers[0]).path in set(BootPath)
