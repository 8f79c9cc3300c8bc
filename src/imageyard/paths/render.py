"""``imageyard paths`` output: a grouped table, JSON and CSV; pure ``render(report) -> str``.

Concepts: the table shows, per consumer, its summary line and one group per (path, cause)
with the image count, the reason of the group's first image and up to ``EXAMPLES`` image
names: a catalog of 100,000 images gives as many lines as one of 100. JSON (sorted keys)
and CSV carry every row, reasons in decision order (CSV joins them with `` | ``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from imageyard.paths import PathRow, PathsReport
from imageyard.report import jsontext

EXAMPLES = 3
SCHEMA = "imageyard-paths/1"
CSV_FIELDS = (
    "consumer", "image_id", "image_name", "status", "disk_format", "path", "cause",
    "location", "store", "confidence", "reasons", "notes",
)  # fmt: skip


def _label(row: PathRow) -> str:
    return row.image.name or row.image.id


def _groups(rows: list[PathRow]) -> list[tuple[str, str, list[PathRow]]]:
    grouped: dict[tuple[str, str], list[PathRow]] = {}
    for row in rows:
        grouped.setdefault((row.verdict.path.value, row.verdict.cause), []).append(row)
    ordered = sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [(path, cause, members) for (path, cause), members in ordered]


def _decisive(row: PathRow) -> str:
    v = row.verdict
    return v.last_reason if v.path.value in ("error", "clone") else v.first_reason


def render_table(report: PathsReport) -> str:
    """Per consumer: the summary, then one block per (path, cause), biggest first."""
    out: list[str] = []
    for summary in report.summaries:
        rows = [r for r in report.rows if r.consumer.name == summary.consumer.name]
        out.append(summary.line)
        for path, cause, members in _groups(rows):
            names = ", ".join(_label(r) for r in members[:EXAMPLES])
            more = f" and {len(members) - EXAMPLES} more" if len(members) > EXAMPLES else ""
            out.append(f"  {len(members):>7}  {path:<26} {cause}")
            out.append(f"           e.g. {names}{more}")
            out.append(f"           {_decisive(members[0])}")
        out.append("")
    if not report.summaries:
        out.append("no consumers: the snapshot has no nova.conf or Cinder RBD backend\n")
    return "\n".join(out)


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


def render_json(report: PathsReport) -> str:
    """Every row plus the summaries, deterministic."""
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
        "paths": [_row(r) for r in report.rows],
    }
    return jsontext.dumps(doc) + "\n"


def render_csv(report: PathsReport) -> str:
    """One line per image x consumer."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in report.rows:
        data = _row(row)
        data["reasons"] = " | ".join(data["reasons"])
        data["notes"] = " | ".join(data["notes"])
        writer.writerow(data)
    return buf.getvalue()


FORMATS: dict[str, Callable[[PathsReport], str]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
}
