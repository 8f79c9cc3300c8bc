"""The apply engine: each pending action checked, done and verified, journaled, in lanes.

Concepts: the actions of one image form a *lane* and run in plan order; lanes run in
parallel (``parallel`` at a time; Glance holds one import lock per image, so one image's
steps never overlap anyway); a step that waits for another resource's step starts only
after it (``apply.schedule``). Before anything changes, the first pending action of every
lane is checked against live Glance: the image's live fingerprint must be the action's
``expect`` or, when the effect is already there, its ``result``; anything else makes the
plan *stale* and nothing runs. Then each step is: re-check that precondition (live), skip
it when its effect is already there (journaled ``done`` with note ``already``), check the
limits, journal ``start``, do it and wait, verify (effect present and fingerprint equal to
``result``), journal ``done``. A dry run walks the same path and prints "would ..." where
it would journal ``start``, then goes on as if the step had been done, changing nothing
and writing no journal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from imageyard.apply.actions import ActionKind, StepContext, registry
from imageyard.apply.glance import ImageDoc, StepError, store_list
from imageyard.apply.journal import Journal
from imageyard.apply.schedule import run_segments, segments
from imageyard.errors import ExitCode, ImageyardError, UsageError
from imageyard.model.plan import Action, ImageState, Plan
from imageyard.plan.show import describe, human_bytes
from imageyard.steps import NO_STEPS, Steps


class StalePlan(ImageyardError):
    """Live Glance no longer matches the plan's preconditions."""

    exit_code = ExitCode.STALE
    slug = "stale-plan"

    def __init__(self, message: str) -> None:
        super().__init__(message, tip="collect a new snapshot and make a new plan")


@dataclass(frozen=True)
class ApplyOptions:
    """How to apply: selection, limits, confirmation, parallelism."""

    dry_run: bool = False
    only: frozenset[str] = frozenset()
    stop_before: str | None = None
    max_deletes: int | None = None
    max_bytes: int | None = None
    yes_destroy: bool = False
    parallel: int = 4


@dataclass
class Outcome:
    """What one run did."""

    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)
    complete: bool = False


def live_state(doc: ImageDoc) -> ImageState:
    """The planning state of an image as Glance returns it now."""
    return ImageState(
        id=str(doc.get("id")),
        status=str(doc.get("status")),
        disk_format=doc.get("disk_format"),
        size=doc.get("size"),
        os_hash_value=doc.get("os_hash_value"),
        stores=store_list(doc, "stores"),
        os_hidden=bool(doc.get("os_hidden", False)),
    )


def _later_results(plan: Plan) -> dict[str, frozenset[str]]:
    """Per action, the fingerprints its image has once it or a later action on it is done
    (an action found done may have been followed by the next ones before a crash)."""
    out: dict[str, frozenset[str]] = {}
    seen: dict[str, frozenset[str]] = {}
    for a in reversed(plan.actions):
        seen[a.image_id] = seen.get(a.image_id, frozenset()) | {a.result}
        out[a.id] = seen[a.image_id]
    return out


@dataclass
class _Budget:
    """What this run may still delete and move."""

    deletes: int | None
    bytes: int | None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, action: Action) -> str | None:
        """Reserve the action's share; the reason it does not fit, else None."""
        with self.lock:
            if action.destructive and self.deletes is not None:
                if self.deletes < 1:
                    return "--max-deletes reached"
                self.deletes -= 1
            if action.bytes and self.bytes is not None and action.kind != "delete-from-store":
                if action.bytes > self.bytes:
                    return f"--max-bytes would be exceeded ({human_bytes(action.bytes)})"
                self.bytes -= action.bytes
        return None


