"""Reclaim actions for the plan: the reclaim analysis's findings turned into plan steps.

Concepts: ``imageyard.reclaim.analyse`` proposes an action per finding; the planner takes
those that Glance's own API can carry out safely. A Glance location whose data is missing
(``location-data-missing``) becomes a delete-from-store of that store, and only when the
image keeps another store (Glance refuses the last location, and an image without a
readable copy needs its data restored, not its location removed). A duplicate image
(``duplicate-image`` with the proposed ``delete-image``, i.e. no server or volume uses it,
and the usage known) is retired (hidden) in favour of the kept one, never deleted. Muted
findings and findings at less than high confidence are left out. RBD-level actions (trash
move with deferment, trash purge, flatten) are not planned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from imageyard.model.finding import Confidence, Status
from imageyard.model.inventory import Inventory
from imageyard.plan.policy import PlanPolicy

if TYPE_CHECKING:
    from imageyard.plan.generate import _Builder


def reclaim_actions(b: _Builder, inv: Inventory, policy: PlanPolicy) -> None:
    """Add the reclaim steps ``policy`` asks for."""
    from imageyard.plan.generate import retired
    from imageyard.reclaim.engine import analyse

    for item in analyse(inv).items:
        finding = item.finding
        if finding.action is None or finding.status is Status.MUTED:
            continue
        if finding.confidence is not Confidence.HIGH:
            continue
        params = dict(finding.action.params)
        image = inv.image(params.get("image", ""))
        if image is None or not image.is_active or not policy.selects(image):
            continue
        if item.class_id == "location-data-missing" and params.get("store"):
            b.delete(image, params["store"], f"its data in {params['store']} is missing")
        elif item.class_id == "duplicate-image" and finding.action.kind == "delete-image":
            keep = params.get("keep", "")
            now = b.state(image)
            b.add(
                image,
                "retire-image",
                "hide",
                retired(now, "hide"),
                reason=f"duplicate of {keep}",
                params=(("keep", keep), ("policy", "hide")),
            )
