"""The fast read of snapshots in imageyard's own layout gives what the value-by-value read
gives, and anything else falls back to that read (same inventory, same errors)."""

from __future__ import annotations

import dataclasses
import io
import json
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_strategies import SNAPSHOT_CLASSES, dataclass_strategy, inventories

from imageyard.cli import run
from imageyard.errors import SnapshotError
from imageyard.model import fastread, interning, snapshot
from imageyard.model.codec import decode, encode
from imageyard.model.fastread import NotFast, read_fast
from imageyard.model.gap import SourceStatus
from imageyard.model.image import Image, ImageMember
from imageyard.model.inventory import SCHEMA_VERSION, Inventory
from imageyard.model.location import Location
from imageyard.model.snapshot import dump_inventory, load_inventory, read_inventory
from imageyard.model.store import Store, StoreSource, StoreType

LISTS = snapshot._LISTS


class _Pieces:
    """``data`` read at most ``size`` bytes at a time."""

    def __init__(self, data: bytes, size: int) -> None:
        self.data, self.size = io.BytesIO(data), size

    def readinto(self, buffer: memoryview, /) -> int:
        return self.data.readinto(buffer[: self.size])


def _slow(text: str) -> Inventory:
    """What the value-by-value read gives (the reference)."""
    return snapshot._checked(snapshot._streamed(iter((text,)), "x"), "x")


def _fast(text: str, size: int = 1 << 20) -> Inventory:
    return snapshot._checked(read_fast(_Pieces(text.encode(), size), LISTS), "x")


def _image(n: int, **fields: Any) -> Image:
    base: dict[str, Any] = {
        "id": f"img-{n:05d}", "name": f"image {n}", "disk_format": "raw", "owner": "p1",
        "size": n, "stores": ("ceph",), "tags": ("b", "a"),
        "locations": (Location(f"rbd://fsid/images/img-{n:05d}/snap", "ceph"),),
        "members": (ImageMember("p2", "accepted"),), "properties": (("k", "v"),),
    }  # fmt: skip
    return Image(**{**base, **fields})


def _catalog(count: int, **fields: Any) -> Inventory:
    return Inventory(generator="test", images=tuple(_image(n, **fields) for n in range(count)))


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(inventories())
def test_the_fast_read_equals_the_value_by_value_read(inv: Inventory) -> None:
    text = dump_inventory(inv)
    assert _fast(text) == _slow(text) == dataclasses.replace(inv, schema_version=SCHEMA_VERSION)


