"""rbd-flatten: a clone given its parent's data, so it no longer pins the parent.

Concepts: planned only with ``plan make --flatten``, for the clones that keep an image
reclaim wants gone (an orphan, a trash entry, a snapshot in the trash namespace). The
action's resource is the clone, ``rbd:<pool>/<name>``; its state is the clone's presence,
id and parent (``observe``), so a plan made when the clone had that parent is stale when
it has another. Flattening writes up to the parent's size of data into the clone and
cannot be undone; it is done when the clone has no parent any more.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from imageyard.apply.actions import StepContext
from imageyard.apply.glance import ImageDoc, StepError
from imageyard.model.plan import Action


def clone_fingerprint(pool: str, name: str, stat: dict[str, Any] | None) -> str:
    """``sha256:`` of a clone's presence, id and parent."""
    doc = [pool, name, None if stat is None else [stat.get("id"), stat.get("parent")]]
    text = json.dumps(doc, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _where(action: Action) -> tuple[str, str]:
    return action.param("pool") or "", action.param("name") or ""


class RbdFlatten:
    """Flatten one clone."""

    def observe(self, action: Action, ctx: StepContext) -> tuple[ImageDoc | None, str]:
        """The clone as Ceph shows it now (None: gone), and its fingerprint."""
        if ctx.rbd is None:
            raise StepError("this plan flattens RBD clones: give --ceph-conf (and --ceph-user)")
        pool, name = _where(action)
        stat = ctx.rbd.stat(pool, name)
        return (None if stat is None else dict(stat)), clone_fingerprint(pool, name, stat)

    def is_done(self, action: Action, live: ImageDoc, ctx: StepContext) -> bool:
        return live.get("parent") is None

    def run(self, action: Action, live: ImageDoc, ctx: StepContext) -> None:
        assert ctx.rbd is not None
        pool, name = _where(action)
        if live.get("parent") != action.param("parent"):
            raise StepError(f"refused: {pool}/{name}'s parent is now {live.get('parent')}")
        ctx.rbd.flatten(pool, name)
