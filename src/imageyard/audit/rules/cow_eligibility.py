"""The per-image copy-on-write rule: every active image on every rbd consumer that won't clone.

Concepts: for each rbd consumer (Nova computes with ``images_type = rbd``, Cinder RBD
backends) and each active image, ``audit.cow.boot_path`` decides the boot path. Anything
but ``clone`` is a finding whose severity follows the path: ``error`` is critical,
``download-convert-import`` high, ``download`` medium (low when Cinder's image-volume cache
absorbs repeats), ``copy-to-store-then-clone`` low. An ``unknown`` path is an Unknown.
Non-rbd computes always download by design and are not reported; neither are images that
are not active (they cannot be booted at all). The remediation is the concrete command for
the blocking condition, and the proposed action (``copy-image`` or ``convert-to-raw``)
carries its parameters for the planner.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from imageyard.audit.cow import BootPath, Consumer, Verdict, VerdictTable, verdicts
from imageyard.audit.cow.classes import Numbered
from imageyard.audit.cow.trace import Form
from imageyard.audit.rule import AuditContext, Counts, rule, tally
from imageyard.audit.rules._common import file_unknown, rbd_stores
from imageyard.audit.rules.cow_shape import Shape, ShapedFinding, convert_fix, label, shape_of
from imageyard.model.finding import Outcome, Resource
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.store import Store

__all__ = ["convert_fix", "cow_not_eligible", "images_missing", "label"]

GLANCE_SOURCE = "glance"


def images_missing(inv: Inventory) -> str | None:
    """Why the Glance images are not in ``inv`` (None when they were collected)."""
    status = inv.source_status(GLANCE_SOURCE)
    if status is None:
        return "the Glance image list was not read (source glance did not run)"
    if not status.complete and not inv.images:
        return f"the Glance image list was not read ({status.detail or 'incomplete'})"
    return None


def image_resource(image: Image, consumer: Consumer) -> Resource:
    """``image <id>@<consumer>``."""
    return Resource("image", f"{image.id}@{consumer.name}")


def store_in_cluster(inv: Inventory, fsid: str | None) -> Store | None:
    """The highest-weight Glance rbd store in cluster ``fsid``, or None."""
    found = [s for s in rbd_stores(inv) if fsid is not None and s.rbd_fsid == fsid]
    return max(found, key=lambda s: s.weight or 0) if found else None


def _unread(inv: Inventory, why: str | None) -> Iterator[Outcome]:
    """The unknowns of what was not read: the image list (``why``), the nova, cinder and
    glance-api files."""
    if why is not None:
        yield cow_not_eligible.unknown(Resource("source", GLANCE_SOURCE), why)
    for kind in ("nova", "cinder"):
        if not getattr(inv.config, kind):
            yield file_unknown(cow_not_eligible, inv, kind)
    if inv.config.glance_api is None:
        yield file_unknown(cow_not_eligible, inv, "glance-api")


def _judged(inv: Inventory, why: str | None) -> bool:
    """Whether the images are judged: the image list and glance-api.conf were read."""
    return why is None and inv.config.glance_api is not None


def _counts(inv: Inventory, ctx: AuditContext) -> Counts:
    """The rule's findings and unknowns, counted without making them (``Rule.count``)."""
    why = images_missing(inv)
    counts = [tally(_unread(inv, why))]
    if _judged(inv, why):
        counts += (_consumer_counts(inv, c) for c in verdicts(inv).rbd_consumers)
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def _consumer_counts(inv: Inventory, consumer: Consumer) -> Counts:
    """``tally(_per_consumer(inv, consumer))``: the same verdicts, no finding made."""
    if consumer.fsid is None:
        return 0, 1
    table, active = verdicts(inv), active_classes(inv)
    forms = {n: table.form(first, consumer) for n, first in active.firsts.items()}
    # NOTE: a class with a shared form counts all its members at once (see _per_consumer)
    alone = {n for n, f in forms.items() if f is None or f.path is BootPath.UNKNOWN}
    sizes = Counter(active.numbers)
    found = sum(
        sizes[n]
        for n, f in forms.items()
        if f is not None and n not in alone and f.path is not BootPath.CLONE
    )
    unknown = 0
    for image, number in zip(active.images, active.numbers, strict=True) if alone else ():
        if number in alone:
            path = table.of(image, consumer).path
            found += path is not BootPath.CLONE and path is not BootPath.UNKNOWN
            unknown += path is BootPath.UNKNOWN
    return found, unknown


