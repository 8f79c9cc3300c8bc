"""Verdicts shared by an image class equal the verdicts decided image by image.

The table decides each class once per consumer and fills each member's own values (id,
sizes, location URLs, RBD names) into the class's template; ``boot_path`` decides one image
on its own. On random inventories (statuses, formats, every location form, Ceph images and
snapshots that exist or not, caps, clone formats, gaps, visibility settings, consumers of
every kind) both must give the same verdict, field by field.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cow_fixture_builder import FSID_A, FSID_B, collected, rbd_url
from test_cow_verdict import STORES, cinder, glance, nova

from imageyard.audit.cow import BootPath, Consumer, Verdict, boot_path
from imageyard.audit.cow.classes import Classes
from imageyard.audit.cow.table import VerdictTable
from imageyard.audit.cow.trace import FIRST_LOCATION_SLOT, Reads, slot_values
from imageyard.audit.cow.verdict import sorted_locations
from imageyard.model.ceph import CephCluster, CephxCaps, Pool, RbdImage, Snapshot
from imageyard.model.config import DeploymentConfig
from imageyard.model.gap import Gap
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location
from imageyard.model.store import Store, StoreSource, StoreType

TWIN = Store("twin", StoreType.RBD, StoreSource.CONFIG, weight=10, rbd_fsid=FSID_A)
ALL_STORES = (*STORES, TWIN)
STORE_IDS = (None, "ceph", "edge", "local", "twin", "gone")
CONSUMERS = (
    nova(),
    nova(name="nova:copy", glance_store_name="ceph"),
    nova(name="nova:edge-copy", glance_store_name="edge", force_raw=False),
    nova(name="nova:never", never_download=True),
    nova(name="nova:nofsid", fsid=None),
    nova(name="nova:missing-pool", pool="nopool"),
    nova(name="nova:qcow2", rbd=False, images_type="qcow2", fsid=None, pool=None),
    cinder(),
    cinder(name="cinder:cached", image_cache=True, service_locations_api=True),
    cinder(name="cinder:b", fsid=FSID_B),
)
CAPS = (
    CephxCaps("client.nova", osd="profile rbd pool=vms, profile rbd-read-only pool=images"),
    CephxCaps("client.cinder", osd="profile rbd pool=volumes, allow r pool=images"),
)


def _names(image_id: str) -> st.SearchStrategy[tuple[str, str]]:
    """An RBD image name (mostly the image's id) and a snapshot name."""
    return st.tuples(st.sampled_from((image_id, f"{image_id}-x", "shared")), st.just("snap"))


@st.composite
def locations(draw: st.DrawFn, image_id: str) -> tuple[str, str | None]:
    """One (url, store) of any form a catalog holds, mostly a clean rbd URL."""
    name, snap = draw(_names(image_id))
    fsid = draw(st.sampled_from((FSID_A, FSID_A, FSID_A, FSID_B, "cccccccc-0000")))
    pool = draw(st.sampled_from(("images", "images", "images", "nopool", "unread")))
    clean = rbd_url(name, fsid, pool, snap)
    url = draw(
        st.sampled_from(
            (
                *(clean,) * 8,
                rbd_url(name, fsid, pool, "other"),
                f"rbd://{fsid}/{pool}/{name}%2Dq/{snap}",
                f"RBD://{fsid}/{pool}/{name}/{snap}",
                f"rbd://{fsid}/{pool}/{name}",
                f"rbd://{name}",
                f"rbd://{fsid}//{name}/{snap}",
                f"file:///srv/glance/local/{image_id}",
                f"swift+https://swift.example/v1/AUTH_x/glance/{image_id}",
                "cinder://volume-1",
                "nonsense",
            )
        )
    )
    return url, draw(st.sampled_from(("ceph", "ceph", *STORE_IDS)))


@st.composite
def images(draw: st.DrawFn, index: int) -> Image:
    """An image with random status, format, sizes, locations, stores and direct_url."""
    image_id = f"{index:08d}-0000-4000-8000-{draw(st.sampled_from(('a', 'b'))) * 12}"
    locs = draw(st.lists(locations(image_id), max_size=3))
    stores = tuple(dict.fromkeys(s for _, s in locs if s)) + draw(
        st.sampled_from(((), ("ceph",), ("s3",)))
    )
    direct = draw(st.sampled_from((None, "", "first", rbd_url(image_id), "file:///x")))
    if direct == "first":
        direct = locs[0][0] if locs else None
    size = draw(st.sampled_from((None, 0, 5 << 20, 3 << 30))) or draw(st.integers(0, 1 << 36))
    return Image(
        id=image_id,
        name=draw(st.sampled_from((None, "n"))),
        status=draw(st.sampled_from(("active",) * 6 + ("queued", "deactivated"))),
        disk_format=draw(st.sampled_from(("raw",) * 4 + ("qcow2", "iso", None))),
        size=draw(st.sampled_from((None, size))),
        virtual_size=draw(st.sampled_from((None, size, size * 2 + 1))),
        stores=tuple(dict.fromkeys(stores)),
        locations=tuple(Location.from_url(url, store) for url, store in locs),
        direct_url=direct,
    )


def _rbd_images(catalog: list[Image], draw: st.DrawFn) -> tuple[RbdImage, ...]:
    names = {n for i in catalog for n in (i.id, f"{i.id}-x", f"{i.id}-q", "shared")}
    found = []
    for name in sorted(names):
        kept = draw(
            st.sampled_from(("none", "bare", "protected", "protected", "unprotected", "other"))
        )
        if kept == "none":
            continue
        snaps = () if kept == "bare" else (Snapshot("snap", 1, 1, protected=kept != "unprotected"),)
        if kept == "other":
            snaps = (Snapshot("other", 2, 1, protected=True),)
        found.append(RbdImage(pool="images", name=name, id=name[:8], size=1, snapshots=snaps))
    return tuple(found)


def _cluster(fsid: str, catalog: list[Image], draw: st.DrawFn) -> CephCluster:
    pools = (Pool("images", images=_rbd_images(catalog, draw)), Pool("vms"), Pool("volumes"))
    pools += draw(st.sampled_from(((), (Pool("unread", complete=False),))))
    return CephCluster(
        fsid=fsid,
        pools=pools,
        pool_names=draw(st.sampled_from((None, tuple(p.name for p in pools)))),
        require_min_compat_client=draw(st.sampled_from((None, "luminous", "mimic", "future"))),
        cephx=draw(st.sampled_from(((), CAPS))),
    )


@st.composite
def inventories(draw: st.DrawFn) -> Inventory:
    """A catalog of up to 14 images with Ceph, stores, gaps and a glance-api.conf."""
    count = draw(st.integers(1, 14))
    catalog = [draw(images(index)) for index in range(count)]
    gaps = [Gap("glance", f"image {i.id} locations", "403") for i in catalog[:2]]
    gaps = draw(st.sampled_from(([], gaps, [Gap("glance", "image locations", "timeout")])))
    clusters = (_cluster(FSID_A, catalog, draw), _cluster(FSID_B, catalog, draw))
    base = collected(*catalog, clusters=clusters)
    g = glance(multiple=draw(st.booleans()), direct=draw(st.booleans()))
    methods = draw(st.sampled_from((base.import_methods, ("glance-direct",), ())))
    return replace(
        base,
        config=DeploymentConfig(glance_api=g),
        stores=ALL_STORES,
        gaps=tuple(gaps),
        import_methods=methods,
    )


def _table(inv: Inventory, consumers: tuple[Consumer, ...] = CONSUMERS) -> VerdictTable:
    return VerdictTable(inv, consumers)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories())
