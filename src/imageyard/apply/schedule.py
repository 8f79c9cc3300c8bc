"""The order apply works in: lanes of one resource, cut where a step waits for another's.

Concepts: the actions of one resource (a Glance image, an RBD image, a trash entry, an
object) form a *lane* and run in plan order. An action may also wait for an earlier action
of another resource (a trash entry is purged only after the clones that held it were
flattened). A lane is therefore cut into *segments* before each such action; a segment
starts once every segment it waits for has ended (the previous segment of its own
resource, and those holding the other resources' actions it depends on), and segments
that wait for nothing run in parallel. Every dependency names an earlier action, so a
segment only ever waits for segments that start earlier in the plan: there is no cycle.
Whether a dependency was done is the engine's business (a step whose dependency is not
done is held); the schedule only says when a segment may start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from imageyard.model.plan import Action


def segments(actions: Sequence[Action]) -> list[list[Action]]:
    """The actions in lanes, each cut before an action that waits for another resource."""
    resource = {a.id: a.image_id for a in actions}
    out: list[list[Action]] = []
    last: dict[str, int] = {}
    for a in actions:
        cross = any(resource.get(d, a.image_id) != a.image_id for d in a.depends_on)
        if a.image_id in last and not cross:
            out[last[a.image_id]].append(a)
        else:
            last[a.image_id] = len(out)
            out.append([a])
    return out


def waits_for(segs: Sequence[Sequence[Action]]) -> list[frozenset[int]]:
    """Per segment, the earlier segments that must end before it starts."""
    where = {a.id: n for n, seg in enumerate(segs) for a in seg}
    previous: dict[str, int] = {}
    out = []
    for n, seg in enumerate(segs):
        needs = {where[d] for a in seg for d in a.depends_on if where.get(d, n) != n}
        if seg[0].image_id in previous:
            needs.add(previous[seg[0].image_id])
        previous[seg[0].image_id] = n
        out.append(frozenset(needs))
    return out


def run_segments(
    segs: Sequence[list[Action]], work: Callable[[list[Action]], None], parallel: int
) -> None:
    """Call ``work`` on every segment, at most ``parallel`` at once, each after its needs."""
    needs = waits_for(segs)
    ended: set[int] = set()
    waiting = list(range(len(segs)))
    running: dict[Future[None], int] = {}
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        while waiting or running:
            ready = [n for n in waiting if needs[n] <= ended]
            waiting = [n for n in waiting if n not in ready]
            running.update({pool.submit(work, segs[n]): n for n in ready})
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                future.result()
                ended.add(running.pop(future))
