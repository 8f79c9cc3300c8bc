"""Glance's own database as the image source: the API's Image records, read in one pass.

Concepts: an operator with database access (a read-only SQL user) can skip the image API,
whose pages and per-image member requests cost the Glance API most of its CPU. The rows are
the ones the API itself reads (glance/db/sqlalchemy/api.py, ``_image_get_all`` and
``_normalize_locations``; glance/db/__init__.py, ``_format_image_from_db``;
glance/api/v2/images.py, ``_format_image``), filtered the same way: images neither deleted
nor killed (``deleted = false`` and a listed status), their properties, tags and members
not deleted, their locations neither deleted nor in any status but ``active``. The
properties Glance hides (``os_glance_stage_host``, ``os_glance_hash_op_host``) stay hidden,
members are kept for shared images only (the members API refuses any other image), and the
locations are put in Glance's order, by store weight, highest first (equal weights keep
the database's order), which also gives ``stores`` and ``direct_url``. Each image is then
built by the same ``image_from_api`` as an API page, so both sources give equal records.

Release-aware: these five tables have had the same columns from Ussuri (Glance 20, alembic
head ``ussuri_contract01``) to 2026.2 (Glance 33, ``2024_1_contract01``); a database whose
tables lack a column read here (older than Rocky, which added ``os_hidden`` and
``os_hash_*``) is refused with a gap naming the column, and the alembic head is reported.

One read-only transaction (``REPEATABLE READ`` on PostgreSQL) sees one state of the
catalog. On PostgreSQL one query returns one row per listed image, its properties,
locations, tags and members aggregated into arrays and its times already in the API's form
(``to_char``): the server groups the side tables in one pass each, and the client reads
one row per image instead of one per property, location, member and tag. Elsewhere
(MySQL, SQLite) five queries, each sorted by image id and joined to the listed images, are
merged with the image rows in one streaming pass, without holding them all. Both give each
image the same parts in the same order (locations by id, which decides between equal store
weights).
The database URL's password is never written: errors are scrubbed before they become gaps.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from imageyard.collect.glance.convert import image_from_api
from imageyard.errors import UsageError
from imageyard.model.image import Image, ImageMember
from imageyard.secrets import scrub

# glance/db/sqlalchemy/api.py STATUSES, less 'killed' and 'deleted' (never listed)
LISTED_STATUSES = (
    "active", "saving", "queued", "pending_delete", "deactivated", "importing", "uploading",
)  # fmt: skip
HIDDEN_PROPERTIES = frozenset({"os_glance_stage_host", "os_glance_hash_op_host"})
# NOTE: the two times last, where ``merge`` and ``AGGREGATED`` put them in the API's form
IMAGE_COLUMNS = (
    "id", "name", "disk_format", "container_format", "size", "virtual_size", "status",
    "visibility", "checksum", "os_hash_algo", "os_hash_value", "min_disk", "min_ram", "owner",
    "protected", "os_hidden", "created_at", "updated_at",
)  # fmt: skip
COLUMNS: dict[str, tuple[str, ...]] = {
    "images": (*IMAGE_COLUMNS, "deleted"),
    "image_properties": ("image_id", "name", "value", "deleted"),
    "image_locations": ("image_id", "value", "meta_data", "status", "deleted"),
    "image_members": ("image_id", "member", "status", "created_at", "deleted"),
    "image_tags": ("image_id", "value", "deleted"),
}
_LISTED = "i.deleted = false AND i.status IN ({statuses})".format(
    statuses=", ".join(f"'{s}'" for s in LISTED_STATUSES)
)

_ACTIVE = "t.status = 'active'"  # a location being deleted or pending is not shown


def _side(columns: str, table: str, *where: str) -> str:
    """A side table's rows of listed images (the image id last), in the images' order."""
    conditions = " AND ".join(("t.deleted = false", *where, _LISTED))
    return (
        f"SELECT {columns}, t.image_id FROM {table} t JOIN images i ON i.id = t.image_id "
        f"WHERE {conditions} ORDER BY t.image_id, t.id"
    )


QUERIES = {
    "images": f"SELECT {', '.join(f'i.{c}' for c in IMAGE_COLUMNS)} FROM images i "
    f"WHERE {_LISTED} ORDER BY i.id",
    "properties": _side("t.name, t.value", "image_properties"),
    "locations": _side("t.value, t.meta_data", "image_locations", _ACTIVE),
    "members": _side("t.member, t.status, t.created_at", "image_members"),
    "tags": _side("t.value", "image_tags"),
}  # fmt: skip
_TIME = "%Y-%m-%dT%H:%M:%SZ"
_PG_TIME = """to_char({}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""  # _TIME, by the server


def _grouped(values: str, table: str, *where: str, ordered: bool = True) -> str:
    """Per image, the array of a side table's ``values`` (in id order when ``ordered``)."""
    order = " ORDER BY t.id" if ordered else ""
    conditions = " AND ".join(("t.deleted = false", *where))
    return (
        f"(SELECT t.image_id, array_agg({values}{order}) AS parts FROM {table} t "
        f"WHERE {conditions} GROUP BY t.image_id)"
    )


def _aggregated() -> str:
    """PostgreSQL: each listed image in one row, its side tables' rows as arrays.

    Properties and tags need no order (the model sorts them); a property name is unique
    per image (Glance's constraint), so no two rows of one image collide.
    """
    times = {"created_at", "updated_at"}
    columns = [_PG_TIME.format(f"i.{c}") if c in times else f"i.{c}" for c in IMAGE_COLUMNS]
    member = f"ARRAY[t.member, t.status, {_PG_TIME.format('t.created_at')}]"
    sides = (
        ("p", _grouped("ARRAY[t.name, t.value]", "image_properties", ordered=False), ""),
        ("l", _grouped("ARRAY[t.value, t.meta_data]", "image_locations", _ACTIVE), ""),
        ("g", _grouped("t.value", "image_tags", ordered=False), ""),
        ("m", _grouped(member, "image_members"), " AND i.visibility = 'shared'"),
    )
    joins = " ".join(f"LEFT JOIN {query} {name} ON {name}.image_id = i.id{extra}"
                     for name, query, extra in sides)  # fmt: skip
    return (
        f"SELECT {', '.join(columns)}, p.parts, l.parts, g.parts, m.parts FROM images i "
        f"{joins} WHERE {_LISTED}"
    )


AGGREGATED = _aggregated()

Row = tuple[Any, ...]


class SchemaError(Exception):
    """The database is not a Glance schema this reader knows."""


class QueryError(Exception):
    """A query failed in the driver (read through its own cursors, which SQLAlchemy does not
    wrap): no permission on a table, the connection lost ..."""


def read_errors() -> tuple[type[Exception], ...]:
    """What reading the database may raise (SQLAlchemy's errors wrap the driver's)."""
    from sqlalchemy.exc import SQLAlchemyError

    return (SchemaError, QueryError, SQLAlchemyError)


# the drivers 'imageyard[db]' installs, for a URL that names none (as Glance's own often do)
_DRIVERS = {"postgresql": "postgresql+psycopg2", "mysql": "mysql+pymysql"}


def engine_url(url: str) -> Any:
    """The SQLAlchemy URL, with the shipped driver when the URL names none."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    driver = _DRIVERS.get(parsed.drivername)
    return parsed.set(drivername=driver) if driver else parsed


def check_url(url: str) -> None:
    """Raise ``UsageError`` for a URL SQLAlchemy cannot parse or has no driver for."""
    try:
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError
    except ImportError:
        raise UsageError(
            "--glance-db needs SQLAlchemy and a database driver",
            tip="pip install 'imageyard[db]'",
        ) from None
    try:
        engine_url(url).get_dialect().import_dbapi()
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
        raise UsageError(
            f"--glance-db: {scrub(str(exc))}",
            tip="a SQLAlchemy URL such as postgresql://USER@HOST/glance or "
            "mysql+pymysql://USER@HOST/glance ('imageyard[db]' has both drivers)",
        ) from None


def missing_columns(tables: Mapping[str, set[str]]) -> list[str]:
    """``table.column`` of every column read here that ``tables`` lacks."""
    return [
        f"{table}.{column}"
        for table, columns in COLUMNS.items()
        for column in columns
        if column not in tables.get(table, set())
    ]


@dataclass(frozen=True)
class Shaping:
    """What the API would add from its configuration: store weights, ``direct_url``."""

    weights: Mapping[str, int]
    direct_url: bool = True  # show_image_direct_url

    def order(self, locations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Glance's ``sort_image_locations``: by store weight, highest first, stable."""
        weights = self.weights
        return sorted(locations, key=lambda loc: -weights.get(loc["metadata"].get("store"), 0))


@functools.lru_cache(maxsize=1024)
def _metadata(text: str) -> Mapping[str, Any]:
    """A location's ``meta_data`` JSON (a few distinct texts: ``{"store": "ceph"}`` ...)."""
    try:
        metadata = json.loads(text)
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}


