"""parse_location over the real URL shapes, garbage, and credential removal."""

from __future__ import annotations

import copy
import json
import pickle
import sys
from dataclasses import fields

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from imageyard.model.codec import dumps
from imageyard.model.fastread import decode_records
from imageyard.model.image import Image
from imageyard.model.location import (
    CinderLocation,
    FileLocation,
    HttpLocation,
    Location,
    RbdLocation,
    S3Location,
    SwiftLocation,
    UnknownLocation,
    UnparsableLocation,
    _parse,
    _rbd_location,
    parse_location,
    strip_credentials,
)

FSID = "5f2a3c1e-8d9b-4e7a-9c61-0b1d2e3f4a5b"
IMG = "8a2d0c3e-1f4b-4c5d-9e6f-7a8b9c0d1e2f"
VARIANTS = (
    RbdLocation,
    FileLocation,
    SwiftLocation,
    S3Location,
    HttpLocation,
    CinderLocation,
    UnknownLocation,
    UnparsableLocation,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"file:///tmp/glancelab/data/fast/{IMG}", FileLocation(f"/tmp/glancelab/data/fast/{IMG}")),
        (
            f"rbd://{FSID}/images/{IMG}/snap",
            RbdLocation(FSID, "images", IMG, "snap", cloneable_form=True),
        ),
        (f"rbd://{IMG}", RbdLocation("", "", IMG, "", legacy=True)),
        (
            "rbd://f%2Fs/my%20pool/im%40g/sn%2Fap",
            RbdLocation("f/s", "my pool", "im@g", "sn/ap", cloneable_form=True),
        ),
        (f"rbd://{FSID}//{IMG}/snap", RbdLocation(FSID, "", IMG, "snap")),
        (f"rbd://{FSID}/images/{IMG}/", RbdLocation(FSID, "images", IMG, "")),
        (f"RBD://{FSID}/images/{IMG}/snap", RbdLocation(FSID, "images", IMG, "snap")),
        (
            f"s3://127.0.0.1:7480/glance-lab-s3/{IMG}",
            S3Location("s3", "127.0.0.1:7480", "glance-lab-s3", IMG),
        ),
        (
            f"s3+https://AKIA:wJal/rX+Ut@s3.example.com/bucket/{IMG}",
            S3Location("s3+https", "s3.example.com", "bucket", IMG),
        ),
        (
            f"swift+config://ref1/glance-lab-swift/{IMG}",
            SwiftLocation("swift+config", "ref1", "glance-lab-swift", IMG),
        ),
        (
            f"swift+https://tenant%3Auser:key@keystone.example:5000/v3/glance/{IMG}",
            SwiftLocation("swift+https", "keystone.example:5000/v3", "glance", IMG),
        ),
        (
            "https://mirror.example/images/cirros.img",
            HttpLocation("https://mirror.example/images/cirros.img"),
        ),
        ("http://u:p@mirror.example/c.img", HttpLocation("http://mirror.example/c.img")),
        (f"cinder://{IMG}", CinderLocation(IMG)),
        (f"cinder://ssd/{IMG}", CinderLocation(IMG, store="ssd")),
        (
            "vsphere://vc.example/folder/f?dcPath=dc&dsName=ds",
            UnknownLocation("vsphere", "vsphere://vc.example/folder/f?dcPath=dc&dsName=ds"),
        ),
    ],
)
def test_real_url_shapes(url: str, expected: object) -> None:
    assert parse_location(url) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("just-an-id", "no scheme"),
        ("://x", "no scheme"),
        ("rbd://", "without an image"),
        (f"rbd://{FSID}/images/{IMG}", "1 or 4 parts, found 3"),
        (f"rbd://{FSID}/images/{IMG}/snap/extra", "1 or 4 parts, found 5"),
        ("file://", "without a path"),
        ("s3://host/bucket", "s3://<host>/<bucket>/<object>"),
        ("swift+config://ref1//obj", "swift+config://<auth>/<container>/<object>"),
        ("http:///path", "without a host"),
        ("cinder://a/b/c", "cinder://<volume id>"),
        ("1bad scheme://x", "invalid scheme"),
    ],
)
def test_garbage_is_unparsable_with_a_reason(url: str, reason: str) -> None:
    parsed = parse_location(url)
    assert isinstance(parsed, UnparsableLocation)
    assert reason in parsed.reason


