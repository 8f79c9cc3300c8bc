"""rbd-trash-restore: a Glance image's RBD data brought back from the RBD trash.

Concepts: an RBD image that someone moved to the trash (``rbd trash mv``) while a Glance
location still names it leaves the image without data, although nothing is lost: ``rbd
trash restore`` puts it back under its name, snapshot ``snap`` included, and the location
reads again. The action's resource is ``rbd-trash:<pool>/<trash id>``; its state is where
the data is (``observe``): in the trash as the entry the plan names, back in the pool
under its name with the same id, or neither. Before the restore the entry is read again
from Ceph (still in the trash, a user's entry, the planned name) and the Glance image is
read again: it must still exist and still have the planned location. The action is done
when the pool has the image with the entry's id; it changes nothing but the trash.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from imageyard.apply.actions import StepContext
from imageyard.apply.glance import ImageDoc, StepError, location_urls
from imageyard.model.location import strip_credentials
from imageyard.model.plan import Action

IN_TRASH, IN_POOL = "trash", "pool"


def restore_fingerprint(pool: str, trash_id: str, name: str, where: str | None) -> str:
    """``sha256:`` of where the data of trash entry ``trash_id`` (image ``name``) is."""
    text = json.dumps([pool, trash_id, name, where], separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _where(action: Action) -> tuple[str, str, str]:
    return action.param("pool") or "", action.param("trash_id") or "", action.param("name") or ""


def _urls(doc: ImageDoc) -> set[str]:
    return {strip_credentials(u) for u in location_urls(doc)}


class RbdTrashRestore:
    """Restore the RBD image a Glance location names from the RBD trash."""

    def observe(self, action: Action, ctx: StepContext) -> tuple[ImageDoc, str]:
        """Where the data is now (``trash``, ``pool`` or None), and its fingerprint."""
        if ctx.rbd is None:
            raise StepError("this plan restores RBD images: give --ceph-conf (and --ceph-user)")
        pool, trash_id, name = _where(action)
        entry = ctx.rbd.trash_get(pool, trash_id)
        live: dict[str, Any] = {"where": None}
        if entry is not None and entry.get("name") == name:
            live = {"where": IN_TRASH, **entry}
        elif entry is None:
            stat = ctx.rbd.stat(pool, name)
            if stat is not None and stat.get("id") == trash_id:
                live = {"where": IN_POOL, **stat}
        return live, restore_fingerprint(pool, trash_id, name, live["where"])

    def is_done(self, action: Action, live: ImageDoc, ctx: StepContext) -> bool:
        return live.get("where") == IN_POOL

    def run(self, action: Action, live: ImageDoc, ctx: StepContext) -> None:
        assert ctx.rbd is not None
        pool, trash_id, name = _where(action)
        if str(live.get("source", "")).upper() != "USER":
            raise StepError(f"refused: {pool} trash {trash_id} was put there by {live['source']}")
        image_id = action.param("image") or ""
        doc = ctx.glance.get_image(image_id)
        if doc is None:
            raise StepError(f"refused: Glance has no image {image_id} any more")
        if (action.param("url") or "") not in _urls(doc):
            raise StepError(f"refused: image {image_id} no longer has the location in {pool}")
        ctx.rbd.trash_restore(pool, trash_id, name)
