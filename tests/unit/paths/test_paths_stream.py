"""``paths`` decides and writes row by row: the same text as one ``json.dumps`` of the whole
document, in chunks of whole rows, keeping no verdict and no document behind."""

from __future__ import annotations

import json
import sys
import tracemalloc
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "audit"))
from audit_support import AUDIT_FIXTURES, collect_dir

from imageyard.audit.cow import verdicts
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.paths import ConsumerSummary, PathsReport, build_paths, render
from imageyard.paths.render import BATCH, SCHEMA, _row, render_csv, render_json, render_table
from imageyard.secrets import Scrubbed

CASES = sorted((AUDIT_FIXTURES / "cow-not-eligible").iterdir())


def _many(inv: Inventory, count: int) -> Inventory:
    """``inv`` with ``count`` images, copies of its own in turn under new ids and names."""
    images: tuple[Image, ...] = tuple(
        replace(inv.images[n % len(inv.images)], id=f"{n:08d}-0000-4000-8000-0000000000aa",
                name=f"copy-{n}")
        for n in range(count)
    )  # fmt: skip
    return replace(inv, images=images)


def _consumer(s: ConsumerSummary) -> dict[str, Any]:
    paths = {p.value: n for p, n in s.by_path}
    return {"name": s.consumer.name, "kind": s.consumer.kind.value, "bootable": s.bootable,
            "clones": s.clones, "paths": paths, "summary": s.line}  # fmt: skip


def _text(report: PathsReport) -> str:
    """``render_json``'s chunks as one text (a ``Scrubbed`` batch is ASCII bytes)."""
    return "".join(c if isinstance(c, str) else c.decode("ascii") for c in render_json(report))


def _whole(report: PathsReport) -> str:
    """The document as one ``json.dumps``: every row and summary built first."""
    rows = [_row(r) for r in report.rows()]
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "images": report.images,
        "consumers": [_consumer(s) for s in report.summaries],
        "paths": rows,
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_json_is_the_whole_document_dumped_at_once(case: Path) -> None:
    inv = collect_dir(case)
    assert verdicts(inv).consumers and inv.images
    for variant in (inv, _many(inv, 2 * BATCH + 7), replace(inv, images=())):
        assert _text(build_paths(variant)) == _whole(build_paths(variant))


def test_json_without_consumers() -> None:
    text = _text(build_paths(Inventory()))
    assert text == _whole(build_paths(Inventory()))
    assert json.loads(text)["paths"] == [] and json.loads(text)["consumers"] == []


def test_rows_come_in_chunks_of_whole_rows() -> None:
    inv = _many(collect_dir(CASES[0]), 3 * BATCH)
    report = build_paths(inv)
    rows = len(inv.images) * len(report.consumers)
    json_chunks = list(render_json(report))
    # NOTE: the head goes with the first batch when that is text for the writer to scrub
    head = 1 if isinstance(json_chunks[1], Scrubbed) else 0
    assert len(json_chunks) == -(-rows // BATCH) + 1 + head
    assert all(c.count(b'\n    {\n      "cause"') <= BATCH for c in json_chunks[1 + head : -1])
    assert all(isinstance(c, Scrubbed) for c in json_chunks[1 + head : -1])
    csv_chunks = [c if isinstance(c, str) else c.decode() for c in render_csv(build_paths(inv))]
    assert sum(c.count("\n") for c in csv_chunks) == rows + 1
    assert max(c.count("\n") for c in csv_chunks) <= BATCH


def test_a_walk_keeps_no_verdict() -> None:
    inv = _many(collect_dir(CASES[0]), 500)
    for write in (render_json, render_table, render_csv):
        list(write(build_paths(inv)))
        assert not any(verdicts(inv)._decided.values())


def test_summaries_match_the_rows_in_every_format() -> None:
    inv = collect_dir(CASES[0])
    report = build_paths(inv)
    table = "".join(render_table(report))
    for s in report.summaries:
        paths = [r.verdict.path.value for r in report.rows_of(s.consumer)]
        assert s.clones == paths.count("clone")
        assert s.bootable == len(paths) - paths.count("refused")
        assert s.line in table


def test_writing_holds_a_batch_not_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    inv = _many(collect_dir(CASES[0]), 4000)
    size = len(_whole(build_paths(inv)))
    monkeypatch.setattr(render, "BATCH", 100)  # 80 batches of 100 rows
    report = build_paths(inv)
    tracemalloc.start()
    try:
        chunks = sum(1 for _chunk in render_json(report))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert chunks > 50
    assert peak < size / 10, (peak, size)