def _location(row: Row) -> dict[str, Any]:
    """``(url, meta_data)`` as the API shows a location."""
    meta = row[1]
    metadata = _metadata(meta) if isinstance(meta, str) else meta if isinstance(meta, dict) else {}
    return {"url": row[0], "metadata": metadata}


def _stamp(value: Any) -> str | None:
    """A database time (a datetime; text on SQLite) as the API shows it, in whole seconds."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return None if value is None else str(value.strftime(_TIME))


def image_body(row: Row, props: Sequence[Row], locations: Sequence[Row],
               tags: Sequence[Any], shaping: Shaping) -> dict[str, Any]:  # fmt: skip
    """One image as ``GET /v2/images/{id}`` would show it (core fields over properties).

    ``row``: the ``IMAGE_COLUMNS``, its times already as the API shows them; ``props``:
    ``(name, value)``; ``locations``: ``(url, meta_data)``, in id order; ``tags``: values.
    """
    body: dict[str, Any] = {p[0]: p[1] for p in props if p[0] not in HIDDEN_PROPERTIES}
    body.update(zip(IMAGE_COLUMNS, row, strict=True))
    body["protected"] = bool(body["protected"])  # MySQL and SQLite give 0/1
    body["os_hidden"] = bool(body["os_hidden"])
    ordered = shaping.order([_location(loc) for loc in locations])
    body["locations"] = ordered
    stores = [s for loc in ordered if (s := loc["metadata"].get("store"))]
    if stores:
        body["stores"] = ",".join(stores)
    if ordered and shaping.direct_url:
        body["direct_url"] = ordered[0]["url"]
    body["tags"] = list(tags)
    return body


def build(row: Row, props: Sequence[Row], locations: Sequence[Row], tags: Sequence[Any],
          members: Sequence[Row], shaping: Shaping) -> Image:  # fmt: skip
    """The Image of one listed image (``members``: ``(project, status, time)``, the time as
    the API shows it), built as from an API body; members are kept for shared images only."""
    body = image_body(row, props, locations, tags, shaping)
    shared = body["visibility"] == "shared"
    found = tuple(ImageMember(m[0], m[1], m[2]) for m in members) if shared else ()
    return image_from_api(body, members=found)


class _Side:
    """One side table's rows, grouped by image id, in the images' order."""

    def __init__(self, rows: Iterator[Row]) -> None:
        self._groups = groupby(rows, key=itemgetter(-1))
        self._head: tuple[Any, list[Row]] | None = None
        self._advance()

    def _advance(self) -> None:
        group = next(self._groups, None)
        self._head = None if group is None else (group[0], list(group[1]))

    def take(self, image_id: Any) -> list[Row]:
        """The rows of ``image_id`` (every row of the side table is for a listed image)."""
        if self._head is None or self._head[0] != image_id:
            return []
        rows = self._head[1]
        self._advance()
        return rows


def merge(query: Callable[[str], Iterator[Row]], shaping: Shaping) -> Iterator[Image]:
    """Every listed image, built from the five queries' rows merged by image id."""
    props, locations = _Side(query("properties")), _Side(query("locations"))
    members, tags = _Side(query("members")), _Side(query("tags"))
    for row in query("images"):
        image_id = row[0]
        stamped = (*row[:-2], _stamp(row[-2]), _stamp(row[-1]))  # created_at, updated_at
        shared = [(m[0], m[1], _stamp(m[2])) for m in members.take(image_id)]
        yield build(stamped, props.take(image_id), locations.take(image_id),
                    [t[0] for t in tags.take(image_id)], shared, shaping)  # fmt: skip


