"""``imageyard paths`` output: a grouped table, JSON and CSV, each written chunk by chunk.

Concepts: ``render(report)`` yields the text in chunks (each a whole unit: a consumer's
block, a batch of rows), so the output of a catalog of any size is written while its
verdicts are decided and never held whole. The table shows, per consumer, its summary line
and one group per (path, cause) with the image count, the reason of the group's first image
and up to ``EXAMPLES`` image names: a catalog of 100,000 images gives as many lines as one
of 100. JSON (sorted keys, ``report.jsontext``) and CSV carry every row, reasons in decision
order (CSV joins them with `` | ``). JSON names the per-consumer summaries before the rows,
so its rows are written to an unnamed temporary file while they are tallied, then copied
after the summaries. Each row of an image whose class shares a form is that form's row,
made once per consumer (``rowtext``), with the image's values filled in; an image decided
on its own is written from its verdict.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

from imageyard import secrets
from imageyard.audit.cow import Consumer, Verdict
from imageyard.audit.cow.trace import Form
from imageyard.model.image import Image
from imageyard.paths import Decided, PathRow, PathsReport, rowtext
from imageyard.report import jsontext
from imageyard.secrets import Scrubbed
from imageyard.terminal import one_line

EXAMPLES = 3
BATCH = 1000  # rows per chunk
SCHEMA = "imageyard-paths/1"
CSV_FIELDS = (
    "consumer", "image_id", "image_name", "status", "disk_format", "path", "cause",
    "location", "store", "confidence", "reasons", "notes",
)  # fmt: skip
_ROWS = "\x00"  # where the rows go in the JSON skeleton (JSON text never holds a raw NUL)
T = TypeVar("T")


def _label(image: Image) -> str:
    return one_line(image.name or image.id)


class _Group:
    """One (path, cause) of one consumer: how many images, and the first ``EXAMPLES``."""

    __slots__ = ("count", "first")

    def __init__(self) -> None:
        self.count = 0
        self.first: list[Image] = []

    def add(self, image: Image) -> None:
        self.count += 1
        if len(self.first) < EXAMPLES:
            self.first.append(image)


def _groups(report: PathsReport, consumer: Consumer) -> list[tuple[str, str, _Group]]:
    grouped: dict[tuple[str, str], _Group] = {}
    for image, decided in report.decided_of(consumer):
        key = (decided.path.value, decided.cause)
        group = grouped.get(key)
        if group is None:
            group = grouped[key] = _Group()
        group.add(image)
    ordered = sorted(grouped.items(), key=lambda kv: (-kv[1].count, kv[0]))
    return [(path, cause, group) for (path, cause), group in ordered]


def _decisive(v: Verdict) -> str:
    return v.last_reason if v.path.value in ("error", "clone") else v.first_reason


def _block(report: PathsReport, consumer: Consumer, groups: list[tuple[str, str, _Group]]) -> str:
    out = [report.summary(consumer).line]
    for path, cause, group in groups:
        names = ", ".join(_label(image) for image in group.first)
        more = f" and {group.count - EXAMPLES} more" if group.count > EXAMPLES else ""
        decisive = _decisive(report.verdict(group.first[0], consumer))
        out.append(f"  {group.count:>7}  {path:<26} {one_line(cause)}")
        out.append(f"           e.g. {names}{more}")
        out.append(f"           {one_line(decisive)}")
    return "\n".join(out) + "\n"


def render_table(report: PathsReport) -> Iterator[str]:
    """Per consumer: the summary, then one block per (path, cause), biggest first."""
    for n, consumer in enumerate(report.consumers):
        groups = _groups(report, consumer)
        yield ("\n" if n else "") + _block(report, consumer, groups)
    if not report.consumers:
        yield "no consumers: the snapshot has no nova.conf or Cinder RBD backend\n"


def _row(row: PathRow) -> dict[str, Any]:
    v, image = row.verdict, row.image
    return {
        "consumer": row.consumer.name,
        "image_id": image.id,
        "image_name": image.name,
        "status": image.status,
        "disk_format": image.disk_format,
        "path": v.path.value,
        "cause": v.cause,
        "location": v.location,
        "store": v.store,
        "confidence": v.confidence.value,
        "reasons": list(v.reasons),
        "notes": list(v.notes),
    }


def _json_row(doc: dict[str, Any]) -> str:
    return ",\n    " + jsontext.dumps(doc, level=2)


def _path_row(report: PathsReport, image: Image, consumer: Consumer, decided: Decided) -> PathRow:
    verdict = decided if isinstance(decided, Verdict) else report.verdict(image, consumer)
    return PathRow(image, consumer, verdict)


_Made = dict[int, rowtext.RowText | None]  # each form's row text, by the form's id


def _texts(
    report: PathsReport,
    make: Callable[[str, Form], rowtext.RowText | None],
    plain: Callable[[PathRow], str],
) -> Iterator[str]:
    """Every row's text: its form's row (``make``, once per form and consumer) with the
    image's values, else (no form, or ``make`` or the row gave None) ``plain`` of its row."""
    for consumer in report.consumers:
        made: _Made = {}
        for image, decided in report.decided_of(consumer):
            text = None
            if not isinstance(decided, Verdict):
                text = _form_text(report, made, make, consumer, image, decided)
            yield text if text is not None else plain(_path_row(report, image, consumer, decided))


