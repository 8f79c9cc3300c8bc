"""Rules on who can see and boot which images: public owners, members, cross-project use.

Concepts: Glance's ``visibility`` is ``public`` (every project), ``community`` (every project
that asks for it by id), ``shared`` (the owner and the accepted members) or ``private`` (the
owner only). Public images are the cloud's catalog and normally come from the admin or an
image-publisher project; the option ``public-image-foreign-owner.projects`` (project ids or
names, comma separated) names them, and without it the Keystone projects named ``admin`` and
``service`` are taken (unknown without Keystone's project list). Members come from
``collect --members``; servers and their projects from the ``nova`` source, volumes from
``cinder``; community images are judged by age at the snapshot's time (``generated_at``)
and usage.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterator

from imageyard.audit.rule import AuditContext, RuleOption, rule
from imageyard.audit.rules.cow_eligibility import images_missing, label
from imageyard.audit.rules.owners import KEYSTONE_SOURCE, projects_missing
from imageyard.audit.rules.sprawl_finding import SprawlFinding, SprawlShape
from imageyard.model.finding import Evidence, Outcome, Resource
from imageyard.model.image import Image, ImageMember
from imageyard.model.inventory import Inventory

PUBLISHERS = RuleOption(
    "projects",
    "list",
    "admin,service",
    "ids or names of the projects that publish public images",
)
PENDING_DAYS = RuleOption(
    "pending_days", "int", "30", "days a member may stay pending before it is reported"
)
SPRAWL_AGE = RuleOption(
    "max_age_days", "int", "180", "days a community image may go unused before it is reported"
)
NOVA_SOURCE = "nova"
CINDER_SOURCE = "cinder"
GLANCE_SHARING = "glance doc/source/admin/manage-images.rst (image sharing)"
GLANCE_VISIBILITY = "glance api-ref/source/v2/images-parameters.yaml (visibility)"


def publisher_projects(inv: Inventory, ctx: AuditContext) -> frozenset[str] | None:
    """Ids (and names) of the projects allowed to own public images; None when unknown."""
    given = f"{public_image_foreign_owner.id}.projects" in ctx.settings
    if not given and projects_missing(inv) is not None:
        return None
    names = public_image_foreign_owner.option(ctx, "projects").split(",")
    wanted = {p.strip() for p in names if p.strip()}
    ids = {p.id for p in inv.projects if p.id in wanted or p.name in wanted}
    return frozenset(ids | wanted)


@rule(
    id="public-image-foreign-owner",
    title="Public image owned by a project that does not publish images",
    severity="medium",
    confidence="medium",
    category="security",
    remediation="Check who made the image public; give it to the publisher project "
    "(openstack image set --project <admin-project> <image>) or make it private again "
    "(openstack image set --private <image>); keep publicize_image admin-only in policy.",
    links=(GLANCE_VISIBILITY, "glance glance/policies/image.py (publicize_image)"),
    options=(PUBLISHERS,),
)
def public_image_foreign_owner(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """A public image whose owner is not one of the cloud's image-publisher projects.

    Every project sees and may boot a public image, so one published from an ordinary
    project puts that project's content in everyone's catalog.
    """
    why = images_missing(inv)
    publishers = publisher_projects(inv, ctx)
    if why is not None or publishers is None:
        reason = why or f"{projects_missing(inv)}, and no publisher projects were given"
        yield public_image_foreign_owner.unknown(Resource("source", KEYSTONE_SOURCE), reason)
        return
    for image in inv.images:
        if image.visibility != "public" or image.owner in publishers:
            continue
        yield public_image_foreign_owner.finding(
            Resource("image", image.id),
            f"public image {label(image)} is owned by project {image.owner}, not by a "
            "publisher project: every project sees it",
            Evidence.fact(f"image {image.id}: visibility public, owner {image.owner}"),
            Evidence.fact(f"publisher projects: {', '.join(sorted(publishers))}"),
            cause=f"public image owned by project {image.owner}, not by a publisher project: "
            "every project sees it",
        )


def _pending_days(member: ImageMember, snapshot_at: str) -> int | None:
    return _days_between(member.created_at, snapshot_at) if member.created_at else None


def _stale_members(
    image: Image, known: frozenset[str] | None, pending_days: int, snapshot_at: str
) -> list[tuple[str, str]]:
    """(member id, why it is stale) of each stale member of ``image``."""
    stale = []
    for m in image.members:
        if known is not None and m.member_id not in known:
            stale.append((m.member_id, "project deleted"))
            continue
        if m.status != "pending":
            continue
        days = _pending_days(m, snapshot_at)
        if days is None:
            stale.append((m.member_id, "never accepted"))
        elif days >= pending_days:
            stale.append((m.member_id, f"pending for {days} days"))
    return stale


_STALE = {"project deleted": "whose project was deleted", "never accepted": "who never accepted"}


def _staleness(stale: list[tuple[str, str]], pending_days: int) -> str:
    """Why members are stale, without their ids or exact days (what many shares have in common)."""
    pending = f"pending for {pending_days} days or more"
    return " and ".join(sorted({_STALE.get(why, pending) for _, why in stale}))


@rule(
    id="image-member-stale",
    title="Image shared with a deleted project or one that never accepted",
    severity="low",
    confidence="high",
    category="hygiene",
    remediation="Remove the member (openstack image remove project <image> <project>); "
    "ask a pending member to accept (openstack image set --accept <image>) if it still "
    "needs the image.",
    links=(GLANCE_SHARING, "glance glance/api/v2/image_members.py"),
    options=(PENDING_DAYS,),
)
def image_member_stale(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """A shared image whose member project no longer exists, or has left it pending for long.

    A pending member does not see the image in its list; a deleted member's entry stays
    forever. Both keep sharing state nobody uses. A member is reported once it has been
    pending for ``image-member-stale.pending_days`` (30) at the snapshot's time (always when
    the share's date was not collected). Deleted members need Keystone's project list;
    without it only pending members are reported.
    """
    why = images_missing(inv)
    if why is not None:
        yield image_member_stale.unknown(Resource("source", "glance"), why)
        return
    complete = projects_missing(inv) is None
    known = frozenset(p.id for p in inv.projects) if complete else None
    days = int(image_member_stale.option(ctx, "pending_days"))
    for image in inv.images:
        stale = _stale_members(image, known, days, inv.generated_at)
        if not stale or image.visibility != "shared":
            continue
        members = ", ".join(f"{member} ({why})" for member, why in stale)
        yield image_member_stale.finding(
            Resource("image", image.id),
            f"shared image {label(image)} has stale members: {members}",
            Evidence.fact(f"image {image.id}: members {members}"),
            cause=f"shared image with members {_staleness(stale, days)}",
        )


def _may_see(image: Image, project: str | None) -> bool:
    if project is None or project == image.owner:
        return True
    if image.visibility in ("public", "community"):
        return True
    accepted = {m.member_id for m in image.members if m.status == "accepted"}
    return image.visibility == "shared" and (project in accepted or not image.members)


@rule(
    id="image-used-cross-project",
    title="Image used by servers of a project that can no longer see it",
    severity="high",
    confidence="medium",
    category="security",
    remediation="Share the image with the project again (openstack image add project <image> "
    "<project>; the project accepts with openstack image set --accept <image>), or restore "
    "its earlier visibility; rebuilds, evacuations and resizes of those servers need it.",
    links=(GLANCE_VISIBILITY, GLANCE_SHARING),
)
def image_used_cross_project(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """An image used by servers in projects that its visibility no longer admits.

    A private image, or a shared one without that project as an accepted member, is
    invisible to the server's project: a rebuild, an evacuation to a compute without the
    cached base, or a new server from the same image fails. Usually a visibility change that
    broke someone. A shared image whose members were not collected is not judged.
    """
    why = images_missing(inv)
    if why is None and inv.source_status(NOVA_SOURCE) is None:
        why = "Nova's servers were not read (source nova did not run)"
    if why is not None:
        yield image_used_cross_project.unknown(Resource("source", NOVA_SOURCE), why)
        return
    for image in inv.images:
        servers = [s for s in inv.servers_using(image.id) if not _may_see(image, s.project)]
        if not servers:
            continue
        projects = sorted({s.project or "" for s in servers})
        yield image_used_cross_project.finding(
            Resource("image", image.id),
            f"{image.visibility} image {label(image)} of project {image.owner} is used by "
            f"{len(servers)} server(s) of project(s) {', '.join(projects)}, which cannot see it",
            Evidence.fact(f"image {image.id}: visibility {image.visibility}"),
            *(Evidence.fact(f"server {s.id}: project {s.project}") for s in servers[:5]),
            cause=f"{image.visibility} image used by servers of projects that cannot see it",
        )


def _public_groups(inv: Inventory) -> list[list[Image]]:
    groups: defaultdict[str, list[Image]] = defaultdict(list)
    for image in inv.images:
        if image.visibility == "public" and image.is_active and image.os_hash_value:
            groups[image.os_hash_value].append(image)
    # NOTE: most contents are published once: a group of one is already in order
    return [
        sorted(g, key=lambda i: (i.created_at or "", i.id)) if len(g) > 1 else g
        for g in groups.values()
    ]


@rule(
    id="public-image-duplicate",
    title="The same image data published under several public ids",
    severity="low",
    confidence="high",
    category="images",
    remediation="Keep one public image per content: hide the others (openstack image set "
    "--hidden <image>) and delete them once no server or volume uses them.",
    links=(GLANCE_VISIBILITY, "glance glance/common/utils.py (os_hash_value, multihash)"),
)
def public_image_duplicate(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """A public image whose ``os_hash_value`` another, older public image already has.

    Users see several entries for one content and pick at random; each copy also holds its
    own storage. The oldest image of each group is kept; the later ones are reported.
    """
    why = images_missing(inv)
    if why is not None:
        yield public_image_duplicate.unknown(Resource("source", "glance"), why)
        return
    for group in _public_groups(inv):
        kept = group[0]
        for image in group[1:]:
            yield public_image_duplicate.finding(
                Resource("image", image.id),
                f"public image {label(image)} has the same data as public image {label(kept)}",
                Evidence.fact(f"os_hash_value {image.os_hash_algo}:{image.os_hash_value}"),
                cause=f"public image with the same data as the older public image {label(kept)}",
            )


def _days_between(start: str | None, end: str) -> int | None:
    try:
        first = datetime.date.fromisoformat((start or "")[:10])
        last = datetime.date.fromisoformat(end[:10])
    except ValueError:
        return None
    return (last - first).days


def usage_missing(inv: Inventory) -> str | None:
    for source, what in ((NOVA_SOURCE, "Nova's servers"), (CINDER_SOURCE, "Cinder's volumes")):
        if inv.source_status(source) is None:
            return f"{what} were not read (source {source} did not run)"
    return None


@rule(
    id="community-image-sprawl",
    title="Old community image that no server or volume uses",
    severity="low",
    confidence="medium",
    category="hygiene",
    remediation="Ask the owner whether the image is still offered; make it private "
    "(openstack image set --private <image>) or hide it (openstack image set --hidden <image>), "
    "and delete it once nothing needs it.",
    links=(GLANCE_VISIBILITY, "glance doc/source/admin/manage-images.rst (community images)"),
    options=(SPRAWL_AGE,),
)
def community_image_sprawl(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """A community image older than ``community-image-sprawl.max_age_days`` (180), unused.

    Any project may boot a community image by id, and each one holds storage in every store;
    images nobody has booted or made a volume from for months accumulate without an owner
    watching them. Age is counted up to the snapshot's time; usage needs the nova and cinder
    sources.
    """
    why = images_missing(inv) or usage_missing(inv)
    if why is not None:
        yield community_image_sprawl.unknown(Resource("source", NOVA_SOURCE), why)
        return
    limit = int(community_image_sprawl.option(ctx, "max_age_days"))
    community = [i for i in inv.images if i.visibility == "community" and i.is_active]
    shape = SprawlShape(
        community_image_sprawl.meta,
        len(community),
        Counter(i.owner for i in community),
        inv.generated_at,
        f"community image older than {limit} days that no server or volume uses",
    )
    for image in community:
        age = _days_between(image.created_at, inv.generated_at)
        if age is None or age <= limit:
            continue
        if inv.servers_using(image.id) or inv.volumes_from(image.id):
            continue
        yield SprawlFinding.made(shape, image, age)  # NOTE: written when read
