"""rbd-trash-move: an RBD image nothing uses moved to the trash, restorable for a deferment.

Concepts: the action's resource is ``rbd:<pool>/<name>``; its state is the image's presence
and id (``observe``), so a plan made when the image was there is stale when it is another
image of that name. Before the move the image is checked again: no Glance image has its
name as id, and nothing watches it (a running client holds a watch); then it goes to the
trash with ``delay`` seconds of deferment (``rbd trash mv``), from where ``rbd trash
restore`` brings it back.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from imageyard.apply.actions import StepContext
from imageyard.apply.glance import ImageDoc, StepError
from imageyard.model.plan import Action


def rbd_fingerprint(pool: str, name: str, stat: dict[str, Any] | None) -> str:
    """``sha256:`` of an RBD image's presence, id and size."""
    doc = [pool, name, None if stat is None else [stat.get("id"), stat.get("size")]]
    text = json.dumps(doc, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _where(action: Action) -> tuple[str, str]:
    return action.param("pool") or "", action.param("name") or ""


class RbdTrashMove:
    """Move an orphaned RBD image to the trash with a deferment."""

    def observe(self, action: Action, ctx: StepContext) -> tuple[ImageDoc, str]:
        """The image as Ceph shows it now, and its fingerprint."""
        if ctx.rbd is None:
            raise StepError("this plan moves RBD images: give --ceph-conf (and --ceph-user)")
        pool, name = _where(action)
        stat = ctx.rbd.stat(pool, name)
        return {"present": stat is not None, **(stat or {})}, rbd_fingerprint(pool, name, stat)

    def is_done(self, action: Action, live: ImageDoc, ctx: StepContext) -> bool:
        return not live.get("present")

    def run(self, action: Action, live: ImageDoc, ctx: StepContext) -> None:
        assert ctx.rbd is not None
        pool, name = _where(action)
        if ctx.glance.get_image(name) is not None:
            raise StepError(f"refused: Glance has an image {name}")
        if live.get("watchers"):
            raise StepError(f"refused: {pool}/{name} has {live['watchers']} watcher(s)")
        ctx.rbd.trash_move(pool, name, int(action.target or "0"))