def _form_text(
    report: PathsReport,
    made: _Made,
    make: Callable[[str, Form], rowtext.RowText | None],
    consumer: Consumer,
    image: Image,
    form: Form,
) -> str | None:
    key = id(form)  # NOTE: the verdict table keeps every form, so no other has its id
    if key not in made:
        made[key] = make(consumer.name, form)
    row = made[key]
    return None if row is None else row.text(image, rowtext.values(report.table, image, row.needs))


def _json_text(row: PathRow) -> str:
    return _json_row(_row(row))


def _json_batch(rows: list[str]) -> str | Scrubbed:
    """A batch of rows: ``Scrubbed`` when the secrets policy would change nothing in it,
    else text for the writer to scrub."""
    # NOTE: jsontext escapes every character outside ASCII; the joined text is not kept
    # beside its bytes (a batch's text is held once, plus its rows)
    data = "".join(rows).encode("ascii")
    return Scrubbed(data) if secrets.current().clean_ascii(data) else data.decode("ascii")


def _skeleton(report: PathsReport, rows: str) -> list[str]:
    """The JSON document around its rows, split where the rows go."""
    doc = {
        "schema": SCHEMA,
        "images": report.images,
        "consumers": [
            {
                "name": s.consumer.name,
                "kind": s.consumer.kind.value,
                "bootable": s.bootable,
                "clones": s.clones,
                "paths": {p.value: n for p, n in s.by_path},
                "summary": s.line,
            }
            for s in report.summaries
        ],
        "paths": jsontext.Raw(rows),
    }
    return (jsontext.dumps(doc) + "\n").split(_ROWS)


def _spill(report: PathsReport, spill: IO[bytes]) -> list[tuple[int, bool]]:
    """Every row's JSON (each after a comma, ASCII) into ``spill``; the length of each batch
    and whether it is ``Scrubbed``."""
    spilled = []
    for chunk in _in_batches(_texts(report, rowtext.json_row, _json_text), _json_batch):
        if isinstance(chunk, Scrubbed):
            spilled.append((spill.write(chunk), True))
        else:
            spilled.append((spill.write(chunk.encode("ascii")), False))
    return spilled


def _read(spill: IO[bytes], size: int, scrubbed: bool, skip: int = 0) -> str | Scrubbed:
    data = spill.read(size)[skip:]
    return Scrubbed(data) if scrubbed else data.decode("ascii")


def render_json(report: PathsReport) -> Iterator[str | Scrubbed]:
    """Every row plus the summaries, as ``json.dumps(doc, indent=2, sort_keys=True)``."""
    with tempfile.TemporaryFile("w+b") as spill:
        spilled = _spill(report, spill)
        if not spilled:
            yield "".join(_skeleton(report, "[]"))
            return
        head, tail = _skeleton(report, _ROWS)
        spill.seek(0)
        first = _read(spill, *spilled[0], skip=1)  # NOTE: the first row has no comma before it
        yield from (head + "[" + first,) if isinstance(first, str) else (head + "[", first)
        for size, scrubbed in spilled[1:]:
            yield _read(spill, size, scrubbed)
        yield "\n  ]" + tail


def _csv_values(row: PathRow) -> list[Any]:
    """A row's CSV fields, in ``CSV_FIELDS`` order (as ``csv.DictWriter`` puts them)."""
    data = _row(row)
    data["reasons"] = " | ".join(data["reasons"])
    data["notes"] = " | ".join(data["notes"])
    return [data[name] for name in CSV_FIELDS]


def _csv_line(row: PathRow) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(_csv_values(row))
    return buf.getvalue()


def _csv_batch(lines: list[str]) -> str | Scrubbed:
    """A batch of CSV lines: ``Scrubbed`` when the secrets policy would change nothing in
    them, else text for the writer to scrub."""
    text = "".join(lines)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return text  # NOTE: a lone surrogate: the writer fails on it, as it always did
    # NOTE: clean_ascii is clean_texts for ASCII text, judged on its bytes (a little faster)
    policy = secrets.current()
    clean = policy.clean_ascii(data) if data.isascii() else policy.clean_texts([text])
    return Scrubbed(data) if clean else text


def _in_batches(
    rows: Iterable[T], write: Callable[[list[T]], str | Scrubbed]
) -> Iterator[str | Scrubbed]:
    """``write`` of each ``BATCH`` of ``rows``."""
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield write(batch)
            batch = []
    if batch:
        yield write(batch)


def render_csv(report: PathsReport) -> Iterator[str | Scrubbed]:
    """One line per image x consumer."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(CSV_FIELDS)
    yield buf.getvalue()
    yield from _in_batches(_texts(report, rowtext.csv_line, _csv_line), _csv_batch)


FORMATS: dict[str, Callable[[PathsReport], Iterator[str | Scrubbed]]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
}
