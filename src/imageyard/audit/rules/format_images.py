"""Per-image format rules: non-raw data in RBD, mislabelled raw images, backing files, policy.

Concepts: only raw images are cloned from RBD, so a qcow2 (vmdk, vhd ...) image held in an
rbd store is downloaded, converted and imported as a full copy on every first boot on each
rbd host. Glance accepts a qcow2 upload labelled ``raw`` with only a warning, and the
copy-on-write path never inspects data, so such an image is cloned and the guest sees qcow2
bytes as its disk. The Ceph collector reads each Glance-pool image's first bytes
(``RbdImage.detected_format``); the label and backing-file rules judge that, and are
unknown where the header was not read (the rbd CLI client never reads it). Images held only
outside Ceph are downloaded, and the consumer's own format inspection checks them then, so
they are not judged here. ``disk-format-not-allowed`` compares each image's ``disk_format``
with ``[image_format] disk_formats`` when that option is set.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, replace

from imageyard.audit.rule import AuditContext, Counts, rule
from imageyard.audit.rules._common import cite, file_unknown
from imageyard.audit.rules.cow_eligibility import (
    GLANCE_SOURCE,
    convert_fix,
    images_missing,
    label,
)
from imageyard.audit.rules.non_raw_finding import NonRawFinding, NonRawShape
from imageyard.audit.rules.unread_header import UnreadParts
from imageyard.model.ceph import DetectedFormat, Pool
from imageyard.model.config import as_list
from imageyard.model.finding import Evidence, Finding, Outcome, Resource
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import RbdLocation
from imageyard.model.store import StoreType

NOT_CLONED_FORMATS = ("raw", "iso")
CONTAINER_FORMATS = ("qcow2", "vmdk", "vhdx", "vhd", "vdi")


def image_res(image: Image) -> Resource:
    """``image <id>``."""
    return Resource("image", image.id)


def rbd_locations(image: Image) -> tuple[RbdLocation, ...]:
    """The image's 4-part rbd locations (from ``locations``, else ``direct_url``)."""
    parsed = [loc.parsed for loc in image.locations if loc.rbd_scheme]
    return tuple(p for p in parsed if isinstance(p, RbdLocation) and not p.legacy)


def rbd_store_ids(image: Image, inv: Inventory) -> tuple[str, ...]:
    """The image's stores that are rbd stores."""
    return tuple(
        s for s in image.stores if (st := inv.store(s)) is not None and st.type is StoreType.RBD
    )


def _non_raw(inv: Inventory) -> Iterator[tuple[Image, tuple[str, ...]]]:
    """Each image neither raw nor iso that is in an rbd store, with its rbd stores."""
    # NOTE: images share a few store lists (one tuple each when read from a snapshot)
    rbd_of: dict[tuple[str, ...], tuple[str, ...]] = {}
    for image in inv.images:
        if image.disk_format in NOT_CLONED_FORMATS or image.disk_format is None:
            continue
        stores = rbd_of.get(image.stores)
        if stores is None:
            stores = rbd_of[image.stores] = rbd_store_ids(image, inv)
        if stores or rbd_locations(image):
            yield image, stores


def _count_non_raw(inv: Inventory, ctx: AuditContext) -> Counts:
    """``non-raw-in-rbd``'s findings and unknowns, counted without making them."""
    if images_missing(inv) is not None:
        return 0, 1
    return sum(1 for _ in _non_raw(inv)), 0


