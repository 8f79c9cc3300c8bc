"""The generated option table's newest release equals the options of the Glance installed in
the lab, read through that installation's own oslo.config entry points."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from imageyard.audit import release_options as ro
from imageyard.audit.release_infer import choose_release
from imageyard.collect.base import NullProgress
from imageyard.collect.glance import GlanceCollector, glance_http
from imageyard.collect.openstack import RetryPolicy
from imageyard.model.inventory import Inventory

if TYPE_CHECKING:
    from conftest import Lab

LIVE = Path(__file__).with_name("release_options_live.py")


def _same(table_default: object, live_repr: str) -> bool:
    """A table default (JSON, or the repr of what JSON cannot hold) against the live repr."""
    return repr(table_default) == live_repr or table_default == live_repr


def test_latest_release_matches_the_lab_glance(lab: Lab) -> None:
    python = Path(lab.env["GLANCE_LAB_VENV"]) / "bin" / "python"
    out = subprocess.run(
        [str(python), str(LIVE)], capture_output=True, text=True, check=True, timeout=180
    ).stdout
    live = json.loads(out)
    latest = ro.table_releases()[-1]
    assert (live["glance"], live["glance_store"]) == (latest.glance, latest.glance_store)
    skipped = {f"store:{d}" for d in live["unloadable_drivers"]}
    assert not skipped & {"store:rbd", "store:file", "store:swift", "store:s3", "store:http"}
    table = sorted(
        {
            (f.scope, f.group, f.name, f.type)
            for f in ro.forms()
            if latest.major in f.releases and f.scope not in skipped
        }
    )
    assert sorted({tuple(r[:4]) for r in live["rows"]}) == table
    defaults = {tuple(r[:3]): r[4] for r in live["rows"]}
    for form in ro.forms():
        if form.key in defaults and latest.major in form.releases:
            assert _same(form.default, defaults[form.key]), form.key


def test_release_inferred_from_the_lab_glance_api(lab: Lab) -> None:
    http = glance_http(endpoint=lab.glance_url, policy=RetryPolicy(attempts=3, timeout=30.0))
    collector = GlanceCollector(http, node_urls=(), fetch_members=False)
    inv = collector.collect(Inventory(), NullProgress())
    current = [v.id for v in inv.glance_versions if v.status == "CURRENT"]
    assert current and current[0] in {"v2.17", "v2.18"}  # 2.18 only with the image cache on
    choice = choose_release(None, inv)
    assert choice.origin == "inferred"
    if current[0] == "v2.18":  # only Glance 33 reports 2.18
        assert choice.release.major == 33
    else:
        assert 29 <= choice.release.major <= 33
