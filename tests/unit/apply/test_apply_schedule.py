"""The apply schedule: lanes cut where a step waits for another resource, run in order."""

from __future__ import annotations

import threading
import time

from imageyard.apply.schedule import run_segments, segments, waits_for
from imageyard.model.plan import Action


def _a(n: int, resource: str, *deps: int) -> Action:
    return Action(id=f"a{n}", kind="k", image_id=resource, depends_on=tuple(f"a{d}" for d in deps))


def test_a_lane_is_cut_before_a_step_that_waits_for_another_resource() -> None:
    actions = [_a(1, "A"), _a(2, "B", 1), _a(3, "A", 1, 2), _a(4, "A", 3), _a(5, "C")]
    segs = segments(actions)
    assert [[a.id for a in s] for s in segs] == [["a1"], ["a2"], ["a3", "a4"], ["a5"]]
    assert waits_for(segs) == [frozenset(), {0}, {0, 1}, frozenset()]


def test_a_dependency_already_done_or_not_pending_cuts_nothing() -> None:
    segs = segments([_a(2, "B", 1), _a(3, "B", 2)])  # a1 was done in an earlier run
    assert [[a.id for a in s] for s in segs] == [["a2", "a3"]]
    assert waits_for(segs) == [frozenset()]


def test_segments_start_only_after_what_they_wait_for_and_others_in_parallel() -> None:
    actions = [_a(1, "flatten"), _a(2, "free"), _a(3, "purge", 1)]
    order: list[str] = []
    lock = threading.Lock()
    both = threading.Barrier(2, timeout=60)

    def work(seg: list[Action]) -> None:
        if seg[0].id in ("a1", "a2"):
            both.wait()  # a1 and a2 run at the same time
            time.sleep(0.05 if seg[0].id == "a1" else 0)
        with lock:
            order.append(seg[0].id)

    run_segments(segments(actions), work, parallel=4)
    assert order.index("a3") > order.index("a1") and sorted(order) == ["a1", "a2", "a3"]