def test_swift_config_auth_ref() -> None:
    parsed = parse_location(f"swift+config://ref1/c/{IMG}")
    assert isinstance(parsed, SwiftLocation)
    assert parsed.auth_ref == "ref1"
    other = parse_location(f"swift://auth.example/v1/c/{IMG}")
    assert isinstance(other, SwiftLocation)
    assert other.auth_ref is None


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(url: str) -> None:
    assert isinstance(parse_location(url), VARIANTS)
    loc = Location.from_url(url)
    assert loc.url == strip_credentials(url)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_strip_credentials_is_idempotent(url: str) -> None:
    once = strip_credentials(url)
    assert strip_credentials(once) == once


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=1, max_size=12))
def test_schemeless_strings_are_kept(text: str) -> None:
    assert strip_credentials(text) == text


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._", min_size=1, max_size=10)
SECRET = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=:%!", min_size=4, max_size=20)
SCHEMES = st.sampled_from(
    ["s3", "s3+http", "s3+https", "swift", "swift+http", "swift+https", "S3", "Swift+HTTPS"]
)


@settings(max_examples=200, deadline=None)
@given(SCHEMES, SECRET, st.lists(WORD, min_size=1, max_size=4), st.sampled_from(["://", ":/", ":"]))
def test_credentials_never_survive(scheme: str, secret: str, parts: list[str], sep: str) -> None:
    marker = f"KEY{secret}"
    url = f"{scheme}{sep}ACCESS{marker}@{'/'.join(parts)}"
    loc = Location.from_url(url, store="s")
    image = Image(id="i", locations=(loc,), direct_url=url)
    text = dumps(image) + repr(image)
    assert marker not in text
    assert "ACCESS" not in text


URL_PART = st.sampled_from(["s3", "swift", "rbd", "file", "http", "a", "b", "u:k@", "@", ""])


@settings(max_examples=200, deadline=None)
@given(st.lists(URL_PART, max_size=6), st.lists(st.lists(URL_PART, max_size=6), max_size=3))
def test_the_direct_url_is_stripped_and_shares_its_locations_string(
    direct: list[str], others: list[list[str]]
) -> None:
    url = "".join(direct[:1]) + "://" + "/".join(direct[1:])
    urls = ["".join(p[:1]) + "://" + "/".join(p[1:]) for p in others] + [url]
    locations = tuple(Location.from_url(u, store="s") for u in urls[-2:])
    image = Image(id="i", locations=locations, direct_url="".join([url[:1], url[1:]]))
    assert image.direct_url == strip_credentials(url)
    same = [loc.url for loc in locations if loc.url == image.direct_url]
    assert image.direct_url is same[0]


@pytest.mark.parametrize(
    "url",
    [
        "s3://AKIAEXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY@s3.example.com/b/o",
        "swift://tenant:user:s3cr3t@auth.example/v3/c/o",
        "swift+https://user:p%40ss@auth.example/v3/c/o",
    ],
)
def test_constructors_strip_credentials(url: str) -> None:
    direct = Location(url=url, store=None)
    assert "@" not in direct.url
    assert "@" not in repr(direct.parsed)
    assert "@" not in UnparsableLocation(raw=url, reason="test").raw
    assert "@" not in HttpLocation(url=url).url
    assert "@" not in UnknownLocation(scheme="x", raw=url).raw
    assert "@" not in S3Location("s3", "ak:sk@host", "b", "o").host
    assert "@" not in SwiftLocation("swift", "u:k@auth", "c", "o").auth
    assert "@" not in str(Image(id="i", direct_url=url).direct_url)


# What the general parser and the shortcut for common rbd URLs both read: parts that may be
# empty, percent-encoded, hold userinfo or an "@", a scheme in any case, and legacy forms.
PART = st.one_of(
    st.sampled_from([FSID, "images", IMG, "snap", "a%20b", "%2F", "%zz", "", "u:p@h", "x@"]),
    st.text(alphabet="abcXYZ019-_.:% é", min_size=1, max_size=8),
    st.text(alphabet="abc%@:/ ", max_size=6),
)
PARTS = st.one_of(st.lists(PART, min_size=4, max_size=4), st.lists(PART, max_size=6))
RBD_HEAD = st.sampled_from(["rbd://", "rbd://", "RBD://", "Rbd://", "rbd:/", "rbd:", " rbd://"])


