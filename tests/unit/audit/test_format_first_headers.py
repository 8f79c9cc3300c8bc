"""The label and backing-file rules read one shared header per image, as image by image.

``raw-label-mismatch`` and ``qcow2-backing-file`` judge each image's first rbd location
whose header can be judged (``first_headers``, made once per inventory). On random
catalogs (several locations of every form, pools read or not, RBD images present or not,
headers of every format read or not) their results must be exactly those of reading
each image's own locations (``_detected``) in turn.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cow_fixture_builder import FSID_A, FSID_B, collected, rbd_url

from imageyard.audit.rule import AuditContext
from imageyard.audit.rules.format_images import (
    Header,
    _detected,
    _made,
    external_file,
    first_headers,
    mislabelled,
    qcow2_backing_file,
    raw_label_mismatch,
)
from imageyard.model.ceph import CephCluster, DetectedFormat, Pool, RbdImage
from imageyard.model.finding import Finding, Unknown
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location, RbdLocation

NAMES = ("a", "b", "c", "d")
HEADERS = (
    None,
    DetectedFormat("raw", snapshot="snap"),
    DetectedFormat("qcow2", snapshot="snap", version=3),
    DetectedFormat("qcow2", version=2, has_backing_file=True),
    DetectedFormat("qcow2", snapshot="snap", version=3, has_data_file=True),
    DetectedFormat("vmdk"),
    DetectedFormat("unknown"),
)


def _url(draw: st.DrawFn, index: int) -> str:
    name = f"{index}-{draw(st.sampled_from(NAMES))}"
    fsid = draw(st.sampled_from((FSID_A, FSID_A, FSID_B, "cccccccc-0000")))
    pool = draw(st.sampled_from(("images", "images", "unread", "gone")))
    return draw(
        st.sampled_from(
            (
                *(rbd_url(name, fsid, pool),) * 4,
                f"rbd://{name}",
                f"RBD://{fsid}/{pool}/{name}/snap",
                f"rbd://{fsid}/{pool}/{name}%2D/snap",
                f"rbd://{fsid}/{pool}/{name}",
                f"file:///srv/glance/{name}",
                f"s3://host/bucket/{name}",
            )
        )
    )


@st.composite
def catalogs(draw: st.DrawFn) -> Inventory:
    """Up to 10 images of up to 3 locations and two clusters whose images' headers vary."""
    catalog = []
    for index in range(draw(st.integers(1, 10))):
        urls = draw(st.lists(st.builds(lambda: None), max_size=3))
        locations = tuple(Location.from_url(_url(draw, index)) for _ in urls)
        catalog.append(
            Image(
                id=f"{index:08d}-0000-4000-8000-000000000000",
                disk_format=draw(st.sampled_from(("raw", "raw", "qcow2", None))),
                locations=locations,
            )
        )
    clusters = tuple(_cluster(fsid, len(catalog), draw) for fsid in (FSID_A, FSID_B))
    return collected(*catalog, clusters=clusters)


def _cluster(fsid: str, count: int, draw: st.DrawFn) -> CephCluster:
    images = []
    for name in (f"{i}-{n}" for i in range(count) for n in (*NAMES, f"{NAMES[0]}-")):
        if draw(st.booleans()):
            header = draw(st.sampled_from(HEADERS))
            images.append(RbdImage("images", name, name, 1, detected_format=header))
    pools = (Pool("images", images=tuple(images)), Pool("unread", complete=False))
    return CephCluster(fsid=fsid, pools=pools)


def _one_by_one(inv: Inventory, backing: bool) -> list[tuple[str, str, str]]:
    """What the rules judge, reading each image's own locations in turn: per image the
    unknown (its reason) or the finding (the RBD image it names)."""
    judged = []
    for image in inv.images:
        if not backing and image.disk_format != "raw":
            continue
        for header in _detected(inv, image):
            loc, found, unread = header.loc, header.found, header.unread
            if unread is not None:
                judged.append((image.id, "unknown", unread[0]))
            elif found is not None and (
                external_file(found) if backing else mislabelled(inv, image)
            ):
                judged.append((image.id, "finding", f"{loc.pool}/{loc.image}"))
            break
    return judged


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_shared_headers_judge_as_image_by_image(inv: Inventory) -> None:
    for rule, backing in ((raw_label_mismatch, False), (qcow2_backing_file, True)):
        results = list(rule(inv, AuditContext()))
        expected = _one_by_one(inv, backing)
        assert len(results) == len(expected), rule.id
        for result, (image_id, kind, text) in zip(results, expected, strict=True):
            assert result.resource.id == image_id
            if kind == "unknown":
                assert isinstance(result, Unknown)
                assert result.reason == text
            else:
                assert isinstance(result, Finding)
                assert f" {text} " in result.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_first_headers_are_each_images_first(inv: Inventory) -> None:
    expected = [(i, first) for i in inv.images if (first := next(_detected(inv, i), None))]
    assert list(first_headers(inv)) == expected


@given(
    st.sampled_from([None, DetectedFormat("qcow2", version=3), DetectedFormat("raw")]),
    st.booleans(),
    st.sampled_from(["images", "volumes", "pool é"]),
)
def test_a_header_built_through_its_slots_equals_the_dataclass_built_one(
    found: DetectedFormat | None, pool_read: bool, pool: str
) -> None:
    loc = RbdLocation(FSID_A, pool, "img", "snap", cloneable_form=True)
    built, plain = _made(loc, found, pool_read), Header(loc, found, pool_read=pool_read)
    assert type(built) is Header
    assert built == plain and hash(built) == hash(plain) and repr(built) == repr(plain)
    assert (built.read, built.unread) == (plain.read, plain.unread)
