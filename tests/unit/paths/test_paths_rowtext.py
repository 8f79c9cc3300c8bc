"""A row written from its class's form (made once, filled with the image's values) is the
row written from the image's own verdict, in JSON and CSV, whatever the values hold."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "audit"))
from audit_support import AUDIT_FIXTURES, collect_dir

from imageyard.audit.cow import Verdict, VerdictTable, verdicts
from imageyard.audit.cow.trace import Form
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location
from imageyard.paths import PathsReport, build_paths, render, rowtext

CASES = [
    *sorted((AUDIT_FIXTURES / "cow-not-eligible").iterdir()),
    *sorted((AUDIT_FIXTURES / "signature-verify-cow-bypass").iterdir()),
    *sorted((AUDIT_FIXTURES / "non-raw-in-rbd").iterdir()),
    *sorted((AUDIT_FIXTURES / "public-image-unsigned").iterdir()),
]
_PIECES = st.sampled_from(
    ["img", "%", "%s", "%%", ",", '"', "\\", "\n", "\r", "\x00", "\x01", "\x7f", "é", "İ",
     "\u2028", "\U0001f600", "\ud800", " ", "|", "http://u:pw@h/x", "password=abc", "hunter22",
     "token", "\\u0000", "@"]
)  # fmt: skip
_TEXTS = st.lists(_PIECES, max_size=5).map("".join)
# NOTE: a status or disk_format is written into the form's own texts, where a NUL would
# read as a slot mark (boot_path's concern, not the writers')
_WORDS = _TEXTS.map(lambda text: text.replace("\x00", ""))
_SIZES = st.one_of(st.none(), st.integers(0, 1 << 42))


@functools.cache
def _base(case: Path) -> Inventory:
    return collect_dir(case)


def _plain_json(report: PathsReport) -> list[str]:
    return [render._json_text(row) for row in report.rows()]


def _plain_csv(report: PathsReport) -> list[str]:
    return [render._csv_line(row) for row in report.rows()]


def _json(report: PathsReport) -> list[str]:
    return list(render._texts(report, rowtext.json_row, render._json_text))


def _csv(report: PathsReport) -> list[str]:
    return list(render._texts(report, rowtext.csv_line, render._csv_line))


def _shared_rows(report: PathsReport) -> int:
    """How many rows have a form shared with their class."""
    return sum(
        not isinstance(decided, Verdict)
        for consumer in report.consumers
        for _image, decided in report.decided_of(consumer)
    )


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_form_rows_are_the_verdicts_rows(case: Path) -> None:
    inv = _base(case)
    report = build_paths(inv)
    assert report.consumers and inv.images
    assert _shared_rows(report) > 0
    # NOTE: csv quotes these forms' texts as rowtext says (no row falls back to its verdict)
    assert all(rowtext.csv_line("c", form) is not None for form in _forms(report))
    assert _json(report) == _plain_json(report)
    assert _csv(report) == _plain_csv(report)


def _no_forms(self: VerdictTable, images: tuple[Image, ...], consumer: object) -> Iterator[object]:
    return ((image, None) for image in images)


def test_rows_decided_image_by_image_are_written_from_their_verdicts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inv = _base(CASES[1])
    plain_json, plain_csv = _plain_json(build_paths(inv)), _plain_csv(build_paths(inv))
    monkeypatch.setattr(VerdictTable, "forms", _no_forms)
    report = build_paths(inv)
    assert _shared_rows(report) == 0
    assert _json(report) == plain_json
    assert _csv(report) == plain_csv


def _url(loc: Location, suffix: str) -> Location:
    return replace(loc, url=loc.url + suffix)


def _odd(image: Image, values: tuple[str, str, str, str, str], n: int) -> Image:
    """``image`` under a new id with odd name, status suffix, disk_format and URL tails."""
    ident, name, status, disk, tail = values
    return replace(
        image,
        id=f"{n:04d}{ident}",
        name=name or None,
        status=image.status + status if n % 3 == 0 else image.status,
        disk_format=(image.disk_format or "") + disk if n % 4 == 1 else image.disk_format,
        locations=tuple(_url(loc, tail) for loc in image.locations),
    )


@settings(max_examples=120, deadline=None)
@given(
    st.sampled_from(CASES),
    st.lists(st.tuples(_TEXTS, _TEXTS, _WORDS, _WORDS, _TEXTS), min_size=1, max_size=8),
    st.lists(st.tuples(_SIZES, _SIZES), min_size=1, max_size=8),
)
def test_any_values_give_the_verdicts_rows(
    case: Path,
    values: list[tuple[str, str, str, str, str]],
    sizes: list[tuple[int | None, int | None]],
) -> None:
    base = _base(case)
    images = []
    for n, odd in enumerate(values):
        image = _odd(base.images[n % len(base.images)], odd, n)
        size, virtual = sizes[n % len(sizes)]
        images.append(replace(image, size=size, virtual_size=virtual))
    report = build_paths(replace(base, images=tuple(images)))
    assert _json(report) == _plain_json(report)
    assert _csv(report) == _plain_csv(report)


@given(_SIZES, _SIZES)
def test_head_values_are_the_first_slot_values(size: int | None, virtual: int | None) -> None:
    inv = _base(CASES[0])
    table = verdicts(inv)
    for image in inv.images:
        image = replace(image, size=size, virtual_size=virtual)
        assert rowtext.head_values(image) == table.values(image)[:3]


def test_a_form_csv_does_not_quote_as_guessed_is_written_from_verdicts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = build_paths(_base(CASES[0]))
    monkeypatch.setattr(rowtext, "_csv_field", lambda text: "" if text is None else text)
    monkeypatch.setattr(rowtext, "_CSV_SPECIAL", re.compile("(?!)"))
    lines = {f.cause: rowtext.csv_line("c", f) for f in _forms(report)}
    quoted = {cause for cause, line in lines.items() if line is None}
    assert quoted  # NOTE: every reason holds a comma or a quote: csv quotes it
    assert _csv(report) == _plain_csv(report)


def _forms(report: PathsReport) -> list[Form]:
    return [
        decided
        for consumer in report.consumers
        for _image, decided in report.decided_of(consumer)
        if not isinstance(decided, Verdict)
    ]
