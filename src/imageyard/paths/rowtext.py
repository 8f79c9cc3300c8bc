"""A form's ``paths`` row made once; each image's row is that row with the image's values.

Concepts: the images of one class share a ``Form`` per consumer (``audit.cow.classes``):
their rows differ only in the image's own fields (disk_format, id, name, status) and in
the values the form's slots take (``VerdictTable.values``: the id, the sizes, then URL,
RBD image and snapshot of each location). ``json_row(consumer, form)`` is the row's JSON
text as ``render`` writes a verdict's, with holes: holes ``0-3`` take the image's fields
as JSON tokens, hole ``FIELDS + n`` slot ``n``'s value escaped as inside a JSON string. A
JSON escape maps each character on its own, so the escaped pieces of a text joined are
that text escaped. ``csv_row(form)`` holds a form's location, reasons and notes as
``render``'s CSV columns do (reasons and notes joined with `` | ``), slots and all. Each
says how many of the image's values it needs (``needs``): none, the first three (which
need no location, ``head_values``) or all of them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii
from typing import Protocol

from imageyard.audit.cow import VerdictTable
from imageyard.audit.cow.trace import FIRST_LOCATION_SLOT, MARK, Form, gib
from imageyard.model.image import Image
from imageyard.report import jsontext

FIELDS = 4  # holes 0-3: the image's disk_format, id, name and status
_quote = encode_basestring_ascii


def _hole(n: int) -> str:
    return f"{MARK}{n}{MARK}"


def _token(value: str | None) -> str:
    return "null" if value is None else _quote(value)


def _string(text: str) -> jsontext.Raw:
    """``text`` (a form's, with slots) as a JSON string whose slot ``n`` is hole
    ``FIELDS + n``."""
    pieces = text.split(MARK)
    inner = (
        _quote(p)[1:-1] if k % 2 == 0 else _hole(FIELDS + int(p)) for k, p in enumerate(pieces)
    )
    return jsontext.Raw('"' + "".join(inner) + '"')


def _needs(texts: list[str]) -> int:
    """How many of the image's values ``texts`` need: 0, ``FIRST_LOCATION_SLOT`` (the
    image's own) or more (its locations' too)."""
    slots = [int(n) for text in texts for n in text.split(MARK)[1::2]]
    if not slots:
        return 0
    return FIRST_LOCATION_SLOT if max(slots) < FIRST_LOCATION_SLOT else max(slots) + 1


def _texts(form: Form) -> list[str]:
    return [*form.reasons, *form.notes, *([] if form.location is None else [form.location])]


def head_values(image: Image) -> tuple[str, str, str]:
    """The first ``FIRST_LOCATION_SLOT`` of ``image``'s slot values (``trace.slot_values``:
    its id, size and virtual size), which read none of its locations."""
    size = image.size
    return (image.id, gib(size), gib(image.virtual_size or size))


def values(table: VerdictTable, image: Image, needs: int) -> tuple[str, ...]:
    """``image``'s slot values, as many as a row that ``needs`` them reads."""
    if not needs:
        return ()
    return head_values(image) if needs == FIRST_LOCATION_SLOT else table.values(image)


class RowText(Protocol):
    """A form's row as text with holes, filled per image."""

    @property
    def needs(self) -> int:
        """How many of the image's slot values ``text`` reads (``values``)."""

    def text(self, image: Image, slot_values: tuple[str, ...]) -> str | None:
        """The row of ``image`` (None: write it from its verdict)."""


@dataclass(frozen=True)
class JsonRow:
    """A form's JSON row: ``form`` with one ``%s`` per hole, the holes in text order."""

    form: str
    holes: tuple[int, ...]
    needs: int

    def text(self, image: Image, slot_values: tuple[str, ...]) -> str:
        """The row of ``image``, whose slot values are ``slot_values``."""
        fields = (
            _token(image.disk_format), _quote(image.id), _token(image.name), _quote(image.status)
        )  # fmt: skip
        return self.form % tuple(
            [fields[h] if h < FIELDS else _quote(slot_values[h - FIELDS])[1:-1] for h in self.holes]
        )


