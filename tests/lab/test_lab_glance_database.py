"""The database source on the lab's Glance database, as a read-only SQL user: the API's records."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from imageyard.collect.base import NullProgress, run_collectors
from imageyard.collect.config_source import ConfigCollector
from imageyard.collect.configs import discover
from imageyard.collect.glance import GlanceCollector, glance_http
from imageyard.collect.glance.database import GlanceDatabase
from imageyard.collect.openstack import RetryPolicy
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from glance_db import CatalogWriter, write_catalog  # noqa: E402
from glance_server import Lab as BenchLab  # noqa: E402
from glance_server import bench_glance  # noqa: E402

if TYPE_CHECKING:  # tests/ is not a package: conftest is not importable at run time
    from conftest import Lab

pytestmark = [
    pytest.mark.filterwarnings("ignore:The 'service_type' parameter is unnecesary"),
    pytest.mark.filterwarnings("ignore:Support for InfluxDB"),
]
POLICY = RetryPolicy(attempts=3, base_delay=0.2, timeout=30.0)
TABLES = ("images", "image_properties", "image_locations", "image_members", "image_tags",
          "alembic_version")  # fmt: skip


@pytest.fixture(scope="module")
def reader_url(lab: Lab) -> Iterator[str]:
    """A read-only role on the lab's Glance database (SELECT on what is read), dropped after."""
    admin = create_engine(make_url(lab.env["GLANCE_LAB_DB_URL"]), isolation_level="AUTOCOMMIT")
    role, password = f"iy_scalecollect_ro_{os.getpid()}", secrets.token_hex(12)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
        conn.execute(text(f"GRANT SELECT ON {', '.join(TABLES)} TO {role}"))
    url = make_url(lab.env["GLANCE_LAB_DB_URL"]).set(username=role, password=password)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"REVOKE ALL ON {', '.join(TABLES)} FROM {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()


def api_collect(lab: Lab) -> dict[str, Image]:
    http = glance_http(endpoint=lab.glance_url, policy=POLICY)
    inv = GlanceCollector(http, fetch_members=True).collect(Inventory(), NullProgress())
    assert inv.is_complete("glance"), inv.gaps_for("glance")
    return {i.id: i for i in inv.images}


def test_the_reader_role_cannot_write(reader_url: str) -> None:
    engine = create_engine(reader_url)
    with engine.connect() as conn, pytest.raises(ProgrammingError, match="permission denied"):
        conn.execute(text("UPDATE images SET name = name WHERE false"))
    engine.dispose()


def test_database_records_equal_the_api_records_field_by_field(lab: Lab, reader_url: str) -> None:
    config = run_collectors([ConfigCollector(discover(str(lab.etc)))], Inventory())
    before = api_collect(lab)
    collector = GlanceCollector(None, database=GlanceDatabase(reader_url))
    inv = collector.collect(config, NullProgress())
    after = api_collect(lab)  # other tests may change the catalog meanwhile
    assert inv.is_complete("glance") and inv.gaps_for("glance") == ()
    from_db = {i.id: i for i in inv.images}
    stable = {k for k in before.keys() & after.keys() if before[k] == after[k]}
    seeded = {s["id"] for s in lab.seed["images"] if "glance-image-deleted" not in s["roles"]}
    assert seeded <= from_db.keys()
    assert stable <= from_db.keys() <= before.keys() | after.keys()
    for image_id in stable:
        api, db = before[image_id], from_db[image_id]
        for f in fields(Image):
            assert getattr(db, f.name) == getattr(api, f.name), (api.name, f.name)
    assert any(i.members for i in from_db.values())  # the seed's shared image
    assert any(i.os_hidden for i in from_db.values()) and any(
        i.visibility == "community" for i in from_db.values()
    )


def test_the_password_is_in_no_output(lab: Lab, reader_url: str, tmp_path: Path) -> None:
    password = make_url(reader_url).password
    assert password
    out = tmp_path / "inventory.json"
    proc = subprocess.run(
        [sys.executable, "-m", "imageyard", "collect", "--sources", "glance",
         "--glance-endpoint", lab.glance_url, "-o", str(out)],
        env={**os.environ, "IMAGEYARD_GLANCE_DB": reader_url},
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "images read from the database" in out.read_text()
    for text_ in (proc.stdout, proc.stderr, out.read_text()):
        assert str(password) not in text_


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_realistic_catalog_from_the_database_equals_the_api(lab: Lab) -> None:
    """The bench's catalog (tags, members, second copies, hidden, queued, killed and deleted
    rows) in a Glance of its own: the database's records are the API's, in the same order."""
    bench_lab = BenchLab.from_env()
    rows = CatalogWriter(seed=11).rows(400)
    name = f"imageyard_dbsource_{_free_port()}"
    with bench_glance(bench_lab, _free_port(), name=name) as glance:
        write_catalog(glance.db, rows)
        config = run_collectors([ConfigCollector(discover(str(glance.workdir / "etc")))],
                                Inventory())  # fmt: skip
        http = glance_http(endpoint=glance.url, policy=POLICY)
        api = GlanceCollector(http, fetch_members=True).collect(config, NullProgress())
        db = glance.db
        url = f"postgresql+psycopg2://{db.user}@{db.host}:{db.port}/{db.database}"
        read = GlanceCollector(None, database=GlanceDatabase(url)).collect(config, NullProgress())
    assert api.is_complete("glance") and read.is_complete("glance")
    assert len(read.images) == rows.listed
    assert read.images == api.images
    images = read.images
    assert any(i.tags for i in images) and any(len(i.locations) > 1 for i in images)
    assert any(i.members for i in images) and any(i.os_hidden for i in images)
    assert any(i.direct_url for i in images) and any(i.status == "queued" for i in images)
