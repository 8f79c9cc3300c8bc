"""rbd-trash-move against an in-memory Ceph and Glance: checks, deferment, idempotency."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plan"))
from fake_ops import FakeGlance

from imageyard.apply.actions import StepContext
from imageyard.apply.actions.rbd import rbd_fingerprint
from imageyard.apply.engine import ApplyOptions, Engine, StalePlan
from imageyard.model.image import Image
from imageyard.model.plan import Action, Plan

NAME = "0f0f0f0f-0000-4000-8000-000000000001"


class FakeRbd:
    """Images per pool; ``trash`` keeps (pool, name, delay) of every move."""

    def __init__(self) -> None:
        self.images: dict[tuple[str, str], dict[str, Any]] = {
            ("images", NAME): {"id": "abc123", "size": 4096, "watchers": 0}
        }
        self.trash: list[tuple[str, str, int]] = []

    def stat(self, pool: str, name: str) -> dict[str, Any] | None:
        found = self.images.get((pool, name))
        return None if found is None else dict(found)

    def trash_move(self, pool: str, name: str, delay: int) -> None:
        self.images.pop((pool, name))
        self.trash.append((pool, name, delay))


def _plan() -> Plan:
    stat = {"id": "abc123", "size": 4096}
    return Plan(
        actions=(
            Action(
                id="a0001",
                kind="rbd-trash-move",
                image_id=f"rbd:images/{NAME}",
                target="604800",
                destructive=True,
                expect=rbd_fingerprint("images", NAME, stat),
                result=rbd_fingerprint("images", NAME, None),
                params=(("name", NAME), ("pool", "images")),
            ),
        )
    )


def _apply(rbd: FakeRbd, glance: FakeGlance) -> Any:
    ctx = StepContext(glance, rbd)
    return Engine(_plan(), ctx, None, ApplyOptions(yes_destroy=True), lambda s: None).run()


def test_moves_to_the_trash_with_the_deferment_once() -> None:
    rbd = FakeRbd()
    assert _apply(rbd, FakeGlance([])).complete
    assert rbd.trash == [("images", NAME, 604800)]
    assert _apply(rbd, FakeGlance([])).complete and len(rbd.trash) == 1  # already done


def test_refused_when_glance_has_the_image_or_a_client_watches_it() -> None:
    rbd = FakeRbd()
    outcome = _apply(rbd, FakeGlance([Image(id=NAME, stores=("ceph",))]))
    assert outcome.failed and "Glance has an image" in outcome.failed[0][1] and not rbd.trash
    rbd.images[("images", NAME)]["watchers"] = 1
    outcome = _apply(rbd, FakeGlance([]))
    assert outcome.failed and "watcher" in outcome.failed[0][1] and not rbd.trash


def test_another_image_of_that_name_makes_the_plan_stale() -> None:
    rbd = FakeRbd()
    rbd.images[("images", NAME)]["id"] = "other"
    with pytest.raises(StalePlan):
        _apply(rbd, FakeGlance([]))
    assert not rbd.trash