def test_class_verdicts_equal_image_by_image_verdicts(inv: Inventory) -> None:
    table = _table(inv)
    for consumer in CONSUMERS:
        for image in inv.images:
            shared = table.of(image, consumer)
            alone = boot_path(image, consumer, inv)
            assert shared == alone
            assert repr(shared) == repr(alone)
            assert table.path(image, consumer) is alone.path


def _member(index: int, size: int) -> Image:
    image_id = f"{index:08d}-0000-4000-8000-000000000000"
    return Image(
        id=image_id,
        disk_format="qcow2",
        size=size,
        virtual_size=size * 4,
        stores=("ceph",),
        locations=(Location.from_url(rbd_url(image_id), "ceph"),),
    )


def test_one_class_is_decided_once_per_consumer_and_filled_per_image() -> None:
    catalog = [_member(i, (i + 1) << 30) for i in range(50)]
    inv = replace(
        collected(*catalog), config=DeploymentConfig(glance_api=glance()), stores=ALL_STORES
    )
    table = _table(inv, (nova(), cinder()))
    decided = [table.of(i, c) for c in table.consumers for i in catalog]
    assert table._classes.forms == 2  # one class, two consumers
    assert {v.path for v in decided} == {BootPath.DOWNLOAD_CONVERT}
    assert decided == [boot_path(i, c, inv) for c in table.consumers for i in catalog]
    assert len({v.reasons for v in decided}) == len(decided)  # each names its own image


