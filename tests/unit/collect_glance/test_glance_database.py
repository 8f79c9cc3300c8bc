"""The database source on a Glance-shaped SQLite database: the API's records, the API's filters."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from imageyard.collect.base import NullProgress
from imageyard.collect.glance import GlanceCollector
from imageyard.collect.glance.convert import image_from_api
from imageyard.collect.glance.database import GlanceDatabase, Shaping, check_url
from imageyard.errors import UsageError
from imageyard.model.image import ImageMember
from imageyard.model.inventory import Inventory
from imageyard.model.store import Store, StoreSource, StoreType

# the columns of glance/db/sqlalchemy/models.py (Ussuri to 2026.2) this source reads, plus ids
SCHEMA = """
CREATE TABLE images (id VARCHAR(36) PRIMARY KEY, name VARCHAR(255), size BIGINT,
  status VARCHAR(30), created_at DATETIME, updated_at DATETIME, deleted_at DATETIME,
  deleted BOOLEAN, disk_format VARCHAR(20), container_format VARCHAR(20), checksum VARCHAR(32),
  owner VARCHAR(255), min_disk INTEGER, min_ram INTEGER, protected BOOLEAN,
  virtual_size BIGINT, visibility VARCHAR(9), os_hidden BOOLEAN, os_hash_algo VARCHAR(64),
  os_hash_value VARCHAR(128));
CREATE TABLE image_properties (id INTEGER PRIMARY KEY, image_id VARCHAR(36), name VARCHAR(255),
  value TEXT, deleted BOOLEAN);
CREATE TABLE image_locations (id INTEGER PRIMARY KEY, image_id VARCHAR(36), value TEXT,
  meta_data TEXT, status VARCHAR(30), deleted BOOLEAN);
CREATE TABLE image_members (id INTEGER PRIMARY KEY, image_id VARCHAR(36), member VARCHAR(255),
  can_share BOOLEAN, status VARCHAR(20), created_at DATETIME, deleted BOOLEAN);
CREATE TABLE image_tags (id INTEGER PRIMARY KEY, image_id VARCHAR(36), value VARCHAR(255),
  deleted BOOLEAN);
