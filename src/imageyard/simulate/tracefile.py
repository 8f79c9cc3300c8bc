"""The CSV form of a boot trace: ``time,image,host,az[,size][,lifetime]``, one boot a line.

``time`` is seconds (any epoch) or an ISO 8601 timestamp; ``size`` is the image's bytes
(empty: taken from ``sizes``, e.g. an inventory's image sizes); ``lifetime`` is the
instance's seconds of life (empty: ``default_lifetime``). A first line starting with
``time`` is a header. Lines starting with ``#`` and blank lines are skipped. A bad line is an
``InputError`` naming ``file:line``.
"""

from __future__ import annotations

import csv
import io
import math
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime

from imageyard.errors import InputError
from imageyard.files import os_reason
from imageyard.simulate.trace import Trace, TraceBuilder

HEADER = ("time", "image", "host", "az", "size", "lifetime")


def parse_time(text: str) -> float:
    """Seconds from a number or an ISO 8601 timestamp (naive ones are UTC)."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a time: {text!r} (seconds or ISO 8601)") from None
    if stamp.tzinfo is None:
        return (stamp - datetime(1970, 1, 1)).total_seconds()
    return stamp.timestamp()


def open_text(path: str, what: str = "trace", errors: str = "strict") -> io.TextIOWrapper:
    """Regular file ``path`` opened as UTF-8 text, streamed; anything else is an InputError."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what}: {os_reason(exc)}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError(f"{path}: not a regular file (the {what} must be a file)")
    return io.TextIOWrapper(os.fdopen(fd, "rb"), encoding="utf-8", errors=errors, newline="")


def read_trace(
    path: str,
    sizes: Mapping[str, int] | None = None,
    default_lifetime: float = math.inf,
) -> Trace:
    """The trace in CSV file ``path``."""
    builder = TraceBuilder()
    with open_text(path) as handle:
        try:
            for number, row in _rows(handle):
                _add(builder, row, f"{path}:{number}", sizes or {}, default_lifetime)
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text; the trace must be UTF-8") from None
        except csv.Error as exc:
            raise InputError(f"{path}: not CSV: {exc}") from None
    if not builder.rows:
        raise InputError(f"{path}: the trace has no events")
    return builder.build()


def _rows(handle: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(handle)
    for row in reader:
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if reader.line_num == 1 and row[0].strip().lower() == "time":
            continue
        yield reader.line_num, [field.strip() for field in row]


def _add(
    builder: TraceBuilder,
    row: list[str],
    where: str,
    sizes: Mapping[str, int],
    default_lifetime: float,
) -> None:
    if not 4 <= len(row) <= 6:
        raise InputError(f"{where}: expected time,image,host,az[,size][,lifetime]")
    row = row + [""] * (6 - len(row))
    time_text, image, host, zone, size_text, life_text = row
    if not image or not host:
        raise InputError(f"{where}: the image and the host must not be empty")
    try:
        time = parse_time(time_text)
        size = int(size_text) if size_text else sizes.get(image, -1)
        lifetime = float(life_text) if life_text else default_lifetime
    except ValueError as exc:
        raise InputError(f"{where}: {exc}") from None
    if size < 0:
        raise InputError(
            f"{where}: no size for image {image!r}",
            tip="add a size column, or give --inventory with the image's size",
        )
    if not math.isfinite(time) or lifetime < 0:
        raise InputError(f"{where}: the time must be finite and the lifetime not negative")
    builder.add(time, image, host, zone, size, lifetime)


def trace_csv(trace: Trace) -> Iterator[str]:
    """``trace`` as CSV text, a chunk per line (with the header)."""
    yield ",".join(HEADER) + "\n"
    names, hosts, zones = trace.image_names, trace.host_names, trace.zone_names
    for time, image, host, zone, size, life in zip(
        trace.times,
        trace.images,
        trace.hosts,
        trace.zones,
        trace.sizes,
        trace.lifetimes,
        strict=True,
    ):
        lifetime = "" if life == math.inf else f"{life:g}"
        fields = (_quoted(names[image]), _quoted(hosts[host]), _quoted(zones[zone]))
        yield f"{time:.3f},{','.join(fields)},{size},{lifetime}\n"


def _quoted(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