@settings(max_examples=500, deadline=None)
@given(RBD_HEAD, PARTS)
@example("rbd://", ["u:p@h", "images", IMG, "snap"])
@example("rbd://", [FSID, "images", "a@b", "snap"])
@example("rbd://", [FSID, "images", "a%20b", "snap"])
@example("rbd://", [FSID, "", IMG, "snap"])
@example("rbd://", [IMG])
@example("RBD://", [FSID, "images", IMG, "snap"])
def test_shortcut_gives_the_general_parse(head: str, parts: list[str]) -> None:
    url = head + "/".join(parts)
    assert parse_location(url) == _parse(url)
    assert type(parse_location(url)) is type(_parse(url))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.builds(lambda h, p: h + "/".join(p), RBD_HEAD, PARTS)))
def test_only_an_rbd_scheme_parses_to_an_rbd_location(url: str) -> None:
    loc = Location.from_url(url)
    if isinstance(loc.parsed, RbdLocation):
        assert loc.rbd_scheme
    assert loc.rbd_scheme == loc.url.lower().startswith("rbd://")


def test_parsed_is_read_once_and_kept() -> None:
    loc = Location.from_url(f"rbd://{FSID}/images/{IMG}/snap")
    first = loc.parsed
    assert first == RbdLocation(FSID, "images", IMG, "snap", cloneable_form=True)
    assert loc.parsed is first
    assert loc == Location.from_url(f"rbd://{FSID}/images/{IMG}/snap")  # not a field


def test_a_location_keeps_its_parse_in_a_slot_and_knows_no_other_attribute() -> None:
    loc = Location.from_url(f"rbd://{FSID}/images/{IMG}/snap", "ceph")
    assert not hasattr(loc, "__dict__")
    with pytest.raises(AttributeError, match="no attribute 'parsd'"):
        loc.parsd  # type: ignore[attr-defined]  # noqa: B018
    parsed = loc.parsed
    assert copy.copy(loc).parsed == parsed and pickle.loads(pickle.dumps(loc)) == loc
    assert hash(loc) == hash(Location.from_url(loc.url, "ceph"))
    assert loc.store is sys.intern("ceph")


@settings(max_examples=300, deadline=None)
@given(st.lists(PART, min_size=4, max_size=4), st.booleans())
def test_an_rbd_location_built_through_its_slots_equals_the_dataclass_built_one(
    parts: list[str], cloneable: bool
) -> None:
    built = _rbd_location(list(parts), cloneable=cloneable)
    plain = RbdLocation(*parts, legacy=False, cloneable_form=cloneable)
    assert type(built) is RbdLocation
    assert built == plain and hash(built) == hash(plain) and repr(built) == repr(plain)
    assert [getattr(built, f.name) for f in fields(RbdLocation)] == [
        getattr(plain, f.name) for f in fields(RbdLocation)
    ]


@pytest.mark.parametrize(
    ("url", "rbd"),
    [
        (f"rbd://{FSID}/images/{IMG}/snap", True),
        (f"RbD://{FSID}/images/{IMG}/snap", True),
        ("rbd://u:p@host/x", True),
        ("RBD://x", True),
        ("rbd:/x", False),
        ("Rbd:/x", False),
        ("r", False),
        ("", False),
        ("s3://ak:sk@host/b/o", False),
        (" rbd://x", False),
    ],
)
def test_rbd_scheme_is_set_when_a_location_is_built_however_it_is_built(
    url: str, rbd: bool
) -> None:
    direct = Location.from_url(url, "ceph")
    (decoded,) = decode_records(Location, json.dumps([{"url": url, "store": "ceph"}]).encode())
    for loc in (direct, decoded, copy.copy(direct), pickle.loads(pickle.dumps(direct))):
        assert loc.rbd_scheme is rbd
        assert loc == direct
