"""Snapshots are read as a stream: in chunks, record by record, plain, gzip or Zstandard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_strategies import inventories

from imageyard.errors import SnapshotError
from imageyard.model import snapshot
from imageyard.model.codec import decode
from imageyard.model.inventory import SCHEMA_VERSION, Inventory
from imageyard.model.jsonstream import JsonStream, JsonStreamError
from imageyard.model.snapshot import dump_inventory, load_inventory, read_inventory, write_inventory

DECODER = json.JSONDecoder()


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _values(text: str, size: int) -> object:
    stream = JsonStream(iter(_pieces(text, size)), DECODER)
    if stream.peek_kind() == "{":
        out: Any = {}
        for key in stream.members():
            out[key] = list(stream.items()) if stream.peek_kind() == "[" else stream.value()
    else:
        out = stream.value()
    stream.end()
    return out


DOCS = [
    '{"a": [1, 22, 333, {"b": [true, false, null]}], "c": "x\\u00e9y", "d": -1.5e3}',
    '  {\n "n" : 12345678901234567890 ,\n "s": "a,b]}" , "e": [] , "o": {}}\n',
    "[1, 2, 3]",
    '"just a string"',
]


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("size", [1, 2, 3, 5, 1000])
def test_values_whatever_the_chunk_size(doc: str, size: int) -> None:
    assert _values(doc, size) == json.loads(doc)


@pytest.mark.parametrize(
    ("doc", "line", "column"),
    [
        ('{"a": [1, 2,]}', 1, 13),
        ('{\n  "a": 1,\n  "b" 2\n}', 3, 7),
        ('{"a": 1} x', 1, 10),
        ('{"a": 1, }', 1, 10),
        ("{\n\n  1: 2}", 3, 3),
        ('{"a": [1 2]}', 1, 10),
    ],
)
@pytest.mark.parametrize("size", [1, 4, 1000])
def test_errors_name_the_line_and_column_in_the_whole_text(
    doc: str, line: int, column: int, size: int
) -> None:
    with pytest.raises(ValueError):
        json.loads(doc)  # the standard parser refuses it too
    with pytest.raises(JsonStreamError) as info:
        _values(doc, size)
    assert (info.value.line, info.value.column) == (line, column)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories(), st.integers(min_value=1, max_value=200))
def test_streamed_reading_equals_whole_document_decoding(
    tmp_path_factory: pytest.TempPathFactory, inv: Inventory, chunk: int
) -> None:
    text = dump_inventory(inv)
    expected = decode(Inventory, json.loads(text))
    path = tmp_path_factory.mktemp("stream") / "inv.json"
    path.write_text(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(snapshot, "CHUNK_BYTES", chunk)
        got = read_inventory(path)
    assert got == expected.__class__(**{**expected.__dict__, "schema_version": SCHEMA_VERSION})


def test_zst_name_writes_zstandard_read_back_by_content(tmp_path: Path) -> None:
    inv = Inventory(generated_at="t", import_methods=("glance-direct", "web-download"))
    packed = tmp_path / "inv.json.zst"
    write_inventory(inv, packed)
    raw = packed.read_bytes()
    assert raw[:4] == b"\x28\xb5\x2f\xfd"
    assert zstandard.ZstdDecompressor().decompressobj().decompress(raw).decode() == (
        dump_inventory(inv)
    )
    renamed = tmp_path / "inv.json"
    packed.rename(renamed)
    assert read_inventory(renamed) == inv


def test_damaged_zst_is_one_line(tmp_path: Path) -> None:
    packed = tmp_path / "inv.json.zst"
    packed.write_bytes(b"\x28\xb5\x2f\xfd" + b"garbage" * 10)
    with pytest.raises(SnapshotError, match="damaged Zstandard snapshot") as info:
        read_inventory(packed)
    assert "\n" not in str(info.value)


def test_zst_past_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packed = tmp_path / "bomb.json.zst"
    packed.write_bytes(zstandard.ZstdCompressor().compress(b" " * 5000))
    monkeypatch.setattr(snapshot, "MAX_SNAPSHOT_BYTES", 4096)
    with pytest.raises(SnapshotError, match="larger than the 4 KiB limit uncompressed"):
        read_inventory(packed)


def _doc(version: str, images: list[object]) -> str:
    # NOTE: the images come before schema_version, as in every written snapshot
    return json.dumps({"images": images, "schema_version": version})


def test_a_version_error_comes_before_a_record_error() -> None:
    with pytest.raises(SnapshotError, match="newer than this imageyard"):
        load_inventory(_doc("9.0", [{"id": 1}]), origin="x.json")
    with pytest.raises(SnapshotError, match=r"x.json: images\[1\].id: expected str, got int"):
        load_inventory(_doc(SCHEMA_VERSION, [{"id": "a"}, {"id": 1}, {"id": 2}]), origin="x.json")


def test_the_first_error_in_field_order_is_reported() -> None:
    doc = {"schema_version": SCHEMA_VERSION, "images": [{"id": 1}], "config": 3}
    with pytest.raises(SnapshotError, match=r"x.json: config: expected object"):
        load_inventory(json.dumps(doc), origin="x.json")


def test_a_list_given_twice_keeps_the_last() -> None:
    text = '{"images": [{"id": 1}], "images": [{"id": "b"}], "schema_version": "1.0"}'
    assert [i.id for i in load_inventory(text, origin="x").images] == ["b"]


def test_a_bad_byte_names_its_line_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{\n"a":\n"x",\n"b": "\xff"}')
    monkeypatch.setattr(snapshot, "CHUNK_BYTES", 3)
    with pytest.raises(SnapshotError, match=r"bad.json:4: not UTF-8"):
        read_inventory(bad)
    bad.write_bytes(b'{\n"a":\n"x",\n"b": "\x00"}')
    with pytest.raises(SnapshotError, match=r"bad.json:4: binary content"):
        read_inventory(bad)


def test_repeated_strings_are_one_object_after_decoding() -> None:
    image = {
        "id": "x", "owner": "p" + "1" * 20, "disk_format": "raw", "stores": ["ceph-" + "a" * 9],
        "properties": [["hw_" + "disk_bus", "v" + "irtio"]], "tags": ["gold" + "en"],
        "locations": [{"url": "rbd://f/p/x/snap", "store": "ceph-" + "a" * 9}],
    }  # fmt: skip
    doc = {"schema_version": SCHEMA_VERSION, "images": [dict(image, id=n) for n in "ab"]}
    first, second = load_inventory(json.dumps(doc), origin="x").images
    assert first.owner is second.owner and first.stores[0] is second.stores[0]
    assert first.properties[0][0] is second.properties[0][0]
    assert first.properties[0][1] is second.properties[0][1]
    assert first.tags[0] is second.tags[0]
    assert first.locations[0].store is second.locations[0].store is first.stores[0]
