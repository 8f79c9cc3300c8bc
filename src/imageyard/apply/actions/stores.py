"""copy-image, delete-from-store and retire-image: what Glance's own API does in one call.

Concepts: copy-image is Glance's import method (``POST /v2/images/{id}/import``); the copy
runs in Glance and shows in ``os_glance_importing_to_stores`` until the store joins
``stores`` or ``os_glance_failed_import``. A copy already under way (a resumed run after a
crash) is waited for, not started again; an import lock held by another task (409 "Image
has active task") is waited out. delete-from-store is ``DELETE /v2/stores/{store}/{id}``.
retire-image hides (``os_hidden``), deactivates, or renames an image; it never deletes.

NOTE: a copy is finished only when the import task has dropped its lock
(``os_glance_import_task``, ``ImportActionWrapper.drop_lock_for_task``): the store shows in
``stores`` before the task's last save of the image, and a delete-from-store made in
between is undone by that save (observed on the lab: the location came back, its data
gone). So a copy waits for the lock to go, and a delete never starts while it is held.
"""

from __future__ import annotations

from imageyard.apply.actions import StepContext
from imageyard.apply.glance import ImageDoc, StepError, store_list
from imageyard.model.plan import Action

RETIRED_SUFFIX = " (replaced by raw)"


LOCK = "os_glance_import_task"


def settled(live: ImageDoc) -> bool:
    """True when no import task holds the image."""
    return not live.get(LOCK) and not store_list(live, "os_glance_importing_to_stores")


def wait_for(action: Action, ctx: StepContext, done: str, what: str) -> ImageDoc:
    """Poll the image until ``action.target`` is in its ``stores`` (``done="in"``) or not
    (``"out"``) and no import holds it; a store in ``os_glance_failed_import`` or the
    timeout is a ``StepError``."""
    deadline = ctx.clock() + ctx.timeout
    while True:
        live = ctx.glance.get_image(action.image_id)
        if live is None:
            raise StepError(f"image {action.image_id} disappeared while {what}")
        present = action.target in store_list(live, "stores")
        if present == (done == "in") and settled(live):
            return live
        if action.target in store_list(live, "os_glance_failed_import"):
            raise StepError(f"Glance reports the {what} failed (os_glance_failed_import)")
        if ctx.clock() > deadline:
            raise StepError(f"{what} not finished after {ctx.timeout:.0f}s")
        ctx.sleep(ctx.poll)


def _wait_settled(action: Action, ctx: StepContext) -> ImageDoc:
    deadline = ctx.clock() + ctx.timeout
    while True:
        live = ctx.glance.get_image(action.image_id)
        if live is None:
            raise StepError(f"image {action.image_id} disappeared")
        if settled(live):
            return live
        if ctx.clock() > deadline:
            raise StepError(f"an import still holds the image after {ctx.timeout:.0f}s")
        ctx.sleep(ctx.poll)


class CopyImage:
    """Copy an image into one more store with Glance's copy-image import."""

    def is_done(self, action: Action, live: ImageDoc, ctx: StepContext) -> bool:
        return action.target in store_list(live, "stores") and settled(live)

    def run(self, action: Action, live: ImageDoc, ctx: StepContext) -> None:
        deadline = ctx.clock() + ctx.timeout
        while not self._started(action, live):
            try:
                ctx.glance.copy_image(action.image_id, action.target)
                break
            except StepError as exc:
                if exc.status != 409 or "active task" not in str(exc) or ctx.clock() > deadline:
                    raise
            ctx.sleep(ctx.poll)  # another import holds the image's lock: wait it out
            live = ctx.glance.get_image(action.image_id) or live
        wait_for(action, ctx, "in", f"copy to {action.target}")

    @staticmethod
    def _started(action: Action, live: ImageDoc) -> bool:
        """The copy is under way or has landed (a resumed run only waits for it)."""
        return action.target in store_list(live, "os_glance_importing_to_stores") or (
            action.target in store_list(live, "stores")
        )


class DeleteFromStore:
    """Remove an image's data from one store (never its last copy)."""

    def is_done(self, action: Action, live: ImageDoc, ctx: StepContext) -> bool:
        return action.target not in store_list(live, "stores") and settled(live)

    def run(self, action: Action, live: ImageDoc, ctx: StepContext) -> None:
        if not settled(live):  # an import still holds the image: its last save would undo us
            live = _wait_settled(action, ctx)
        others = [s for s in store_list(live, "stores") if s != action.target]
        if not others:
            raise StepError(f"refused: {action.target} holds the image's only copy")
        try:
            ctx.glance.delete_from_store(action.image_id, action.target)
        except StepError as exc:
            if exc.status != 404:
                raise
        wait_for(action, ctx, "out", f"delete from {action.target}")


class RetireImage:
    """Hide, deactivate or rename an image that a raw copy replaced."""

    def is_done(self, action: Action, live: ImageDoc, ctx: StepContext) -> bool:
        if action.target == "hide":
            return bool(live.get("os_hidden"))
        if action.target == "deactivate":
            return live.get("status") == "deactivated"
        return str(live.get("name") or "").endswith(RETIRED_SUFFIX)

    def run(self, action: Action, live: ImageDoc, ctx: StepContext) -> None:
        if action.target == "hide":
            ops = [{"op": "replace", "path": "/os_hidden", "value": True}]
        elif action.target == "deactivate":
            ctx.glance.deactivate(action.image_id)
            return
        else:
            name = str(live.get("name") or action.image_id) + RETIRED_SUFFIX
            ops = [{"op": "replace", "path": "/name", "value": name}]
        ctx.glance.patch_image(action.image_id, ops)