@rule(
    id="non-raw-in-rbd",
    title="Non-raw image stored in an rbd store",
    severity="high",
    confidence="high",
    category="images",
    remediation="Convert the image to raw (qemu-img convert -f qcow2 -O raw) and upload the "
    "raw file, or import it with the image_conversion plugin enabled.",
    links=("nova nova/virt/libvirt/imagebackend.py", "ceph doc/rbd/rbd-openstack.rst"),
    count=_count_non_raw,
)
def non_raw_in_rbd(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """A qcow2 (vmdk, vhd ...) image in an rbd store is never cloned copy-on-write.

    Every first boot on each rbd host downloads it, converts it to raw and imports a full
    copy; every volume created from it does the same.
    """
    why = images_missing(inv)
    if why is not None:
        yield non_raw_in_rbd.unknown(Resource("source", GLANCE_SOURCE), why)
        return
    # NOTE: each finding written when read (``non_raw_finding``), from one shape per
    # disk_format and rbd stores
    shapes: dict[tuple[str, tuple[str, ...]], NonRawShape] = {}
    for image, stores in _non_raw(inv):
        fmt = image.disk_format or ""  # NOTE: never None here (``_non_raw``)
        shape = shapes.get((fmt, stores))
        if shape is None:
            shape = shapes[fmt, stores] = NonRawShape.of(non_raw_in_rbd.meta, fmt, stores)
        yield NonRawFinding.made(shape, image)


def _with_fix(finding: Finding, text: str) -> Finding:
    return replace(finding, remediation=text)


# ------------------------------------------------------------------ detected formats


def _pool(inv: Inventory, loc: RbdLocation) -> Pool | None:
    cluster = inv.ceph_cluster(loc.fsid)
    return cluster.pool(loc.pool) if cluster is not None else None


Unread = tuple[str, str]  # why a header is unknown: the reason, and its cause


@dataclass(frozen=True, slots=True)
class Header:
    """What the header of one rbd location's data says: its detected format, or (None)
    why that is unknown: its pool was not read (``pool_read`` False), or the header."""

    loc: RbdLocation
    found: DetectedFormat | None
    pool_read: bool = True

    @property
    def read(self) -> bool:
        """True when the format is known (``unread`` is None)."""
        return self.pool_read and self.found is not None

    @property
    def unread(self) -> Unread | None:
        """Why the format is unknown (the reason, and its cause), or None: it was read."""
        if self.read:
            return None
        return self.unread_reason, self.unread_cause

    @property
    def unread_reason(self) -> str:
        """Why the format is unknown (of a header that was not read)."""
        loc = self.loc
        if not self.pool_read:
            return _pool_unread(loc.fsid, loc.pool)[0]
        return f"the header of {loc.pool}/{loc.image} was not read"

    @property
    def unread_cause(self) -> str:
        """What every unread header of its pool shares (of a header that was not read)."""
        loc = self.loc
        if not self.pool_read:
            return _pool_unread(loc.fsid, loc.pool)[1]
        return _header_unread(loc.pool)


# NOTE: the texts that every unread header of one pool shares, one string each (a catalog
# whose pool was not read has an unknown per image holding them)
@functools.lru_cache(maxsize=256)
def _pool_unread(fsid: str, pool: str) -> Unread:
    why = f"Ceph pool {pool} of cluster {fsid} was not read"
    return why, why


@functools.lru_cache(maxsize=256)
def _header_unread(pool: str) -> str:
    return f"the header of the image's rbd data in pool {pool} was not read"


def _detected(inv: Inventory, image: Image) -> Iterator[Header]:
    """Per rbd location its header (skipped: locations whose RBD image is missing)."""
    for loc in rbd_locations(image):
        header = _header(inv, loc)
        if header is not None:
            yield header


def _header(inv: Inventory, loc: RbdLocation) -> Header | None:
    return _pool_header(_pool(inv, loc), loc)


def _pool_header(pool: Pool | None, loc: RbdLocation) -> Header | None:
    """``loc``'s header in ``pool`` (the pool it names, None when not read)."""
    if pool is None or not pool.complete:
        return _made(loc, None, False)
    rbd_image = pool.image(loc.image)
    if rbd_image is None:
        return None  # data missing: the cow rule reports it
    return _made(loc, rbd_image.detected_format, True)


def _made(loc: RbdLocation, found: DetectedFormat | None, pool_read: bool) -> Header:
    """``Header(loc, found, pool_read)``, built through its slots' own setters."""
    # NOTE: once per image with rbd data, where the frozen dataclass's __init__
    # (object.__setattr__ per field) costs twice as much (a test compares both)
    header = _new(Header)
    _SET_LOC(header, loc)
    _SET_FOUND(header, found)
    _SET_POOL_READ(header, pool_read)
    return header


_new = object.__new__
_SET_LOC = Header.__dict__["loc"].__set__
_SET_FOUND = Header.__dict__["found"].__set__
_SET_POOL_READ = Header.__dict__["pool_read"].__set__


def first_headers(inv: Inventory) -> tuple[tuple[Image, Header], ...]:
    """Each image's first header (the first of ``_detected``), in catalog order, for the
    images that have one: the one reading of every image's rbd locations that the label
    and backing-file rules share (made on first use, kept with the inventory; the texts
    of an unknown are written when read)."""
    return inv.derived("format.first-headers", lambda: tuple(_firsts(inv)))


def _firsts(inv: Inventory) -> Iterator[tuple[Image, Header]]:
    # NOTE: a catalog's locations name a few pools: each looked up once
    pools: dict[tuple[str, str], Pool | None] = {}
    for image in inv.images:
        for loc in image.locations:  # NOTE: rbd_locations and _detected, in one loop
            parsed = loc.parsed if loc.rbd_scheme else None
            if not isinstance(parsed, RbdLocation) or parsed.legacy:
                continue
            at = (parsed.fsid, parsed.pool)
            if at not in pools:  # NOTE: a pool may be None (not read): looked up once too
                pools[at] = _pool(inv, parsed)
            header = _pool_header(pools[at], parsed)
            if header is not None:
                yield image, header
                break


def mislabelled(inv: Inventory, image: Image) -> tuple[RbdLocation, DetectedFormat] | None:
    """Where an image labelled raw holds container data (qcow2, vmdk ...) and its header
    (the first rbd location's), or None: labelled otherwise, raw data, or not read."""
    if image.disk_format != "raw":
        return None
    for header in _detected(inv, image):
        found = header.found
        if found is not None and found.format in CONTAINER_FORMATS:
            return header.loc, found
        return None
    return None


def _raw_judged(inv: Inventory) -> Iterator[tuple[Image, Header]]:
    """Each image labelled raw whose first header is unread or a container format."""
    for image, header in first_headers(inv):  # the first rbd location's
        if image.disk_format != "raw":
            continue
        found = header.found
        if not header.read or (found is not None and found.format in CONTAINER_FORMATS):
            yield image, header


def _count_raw_label(inv: Inventory, ctx: AuditContext) -> Counts:
    """``raw-label-mismatch``'s findings and unknowns, counted without making them."""
    if images_missing(inv) is not None:
        return 0, 1
    return _split_unread(_raw_judged(inv))


def _split_unread(judged: Iterator[tuple[Image, Header]]) -> Counts:
    """How many of ``judged`` are findings (header read) and how many unknowns."""
    found = unknown = 0
    for _, header in judged:
        if header.read:
            found += 1
        else:
            unknown += 1
    return found, unknown


@rule(
    id="raw-label-mismatch",
    title="Image labelled raw whose data is another format",
    severity="high",
    confidence="high",
    category="images",
    remediation="Set the image's real disk_format, or better convert the data to raw "
    "(qemu-img convert -f qcow2 -O raw) and upload it as a new raw image; retire the "
    "mislabelled one.",
    links=("glance glance/location.py", "nova nova/storage/rbd_utils.py"),
    count=_count_raw_label,
)
def raw_label_mismatch(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """An image with disk_format raw whose RBD data starts with a qcow2/vmdk/vhd(x)/vdi header.

    Glance only warns about such uploads, and the copy-on-write clone never inspects data:
    Nova and Cinder clone it as raw and the guest sees the container format as its disk.
    """
    why = images_missing(inv)
    if why is not None:
        yield raw_label_mismatch.unknown(Resource("source", GLANCE_SOURCE), why)
        return
    unread = UnreadParts(raw_label_mismatch.id)
    for image, header in _raw_judged(inv):
        loc, found = header.loc, header.found
        if not header.read:
            yield unread.unknown(image, header)
        elif found is not None:  # mislabelled
            text, action = convert_fix(image, "<rbd store>", found.format)
            finding = raw_label_mismatch.finding(
                image_res(image),
                f"image {label(image)} is labelled raw but {loc.pool}/{loc.image} holds "
                f"{found.format} data: it is cloned as raw and the guest sees a "
                f"{found.format} container as its disk",
                Evidence.fact(f"image {image.id}: disk_format = raw"),
                _header_fact(loc, found),
                action=action,
                cause=f"labelled raw but its rbd data is {found.format}: it is cloned as raw "
                f"and the guest sees a {found.format} container as its disk",
            )
            yield _with_fix(finding, text)


def _header_fact(loc: RbdLocation, found: DetectedFormat) -> Evidence:
    at = f"@{found.snapshot}" if found.snapshot else ""
    extra = f" version {found.version}" if found.version is not None else ""
    return Evidence.fact(
        f"Ceph {loc.fsid}: header of {loc.pool}/{loc.image}{at} is {found.format}{extra}"
    )


def external_file(found: DetectedFormat) -> str | None:
    """What outside file a qcow2 header names (a backing file, an external data file), or
    None: qemu reading it would open another file."""
    if found.has_backing_file:
        return "a backing file"
    return "an external data file" if found.has_data_file else None


def _backing_judged(inv: Inventory) -> Iterator[tuple[Image, Header]]:
    """Each image whose first header is unread or names an outside file."""
    for image, header in first_headers(inv):  # the first rbd location's
        found = header.found
        if not header.read or (found is not None and external_file(found)):
            yield image, header


def _count_backing(inv: Inventory, ctx: AuditContext) -> Counts:
    """``qcow2-backing-file``'s findings and unknowns, counted without making them."""
    if images_missing(inv) is not None:
        return 0, 1
    return _split_unread(_backing_judged(inv))


@rule(
    id="qcow2-backing-file",
    title="qcow2 image data with a backing file or external data file",
    severity="high",
    confidence="high",
    category="images",
    remediation="Flatten the image (qemu-img convert -f qcow2 -O raw, which reads through the "
    "backing chain) and upload the result as a new raw image; delete the original.",
    links=("nova nova/virt/images.py", "https://bugs.launchpad.net/nova/+bug/2059809"),
    count=_count_backing,
)
def qcow2_backing_file(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """RBD image data whose qcow2 header names a backing file or an external data file.

    Nova and Glance refuse such images on download since the 2024 format-inspection fixes
    (CVE-2024-32498), so every non-clone boot fails; a copy-on-write clone of it labelled
    raw boots a broken disk.
    """
    why = images_missing(inv)
    if why is not None:
        yield qcow2_backing_file.unknown(Resource("source", GLANCE_SOURCE), why)
        return
    unread = UnreadParts(qcow2_backing_file.id)
    for image, header in _backing_judged(inv):
        loc, found = header.loc, header.found
        if not header.read:
            yield unread.unknown(image, header)
        elif found is not None and (kind := external_file(found)) is not None:
            yield qcow2_backing_file.finding(
                image_res(image),
                f"image {label(image)}: the qcow2 header of {loc.pool}/{loc.image} names "
                f"{kind}; downloads are refused by format inspection",
                _header_fact(loc, found),
                cause=f"the qcow2 header of the image's rbd data names {kind}; downloads "
                "are refused by format inspection",
            )


@rule(
    id="disk-format-not-allowed",
    title="Image disk_format not in [image_format] disk_formats",
    severity="medium",
    confidence="high",
    category="images",
    remediation="Convert the image to an allowed format and upload it again, or add its "
    "format to [image_format] disk_formats in glance-api.conf.",
    links=("glance glance/common/config.py",),
)
def disk_format_not_allowed(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """An image whose disk_format is not in glance-api.conf's [image_format] disk_formats.

    Glance refuses new images in such a format; existing ones stay and keep being served, so
    the policy and the catalogue disagree.
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(disk_format_not_allowed, inv, "glance-api")
        return
    if glance.disk_formats is None:
        return
    why = images_missing(inv)
    if why is not None:
        yield disk_format_not_allowed.unknown(Resource("source", GLANCE_SOURCE), why)
        return
    allowed = as_list(glance.disk_formats)
    for image in inv.images:
        if image.disk_format is not None and image.disk_format not in allowed:
            yield disk_format_not_allowed.finding(
                image_res(image),
                f"image {label(image)} has disk_format {image.disk_format}, not in "
                f"[image_format] disk_formats ({', '.join(allowed)})",
                *cite(glance.disk_formats),
                Evidence.fact(f"image {image.id}: disk_format = {image.disk_format}"),
                cause=f"disk_format {image.disk_format} is not in [image_format] disk_formats "
                f"({', '.join(allowed)})",
            )
