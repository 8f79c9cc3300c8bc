"""The rule on hidden public images and the names users boot by.

Concepts: ``os_hidden`` (Glance's "operator maintained images lifecycle") takes a public
image out of every image list unless the list asks for ``os_hidden=true``; the image stays
bootable by id. Clients resolve an image *name* by listing with a ``name`` filter, so a
hidden image is never what a name resolves to. The intended use is rotation: the newest
image of a family (``model.family``: ``os_distro``/``os_version``, else the name stem) is
visible and the older ones are hidden. Two states break that: every public image of the
family hidden (the name users and templates boot by finds nothing), or a hidden image newer
than every visible one of its family (users get an older build by name).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules.cow_eligibility import images_missing, label
from imageyard.model.family import family_of
from imageyard.model.finding import Evidence, Outcome, Resource, Severity
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory

GLANCE_HIDDEN = "glance glance/api/v2/images.py (index: os_hidden filter, default false)"
HIDDEN_SPEC = "glance-specs specs/rocky/approved/glance/operator-image-workflow.rst"


def _public_families(inv: Inventory) -> dict[str, list[Image]]:
    families: defaultdict[str, list[Image]] = defaultdict(list)
    for image in inv.images:
        if image.visibility == "public" and image.is_active:
            families[family_of(image)].append(image)
    return families


def _newest(images: list[Image]) -> Image | None:
    return max(images, key=lambda i: (i.created_at or "", i.id), default=None)


def _family_outcomes(family: str, members: list[Image]) -> Iterator[Outcome]:
    visible = [i for i in members if not i.os_hidden]
    hidden = [i for i in members if i.os_hidden]
    newest_visible = _newest(visible)
    if newest_visible is None:
        for image in hidden:
            yield hidden_image_public_name.finding(
                Resource("image", image.id),
                f"hidden public image {label(image)} is in family {family}, of which no "
                "public image is visible: looking the name up finds nothing",
                Evidence.fact(f"image {image.id}: os_hidden true, visibility public"),
                Evidence.fact(f"family {family}: {len(hidden)} public image(s), all hidden"),
                cause=f"hidden public image of family {family}, of which no public image is "
                "visible: looking the name up finds nothing",
            )
        return
    last_seen = (newest_visible.created_at or "", newest_visible.id)
    for image in hidden:
        if (image.created_at or "", image.id) <= last_seen:
            continue
        yield hidden_image_public_name.finding(
            Resource("image", image.id),
            f"hidden public image {label(image)} is newer than {label(newest_visible)}, the "
            f"newest visible image of family {family}: users booting by name get the older one",
            Evidence.fact(f"image {image.id}: os_hidden true, created {image.created_at}"),
            Evidence.fact(
                f"image {newest_visible.id}: visible, created {newest_visible.created_at}"
            ),
            severity=Severity.MEDIUM,
            cause=f"hidden public image newer than {label(newest_visible)}, the newest visible "
            f"image of family {family}: users booting by name get the older one",
        )


@rule(
    id="hidden-image-public-name",
    title="Hidden public image whose family users can no longer find by name, or the newest",
    severity="low",
    confidence="medium",
    category="hygiene",
    remediation="Unhide the newest image of the family (openstack image set --unhidden "
    "<image>) and hide the older ones (openstack image set --hidden <image>); if the family "
    "is withdrawn on purpose, tell its users and update templates that boot it by name.",
    links=(GLANCE_HIDDEN, HIDDEN_SPEC),
)
def hidden_image_public_name(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """A hidden public image whose family no visible image represents, or newer than them all.

    Users, Heat templates and ``openstack server create --image NAME`` find images by name in
    the (unhidden) image list. When every public image of a family is hidden, the name finds
    nothing; when the newest one is hidden and an older one is not, the name gets the older
    build. A hidden image older than a visible one of its family is the intended rotation
    and passes.
    """
    why = images_missing(inv)
    if why is not None:
        yield hidden_image_public_name.unknown(Resource("source", "glance"), why)
        return
    for family, members in sorted(_public_families(inv).items()):
        yield from _family_outcomes(family, members)
