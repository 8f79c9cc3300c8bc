"""An in-memory image list that pages as Glance's database API does (for listing tests).

What it copies from glance/db/sqlalchemy/api.py (``_image_get_all``, ``_paginate_query``)
and glance/api/v2/images.py (``index``): filters ``visibility`` (none: community left out,
``all``: everything), ``os_hidden`` (default false), one ``created_at=<op>:<time>`` compared
with the full, sub-second creation time; sort keys (``sort_key``/``sort_dir``, default
``created_at`` descending) with ``created_at`` and ``id`` appended in the default direction;
``marker``: the rows strictly after the marker row in that order, 400 when the marker is not
a listed image; ``limit`` (at most 1,000) and a ``next`` link while a page is full. Times are
shown as Glance shows them, in whole seconds. ``between`` is called before each request, so
a test can change the catalog while it is being listed. ``peek`` sees the raw body before it
is returned, as with the real transport.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from imageyard.collect.openstack.http import Failure, HttpError, Peek

_OPS: dict[str, Callable[[datetime, datetime], bool]] = {
    "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b, "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b, "eq": lambda a, b: a == b, "neq": lambda a, b: a != b,
}  # fmt: skip


@dataclass
class Row:
    id: str
    created_at: datetime  # naive UTC with microseconds, as the database keeps it
    visibility: str = "private"
    os_hidden: bool = False
    deleted: bool = False

    def body(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "visibility": self.visibility,
            "os_hidden": self.os_hidden,
        }


class PagingGlance:
    """``JsonHttp`` over a list of rows: ``/images`` and its ``next`` links only."""

    def __init__(self, rows: list[Row], between: Callable[[PagingGlance], None] | None = None):
        self.rows = {row.id: row for row in rows}
        self.between = between
        self.lock = threading.Lock()
        self.requests: list[dict[str, str]] = []
        self.markers: set[str] = set()  # ids a page ended with (a client may page after them)

    def get_json(
        self, path: str, params: Mapping[str, str | int] | None = None, *, peek: Peek | None = None
    ) -> Any:
        base, _, query = path.partition("?")
        assert base == "/images", path
        args = {k: str(v) for k, v in (params or {}).items()} | dict(parse_qsl(query))
        with self.lock:
            if self.between is not None:
                self.between(self)
            self.requests.append(args)
            body = self._page(args)
        if peek is not None:  # as the transport does: the raw body first, as Glance writes it
            peek(json.dumps(body).encode())
        return body

    def _page(self, args: dict[str, str]) -> Any:
        keys, dirs = _sorting(args)
        rows = sorted(self._listed(args), key=lambda r: _order(r, keys, dirs))
        marker = args.get("marker")
        if marker is not None:
            row = self.rows.get(marker)
            if row is None or row.deleted:
                raise HttpError("marker not found", kind=Failure.STATUS, status=400)
            after = _order(row, keys, dirs)
            rows = [r for r in rows if _order(r, keys, dirs) > after]
        limit = min(int(args.get("limit", "25")), 1000)
        page = rows[:limit]
        body: dict[str, Any] = {"images": [r.body() for r in page]}
        if len(page) == limit and page:
            self.markers.add(page[-1].id)
            rest = {k: v for k, v in args.items() if k != "marker"}
            body["next"] = "/v2/images?" + urlencode({**rest, "marker": page[-1].id})
        return body

    def _listed(self, args: dict[str, str]) -> list[Row]:
        hidden = args.get("os_hidden", "false") == "true"
        wanted = args.get("visibility")
        cut = _created(args.get("created_at"))
        return [
            r
            for r in self.rows.values()
            if not r.deleted
            and r.os_hidden == hidden
            and (
                wanted == "all"
                or r.visibility == wanted
                or (not wanted and r.visibility != "community")
            )
            and (cut is None or cut(r.created_at))
        ]


def _visible(visibility: str, wanted: str | None) -> bool:
    if wanted:
        return wanted == "all" or visibility == wanted
    return visibility != "community"


def _created(value: str | None) -> Callable[[datetime], bool] | None:
    if value is None:
        return None
    op, _, when = value.partition(":")
    threshold = datetime.fromisoformat(when).astimezone(UTC).replace(tzinfo=None)
    return lambda t: _OPS[op](t, threshold)


def _sorting(args: dict[str, str]) -> tuple[list[str], list[str]]:
    keys = [args.get("sort_key", "created_at")]
    default = args.get("sort_dir", "desc")
    dirs = [default]
    for key in ("created_at", "id"):
        if key not in keys:
            keys.append(key)
            dirs.append(default)
    return keys, dirs


class _Desc:
    """Reverses the order of a value (for descending sort keys)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Desc) -> bool:
        return bool(self.value > other.value)

    def __gt__(self, other: _Desc) -> bool:
        return bool(self.value < other.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and bool(self.value == other.value)


def _order(row: Row, keys: list[str], dirs: list[str]) -> tuple[Any, ...]:
    values = (getattr(row, key) for key in keys)
    return tuple(v if d == "asc" else _Desc(v) for v, d in zip(values, dirs, strict=True))
