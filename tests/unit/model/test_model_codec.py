"""The reflection codec: schema check, round trips, forward compatibility, error paths."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_strategies import SNAPSHOT_CLASSES, register_all

from imageyard.errors import SnapshotError
from imageyard.model.ceph import Snapshot, SnapshotNamespace
from imageyard.model.codec import DecodeError, check_schema, decode, dumps, encode
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import (
    FileLocation,
    Location,
    RbdLocation,
    parse_location,
)
from imageyard.model.store import Store, StoreSource, StoreType

register_all()


def test_schema_uses_only_supported_types() -> None:
    classes = check_schema(Inventory)
    assert classes[0] is Inventory
    assert {Image, Location, Store, Snapshot} <= set(classes)
    assert RbdLocation not in classes  # derived from the URL, not stored


def test_schema_check_refuses_lists_and_mutable_classes() -> None:
    @dataclasses.dataclass(frozen=True)
    class WithList:
        items: list[str]

    @dataclasses.dataclass
    class Mutable:
        name: str

    @dataclasses.dataclass(frozen=True)
    class WithAny:
        value: Any

    for cls in (WithList, Mutable, WithAny):
        with pytest.raises(TypeError):
            check_schema(cls)


@pytest.mark.parametrize("cls", SNAPSHOT_CLASSES, ids=lambda c: c.__name__)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_class_round_trips(cls: type, data: st.DataObject) -> None:
    value = data.draw(st.from_type(cls))
    assert decode(cls, json.loads(dumps(value))) == value


@dataclasses.dataclass(frozen=True)
class _Circle:
    radius: int
    kind: Literal["circle"] = dataclasses.field(default="circle", init=False)


@dataclasses.dataclass(frozen=True)
class _Square:
    side: int
    label: str = ""
    kind: Literal["square"] = dataclasses.field(default="square", init=False)


@dataclasses.dataclass(frozen=True)
class _Drawing:
    shapes: tuple[_Circle | _Square, ...] = ()


def test_tagged_unions_round_trip_through_the_tag() -> None:
    drawing = _Drawing(shapes=(_Circle(2), _Square(3, "b"), _Circle(5)))
    encoded = encode(drawing)
    assert isinstance(encoded, dict)
    assert [s["kind"] for s in encoded["shapes"]] == ["circle", "square", "circle"]
    assert decode(_Drawing, json.loads(dumps(drawing))) == drawing


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ({"kind": "hexagon", "side": 1}, "shapes[0].kind: expected one of"),
        ({"side": 1}, "shapes[0].kind: missing required key"),
        ({"kind": "square"}, "shapes[0].side: missing required key"),
    ],
)
def test_tagged_union_errors_name_the_path(shape: dict[str, object], message: str) -> None:
    with pytest.raises(DecodeError, match=re.escape(message)):
        decode(_Drawing, {"shapes": [shape]})


def test_location_stores_only_url_and_store() -> None:
    loc = Location.from_url("rbd://f/images/i/snap", store="ceph")
    assert encode(loc) == {"url": "rbd://f/images/i/snap", "store": "ceph"}
    back = decode(Location, encode(loc))
    assert back == loc
    assert isinstance(back.parsed, RbdLocation) and back.parsed.cloneable_form


def test_unknown_keys_are_ignored_and_defaults_fill_in() -> None:
    data = {"id": "fast", "type": "rbd", "source": "api", "shiny_new_field": [1, 2]}
    assert decode(Store, data) == Store(id="fast", type=StoreType.RBD, source=StoreSource.API)


def test_unknown_enum_values_become_unknown_when_the_enum_has_it() -> None:
    store = decode(Store, {"id": "x", "type": "sheepdog", "source": "config"})
    assert store.type is StoreType.UNKNOWN
    snap = decode(Snapshot, {"name": "s", "id": 1, "size": 2, "namespace": "future"})
    assert snap.namespace is SnapshotNamespace.UNKNOWN


def test_unknown_enum_without_fallback_is_refused() -> None:
    with pytest.raises(DecodeError, match=r"^source: expected one of 'config', 'api'"):
        decode(Store, {"id": "x", "type": "rbd", "source": "guess"})


def test_float_fields_accept_integers() -> None:
    from imageyard.model.cache import CachedImage

    entry = decode(CachedImage, {"image_id": "i", "size": 1, "last_accessed": 17})
    assert entry.last_accessed == 17.0
    assert isinstance(entry.last_accessed, float)


def _image_doc() -> dict[str, Any]:
    inv = Inventory(
        images=(
            Image(id="a"),
            Image(id="b", locations=(Location.from_url("file:///d/b", store="fast"),)),
        )
    )
    doc = json.loads(dumps(inv))
    assert isinstance(doc, dict)
    return doc


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["images"][1]["locations"][0].update(url=3),
            "images[1].locations[0].url: expected str, got int",
        ),
        (lambda d: d["images"][0].pop("id"), "images[0].id: missing required key"),
        (lambda d: d["images"][0].update(size=True), "images[0].size: expected int, got bool"),
        (lambda d: d["images"][0].update(size=1.5), "images[0].size: expected int, got float"),
        (lambda d: d["images"][0].update(tags="x"), "images[0].tags: expected list, got str"),
        (
            lambda d: d["images"][0].update(properties=[["k"]]),
            "images[0].properties[0]: expected list of 2 items, got 1",
        ),
        (
            lambda d: d["images"][0].update(tags=["a", "b", 3]),
            "images[0].tags[2]: expected str, got int",
        ),
        (
            lambda d: d["images"][0].update(properties=[["k", "v"], ["k2", None]]),
            "images[0].properties[1][1]: expected str, got null",
        ),
        (
            lambda d: d["images"][0].update(members=[{"member_id": "p", "status": 1}]),
            "images[0].members[0].status: expected str, got int",
        ),
        (lambda d: d.update(images={}), "images: expected list, got object"),
        (lambda d: d["images"].append(None), "images[2]: expected object, got null"),
        (lambda d: d["config"].update(files=[{"kind": 1}]), "config.files[0].kind: expected str"),
    ],
)
def test_errors_name_the_path(mutate: Any, message: str) -> None:
    doc = _image_doc()
    mutate(doc)
    with pytest.raises(DecodeError) as info:
        decode(Inventory, doc)
    assert str(info.value).startswith(message)
    assert isinstance(info.value, SnapshotError)


def test_top_level_error() -> None:
    with pytest.raises(DecodeError, match=r"^\(top level\): expected object, got list"):
        decode(Inventory, [])


def test_encode_refuses_non_snapshot_values() -> None:
    with pytest.raises(TypeError):
        encode(["a"])
    with pytest.raises(TypeError):
        encode({1: "a"})
    with pytest.raises(ValueError):
        encode(float("nan"))


def test_normalised_fields_are_sorted() -> None:
    image = Image(id="i", tags=("b", "a"), properties=(("z", "1"), ("a", "2")))
    assert image.tags == ("a", "b")
    assert image.properties == (("a", "2"), ("z", "1"))
    assert image.get_property("z") == "1"


def test_file_location_round_trip_keeps_variant() -> None:
    loc = Location.from_url("file:///var/lib/glance/images/x", store="fast")
    back = decode(Location, encode(loc))
    assert isinstance(back.parsed, FileLocation)
    assert back == loc
    assert back.parsed == parse_location("file:///var/lib/glance/images/x")
