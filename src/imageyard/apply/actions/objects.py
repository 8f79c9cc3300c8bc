"""delete-object: a file, S3 or Swift object no Glance image owns, taken out of its store.

Concepts: the action's resource is ``object:<store>/<name>``; its state is the object's
presence and size (``observe``), so a plan made when it was there is stale when it has
changed since. Before the removal Glance is asked again: no image may have the object's
image-id name (a new upload of the same id). For an import staging file
(store ``os_glance_staging_store``) the image may exist, but must not be uploading or
importing, nor list stores in ``os_glance_importing_to_stores`` (a copy-image reads it).
A file is moved out of its directory into ``<datadir>.imageyard-reclaimed/`` (restorable by
moving it back); an S3 or Swift object is deleted. The stores' backends are reached with
the glance-api configuration (``apply --glance-config``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from imageyard.apply.actions import StepContext
from imageyard.apply.glance import ImageDoc, StepError
from imageyard.apply.objects import ObjectRef
from imageyard.model.plan import Action
from imageyard.reclaim.objects import STAGING_STORE

IN_FLIGHT = ("uploading", "importing")


def object_fingerprint(ref: ObjectRef, stat: dict[str, Any] | None) -> str:
    """``sha256:`` of an object's presence and size."""
    doc = [ref.store, ref.kind, ref.where, ref.name, None if stat is None else stat.get("size")]
    text = json.dumps(doc, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def object_ref(action: Action) -> ObjectRef:
    """The object an action names."""
    return ObjectRef(
        action.param("store") or action.target,
        action.param("kind") or "",
        action.param("where") or "",
        action.param("name") or "",
    )


class DeleteObject:
    """Take an orphaned object out of its store."""

    def observe(self, action: Action, ctx: StepContext) -> tuple[ImageDoc, str]:
        """The object as its backend shows it now, and its fingerprint."""
        if ctx.objects is None:
            raise StepError("this plan removes store objects: give --glance-config")
        ref = object_ref(action)
        stat = ctx.objects.stat(ref)
        return {"present": stat is not None, **(stat or {})}, object_fingerprint(ref, stat)

    def is_done(self, action: Action, live: ImageDoc, ctx: StepContext) -> bool:
        return not live.get("present")

    def run(self, action: Action, live: ImageDoc, ctx: StepContext) -> None:
        assert ctx.objects is not None
        ref = object_ref(action)
        image_id = ref.name[:36]  # an image id, <id>-00001 (Swift) or <id>.<fmt> (staging)
        why = _refusal(ctx.glance.get_image(image_id), ref.store == STAGING_STORE)
        if why is not None:
            raise StepError(f"refused: Glance has an image {image_id}{why}")
        ctx.objects.remove(ref)


def _refusal(image: ImageDoc | None, staging: bool) -> str | None:
    """Why the object's image forbids its removal (``""`` for any image), else None."""
    if image is None:
        return None
    if not staging:
        return ""
    if image.get("status") in IN_FLIGHT:
        return f" that is {image.get('status')}"
    if image.get("os_glance_importing_to_stores"):
        return " that lists stores in os_glance_importing_to_stores"
    return None