def test_a_verdict_is_immutable_and_equal_by_value() -> None:
    image = _member(1, 1 << 30)
    inv = replace(collected(image), config=DeploymentConfig(glance_api=glance()))
    verdict = _table(inv).of(image, nova())
    assert isinstance(verdict, Verdict) and hash(verdict) == hash(boot_path(image, nova(), inv))
    try:
        verdict.image_id = "other"  # type: ignore[misc]
    except AttributeError:
        pass
    else:
        raise AssertionError("a verdict was changed")


def _one_at_a_time(classes: Classes, images: list[Image]) -> tuple[list[int], dict[int, Image]]:
    """What ``numbered`` gives, image by image through ``_number``."""
    numbers = [classes._number(image) for image in images]
    firsts: dict[int, Image] = {}
    for image, number in zip(images, numbers, strict=True):
        firsts.setdefault(number, image)
    return numbers, firsts


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories(), st.data())
def test_numbered_gives_each_image_the_number_numbering_one_at_a_time_gives(
    inv: Inventory, data: st.DataObject
) -> None:
    # in any order, with an image met again or another image of its id, and after some
    # were numbered one by one
    twin = replace(inv.images[0], disk_format="vmdk", status="queued")
    pool = st.sampled_from((*inv.images, twin))
    images = data.draw(st.lists(pool, max_size=20)) + list(inv.images)
    before = data.draw(st.lists(pool, max_size=3))
    quick, plain = Classes(inv), Classes(inv)
    for image in before:
        assert quick._number(image) == plain._number(image)
    numbered = quick.numbered(images)
    numbers, firsts = _one_at_a_time(plain, images)
    assert numbered.images == tuple(images)
    assert numbered.numbers == numbers
    assert list(numbered.firsts.items()) == list(firsts.items())
    assert quick._members == plain._members and quick._numbers == plain._numbers
    assert all(numbered.firsts[n] is firsts[n] for n in firsts)


@pytest.mark.parametrize(
    ("field", "value"),
    [("disk_format", "qcow2\x00x"), ("status", "queued\x00x"), ("disk_format", "\x000\x00")],
)
def test_a_value_holding_a_nul_character_is_decided_image_by_image(field: str, value: str) -> None:
    # a NUL character is how a template brackets its slots: a class whose texts already hold
    # one (from an image's value) gets no template, and its members equal boot_path's verdicts
    catalog = [replace(_member(i, (i + 1) << 30), **{field: value}) for i in range(3)]
    inv = replace(
        collected(*catalog), config=DeploymentConfig(glance_api=glance()), stores=ALL_STORES
    )
    table = _table(inv, (nova(), cinder()))
    for consumer in table.consumers:
        assert table._classes.form(catalog[0], consumer) is None
        for image in catalog:
            alone = boot_path(image, consumer, inv)
            assert value in "".join(alone.reasons)
            assert table.of(image, consumer) == alone
            assert repr(table.of(image, consumer)) == repr(alone)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories(), st.lists(st.integers(0, 20), max_size=4))
def test_the_slot_values_a_reader_reads_are_the_image_s_own(
    inv: Inventory, numbers: list[int]
) -> None:
    reads = Reads.of(numbers)
    assert reads is Reads.of(list(reversed(numbers)))  # NOTE: one object per answer
    for image in inv.images:
        ordered = sorted_locations(image, inv)
        every = slot_values(image, ordered)
        read = slot_values(image, ordered, reads)
        assert len(read) == len(every)
        for n, (value, own) in enumerate(zip(read, every, strict=True)):
            rbd_name = n >= FIRST_LOCATION_SLOT and (n - FIRST_LOCATION_SLOT) % 3 > 0
            kept = (n in (1, 2) and reads.sizes) or (rbd_name and reads.names)
            assert value == (own if kept or n == 0 or not (n in (1, 2) or rbd_name) else "")
        if numbers:
            assert all(read[n] == every[n] for n in numbers if n < len(every))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories(), st.lists(st.integers(0, 20), max_size=4))
def test_the_values_of_a_class_member_are_its_slot_values_read_as_asked(
    inv: Inventory, numbers: list[int]
) -> None:
    table = _table(inv)
    for reads in (None, Reads.of(numbers), Reads(sizes=False, names=False)):
        for image in inv.images:
            expected = slot_values(image, sorted_locations(image, inv), reads)
            assert table.values(image, reads) == expected
