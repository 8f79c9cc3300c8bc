"""rbd-trash-purge: an RBD trash entry removed for good, and only once its deferment ended.

Concepts: the action's resource is ``rbd-trash:<pool>/<trash id>``; its state is the
entry's presence and name (``observe``). Before the purge the entry is read again from
Ceph: its deferment must have ended by the wall clock (``deferment_end`` in the past; an
entry without one is refused), it must be a user's entry (``USER``: not one that mirroring,
migration or a removal in progress put there) and no Glance image may have its name as id.
The purge is ``rbd trash rm`` without ``--force``, which librbd itself refuses before the
deferment ends; an entry that is already gone is done.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from imageyard.apply.actions import StepContext
from imageyard.apply.glance import ImageDoc, StepError
from imageyard.model.plan import Action


def trash_fingerprint(pool: str, trash_id: str, entry: dict[str, Any] | None) -> str:
    """``sha256:`` of a trash entry's presence and name."""
    doc = [pool, trash_id, None if entry is None else entry.get("name")]
    text = json.dumps(doc, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _where(action: Action) -> tuple[str, str]:
    return action.param("pool") or "", action.param("trash_id") or ""


def _stamp(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class RbdTrashPurge:
    """Remove an RBD trash entry whose deferment has ended."""

    def observe(self, action: Action, ctx: StepContext) -> tuple[ImageDoc, str]:
        """The entry as Ceph shows it now, and its fingerprint."""
        if ctx.rbd is None:
            raise StepError("this plan purges the RBD trash: give --ceph-conf (and --ceph-user)")
        pool, trash_id = _where(action)
        entry = ctx.rbd.trash_get(pool, trash_id)
        live = {"present": entry is not None, **(entry or {})}
        return live, trash_fingerprint(pool, trash_id, entry)

    def is_done(self, action: Action, live: ImageDoc, ctx: StepContext) -> bool:
        return not live.get("present")

    def run(self, action: Action, live: ImageDoc, ctx: StepContext) -> None:
        assert ctx.rbd is not None
        pool, trash_id = _where(action)
        end = live.get("deferment_end")
        if end is None:
            raise StepError(f"refused: {pool} trash {trash_id} has no deferment end")
        if float(end) > ctx.wall():
            raise StepError(
                f"refused: the deferment of {pool} trash {trash_id} ends {_stamp(float(end))}"
            )
        if str(live.get("source", "")).upper() != "USER":
            raise StepError(f"refused: {pool} trash {trash_id} was put there by {live['source']}")
        name = str(live.get("name") or "")
        if name and ctx.glance.get_image(name) is not None:
            raise StepError(f"refused: Glance has an image {name}")
        ctx.rbd.trash_remove(pool, trash_id)