CREATE TABLE alembic_version (version_num VARCHAR(32));
INSERT INTO alembic_version VALUES ('2024_1_contract01');
"""
FSID = "0b3e5c1a-5e1d-4c1b-9d1f-00000000b3c4"
WEIGHTS = {"fast": 100, "ceph": 80, "cheap": 50}


def image_row(image_id: str, **over: Any) -> tuple[Any, ...]:
    row = {
        "id": image_id, "name": f"img-{image_id}", "size": 1024, "status": "active",
        "created_at": "2024-03-01 10:00:00.250000", "updated_at": "2024-03-02 11:00:00.000000",
        "deleted_at": None, "deleted": False, "disk_format": "raw", "container_format": "bare",
        "checksum": "c" * 32, "owner": "project-a", "min_disk": 10, "min_ram": 0,
        "protected": False, "virtual_size": 1024, "visibility": "private", "os_hidden": False,
        "os_hash_algo": "sha512", "os_hash_value": "h" * 128,
    } | over  # fmt: skip
    return tuple(row.values())


def store(name: str) -> str:
    return json.dumps({"store": name})


def build(path: Path) -> str:
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    images = [
        image_row("a1", visibility="shared"),
        image_row("b2", status="killed"),  # never listed
        image_row("c3", deleted=True, status="deleted"),  # never listed
        image_row("d4", os_hidden=True, created_at="2024-03-05 00:00:00"),
        image_row("e5", status="queued", size=None, checksum=None, virtual_size=None),
    ]
    db.executemany(f"INSERT INTO images VALUES ({', '.join('?' * 20)})", images)
    props = [
        (1, "a1", "os_distro", "ubuntu", False), (2, "a1", "hw_disk_bus", "scsi", True),
        (3, "a1", "os_glance_stage_host", "http://node", False),
        (4, "b2", "os_distro", "gone", False), (5, "d4", "image_type", "snapshot", False),
    ]  # fmt: skip
    db.executemany("INSERT INTO image_properties VALUES (?, ?, ?, ?, ?)", props)
    locs = [
        (1, "a1", "file:///var/lib/glance/cheap/a1", store("cheap"), "active", False),
        (2, "a1", f"rbd://{FSID}/images/a1/snap", store("ceph"), "active", False),
        (3, "a1", "file:///var/lib/glance/fast/a1", store("fast"), "pending_delete", False),
        (4, "a1", "file:///old", store("fast"), "deleted", True),
        (5, "d4", f"rbd://{FSID}/images/d4/snap", store("ceph"), "active", False),
    ]
    db.executemany("INSERT INTO image_locations VALUES (?, ?, ?, ?, ?, ?)", locs)
    shared = "2024-03-02 08:00:00"
    members = [(1, "a1", "project-b", False, "accepted", shared, False),
               (2, "a1", "project-c", False, "pending", shared, True),
               (3, "d4", "project-b", False, "accepted", shared, False)]  # fmt: skip
    db.executemany("INSERT INTO image_members VALUES (?, ?, ?, ?, ?, ?, ?)", members)
    tags = [(1, "a1", "golden", False), (2, "a1", "old", True), (3, "e5", "ci", False)]
    db.executemany("INSERT INTO image_tags VALUES (?, ?, ?, ?)", tags)
    db.commit()
    db.close()
    return f"sqlite:///{path}"


def collect(url: str, inventory: Inventory | None = None) -> Inventory:
    collector = GlanceCollector(None, database=GlanceDatabase(url))
    return collector.collect(inventory or Inventory(), NullProgress())


def config_stores() -> Inventory:
    stores = tuple(Store(id=s, type=StoreType.UNKNOWN, source=StoreSource.CONFIG, weight=w)
                   for s, w in WEIGHTS.items())  # fmt: skip
    return Inventory(stores=stores)


def test_only_what_glance_lists_with_what_the_api_shows(tmp_path: Path) -> None:
    inv = collect(build(tmp_path / "glance.db"), config_stores())
    assert [i.id for i in inv.images] == ["e5", "a1", "d4"]  # newest first, hidden last
    a1 = inv.image("a1")
    assert a1 is not None
    assert a1.properties == (("min_disk", "10"), ("min_ram", "0"), ("os_distro", "ubuntu"))
    assert a1.stores == ("ceph", "cheap")  # by weight; the pending_delete copy is not shown
    assert [loc.url for loc in a1.locations] == [
        f"rbd://{FSID}/images/a1/snap",
        "file:///var/lib/glance/cheap/a1",
    ]
    assert a1.members == (ImageMember("project-b", "accepted", "2024-03-02T08:00:00Z"),)
    assert a1.tags == ("golden",) and a1.created_at == "2024-03-01T10:00:00Z"
    d4 = inv.image("d4")
    assert d4 is not None and d4.os_hidden and d4.members == ()  # members of shared images only
    status = inv.source_status("glance")
    assert status is not None and status.complete
    assert "alembic head 2024_1_contract01" in status.detail
    assert "members of 1 shared images" in status.detail


def test_a_record_equals_the_one_built_from_the_api_body(tmp_path: Path) -> None:
    (image,) = [i for i in collect(build(tmp_path / "g.db")).images if i.id == "e5"]
    body = {
        "id": "e5", "name": "img-e5", "disk_format": "raw", "container_format": "bare",
        "visibility": "private", "size": None, "virtual_size": None, "status": "queued",
        "checksum": None, "protected": False, "min_ram": 0, "min_disk": 10,
        "owner": "project-a", "os_hidden": False, "os_hash_algo": "sha512",
        "os_hash_value": "h" * 128, "created_at": "2024-03-01T10:00:00Z",
        "updated_at": "2024-03-02T11:00:00Z", "locations": [], "tags": ["ci"],
        "self": "/v2/images/e5", "file": "/v2/images/e5/file", "schema": "/v2/schemas/image",
    }  # fmt: skip
    assert image == image_from_api(body)


def test_direct_url_follows_the_configuration(tmp_path: Path) -> None:
    url = build(tmp_path / "g.db")
    shown = list(GlanceDatabase(url).images(Shaping(WEIGHTS, direct_url=True)))
    hidden = list(GlanceDatabase(url).images(Shaping(WEIGHTS, direct_url=False)))
    assert shown[0] == hidden[0] == "2024_1_contract01"
    by_id = {i.id: i for i in shown[1:] if not isinstance(i, str)}
    assert by_id["a1"].direct_url == f"rbd://{FSID}/images/a1/snap"
    assert all(i.direct_url is None for i in hidden[1:] if not isinstance(i, str))


def test_a_database_without_a_column_is_a_gap_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    url = build(path)
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE images DROP COLUMN os_hidden")  # as before Rocky
    db.commit()
    db.close()
    inv = collect(url)
    (gap,) = inv.gaps_for("glance")
    assert gap.scope == "images" and "images.os_hidden missing" in gap.error
    assert inv.images == () and not inv.is_complete("glance")


def test_an_unreachable_database_is_a_gap_without_the_password() -> None:
    inv = collect("postgresql://reader:Sup3rSecretPw@127.0.0.1:9/glance")
    (gap,) = inv.gaps_for("glance")
    assert gap.scope == "images" and "database:" in gap.error
    assert "Sup3rSecretPw" not in repr(inv)


@pytest.mark.parametrize(
    "url", ["not a url", "nosuchdb://u:pw@h/glance", "postgresql+nosuchdriver://u@h/g"]
)
def test_an_unusable_url_is_a_usage_error(url: str) -> None:
    with pytest.raises(UsageError, match="--glance-db"):
        check_url(url)


def test_a_query_failing_in_the_driver_is_a_gap(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    url = build(path)
    db = sqlite3.connect(path)
    # every column is there (the schema check passes); reading a row fails (integer overflow)
    db.executescript("""DROP TABLE image_tags;
        CREATE VIEW image_tags AS SELECT 1 AS id, 'a1' AS image_id, 'x' AS value,
        abs(-9223372036854775808) = 0 AS deleted;""")  # fmt: skip
    db.close()
    inv = collect(url)
    (gap,) = inv.gaps_for("glance")
    assert gap.scope == "images" and gap.error.startswith("database: integer overflow")
    assert not inv.is_complete("glance")
