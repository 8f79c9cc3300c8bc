"""Section (f), hygiene: who publishes public images, the signing state, a retention policy.

Concepts: this section owns no analysis. It reads the audit's visibility and signing
findings (the rules in ``audit/rules/visibility.py`` and ``signing.py``) and the retention
planner's selection (``plan.retention.select``, what ``imageyard plan make --keep N`` would
retire) and states them as three decisions, each datum measured (from the snapshot or the
audit of it) or assumed (the ``KEEP`` default). Without an image catalog (no inventory, or
the Glance image list not read) the section is one decision saying what to collect first;
without the audit (``--no-audit``) the visibility and signing decisions say to run it.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from imageyard.audit.engine import AuditResult
from imageyard.audit.rules.cow_eligibility import images_missing
from imageyard.audit.rules.signing import is_signed
from imageyard.audit.rules.visibility import usage_missing
from imageyard.design.model import Decision
from imageyard.design.provenance import ASSUMED, MEASURED, datum
from imageyard.model.finding import Finding, Status
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.plan.retention import Decision as Retention
from imageyard.plan.retention import select

SECTION = "hygiene"
KEEP = 3  # the newest images kept per family when nothing declares another number
MAX_LISTED = 10
OWNER_RULE = "public-image-foreign-owner"
VISIBILITY_RULES = (
    OWNER_RULE,
    "image-used-cross-project",
    "image-member-stale",
    "public-image-duplicate",
    "community-image-sprawl",
    "hidden-image-public-name",
)
EXPOSURE_RULE = "locations-exposed-user-facing"
BYPASS_RULE = "signature-verify-cow-bypass"
SIGNING_RULES = (
    "image-signature-incomplete",
    "public-image-unsigned",
    BYPASS_RULE,
    "signed-image-converted-on-import",
)
AUDIT_RULES = frozenset((*VISIBILITY_RULES, EXPOSURE_RULE, *SIGNING_RULES))  # read here
COLLECT = "imageyard collect --config-dir /etc --os-cloud CLOUD --ceph-user USER -o inv.json"


@dataclass(frozen=True)
class _Audited:
    """The audit's failing findings and its undecided reasons, by rule (in the audit's
    order), gathered in one pass: the section asks about a dozen rules, and a catalog of
    100,000 images has as many findings."""

    failed: Mapping[str, tuple[Finding, ...]]
    unknown: Mapping[str, tuple[str, ...]]

    @classmethod
    def of(cls, audited: AuditResult) -> _Audited:
        failed: defaultdict[str, list[Finding]] = defaultdict(list)
        for f in audited.findings:
            if f.status is Status.FAIL:
                failed[f.rule_id].append(f)
        unknown: defaultdict[str, list[str]] = defaultdict(list)
        for u in audited.unknowns:
            unknown[u.rule_id].append(u.reason)
        return cls(
            {k: tuple(v) for k, v in failed.items()}, {k: tuple(v) for k, v in unknown.items()}
        )


def _failed(audited: _Audited, rule_id: str) -> tuple[Finding, ...]:
    return audited.failed.get(rule_id, ())


def _count(audited: _Audited, rule_id: str) -> str:
    """One measured line for one rule: its failing findings, or why it could not decide."""
    found = _failed(audited, rule_id)
    unknown = audited.unknown.get(rule_id, ())
    if unknown and not found:
        return datum(MEASURED, f"audit {rule_id}: undecided ({unknown[0]})")
    ids = ", ".join(f.resource.id for f in found[:MAX_LISTED])
    more = f" and {len(found) - MAX_LISTED} more" if len(found) > MAX_LISTED else ""
    return datum(
        MEASURED, f"audit {rule_id}: {len(found)} findings" + (f" ({ids}{more})" if found else "")
    )


def _counts(audited: _Audited, rule_ids: tuple[str, ...]) -> list[str]:
    return [_count(audited, rid) for rid in rule_ids]


def _collect_first(reason: str) -> Decision:
    return Decision(
        "hygiene.collect",
        SECTION,
        "Visibility, signing and retention: collect the catalog first",
        "no policy without the image catalog",
        f"Who publishes public images, which images are signed or cloned unverified and which "
        f"image families hold old builds are read from the Glance catalog: {reason}. Collect it "
        f"({COLLECT}; Keystone's projects, Nova's servers and Cinder's volumes complete the "
        "picture), then run imageyard design inv.json again.",
        ("publicize-image",),
        (datum(ASSUMED, f"no image catalog: {reason}"),),
    )


def _no_audit(key: str, title: str) -> Decision:
    return Decision(
        key,
        SECTION,
        title,
        "run the audit first",
        "This part of the memo states the audit's findings; the design ran without them "
        "(--no-audit). Run imageyard audit inv.json, or the design without --no-audit.",
        ("publicize-image",),
        (datum(ASSUMED, "audit not run"),),
    )


def _owners(inv: Inventory, findings: tuple[Finding, ...]) -> tuple[list[str], list[str]]:
    """The owners of public images the audit accepts as publishers, and the others."""
    flagged = {f.resource.id for f in findings}
    public = [i for i in inv.images if i.visibility == "public"]
    foreign = sorted({i.owner or "(none)" for i in public if i.id in flagged})
    accepted = sorted({i.owner or "(none)" for i in public if i.id not in flagged})
    return accepted, foreign


def _publishers(inv: Inventory, audited: _Audited) -> Decision:
    found = _failed(audited, OWNER_RULE)
    accepted, foreign = _owners(inv, found)
    undecided = OWNER_RULE in audited.unknown
    who = ", ".join(accepted) or "the admin project"
    if not any(i.visibility == "public" for i in inv.images):
        choice = "no public images today: keep publicize_image admin-only"
    elif undecided:
        choice = "collect Keystone's projects to tell publishers from other owners"
    elif foreign:
        choice = f"public images only from {who}; {len(found)} from {', '.join(foreign)} to fix"
    else:
        choice = f"public images only from {who}"
    public = Counter(i.owner or "(none)" for i in inv.images if i.visibility == "public")
    owners = ", ".join(f"{o} ({n})" for o, n in sorted(public.items())) or "none"
    return Decision(
        "hygiene.publishers",
        SECTION,
        "Who may publish public images",
        choice,
        "Every project sees and may boot a public image. Keep publicize_image admin-only and "
        "publish from the projects found doing so today; a public image of another project is "
        "made private (openstack image set --private) or handed to a publisher project "
        "(openstack image set --project). Shared, community, hidden and duplicated images are "
        f"listed by their audit rules in the data below; {EXPOSURE_RULE} says whether users "
        "can read backend locations (OSSN-0065/0090), fixed by a second, internal glance-api "
        "for Nova and Cinder (the configuration section).",
        ("publicize-image",),
        (
            datum(MEASURED, f"public images by owner project: {owners}"),
            *_counts(audited, (*VISIBILITY_RULES, EXPOSURE_RULE)),
        ),
    )


def _signed(images: tuple[Image, ...]) -> int:
    """How many ``images`` are signed (``is_signed``, which reads only the properties: asked
    once per distinct set of properties, which repeats across a catalog)."""
    known: dict[tuple[tuple[str, str], ...], bool] = {}
    count = 0
    for image in images:
        signed = known.get(image.properties)
        if signed is None:
            signed = known[image.properties] = is_signed(image)
        count += signed
    return count


def _signing(inv: Inventory, audited: _Audited) -> Decision:
    bypass = _failed(audited, BYPASS_RULE)
    signed = _signed(inv.images)
    problems = sum(len(_failed(audited, r)) for r in SIGNING_RULES)
    if bypass:
        choice = (
            f"{len(bypass)} image(s) cloned unverified: verify at upload/import and accept "
            "that clones skip verification, or make those images download"
        )
    elif problems:
        choice = f"fix {problems} signing findings; verification stays as configured"
    else:
        choice = "nothing to change: no signing findings"
    return Decision(
        "hygiene.signing",
        SECTION,
        "Image signing",
        choice,
        "Nova and Cinder check a signature only when they download an image; an RBD clone "
        "downloads nothing. For the images cloned by a verifying consumer the choice is: "
        "verify once, when the image is uploaded or imported (Glance does when all four "
        "img_signature* properties are set), and restrict who may upload public images, "
        "accepting that clones skip the check; or, where every boot must verify, give those "
        "computes a non-rbd images_type (or keep those images out of the clone pool) so they "
        "download and verify, at the cost of the copy-on-write boot.",
        ("signature-verify-download", "glance-signature-upload"),
        (
            datum(
                MEASURED,
                f"{signed} of {len(inv.images)} images carry all four signature properties",
            ),
            *_counts(audited, SIGNING_RULES),
        ),
    )


def _today(inv: Inventory) -> datetime.date:
    """The snapshot's date (retention without --max-age does not depend on it)."""
    try:
        return datetime.date.fromisoformat(inv.generated_at[:10])
    except ValueError:
        return datetime.date(1970, 1, 1)


