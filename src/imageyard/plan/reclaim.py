"""Reclaim actions for the plan: the reclaim analysis's findings turned into plan steps.

Concepts: ``imageyard.reclaim.analyse`` proposes an action per finding; the planner takes
those that can be carried out safely. A Glance location whose data is missing
(``location-data-missing``) becomes a delete-location of that URL, and only when the image
keeps another location (Glance refuses the last one, and an image without a readable copy
needs its data restored, not its location removed); when the data is an RBD image a user
moved to the RBD trash, it is restored instead (``rbd-trash-restore``), also for a
deactivated image. A duplicate image (``duplicate-
image`` with the proposed ``delete-image``, i.e. no server or volume uses it, and the usage
known) is retired (hidden) in favour of the kept one, never deleted. Muted findings and
findings at less than high confidence are left out. An RBD image without a Glance image,
server or volume (``rbd-no-glance-image``, ``rbd-protected-snap-no-image``: the remains of
an image whose Glance row is gone, ``nova-disk-no-server``, ``cinder-volume-no-volume``)
and without clones is moved to the RBD trash with the policy's deferment (``rbd-
trash-move``; restorable until then). An RBD trash entry of a deleted Glance image
(``rbd-trash-entry``) without clones whose deferment ended by the snapshot's time is purged
(``rbd-trash-purge``; apply checks the deferment again and librbd refuses an early purge);
one still deferred is left for a later plan. With ``flatten``, each clone that pins what
reclaim would remove (an orphan, a trash entry, a snapshot in the trash namespace) is
flattened (``rbd-flatten``), before the clone itself goes to the trash when it is an orphan
too; a trash entry whose every clone is flattened is purged in the same plan, after the
flattens (its purge depends on them); any other image it pinned goes in a later plan,
once the snapshot shows no clones. A file, S3 or Swift object without a Glance image
becomes a ``delete-object`` (``plan.objects``). The reclaim analysis runs with the policy's grace.
"""

from __future__ import annotations

import datetime
import fnmatch
from typing import TYPE_CHECKING

from imageyard.model.finding import Confidence, Finding, Status
from imageyard.model.inventory import Inventory
from imageyard.model.plan import Action
from imageyard.plan.objects import OBJECT_CLASSES, object_action
from imageyard.plan.policy import PlanPolicy
from imageyard.plan.reclaim_rbd import delete_location, flatten_clones, purge_entry, restore_entry
from imageyard.reclaim.context import ReclaimSettings

TRASHABLE = frozenset(
    {
        "rbd-no-glance-image",
        "rbd-protected-snap-no-image",
        "nova-disk-no-server",
        "cinder-volume-no-volume",
    }
)
DAY = 86400

if TYPE_CHECKING:
    from imageyard.plan.generate import _Builder


def reclaim_actions(b: _Builder, inv: Inventory, policy: PlanPolicy) -> None:
    """Add the reclaim steps ``policy`` asks for."""
    from imageyard.reclaim.engine import analyse

    settings = ReclaimSettings(grace=datetime.timedelta(hours=policy.grace_hours))
    findings = [
        (item.class_id, item.finding)
        for item in analyse(inv, settings).items
        if item.finding.action is not None
        and item.finding.status is not Status.MUTED
        and item.finding.confidence is Confidence.HIGH
    ]
    # the flattens first: a clone is flattened before it goes to the trash itself
    findings.sort(key=lambda f: f[1].action is None or f[1].action.kind != "flatten")
    for class_id, finding in findings:
        _step(b, inv, policy, class_id, finding)


def _step(b: _Builder, inv: Inventory, policy: PlanPolicy, class_id: str, finding: Finding) -> None:
    assert finding.action is not None
    params = dict(finding.action.params)
    if finding.action.kind == "flatten":
        if policy.flatten:
            flatten_clones(b, inv, params, policy, finding.message)
            if class_id == "rbd-trash-entry":
                purge_entry(b, inv, params, policy, finding.message)
        return
    if class_id == "rbd-trash-entry" and finding.action.kind == "rbd-trash-remove":
        purge_entry(b, inv, params, policy, finding.message)
        return
    if class_id in TRASHABLE and finding.action.kind == "rbd-trash-move":
        _trash(b, inv, params, policy, finding.message)
        return
    if class_id in OBJECT_CLASSES and finding.action.kind == "delete-object":
        object_action(b, inv, params, policy, finding.message)
        return
    _image_step(b, inv, policy, class_id, finding)


def _image_step(
    b: _Builder, inv: Inventory, policy: PlanPolicy, class_id: str, finding: Finding
) -> None:
    from imageyard.plan.generate import retired

    assert finding.action is not None
    params = dict(finding.action.params)
    image = inv.image(params.get("image", ""))
    if image is None or not policy.selects(image):
        return
    if finding.action.kind == "rbd-trash-restore":
        restore_entry(b, image, params, finding.message)
        return
    if not image.is_active:
        return
    if class_id == "location-data-missing" and params.get("url"):
        delete_location(b, image, params)
    elif class_id == "duplicate-image" and finding.action.kind == "delete-image":
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


def _trash(
    b: _Builder, inv: Inventory, params: dict[str, str], policy: PlanPolicy, why: str
) -> None:
    from imageyard.apply.actions.rbd import rbd_fingerprint

    pool, name = params.get("pool", ""), params.get("image", "")
    cluster = inv.ceph_cluster(params.get("fsid", ""))
    found = [
        i
        for p in (cluster.pools if cluster else ())
        if p.name == pool
        for i in p.images
        if i.name == name
    ]
    if params.get("children") or len(found) != 1:
        return
    if policy.images and not any(fnmatch.fnmatchcase(name, p) for p in policy.images):
        return
    stat = {"id": found[0].id, "size": found[0].size}
    resource = f"rbd:{pool}/{name}"
    b.actions.append(
        Action(
            id=f"a{len(b.actions) + 1:04d}",
            kind="rbd-trash-move",
            image_id=resource,
            depends_on=tuple(a.id for a in b.actions if a.image_id == resource)[-1:],
            image_name=f"{pool}/{name}",
            target=str(policy.trash_days * DAY),
            bytes=0,
            destructive=True,
            expect=rbd_fingerprint(pool, name, stat),
            result=rbd_fingerprint(pool, name, None),
            reason=why,
            params=(("fsid", params.get("fsid", "")), ("name", name), ("pool", pool)),
        )
    )