class Engine:
    """One apply run of a plan."""

    def __init__(
        self,
        plan: Plan,
        ctx: StepContext,
        journal: Journal | None,
        options: ApplyOptions,
        echo: Callable[[str], None],
        steps: Steps = NO_STEPS,
    ) -> None:
        self.plan, self.ctx, self.journal, self.options, self.echo = (
            plan,
            ctx,
            journal,
            options,
            echo,
        )
        self.kinds: dict[str, ActionKind] = registry()
        self.outcome = Outcome()
        self.finished: set[str] = set(journal.done) if journal else set()
        self.started: set[str] = set(journal.started) if journal else set()
        self.virtual: dict[str, str] = {}  # dry run: image id -> fingerprint after "would"
        self.budget = _Budget(options.max_deletes, options.max_bytes)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.later = _later_results(plan)
        self.steps = steps
        self.broken: dict[str, str] = {}  # resource -> the action that stopped its lane

    # -------------------------------------------------------------- selection

    def pending(self) -> list[Action]:
        """The actions this run is asked to consider, in plan order."""
        out = []
        for a in self.plan.actions:
            if a.id == self.options.stop_before:
                break
            if a.id in self.finished or (self.options.only and a.id not in self.options.only):
                continue
            out.append(a)
        return out

    def _lanes(self, actions: Iterable[Action]) -> list[list[Action]]:
        lanes: dict[str, list[Action]] = {}
        for a in actions:
            lanes.setdefault(a.image_id, []).append(a)
        return list(lanes.values())

    # -------------------------------------------------------------- checks

    def observe(self, action: Action) -> tuple[ImageDoc | None, str]:
        """The live state of the action's resource and its fingerprint ("" when absent)."""
        observe = getattr(self.kinds[action.kind], "observe", None)
        if observe is not None:
            live, fp = observe(action, self.ctx)
            return live, fp
        doc = self.ctx.glance.get_image(action.image_id)
        return doc, "" if doc is None else live_state(doc).fingerprint

    def _verdict(self, action: Action, live: ImageDoc | None, fp: str) -> str:
        """``done``, ``ready`` or a reason the plan is stale for this action."""
        if live is None:
            return f"image {action.image_id} no longer exists"
        if action.image_id in self.virtual:
            return "ready" if self.virtual[action.image_id] == action.expect else "stale"
        if fp in self.later[action.id] and self.kinds[action.kind].is_done(action, live, self.ctx):
            return "done"
        if fp in (action.expect, action.result):  # result: landed, not yet settled
            return "ready"
        return (
            f"{action.image_id} changed since the plan (live {fp[:19]}, plan {action.expect[:19]})"
        )

    def preflight(self, actions: list[Action]) -> None:
        """Refuse the plan when any lane's first pending action is stale; check flags."""
        unknown = [a.kind for a in actions if a.kind not in self.kinds]
        if unknown:
            raise UsageError(f"unknown action kind {unknown[0]!r} in the plan")
        destructive = [a.id for a in actions if a.destructive]
        if destructive and not self.options.dry_run and not self.options.yes_destroy:
            raise UsageError(
                f"{len(destructive)} destructive action(s) ({', '.join(destructive[:5])}) "
                "need --yes-destroy"
            )
        stale = []
        for lane in self._lanes(actions):
            first = lane[0]
            verdict = self._verdict(first, *self.observe(first))
            if verdict not in ("done", "ready"):
                stale.append(f"{first.id}: {verdict}")
        if stale:
            more = f" (+{len(stale) - 1} more)" if len(stale) > 1 else ""
            raise StalePlan(f"the plan is stale: {stale[0]}{more}; nothing was changed")

    # -------------------------------------------------------------- steps

    def _record(self, action: Action, event: str, note: str = "") -> None:
        if self.journal is not None and not self.options.dry_run:
            self.journal.record(action.id, event, note)

    def _hold(self, action: Action, why: str) -> bool:
        with self.lock:
            self.outcome.held.append((action.id, why))
        return False

    def step(self, action: Action) -> bool:
        """Run one action; True when its effect is in place (or would be, dry)."""
        if self.stop.is_set():
            return self._hold(action, "stopped")
        missing = [d for d in action.depends_on if d not in self.finished]
        if missing:
            return self._hold(action, f"waits for {', '.join(missing)}")
        live, fp = self.observe(action)
        verdict = self._verdict(action, live, fp)
        if verdict == "done":
            self._record(action, "done", "already")
            self.echo(f"{action.id} {describe(action)}: already done")
            return self._finish(action)
        if verdict != "ready":
            with self.lock:
                self.outcome.stale.append((action.id, verdict))
            return False
        reason = self.budget.take(action)
        if reason is not None:
            self.stop.set()
            return self._hold(action, reason)
        if self.options.dry_run:
            self.echo(f"would {describe(action)}")
            self.virtual[action.image_id] = action.result
            return self._finish(action)
        return self._do(action, live)

    def _do(self, action: Action, live: ImageDoc | None) -> bool:
        assert live is not None
        self._record(action, "start")
        try:
            note = self.kinds[action.kind].run(action, live, self.ctx) or ""
            after, fp = self.observe(action)
            if after is None or not self.kinds[action.kind].is_done(action, after, self.ctx):
                raise StepError("verification failed: the effect is not visible")
            if fp != action.result:
                raise StepError("verification failed: the image is not in the planned state")
        except StepError as exc:
            self._record(action, "failed", str(exc))
            self.echo(f"{action.id} {describe(action)}: FAILED: {exc}")
            with self.lock:
                self.outcome.failed.append((action.id, str(exc)))
            return False
        self._record(action, "done", note)
        self.echo(f"{action.id} {describe(action)}: done" + (f" ({note})" if note else ""))
        return self._finish(action)

    def _finish(self, action: Action) -> bool:
        with self.lock:
            self.finished.add(action.id)
            self.outcome.done.append(action.id)
            self.steps.advance()
        return True

    def _lane(self, lane: list[Action]) -> None:
        """One segment of a lane; a resource whose earlier step stopped runs nothing more."""
        stopped = self.broken.get(lane[0].image_id)
        if stopped is not None:
            for rest in lane:
                self._hold(rest, f"after {stopped}")
            return
        for i, action in enumerate(lane):
            if not self.step(action):
                with self.lock:
                    self.broken[action.image_id] = action.id
                for rest in lane[i + 1 :]:
                    self._hold(rest, f"after {action.id}")
                return

    def run(self) -> Outcome:
        """Apply every pending action; the outcome says whether the plan is complete."""
        actions = self.pending()
        self.preflight(actions)
        self.steps.begin("dry run" if self.options.dry_run else "apply", total=len(actions))
        run_segments(segments(actions), self._lane, self.options.parallel)
        self.outcome.complete = all(a.id in self.finished for a in self.plan.actions)
        return self.outcome