def _retention(inv: Inventory) -> Decision:
    chosen = select(inv, KEEP, None, _today(inv))
    sizes = Counter(d.family for d in chosen)
    large = sorted(f for f, n in sizes.items() if n > KEEP)
    retired, used = _split(chosen)
    hide = sum(1 for d in retired if not d.image.os_hidden)
    command = f"imageyard plan make inv.json --keep {KEEP} -o plan.json"
    unseen = usage_missing(inv)
    choice = f"keep the newest {KEEP} of each family: hide {hide}, deactivate {len(retired)}"
    if unseen is not None:
        choice = f"collect usage before retiring anything ({choice} as far as known)"
    return Decision(
        "hygiene.retention",
        SECTION,
        "Retention",
        choice,
        f"{len(sizes)} image families, {len(large)} with more than {KEEP} active images. "
        f"Older images are hidden, then deactivated (nothing is deleted); an image a server or "
        f"a volume uses or an RBD clone pins is always kept. Plan it with {command}, review "
        "the plan (a dry run) and apply it; --max-age DAYS spares recent builds.",
        ("image-retire",),
        (
            datum(ASSUMED, f"keep {KEEP} per family (no retention number declared)"),
            datum(MEASURED, f"families over {KEEP}: {_families(large, retired)}"),
            datum(MEASURED, f"kept although older, because in use: {_listed(used)}"),
            datum(MEASURED, f"server and volume usage: {unseen or 'collected'}"),
        ),
    )


