"""copy-converted: copy-image of a converted image's raw replacement into one more store.

Concepts: the plan cannot name the raw replacement that convert-to-raw makes (its id exists
only once apply has made it), so this action names the original, like the conversion before
it, and finds the replacement by its ``imageyard_converted_from`` marker: the active raw
image carrying the original's id. It is done when that image is in the target store with no
import holding it; running it is Glance's copy-image of the replacement (``stores.CopyImage``
on the replacement's id). The original is not changed, so its fingerprint before and after
is the same.
"""

from __future__ import annotations

from dataclasses import replace

from imageyard.apply.actions import StepContext
from imageyard.apply.actions.convert import MARKER
from imageyard.apply.actions.stores import CopyImage, settled
from imageyard.apply.glance import ImageDoc, StepError, store_list
from imageyard.model.plan import Action


def replacement(action: Action, ctx: StepContext) -> ImageDoc | None:
    """The active raw replacement of the action's image, or None."""
    found = [
        d
        for d in ctx.glance.find_images({MARKER: action.image_id})
        if d.get("status") == "active" and d.get("disk_format") == "raw"
    ]
    return found[0] if found else None


class CopyConverted:
    """Copy the raw replacement of a converted image into the target store."""

    def is_done(self, action: Action, live: ImageDoc, ctx: StepContext) -> bool:
        new = replacement(action, ctx)
        return new is not None and action.target in store_list(new, "stores") and settled(new)

    def run(self, action: Action, live: ImageDoc, ctx: StepContext) -> None:
        new = replacement(action, ctx)
        if new is None:
            raise StepError(f"no active raw replacement of {action.image_id} (convert it first)")
        CopyImage().run(replace(action, image_id=str(new["id"])), new, ctx)