def json_row(consumer: str, form: Form) -> JsonRow:
    """``form``'s row on ``consumer`` as ``render`` writes a row (after a comma)."""
    doc = {
        "consumer": consumer,
        "image_id": jsontext.Raw(_hole(1)),
        "image_name": jsontext.Raw(_hole(2)),
        "status": jsontext.Raw(_hole(3)),
        "disk_format": jsontext.Raw(_hole(0)),
        "path": form.path.value,
        "cause": form.cause,
        "location": None if form.location is None else _string(form.location),
        "store": form.store,
        "confidence": form.confidence.value,
        "reasons": [_string(r) for r in form.reasons],
        "notes": [_string(n) for n in form.notes],
    }
    # NOTE: quoted JSON text holds no raw MARK (it is escaped): only the holes do
    pieces = (",\n    " + jsontext.dumps(doc, level=2)).split(MARK)
    text = "%s".join(p.replace("%", "%%") for p in pieces[::2])
    return JsonRow(text, tuple(int(h) for h in pieces[1::2]), _needs(_texts(form)))


@dataclass(frozen=True)
class CsvLine:
    """A form's CSV line: ``form`` with one ``%s`` per hole, the holes in text order."""

    form: str
    holes: tuple[int, ...]
    needs: int

    def text(self, image: Image, slot_values: tuple[str, ...]) -> str | None:
        """The line of ``image``, whose slot values are ``slot_values``; None when one of
        its values would make ``csv`` quote a field (then write it from its verdict)."""
        fields = (image.disk_format or "", image.id, image.name or "", image.status)
        values = [fields[h] if h < FIELDS else slot_values[h - FIELDS] for h in self.holes]
        if _CSV_SPECIAL.search("".join(values)):
            return None
        return self.form % tuple(values)


# NOTE: what makes the csv module quote a field of the excel dialect (the delimiter, the
# quote character, a line end) and a NUL, which it may refuse: a value free of all of them
# is written as it is
_CSV_SPECIAL = re.compile('[,"\r\n\x00]')


def _numbered(text: str) -> str:
    """``text`` (a form's, with slots) with slot ``n`` as hole ``FIELDS + n``."""
    pieces = text.split(MARK)
    return "".join(p if k % 2 == 0 else _hole(FIELDS + int(p)) for k, p in enumerate(pieces))


def _csv_field(text: str | None) -> str:
    """A field with holes as ``csv`` writes it when its holes' values are free of
    ``_CSV_SPECIAL``: quoted when its own text holds one of those."""
    if text is None:
        return ""
    if not _CSV_SPECIAL.search("".join(text.split(MARK)[::2])):
        return text
    return '"' + text.replace('"', '""') + '"'


def _csv_fields(consumer: str, form: Form) -> list[str | None]:
    """The fields of ``form``'s rows on ``consumer`` in ``render.CSV_FIELDS`` order, with
    holes for the image's values."""
    location = None if form.location is None else _numbered(form.location)
    return [
        consumer, _hole(1), _hole(2), _hole(3), _hole(0), form.path.value, form.cause,
        location, form.store, form.confidence.value, _numbered(" | ".join(form.reasons)),
        _numbered(" | ".join(form.notes)),
    ]  # fmt: skip


def _plain(text: str) -> str:
    """``text`` with each hole as the plain value ``x``."""
    return "x".join(text.split(MARK)[::2])


def csv_line(consumer: str, form: Form) -> CsvLine | None:
    """``form``'s rows on ``consumer`` as a CSV line with holes, or None when ``csv``
    writes its own text otherwise than ``_csv_field`` says (checked with every hole ``x``:
    then its rows are written from their verdicts)."""
    fields = _csv_fields(consumer, form)
    line = ",".join(map(_csv_field, fields)) + "\n"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([f if f is None else _plain(f) for f in fields])
    if buf.getvalue() != _plain(line):
        return None
    pieces = line.split(MARK)
    text = "%s".join(p.replace("%", "%%") for p in pieces[::2])
    return CsvLine(text, tuple(int(h) for h in pieces[1::2]), _needs(_texts(form)))
