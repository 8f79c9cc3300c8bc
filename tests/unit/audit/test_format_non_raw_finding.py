"""A non-raw-in-rbd finding, written when read, equals the plain finding it stands for.

``non-raw-in-rbd`` reports a ``NonRawFinding`` per image: it keeps its image and the shape
of its disk_format and rbd stores, and writes its texts each time they are read. On random
catalogs (disk formats, sizes, rbd and file stores, rbd locations outside any store) each
must read exactly as the plain Finding the rule's message, evidence, fix and cause describe,
and compare, hash, sort, copy, pickle and mute like it.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import pickle
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cow_fixture_builder import collected, rbd_url
from test_cow_verdict import STORES

from imageyard.audit.cow.trace import gib
from imageyard.audit.mute import Mute, apply_mutes
from imageyard.audit.rule import AuditContext
from imageyard.audit.rules.cow_shape import convert_fix, label
from imageyard.audit.rules.format_images import non_raw_in_rbd
from imageyard.audit.rules.non_raw_finding import NonRawFinding
from imageyard.model.finding import Evidence, Finding, Resource, Status
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location
from imageyard.report.groups import finding_key

_SIZES = st.sampled_from((None, 0, 5 << 20, 3 << 30))
_STORES = st.lists(st.sampled_from(("ceph", "edge", "local")), max_size=2)


@st.composite
def catalogs(draw: st.DrawFn) -> Inventory:
    """Up to 12 images of every disk format, in rbd and file stores or none, some with an
    rbd location outside any store."""
    catalog = []
    for index in range(draw(st.integers(1, 12))):
        image_id = f"{index:08d}-0000-4000-8000-000000000000"
        located = draw(st.booleans())
        catalog.append(
            Image(
                id=image_id,
                name=draw(st.sampled_from((None, f"img-{index}"))),
                disk_format=draw(st.sampled_from(("qcow2", "vmdk", "raw", "iso", None))),
                size=draw(_SIZES),
                virtual_size=draw(_SIZES),
                stores=tuple(draw(_STORES)),
                locations=(Location.from_url(rbd_url(image_id)),) if located else (),
            )
        )
    return replace(collected(*catalog), stores=STORES)


def _plain(image: Image, stores: tuple[str, ...]) -> Finding:
    """The finding the rule describes for ``image`` (``stores``: its rbd stores)."""
    where = ", ".join(stores) or "rbd"
    text, action = convert_fix(image, stores[0] if stores else "<rbd store>")
    return non_raw_in_rbd.finding(
        Resource("image", image.id),
        f"image {label(image)} is {image.disk_format} in rbd store(s) {where}: never "
        f"cloned; the first boot on each rbd host downloads {gib(image.size)}, converts it "
        f"and imports {gib(image.virtual_size or image.size)} of raw data",
        Evidence.fact(f"image {image.id}: disk_format = {image.disk_format}"),
        Evidence.fact(f"image {image.id}: stores = {', '.join(image.stores)}"),
        action=action,
        remediation=text,
        cause=f"{image.disk_format} image in rbd store(s) {where}: never cloned; the first "
        "boot on each rbd host downloads, converts and imports it",
    )


def _expected(inv: Inventory) -> dict[str, Finding]:
    found = {}
    for image in inv.images:
        if image.disk_format in (None, "raw", "iso"):
            continue
        stores = tuple(s for s in image.stores if s in ("ceph", "edge"))
        if stores or image.locations:
            found[image.id] = _plain(image, stores)
    return found


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_non_raw_findings_read_as_plain_findings(inv: Inventory) -> None:
    made = list(non_raw_in_rbd(inv, AuditContext()))
    expected = _expected(inv)
    assert [f.resource.id for f in made] == list(expected)
    for finding in made:
        plain = expected[finding.resource.id]
        assert isinstance(finding, NonRawFinding)
        fields = [f.name for f in dataclasses.fields(Finding)]
        assert [getattr(finding, n) for n in fields] == [getattr(plain, n) for n in fields]
        assert finding == plain and plain == finding and hash(finding) == hash(plain)
        assert finding.sort_key == plain.sort_key and finding.sort_text == plain.sort_text
        assert copy.deepcopy(finding) == plain and pickle.loads(pickle.dumps(finding)) == plain
        assert type(replace(finding, cause="x")) is Finding
    shared: dict[int, set[object]] = {}  # findings of one shared part share a group key
    for finding in made:
        shared.setdefault(id(finding.shared_by), set()).add(finding_key(finding))
    assert all(len(keys) == 1 for keys in shared.values())


def test_a_non_raw_finding_mutes_like_a_plain_one() -> None:
    image = Image(id="i-1", disk_format="qcow2", size=1 << 30, stores=("ceph",))
    (finding,) = non_raw_in_rbd(replace(collected(image), stores=STORES), AuditContext())
    entry = Mute("non-raw-in-rbd", "image i-*", "known", datetime.date(2030, 1, 1), "m:1")
    (after,) = apply_mutes((finding,), (entry,), datetime.date(2026, 1, 1))  # type: ignore[arg-type]
    assert type(after) is Finding and after.status is Status.MUTED
    assert after.message == finding.message and after.mute is not None
