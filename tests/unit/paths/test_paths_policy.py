"""``paths -f json`` rows written from their forms (the text ``jsontext`` writes) and CSV
rows a batch at a time: a batch the secrets policy would change still goes to the writer as text,
so the file is the old file."""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "audit"))
from audit_support import AUDIT_FIXTURES, collect_dir

from imageyard import secrets
from imageyard.files import write_text
from imageyard.model.inventory import Inventory
from imageyard.paths import build_paths, render
from imageyard.paths.render import CSV_FIELDS, SCHEMA, _row, render_csv, render_json
from imageyard.secrets import REDACTED, Redactor, Scrubbed

_CASE = sorted((AUDIT_FIXTURES / "cow-not-eligible").iterdir())[0]
_NAME_PIECES = st.sampled_from(
    ["img", "password", "=", ": ", " ", "token", "user's token and", "http://", "u:pw@h/x",
     "rbd://p/i", "hunter22", 'pa"ss\\w', "x\tsecret9", "é", "İ", "\x7f", "\x01", "\x1c",
     '"', "\\", ",", "\u2028", "KEY", "\n"]
)  # fmt: skip
_NAMES = st.lists(st.lists(_NAME_PIECES, max_size=6).map("".join), min_size=1, max_size=6)


@functools.cache
def _base() -> Inventory:
    return collect_dir(_CASE)


def _named(names: list[str]) -> Inventory:
    """The fixture's images, one per name (copies in turn, under new ids)."""
    inv = _base()
    images = tuple(
        replace(inv.images[n % len(inv.images)], id=f"{n:08d}-0000-4000-8000-0000000000bb",
                name=name)
        for n, name in enumerate(names)
    )  # fmt: skip
    return replace(inv, images=images)


def _old_text(inv: Inventory) -> str:
    """The document as one ``json.dumps`` (as ``jsontext`` writes it), then scrubbed."""
    report = build_paths(inv)
    rows = [_row(r) for r in report.rows()]
    consumers = [
        {"name": s.consumer.name, "kind": s.consumer.kind.value, "bootable": s.bootable,
         "clones": s.clones, "paths": {p.value: n for p, n in s.by_path}, "summary": s.line}
        for s in report.summaries
    ]  # fmt: skip
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "images": report.images,
        "consumers": consumers,
        "paths": rows,
    }
    return secrets.scrub(json.dumps(doc, indent=2, sort_keys=True) + "\n")


def _redactor() -> Redactor:
    redactor = Redactor()
    redactor.remember(["hunter22", 'pa"ss\\w', "x\tsecret9"])
    return redactor


@settings(max_examples=150, deadline=None)
@given(_NAMES, st.integers(1, 4))
def test_the_file_is_the_scrubbed_json_dumps_text(names: list[str], batch: int) -> None:
    secrets.install(_redactor())
    try:
        inv = _named(names)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(render, "BATCH", batch)
            chunks = list(render_json(build_paths(inv)))
        for chunk in chunks:
            if isinstance(chunk, Scrubbed):
                text = chunk.decode("ascii")
                assert secrets.scrub(text) == text
        written = "".join(
            c.decode("ascii") if isinstance(c, Scrubbed) else secrets.scrub(c) for c in chunks
        )
        assert written == _old_text(inv)
    finally:
        secrets.install(Redactor())


def test_a_secret_in_a_name_never_reaches_the_file(tmp_path: Path) -> None:
    secrets.install(_redactor())
    try:
        names = [f"plain-{n}" for n in range(30)]
        names[17] = "see http://u:pw@h/x and password=abc and hunter22"
        names[23] = "café token"  # NOTE: not ASCII: written by jsontext
        out = tmp_path / "paths.json"
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(render, "BATCH", 4)
            write_text(render_json(build_paths(_named(names))), str(out), "paths")
        text = out.read_text()
        assert "pw@" not in text and "abc" not in text and "hunter22" not in text
        rows = json.loads(text)["paths"]
        masked = f"see http://u:{REDACTED}@h/x and password={REDACTED} and {REDACTED}"
        assert {r["image_name"] for r in rows if r["image_name"].startswith("see")} == {masked}
        assert text == _old_text(_named(names))
    finally:
        secrets.install(Redactor())


def test_clean_rows_are_written_from_their_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    names = [f"the user's token and key {n}" for n in range(9)]
    monkeypatch.setattr(render, "BATCH", 4)
    monkeypatch.setattr(render, "_json_row", lambda _doc: pytest.fail("written by jsontext"))
    chunks = list(render_json(build_paths(_named(names))))
    assert len(chunks) > 3 and all(isinstance(c, Scrubbed) for c in chunks[1:-1])
    text = "".join(c if isinstance(c, str) else c.decode("ascii") for c in chunks)
    assert text == _old_text(_named(names))


def _old_csv(inv: Inventory) -> str:
    """Every row by ``csv.DictWriter``, then scrubbed."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in build_paths(inv).rows():
        data = _row(row)
        writer.writerow({**data, "reasons": " | ".join(data["reasons"]),
                         "notes": " | ".join(data["notes"])})  # fmt: skip
    return secrets.scrub(buf.getvalue())


@settings(max_examples=150, deadline=None)
@given(_NAMES, st.integers(1, 4))
def test_the_csv_file_is_the_scrubbed_csv_text(names: list[str], batch: int) -> None:
    secrets.install(_redactor())
    try:
        inv = _named(names)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(render, "BATCH", batch)
            chunks = list(render_csv(build_paths(inv)))
        for chunk in chunks:
            if isinstance(chunk, Scrubbed):
                text = chunk.decode("utf-8")
                assert secrets.scrub(text) == text
        written = "".join(
            c.decode("utf-8") if isinstance(c, Scrubbed) else secrets.scrub(c) for c in chunks
        )
        assert written == _old_csv(inv)
    finally:
        secrets.install(Redactor())


def test_a_secret_in_a_name_never_reaches_the_csv_file(tmp_path: Path) -> None:
    secrets.install(_redactor())
    try:
        names = [f"plain-{n}" for n in range(30)]
        names[17] = "see http://u:pw@h/x and password=abc and hunter22"
        out = tmp_path / "paths.csv"
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(render, "BATCH", 4)
            chunks = list(render_csv(build_paths(_named(names))))
            write_text(iter(chunks), str(out), "paths")
        assert sum(isinstance(c, Scrubbed) for c in chunks) >= 10
        text = out.read_text()
        assert "pw@" not in text and "abc" not in text and "hunter22" not in text
        assert text == _old_csv(_named(names))
    finally:
        secrets.install(Redactor())
