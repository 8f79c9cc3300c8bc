"""Snapshot files: versions, determinism, corrupt input, and atomic writes."""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import json
import typing
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_strategies import inventories

from imageyard.errors import ImageyardError, SnapshotError
from imageyard.model.ceph import CephCluster, Pool, RbdImage
from imageyard.model.codec import encode
from imageyard.model.config import DeploymentConfig, GlanceApiConfig
from imageyard.model.image import Image
from imageyard.model.inventory import SCHEMA_VERSION, Inventory
from imageyard.model.location import Location
from imageyard.model.objects import StoredObject, StoreListing
from imageyard.model.snapshot import (
    MAX_SNAPSHOT_BYTES,
    dump_chunks,
    dump_inventory,
    load_inventory,
    read_inventory,
    write_inventory,
)

SAMPLE = Inventory(
    generated_at="2026-05-01T10:00:00+00:00",
    generator="imageyard 0.1.0",
    images=(
        Image(
            id="i1",
            name="cirros",
            disk_format="raw",
            size=16777216,
            stores=("fast", "ceph"),
            locations=(
                Location.from_url("file:///tmp/glancelab/data/fast/i1", store="fast"),
                Location.from_url("rbd://fsid/images/i1/snap", store="ceph"),
            ),
        ),
    ),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories())
def test_round_trip_and_determinism(inv: Inventory) -> None:
    text = dump_inventory(inv)
    back = load_inventory(text, origin="mem.json")
    assert back == inv
    assert dump_inventory(back) == text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories())
def test_chunks_are_the_snapshot_text(inv: Inventory) -> None:
    chunks = list(dump_chunks(inv))
    assert "".join(chunks) == dump_inventory(inv)
    assert len(chunks) == (len(inv.images) + 2 if inv.images else 1)


def test_output_is_sorted_and_stable() -> None:
    text = dump_inventory(SAMPLE)
    doc = json.loads(text)
    assert list(doc) == sorted(doc)
    assert text.endswith("}\n")
    assert text == dump_inventory(load_inventory(text, origin="x"))
    assert doc["schema_version"] == SCHEMA_VERSION == "1.7"


def _doc(**changes: Any) -> str:
    doc = json.loads(dump_inventory(SAMPLE))
    doc.update(changes)
    return json.dumps(doc)


def test_newer_major_is_refused() -> None:
    with pytest.raises(SnapshotError) as info:
        load_inventory(_doc(schema_version="2.0"), origin="inv.json")
    assert str(info.value) == (
        "inv.json: schema version 2.0 is newer than this imageyard understands (1.x); "
        "upgrade imageyard"
    )


def test_older_major_is_refused() -> None:
    with pytest.raises(SnapshotError, match=r"^inv.json: schema version 0.9 is older"):
        load_inventory(_doc(schema_version="0.9"), origin="inv.json")


def test_newer_minor_is_accepted() -> None:
    doc = json.loads(_doc(schema_version="1.7", future_field={"a": 1}))
    doc["images"][0]["os_future_flag"] = True
    doc["images"][0]["locations"][0]["weight_hint"] = 3
    inv = load_inventory(json.dumps(doc), origin="inv.json")
    assert inv == SAMPLE
    assert inv.schema_version == SCHEMA_VERSION


def test_a_1_3_snapshot_without_glance_api_instances_is_read() -> None:
    glance = GlanceApiConfig(
        path="/etc/glance/glance-api.conf", files=("/etc/glance/glance-api.conf",)
    )
    inv = replace(SAMPLE, config=DeploymentConfig(glance_api=glance))
    doc = json.loads(dump_inventory(inv))
    doc["schema_version"] = "1.3"
    del doc["config"]["more_glance_apis"]
    del doc["config"]["glance_api"]["name"], doc["config"]["glance_api"]["user_facing"]
    loaded = load_inventory(json.dumps(doc), origin="old.json")
    assert loaded == inv
    assert loaded.config.glance_api_instances() == (glance,)


def test_store_listings_and_rbd_timestamps_round_trip() -> None:
    listing = StoreListing(
        store="s3",
        kind="s3",
        where="glance",
        objects=(StoredObject("0a1b", size=5, modified="2026-05-01T10:00:00+00:00"),),
        complete=False,
        error="403 Forbidden",
        foreign=1,
    )
    rbd = RbdImage(
        pool="images",
        name="i1",
        id="abc",
        size=1,
        created="2026-05-01T09:00:00+00:00",
        modified="2026-05-01T09:30:00+00:00",
    )
    cluster = CephCluster(fsid="f", pools=(Pool(name="images", images=(rbd,)),))
    inv = replace(SAMPLE, store_listings=(listing,), ceph_clusters=(cluster,))
    doc = json.loads(dump_inventory(inv))
    assert doc["store_listings"][0]["objects"][0]["name"] == "0a1b"
    assert doc["ceph_clusters"][0]["pools"][0]["images"][0]["created"].startswith("2026")
    assert load_inventory(json.dumps(doc), origin="x") == inv