_PARTS = len(IMAGE_COLUMNS)


def aggregated(rows: Iterator[Row], shaping: Shaping) -> Iterator[Image]:
    """Every listed image, each from its one row of ``AGGREGATED`` (absent parts: NULL)."""
    n = _PARTS
    for row in rows:
        yield build(row[:n], row[n] or (), row[n + 1] or (), row[n + 2] or (),
                    row[n + 3] or (), shaping)  # fmt: skip


@dataclass(frozen=True)
class GlanceDatabase:
    """A Glance database, by SQLAlchemy URL (``postgresql://reader@db/glance``)."""

    url: str
    batch: int = 5000  # rows fetched at a time from each query

    def images(self, shaping: Shaping) -> Iterator[Image | str]:
        """The alembic head (a str, first), then every listed image.

        Raises ``SchemaError`` or SQLAlchemy's errors; nothing is ever written.
        """
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        engine = create_engine(engine_url(self.url), poolclass=NullPool)
        try:
            with engine.connect() as conn:
                if conn.dialect.name == "postgresql":  # one snapshot, and no writes
                    conn = conn.execution_options(
                        isolation_level="REPEATABLE READ", postgresql_readonly=True
                    )
                with conn.begin():
                    yield _check_schema(conn)
                    yield from _read(conn, self.batch, shaping)
        finally:
            engine.dispose()


