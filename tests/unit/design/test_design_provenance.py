"""Measured, declared or assumed: every datum of every design says which, and nothing that
was not read from the inventory is called measured.

The walk covers the design's JSON document (what the memo prints too): every evidence line
of every decision, every input line and every store carries one of the three sources. A
design without an inventory has no measured datum at all; in a design from an inventory each
measured datum about a named record (a compute group, a Cinder backend, a store and its
image count, an image to convert) is checked against the inventory itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from design_support import EXAMPLE_NAMES, example
from test_design_acceptance import SETS, _design

from imageyard.design.json_out import to_dict
from imageyard.design.provenance import ASSUMED, MEASURED, SOURCES, datum, source_of
from imageyard.model.inventory import Inventory


def _data(doc: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, datum line) for every cited datum of a design document."""
    for d in doc["decisions"]:
        yield from ((d["key"], line) for line in d["evidence"])
    yield from (("inputs", line) for line in doc["inputs"])
    yield from ((f"store {s['id']}", f"{s['source']}: store {s['id']}") for s in doc["stores"])


def _sourced(doc: dict[str, Any]) -> list[tuple[str, str]]:
    unsourced = [(where, line) for where, line in _data(doc) if source_of(line) not in SOURCES]
    assert unsourced == []
    return list(_data(doc))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_greenfield_designs_measure_nothing(name: str) -> None:
    run = example(name)
    data = _sourced(to_dict(run.design, run.diffs))
    assert [line for _, line in data if source_of(line) == MEASURED] == []
    assert run.design.conversions == ()  # images to convert are only ever measured ones


def _nova_names(inv: Inventory) -> set[str]:
    return {n.host.value if n.host is not None else n.path for n in inv.config.nova}


def _check_measured(line: str, inv: Inventory) -> None:
    """A measured datum about a named record matches that record in the inventory."""
    text = line.partition(":")[2].strip()
    if m := re.match(r"nova (\S+) images_type=(\S+)", text):
        assert m.group(1) in _nova_names(inv), line
    elif m := re.match(r"cinder backend (\S+) ", text):
        assert m.group(1) in {b.section for c in inv.config.cinder for b in c.backends}, line
    elif m := re.match(r"(\S+) holds (\d+) images", text):
        holding = [i for i in inv.images if m.group(1) in i.stores]
        assert int(m.group(2)) == len(holding), line
    elif m := re.match(r"store (\S+)$", text):
        assert inv.store(m.group(1)) is not None, line  # from the config or the Glance API


@pytest.mark.parametrize("path", SETS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_measured_data_come_from_the_inventory(path: Path) -> None:
    run, inv = _design(path, None)
    data = _sourced(to_dict(run.design, run.diffs))
    for _, line in data:
        if source_of(line) == MEASURED:
            _check_measured(line, inv)
    for c in run.design.conversions:
        image = inv.image(c.image_id)
        assert image is not None and image.disk_format == c.disk_format, c.image_id


def test_an_uncollected_catalog_is_assumed_not_measured() -> None:
    """The charm fixture has no Glance catalog: what its file store holds is not known."""
    run, inv = _design(next(p for p in SETS if p.name == "charm"), None)
    assert inv.images == ()
    retire = run.design.decision("layout.retire")
    assert retire is not None
    assert [source_of(e) for e in retire.evidence] == [ASSUMED]
    cache = run.design.decision("cache.glance_api")
    assert cache is not None and all(source_of(e) == ASSUMED for e in cache.evidence)


def test_a_datum_needs_one_of_three_sources() -> None:
    assert datum(ASSUMED, "x") == "assumed: x"
    with pytest.raises(ValueError, match="planned"):
        datum("planned", "x")
    assert source_of("unknown: x") is None