def test_a_1_4_snapshot_without_store_listings_or_rbd_times_is_read() -> None:
    rbd = RbdImage(pool="images", name="i1", id="abc", size=1)
    inv = replace(
        SAMPLE, ceph_clusters=(CephCluster(fsid="f", pools=(Pool("images", images=(rbd,)),)),)
    )
    doc = json.loads(dump_inventory(inv))
    doc["schema_version"] = "1.4"
    del doc["store_listings"]
    image_doc = doc["ceph_clusters"][0]["pools"][0]["images"][0]
    del image_doc["created"], image_doc["modified"]
    loaded = load_inventory(json.dumps(doc), origin="old.json")
    assert loaded == inv
    assert loaded.store_listings == ()
    assert loaded.ceph_clusters[0].pools[0].images[0].created is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "inv.json: not a JSON inventory snapshot"),
        ("{", "inv.json: not a JSON inventory snapshot"),
        ("[1, 2]", "inv.json: not a JSON inventory snapshot (top level is not an object)"),
        ('{"images": []}', "inv.json: not a JSON inventory snapshot (no schema_version)"),
        ('{"schema_version": 1}', "inv.json: schema_version 1 is not MAJOR.MINOR"),
        ('{"schema_version": "v1"}', "inv.json: schema_version 'v1' is not MAJOR.MINOR"),
        ('{"schema_version": "1.0", "x": NaN}', "inv.json: not a JSON inventory snapshot"),
        ("[" * 100_000 + "]" * 100_000, "inv.json: not a JSON inventory snapshot"),
        ('{"schema_version": "1.0", "images": [{}]}', "inv.json: images[0].id: missing"),
    ],
)
def test_bad_documents(text: str, message: str) -> None:
    with pytest.raises(SnapshotError) as info:
        load_inventory(text, origin="inv.json")
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
FIELDS = st.sampled_from(
    ["images", "stores", "config", "ceph_clusters", "servers", "volumes", "gaps", "sources"]
)


@settings(max_examples=150, deadline=None)
@given(FIELDS, JSON)
def test_corrupted_fields_give_snapshot_errors(field: str, value: Any) -> None:
    try:
        load_inventory(_doc(**{field: value}), origin="inv.json")
    except SnapshotError as exc:
        assert str(exc).startswith("inv.json: ")
        assert field in str(exc)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_arbitrary_text_gives_only_snapshot_errors(text: str) -> None:
    with contextlib.suppress(SnapshotError):
        load_inventory(text, origin="inv.json")


def test_write_then_read(tmp_path: Path) -> None:
    target = tmp_path / "inv.json"
    target.write_text("old")
    write_inventory(SAMPLE, target)
    assert read_inventory(target) == SAMPLE
    assert target.read_text() == dump_inventory(SAMPLE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inv.json"]


def test_write_into_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ImageyardError, match="cannot write"):
        write_inventory(SAMPLE, tmp_path / "nope" / "inv.json")


def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match=r"inv.json: cannot read the snapshot: no such file$"):
        read_inventory(tmp_path / "inv.json")


def test_read_directory(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="is a directory"):
        read_inventory(tmp_path)


