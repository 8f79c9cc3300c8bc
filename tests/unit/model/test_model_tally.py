"""The tallied read (``show``): the same checks and errors as the full read, the same
summary, with the images counted instead of kept."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from model_strategies import inventories

from imageyard.cli import run
from imageyard.cli.summary import collect_summary
from imageyard.errors import SnapshotError
from imageyard.model import fastread, snapshot
from imageyard.model.gap import SourceStatus
from imageyard.model.identity import Project
from imageyard.model.image import Image, ImageMember
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location
from imageyard.model.mirror import mirror
from imageyard.model.snapshot import dump_inventory, read_inventory, read_tallied, write_inventory
from imageyard.model.tally import ImageTally


def _image(n: int, **fields: Any) -> Image:
    base: dict[str, Any] = {
        "id": f"img-{n:05d}", "disk_format": "raw", "owner": "p1", "size": n,
        "locations": (Location(f"rbd://fsid/images/img-{n:05d}/snap", "ceph"),),
        "members": (ImageMember("p2", "accepted"),), "properties": (("k", "v"),),
    }  # fmt: skip
    return Image(**{**base, **fields})


def _mixed(count: int) -> Inventory:
    """Formats with ties, none and empty; statuses with ties; owners Keystone lacks."""
    formats = ("qcow2", None, "raw", "", "iso", "?")
    images = tuple(
        _image(n, disk_format=formats[n % 6], status=("killed", "active")[n % 2],
               owner=(None, "gone", "p1", "old")[n % 4])
        for n in range(count)
    )  # fmt: skip
    keystone = SourceStatus(source="keystone", complete=True, detail="")
    return Inventory(generator="t", images=images, projects=(Project("p1"),), sources=(keystone,))


def _both(path: Path) -> tuple[str, str]:
    """The error (or the summary) of the full read and of the tallied read."""
    out: list[str] = []
    for read in (read_inventory, read_tallied):
        try:
            got = read(path)
        except SnapshotError as exc:
            out.append(f"error {exc}")
            continue
        inv, tally = got if isinstance(got, tuple) else (got, None)
        out.append(collect_summary(inv, "p", tally))
    return out[0], out[1]


def _keyed(tally: ImageTally) -> list[list[Any]]:
    counts = (tally.formats, tally.statuses, tally.owners)
    return [*(list(c.most_common()) for c in counts), tally.ids]


@pytest.mark.parametrize("size", [300, 1 << 20])
def test_the_tally_is_the_images_counted_in_order(
    tmp_path: Path, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastread, "BATCH_BYTES", size)  # many batches, or one
    inv = _mixed(40)
    path = tmp_path / "inv.json"
    write_inventory(inv, path)
    with monkeypatch.context() as patch:
        patch.setattr(snapshot, "_streamed", None)  # NOTE: read the fast way, or fail
        rest, tally = read_tallied(path)
    assert rest == dataclasses.replace(read_inventory(path), images=())
    assert _keyed(tally) == _keyed(ImageTally.of(inv.images))
    assert tally.count == 40 and tally.formats.most_common(2) == [("?", 20), ("qcow2", 7)]
    assert collect_summary(rest, "p", tally) == collect_summary(inv, "p")
    assert "images of deleted projects: 20 from 2 owners (gone, old)" in collect_summary(inv, "p")


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(inventories())
def test_any_inventory_gives_the_summary_of_the_full_read(inv: Inventory) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inv.json"
        write_inventory(inv, path)
        full, tallied = _both(path)
    assert tallied == full


def _damaged(old: str, new: str) -> str:
    text = dump_inventory(Inventory(generator="t", images=(_image(1), _image(2), _image(3))))
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    "text",
    [
        _damaged('"size": 2,', '"size": "2",'),
        _damaged('"size": 2,', '"size": -2,'),
        _damaged('"virtual_size": null', '"virtual_size": -5'),
        _damaged('"size": 2,', '"size": -0,'),
        _damaged('"id": "img-00002",', ""),
        _damaged('"store": "ceph",', ""),
        _damaged('"status": "accepted"', '"status": 1'),
        _damaged('"k",\n', '"k", "v", '),
        _damaged('"protected": false', '"protected": 0'),
        _damaged('"img-00002"', '"img-00001"'),
        _damaged('"size": 2,', '"size": 2, "later_field": [1],'),
        _damaged('"images": [\n    {', '"images": [{'),  # another layout
        _damaged('"owner": "p1"', '"owner": "p\\ud800"'),
    ],
    ids=lambda text: str(hash(text) % 1000),
)
def test_a_damaged_image_is_refused_as_the_full_read_refuses_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "inv.json"
    path.write_text(text)
    full, tallied = _both(path)
    assert tallied == full


def test_the_damages_above_are_refused_or_read_as_expected(tmp_path: Path) -> None:
    path = tmp_path / "inv.json"
    path.write_text(_damaged('"size": 2,', '"size": "2",'))
    assert _both(path)[1] == f"error {path}: images[1].size: expected int, got str"
    path.write_text(_damaged('"img-00002"', '"img-00001"'))
    assert "images[1].id 'img-00001' repeats images[0].id" in _both(path)[1]
    path.write_text(_damaged('"size": 2,', '"size": 2, "later_field": [1],'))
    assert "images: 3 (3 raw; 3 active)" in _both(path)[1]


@pytest.mark.parametrize("suffix", ["json", "json.zst", "json.gz"])
def test_show_prints_the_summary_of_the_full_read(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    inv = _mixed(25)
    path = tmp_path / f"inv.{suffix}"
    write_inventory(inv, path)
    assert run(["show", str(path)]) == 0
    assert capsys.readouterr().out == collect_summary(read_inventory(path), str(path))


def test_a_mirror_has_the_fields_types_and_defaults_of_its_class() -> None:
    struct = mirror(Image)
    fields = dataclasses.fields(Image)
    assert struct.__struct_fields__ == tuple(f.name for f in fields)
    assert struct.__struct_defaults__ == tuple(
        f.default for f in fields if f.default is not dataclasses.MISSING
    )
    doc = json.loads(dump_inventory(Inventory(images=(_image(7),))))["images"][0]
    got = msgspec.json.decode(json.dumps(doc), type=struct)
    assert got.locations[0].store == "ceph" and got.members[0].member_id == "p2"
    assert msgspec.structs.asdict(got).keys() == doc.keys()


def test_a_mirror_refuses_a_negative_size_itself() -> None:
    struct = mirror(Image)
    for field in ("size", "virtual_size"):
        with pytest.raises(msgspec.ValidationError, match=f">= 0 - at `\\$.{field}`"):
            msgspec.json.decode(f'{{"id": "i", "{field}": -1}}', type=struct)
        got = msgspec.json.decode(f'{{"id": "i", "{field}": 0}}', type=struct)
        assert getattr(got, field) == 0
    assert msgspec.json.decode('{"id": "i", "size": null}', type=struct).size is None


def test_a_union_of_record_classes_has_no_mirror() -> None:
    @dataclasses.dataclass(frozen=True)
    class Either:
        value: Location | ImageMember

    with pytest.raises(TypeError, match="a union of record classes"):
        mirror(Either)
