"""Images whose owner project no longer exists in Keystone.

Concepts: Glance keeps an image's ``owner`` as a plain project id and never asks Keystone
about it again; deleting a project in Keystone leaves its images (and their storage) behind.
Only an admin can then update, share or delete them, and nothing bills or reclaims them. The
``keystone`` source lists every project; an owner that is not among them is a deleted
project. Without a complete project list (no admin credentials, Keystone not collected) the
rule is unknown, never passed.
"""

from __future__ import annotations

from collections.abc import Iterator

from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules.cow_eligibility import images_missing, label
from imageyard.model.finding import Evidence, Outcome, Resource
from imageyard.model.inventory import Inventory

KEYSTONE_SOURCE = "keystone"


def projects_missing(inv: Inventory) -> str | None:
    """Why the project list cannot be trusted (None when it is complete)."""
    status = inv.source_status(KEYSTONE_SOURCE)
    if status is None:
        return "Keystone's projects were not read (source keystone did not run)"
    if not inv.is_complete(KEYSTONE_SOURCE):
        gaps = "; ".join(g.error for g in inv.gaps_for(KEYSTONE_SOURCE))
        return f"Keystone's project list is incomplete ({gaps or status.detail})"
    return None


@rule(
    id="image-owner-deleted",
    title="Image owned by a project Keystone no longer has",
    severity="low",
    confidence="high",
    category="hygiene",
    remediation="Give the image to a live project (openstack image set --project <project> "
    "<image>), or delete it once no server or volume uses it; run 'openstack project cleanup' "
    "before deleting a project next time.",
    links=(
        "glance glance/api/v2/images.py",
        "openstacksdk openstack/image/v2/_proxy.py (_service_cleanup)",
    ),
)
def image_owner_deleted(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """An image whose owner is not a Keystone project: its project was deleted.

    Glance does not notice a project's deletion, so the image and its data stay; no member
    of any project can manage it any more, only an admin.
    """
    why = images_missing(inv) or projects_missing(inv)
    if why is not None:
        yield image_owner_deleted.unknown(Resource("source", KEYSTONE_SOURCE), why)
        return
    owners = inv.deleted_owners() or frozenset()
    listed = len(inv.projects)
    for image in inv.images:
        if image.owner not in owners:
            continue
        yield image_owner_deleted.finding(
            Resource("image", image.id),
            f"image {label(image)} belongs to project {image.owner}, which Keystone no "
            f"longer has: only an admin can update, share or delete it",
            Evidence.fact(f"image {image.id}: owner = {image.owner}"),
            Evidence.fact(f"keystone: {listed} projects listed, none with id {image.owner}"),
            cause=f"image of project {image.owner}, which Keystone no longer has: only an "
            "admin can update, share or delete it",
        )