def _split(chosen: tuple[Retention, ...]) -> tuple[list[Retention], list[Retention]]:
    """The images retired, and those kept although older because they are in use."""
    retired: list[Retention] = []
    used: list[Retention] = []
    for d in chosen:
        if d.retire:
            retired.append(d)
        elif d.reason.startswith("used by"):
            used.append(d)
    return retired, used


def _families(large: list[str], retired: list[Retention]) -> str:
    if not large:
        return "none"
    retire = Counter(d.family for d in retired)
    shown = [f"{f} ({retire[f]} retired)" for f in large[:MAX_LISTED]]
    more = f" and {len(large) - MAX_LISTED} more" if len(large) > MAX_LISTED else ""
    return ", ".join(shown) + more


def _listed(items: list[Retention]) -> str:
    if not items:
        return "none"
    shown = [f"{d.image.id} ({d.reason})" for d in items[:MAX_LISTED]]
    more = f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else ""
    return ", ".join(shown) + more


def decide_hygiene(inv: Inventory | None, audited: AuditResult | None) -> list[Decision]:
    """Section (f): the visibility, signing and retention decisions."""
    missing = "no inventory was given" if inv is None else images_missing(inv)
    if inv is None or missing is not None:
        return [_collect_first(missing or "")]
    if audited is None:
        return [
            _no_audit("hygiene.publishers", "Who may publish public images"),
            _no_audit("hygiene.signing", "Image signing"),
            _retention(inv),
        ]
    indexed = _Audited.of(audited)
    return [_publishers(inv, indexed), _signing(inv, indexed), _retention(inv)]