def test_read_too_large(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(MAX_SNAPSHOT_BYTES + 1)
    with pytest.raises(SnapshotError, match="larger than the 8 GiB limit"):
        read_inventory(big)


def test_read_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe{}")
    with pytest.raises(SnapshotError, match="not UTF-8"):
        read_inventory(bad)


def test_read_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked.json"
    locked.write_text(dump_inventory(SAMPLE))
    locked.chmod(0)

    # NOTE: root reads any file whatever its mode, so the EACCES the kernel gives an
    # ordinary user is raised here the way os.open raises it.
    def denied(path: str, flags: int, mode: int = 0o777) -> int:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr("imageyard.files.os.open", denied)
    with pytest.raises(SnapshotError, match="cannot read the snapshot: permission denied"):
        read_inventory(locked)


def test_write_keeps_existing_mode(tmp_path: Path) -> None:
    target = tmp_path / "inv.json"
    write_inventory(SAMPLE, target)
    assert target.stat().st_mode & 0o777 == 0o644
    target.chmod(0o600)
    write_inventory(SAMPLE, target)
    assert target.stat().st_mode & 0o777 == 0o600


def test_gz_name_writes_gzip_read_back_by_content(tmp_path: Path) -> None:
    packed = tmp_path / "inv.json.gz"
    write_inventory(SAMPLE, packed)
    raw = packed.read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert gzip.decompress(raw).decode() == dump_inventory(SAMPLE)
    assert read_inventory(packed) == SAMPLE
    renamed = tmp_path / "inv.json"  # gzip is recognised by content, not by name
    packed.rename(renamed)
    assert read_inventory(renamed) == SAMPLE
    write_inventory(SAMPLE, packed)
    assert packed.read_bytes() == raw  # deterministic: no time or name in the header


def test_damaged_gzip_is_one_line(tmp_path: Path) -> None:
    packed = tmp_path / "inv.json.gz"
    write_inventory(SAMPLE, packed)
    packed.write_bytes(packed.read_bytes()[:40])
    with pytest.raises(SnapshotError, match="truncated gzip snapshot"):
        read_inventory(packed)
    packed.write_bytes(b"\x1f\x8b" + b"garbage" * 10)
    with pytest.raises(SnapshotError, match="damaged gzip snapshot"):
        read_inventory(packed)


def test_gzip_past_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packed = tmp_path / "bomb.json.gz"
    packed.write_bytes(gzip.compress(b" " * 5000))
    monkeypatch.setattr("imageyard.model.snapshot.MAX_SNAPSHOT_BYTES", 4096)
    with pytest.raises(SnapshotError, match="larger than the 4 KiB limit uncompressed"):
        read_inventory(packed)


def test_oversized_snapshot_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "inv.json"
    target.write_text("old")
    monkeypatch.setattr("imageyard.model.snapshot.MAX_SNAPSHOT_BYTES", 100)
    with pytest.raises(ImageyardError, match="more than the"):
        write_inventory(SAMPLE, target)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inv.json"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["images"].append(dict(d["images"][0])), r"images\[1\]\.id '.*' repeats"),
    ],
)
def test_inconsistent_snapshots_are_refused(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], message: str
) -> None:
    doc = json.loads(dump_inventory(SAMPLE))
    assert doc["images"]
    mutate(doc)
    path = tmp_path / "inv.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(SnapshotError, match=message):
        read_inventory(path)


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("images", [{"id": "i", "size": -1}], "images[0].size: a size cannot be negative"),
        ("images", [{"id": "i", "virtual_size": -5}], "images[0].virtual_size: a size cannot"),
        ("volumes", [{"id": "v", "size": -2}], "volumes[0].size: a size cannot be negative"),
    ],
)
def test_negative_sizes_are_refused(field: str, value: Any, where: str) -> None:
    with pytest.raises(SnapshotError) as info:
        load_inventory(_doc(**{field: value}), origin="inv.json")
    assert f"inv.json: {where}" in str(info.value)


def test_zero_sizes_are_read() -> None:
    inv = load_inventory(_doc(images=[{"id": "i", "size": 0, "virtual_size": 0}]), origin="x")
    assert inv.images[0].size == 0


def test_every_repeated_id_is_named_on_one_line() -> None:
    images = [{"id": i} for i in ("a", "b", "a", "c", "b")]
    with pytest.raises(SnapshotError) as info:
        load_inventory(_doc(images=images), origin="inv.json")
    message = str(info.value)
    assert message.startswith("inv.json: images[2].id 'a' repeats images[0].id")
    assert "; images[4].id 'b' repeats images[1].id" in message and "\n" not in message


def test_many_repetitions_are_counted_not_all_listed() -> None:
    images = [{"id": "x"} for _ in range(30)]
    with pytest.raises(SnapshotError) as info:
        load_inventory(_doc(images=images), origin="inv.json")
    assert str(info.value).count("repeats") == 20 and str(info.value).endswith("and 9 more")


def _float_free(tp: Any) -> bool:
    """No ``float`` anywhere in a field type (the dataclasses it names included)."""
    if tp is float:
        return False
    if dataclasses.is_dataclass(tp):
        return all(_float_free(hint) for hint in typing.get_type_hints(tp).values())
    return all(_float_free(arg) for arg in typing.get_args(tp))


def test_an_image_holds_no_float() -> None:
    # the images' fast writer relies on it: msgspec and json write floats differently
    assert _float_free(Image)
    assert not _float_free(tuple[float | None, ...])


AWKWARD = "".join(map(chr, range(0x80))) + "é€\u2028\U0001f600\ud800\udfff\x7f"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(AWKWARD) | st.characters(), max_size=12))
def test_image_text_is_the_standard_librarys(text: str) -> None:
    image = Image(id=text, name=text, tags=(text,), properties=((text, text),),
                  locations=(Location.from_url(f"file:///{text}", store=text),))  # fmt: skip
    (chunk,) = list(dump_chunks(Inventory(images=(image,))))[1:-1]
    expected = json.dumps(encode(image), sort_keys=True, indent=2, ensure_ascii=True)
    assert chunk == "    " + expected.replace("\n", "\n    ") + "\n"