def _without_defaults(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    required = {
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    return {k: v for k, v in data.items() if k in required}


@pytest.mark.parametrize("cls", SNAPSHOT_CLASSES, ids=lambda c: c.__name__)
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data())
def test_every_class_round_trips_with_optional_fields_set_and_unset(
    cls: type, data: st.DataObject
) -> None:
    obj = data.draw(dataclass_strategy(cls))
    full = encode(obj)
    assert isinstance(full, dict)
    for doc in (full, _without_defaults(cls, full)):
        want = decode(cls, doc)
        got = fastread.decode_records(cls, json.dumps([doc]).encode())
        assert got == [want]
    assert fastread.decode_records(cls, json.dumps([full]).encode()) == [obj]


@pytest.mark.parametrize("size", [1, 7, 4096])
def test_batches_and_chunks_of_any_size_give_the_same_inventory(
    size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastread, "BATCH_BYTES", 300)  # records larger than a batch too
    inv = _catalog(40)
    text = dump_inventory(inv)
    assert _fast(text, size) == _slow(text)
    assert [i.id for i in _fast(text, size).images] == [f"img-{n:05d}" for n in range(40)]


@pytest.mark.parametrize("batch", [300, 1 << 20])
def test_lists_of_records_in_one_batch_each_read_whole_and_in_place(
    batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastread, "BATCH_BYTES", batch)  # the next list within the batch too
    stores = tuple(Store(f"s{n}", StoreType.RBD, StoreSource.CONFIG) for n in range(3))
    sources = tuple(SourceStatus(f"src{n}", complete=True) for n in range(3))
    inv = dataclasses.replace(_catalog(3), stores=stores, sources=sources)
    text = dump_inventory(inv)
    assert _fast(text) == _slow(text) == dataclasses.replace(inv, schema_version=SCHEMA_VERSION)


def test_repeated_values_are_one_object() -> None:
    first, second = _fast(dump_inventory(_catalog(2))).images
    assert first.owner is second.owner and first.disk_format is second.disk_format
    assert first.stores is second.stores and first.properties is second.properties
    assert first.locations[0].store is second.locations[0].store is first.stores[0]
    assert first.members[0].member_id is second.members[0].member_id


def _new(text: str) -> str:
    """``text`` as a new string object (never the interned constant)."""
    return "".join(list(text))


def test_images_built_within_a_shared_read_intern_their_values_and_others_do_not() -> None:
    def built(n: int) -> Image:
        props = ((_new("owner"), _new("1")), (_new("a"), _new("2")))
        return _image(n, owner=_new("owner"), properties=props[:: 1 - 2 * (n % 2)])

    with interning.sharing():
        first, second = built(1), built(2)
    assert first.owner is second.owner is sys.intern("owner")
    assert first.properties is second.properties == (("a", "2"), ("owner", "1"))
    assert first.properties[1][0] is first.owner
    assert first.locations[0].store is second.stores[0]
    plain = built(2)
    assert plain == second and plain.owner is not second.owner
    assert plain.properties is not second.properties


def _fresh(tp: Any) -> Any:
    """A value of the field type ``tp`` (``str``, ``str | None`` or a tuple of them) made
    of new strings."""
    if typing.get_origin(tp) is tuple:
        item = typing.get_args(tp)[0]
        return (_fresh(item), _fresh(item)) if item is not str else (_new("s1"), _new("s2"))
    return _new("value")


@pytest.mark.parametrize("cls", [Image, Location, ImageMember], ids=lambda c: c.__name__)
def test_every_field_marked_intern_is_shared_by_images_of_a_shared_read(cls: type) -> None:
    hints = typing.get_type_hints(cls)
    marked = [f.name for f in dataclasses.fields(cls) if f.metadata.get("intern")]
    assert marked

    def record(n: int) -> Any:
        values = {name: _fresh(hints[name]) for name in marked}
        if cls is Location:
            return _image(n, locations=(Location(f"file:///{n}", **values),)).locations[0]
        if cls is ImageMember:
            return _image(n, members=(ImageMember(**values),)).members[0]
        return _image(n, **values)

    with interning.sharing():
        first, second = record(1), record(2)
    for name in marked:
        assert getattr(first, name) is getattr(second, name), name


def test_unsorted_lists_in_a_snapshot_are_sorted_by_the_fast_read_too() -> None:
    text = dump_inventory(_catalog(3)).replace('"a",\n        "b"', '"b",\n        "a"')
    assert '"b",\n        "a"' in text
    inv = _fast(text)
    assert inv == _slow(text) and all(image.tags == ("a", "b") for image in inv.images)
    assert inv.images[0].tags is inv.images[2].tags


def test_tags_are_sorted_and_stores_kept_in_order_when_both_hold_the_same_values() -> None:
    inv = _catalog(2, stores=("b", "a"), tags=("b", "a"))
    text = dump_inventory(inv).replace('"a",\n        "b"', '"b",\n        "a"')
    assert text.count('"b",\n        "a"') == 4  # both lists of both images, as read
    for image in _fast(text).images:
        assert image.stores == ("b", "a") and image.tags == ("a", "b")


def test_an_older_minor_snapshot_is_read_fast() -> None:
    doc = json.loads(dump_inventory(_catalog(3)))
    doc["schema_version"] = "1.0"
    for later in ("glance_versions", "store_listings", "projects"):
        del doc[later]
    text = json.dumps(doc, sort_keys=True, indent=2) + "\n"
    inv = _fast(text)
    assert inv == _slow(text) and inv.schema_version == SCHEMA_VERSION and len(inv.images) == 3


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(encode(_catalog(2))),  # another layout: one line
        json.dumps(encode(_catalog(2)), indent=4),  # another indent
        dump_inventory(_catalog(2)).replace('"size": 1,', '"size": -1,'),
        dump_inventory(_catalog(2, virtual_size=1)).replace(
            '"virtual_size": 1', '"virtual_size": -1'
        ),
        dump_inventory(_catalog(2)).replace('"generator": "test"', '"generator": 5'),
        dump_inventory(_catalog(2)).replace('"p2"', '"p\\ud800"'),
        dump_inventory(_catalog(2)) + "x",
        dump_inventory(_catalog(2))[:-200],
        dump_inventory(_catalog(2)).replace("{\n", '{\n  "images": [],\n', 1),
    ],
)
def test_anything_else_is_left_to_the_value_by_value_read(text: str) -> None:
    with pytest.raises(NotFast):
        _fast(text)
    try:
        want: Inventory | str = _slow(text)
    except SnapshotError as exc:
        want = str(exc)
    try:
        got: Inventory | str = load_inventory(text, origin="x")
    except SnapshotError as exc:
        got = str(exc)
    assert got == want


def test_space_within_a_record_and_big_numbers_are_read_fast() -> None:
    text = dump_inventory(_catalog(2)).replace('"raw"', '"raw" ')
    text = text.replace('"size": 1,', '"size": 18446744073709551616,')
    inv = _fast(text)
    assert inv == _slow(text) and inv.images[1].size == 1 << 64


def test_an_unknown_enum_value_becomes_unknown_as_before() -> None:
    inv = Inventory(generator="t", images=(_image(1),))
    text = dump_inventory(dataclasses.replace(inv, stores=()))
    doc = json.loads(text)
    doc["stores"] = [{"id": "s", "type": "tape-robot", "source": "config"}]
    text = json.dumps(doc, sort_keys=True, indent=2) + "\n"
    with pytest.raises(NotFast):
        _fast(text)
    assert load_inventory(text, origin="x").stores[0].type.name == "UNKNOWN"


def test_a_version_error_comes_first_in_the_fast_read_too() -> None:
    text = dump_inventory(_catalog(2)).replace(f'"{SCHEMA_VERSION}"', '"2.0"')
    with pytest.raises(SnapshotError, match=r"schema version 2\.0 is newer"):
        _fast(text)


@pytest.mark.parametrize("suffix", ["json", "json.zst", "json.gz"])
def test_a_truncated_large_snapshot_is_one_line_and_exit_5(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"inv.{suffix}"
    snapshot.write_inventory(_catalog(300), path)
    whole = tmp_path / "whole.json"
    snapshot.write_inventory(_catalog(300), whole)
    text = whole.read_text()
    cut = tmp_path / "cut.json"
    cut.write_text(text[: len(text) // 2])
    assert len(read_inventory(path).images) == 300
    assert run(["show", str(cut)]) == 5
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"imageyard: error: {cut}: not a JSON")
    assert "Traceback" not in err[0]


def test_a_damaged_record_names_its_field() -> None:
    text = dump_inventory(_catalog(3)).replace('"name": "image 2"', '"name": 2')
    with pytest.raises(SnapshotError, match=r"^x: images\[2\]\.name: expected str, got int$"):
        load_inventory(text, origin="x")