@rule(
    id="cow-not-eligible",
    title="Image not copy-on-write cloneable by an rbd consumer",
    severity="high",
    confidence="medium",
    category="cow",
    remediation="Make the image cloneable for the consumer: copy it into a Glance rbd store "
    "in the consumer's cluster (glance image-import --import-method copy-image --stores "
    "<store> <id>), convert it to raw (qemu-img convert -f qcow2 -O raw) and re-upload, or "
    "expose the locations to the consumer's Glance endpoint.",
    links=(
        "nova nova/storage/rbd_utils.py",
        "nova nova/virt/libvirt/imagebackend.py",
        "cinder cinder/volume/drivers/rbd.py",
    ),
    count=_counts,
)
def cow_not_eligible(inv: Inventory, ctx: AuditContext) -> list[Outcome]:
    """An active image that an rbd compute or Cinder RBD backend cannot clone copy-on-write.

    One result per image and consumer: the boot path (copy-to-store-then-clone,
    download-convert-import, download or error) and the first condition that blocked the
    clone (for an error, the error itself), as nova/storage/rbd_utils.py is_cloneable and
    cinder/volume/drivers/rbd.py _is_cloneable check it.
    """
    # NOTE: a list, not a generator: a result per image and consumer (at 100,000 images
    # over a hundred thousand) then passes through no generator on its way to the engine
    why = images_missing(inv)
    results = list(_unread(inv, why))
    if not _judged(inv, why):
        return results
    for consumer in verdicts(inv).rbd_consumers:
        results += _per_consumer(inv, consumer)
    return results


_ALONE = "alone"  # a class whose members are decided one by one (see _plan)


def active_classes(inv: Inventory) -> Numbered:
    """The active images of ``inv`` numbered by class (made on first use, kept with it)."""
    table = verdicts(inv)
    return inv.derived(
        "cow.active-classes", lambda: table.numbered(i for i in inv.images if i.is_active)
    )


def _per_consumer(inv: Inventory, consumer: Consumer) -> list[Outcome]:
    """The results of the active images on ``consumer``, in the images' order."""
    if consumer.fsid is None:
        reason = f"the Ceph cluster of {consumer.name} is unknown: {consumer.why_no_fsid}"
        return [cow_not_eligible.unknown(Resource("consumer", consumer.name), reason)]
    table, active = verdicts(inv), active_classes(inv)
    shapes = _Shapes(table, consumer, store_in_cluster(inv, consumer.fsid))
    # NOTE: each class decided once (for audit, paths and design) on its first member, and
    # its plan given to every member: a clone costs nothing per image, a shared form one
    # finding made from its shape
    plan = {n: _plan(first, table, shapes) for n, first in active.firsts.items()}
    made, images, numbers = ShapedFinding.made, active.images, active.numbers
    if not any(act is _ALONE for act in plan.values()):
        # NOTE: the common case (every class clones or shares its form): one comprehension
        shaped = {n: act for n, act in plan.items() if isinstance(act, Shape)}
        return [
            made(shape, image)
            for image, number in zip(images, numbers, strict=True)
            if (shape := shaped.get(number)) is not None
        ]
    results: list[Outcome] = []
    for image, number in zip(images, numbers, strict=True):
        act = plan[number]
        if isinstance(act, Shape):
            results.append(made(act, image))
        elif act is _ALONE:
            results += _decided_alone(image, consumer, table.of(image, consumer), shapes)
    return results


def _plan(first: Image, table: VerdictTable, shapes: _Shapes) -> Shape | str | None:
    """What every member of ``first``'s class gets: the shape of its shared form, nothing
    (None: its form clones), or ``_ALONE`` (no shared form, or an unknown path)."""
    form = table.form(first, shapes.consumer)
    if form is None or form.path is BootPath.UNKNOWN:
        return _ALONE
    if form.path is BootPath.CLONE:
        return None
    return shapes.shared(first, form)


def _decided_alone(
    image: Image, consumer: Consumer, verdict: Verdict, shapes: _Shapes
) -> Iterator[Outcome]:
    """The result of an image whose verdict is not its class's (or is unknown)."""
    if verdict.path is BootPath.CLONE:
        return
    if verdict.path is BootPath.UNKNOWN:
        yield cow_not_eligible.unknown(image_resource(image, consumer), "; ".join(verdict.reasons))
        return
    yield shapes.of(image, verdict).finding(image)


class _Shapes:
    """The shape of each verdict form met on one consumer, made on its first image."""

    def __init__(self, table: VerdictTable, consumer: Consumer, store: Store | None) -> None:
        self.table, self.consumer, self.store = table, consumer, store
        # NOTE: keyed by the form's id, the form kept alive beside its shape
        self.made: dict[int, tuple[Form, Shape]] = {}

    def shared(self, image: Image, form: Form) -> Shape:
        """The shape of ``form``, the form ``image`` shares with its class."""
        found = self.made.get(id(form))
        if found is not None:
            return found[1]
        return self.of(image, self.table.of(image, self.consumer))

    def of(self, image: Image, verdict: Verdict) -> Shape:
        """The shape of ``verdict``'s form (``image``'s verdict on this consumer)."""
        found = self.made.get(id(verdict.form))
        if found is None:
            shape = shape_of(image, self.consumer, verdict, self.store, self.table.values)
            found = self.made[id(verdict.form)] = (verdict.form, shape)
        return found[1]