def _check_schema(conn: Any) -> str:
    """The alembic head; raise ``SchemaError`` for a table without a column read here."""
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import SQLAlchemyError

    inspector = inspect(conn)
    tables = {}
    for table in COLUMNS:
        try:
            tables[table] = {c["name"] for c in inspector.get_columns(table)}
        except SQLAlchemyError:
            tables[table] = set()
    missing = missing_columns(tables)
    if missing:
        raise SchemaError(
            f"not a Glance database of a supported release (Ussuri or later): "
            f"{', '.join(missing[:5])} missing"
        )
    try:
        heads = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        return "unknown"
    return ",".join(sorted(str(h) for h in heads)) or "unknown"


def _read(conn: Any, batch: int, shaping: Shaping) -> Iterator[Image]:
    """Every listed image: one aggregated query on PostgreSQL, five merged elsewhere."""
    query = _querier(conn, batch)
    try:
        if conn.dialect.name == "postgresql":
            yield from aggregated(query("aggregated"), shaping)
        else:
            yield from merge(query, shaping)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise QueryError(str(exc).strip() or repr(exc)) from None


def _querier(conn: Any, batch: int) -> Callable[[str], Iterator[Row]]:
    """Each query's rows as plain tuples, from the driver's own cursors.

    On PostgreSQL a query gets a named (server-side) cursor fetching ``batch`` rows at a
    time; other drivers buffer the result.
    """
    raw = conn.connection.dbapi_connection  # the transaction SQLAlchemy began
    streaming = conn.dialect.name == "postgresql"

    def query(name: str) -> Iterator[Row]:
        cursor = raw.cursor(f"imageyard_{name}") if streaming else raw.cursor()
        if streaming:
            cursor.itersize = batch
        cursor.execute(AGGREGATED if name == "aggregated" else QUERIES[name])
        return iter(cursor)

    return query
