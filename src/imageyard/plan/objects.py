"""Reclaim steps for store objects: a file, S3 or Swift object no Glance image owns.

Concepts: ``imageyard reclaim`` reports such an object (``file-no-glance-image``,
``s3-no-glance-image``, ``swift-no-glance-image``) or an import staging leftover
(``import-staging-leftover``: a file of ``os_glance_staging_store`` whose image is gone or
no longer uploading/importing, past the grace period; one whose image still lists stores in
``os_glance_importing_to_stores`` is reported at medium confidence and not planned) with
its store, datadir/bucket/container and name; the planner turns it into a
``delete-object`` step whose precondition is the object's presence and size in the
snapshot's listing (a changed object makes the plan stale) and whose result is its absence.
A file is moved out of its directory, restorable; an S3 or Swift object is deleted. The
step is destructive; apply needs ``--glance-config`` to reach the backends.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING

from imageyard.apply.actions.objects import object_fingerprint
from imageyard.apply.objects import ObjectRef
from imageyard.model.inventory import Inventory
from imageyard.model.plan import Action
from imageyard.plan.policy import PlanPolicy
from imageyard.reclaim.objects import STAGING

if TYPE_CHECKING:
    from imageyard.plan.generate import _Builder

OBJECT_CLASSES = frozenset(
    {"file-no-glance-image", "s3-no-glance-image", "swift-no-glance-image", STAGING}
)


def _size(inv: Inventory, ref: ObjectRef) -> int | None:
    for listing in inv.store_listings:
        if (listing.store, listing.kind, listing.where) == (ref.store, ref.kind, ref.where):
            return next((o.size for o in listing.objects if o.name == ref.name), None)
    return None


def _kind(inv: Inventory, store: str, where: str) -> str:
    found = [x.kind for x in inv.store_listings if (x.store, x.where) == (store, where)]
    return found[0] if found else ""


def object_action(
    b: _Builder, inv: Inventory, params: dict[str, str], policy: PlanPolicy, why: str
) -> None:
    """Add the delete-object step of one reported object (in the plan's scope)."""
    store, where, name = params.get("store", ""), params.get("where", ""), params.get("name", "")
    ref = ObjectRef(store, _kind(inv, store, where), where, name)
    if not ref.kind or not name:
        return
    if policy.images and not any(fnmatch.fnmatchcase(name, p) for p in policy.images):
        return
    stat = {"size": _size(inv, ref)}
    b.actions.append(
        Action(
            id=f"a{len(b.actions) + 1:04d}",
            kind="delete-object",
            image_id=f"object:{store}/{name}",
            image_name=f"{ref.kind} {where}/{name}",
            target=store,
            destructive=True,
            expect=object_fingerprint(ref, stat),
            result=object_fingerprint(ref, None),
            reason=why,
            params=(("kind", ref.kind), ("name", name), ("store", store), ("where", where)),
        )
    )
