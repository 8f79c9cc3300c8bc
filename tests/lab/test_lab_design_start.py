"""Rendered designs start in a real glance-api, which then serves exactly the designed stores.

Every example site, config fixture, corpus set and regression site of
``tests/fixtures/sites`` (over its config fixture, as the unit tests design it; a site refused
as bad input makes no config) is designed for the lab's Glance (33) and sorted into its
*layout kind*: the store types of the design, one API or one per site, greenfield / config
files / a ``glance.conf.d`` directory, and whether a single-store config is migrated. One
design per kind (the first of the corpus, then the examples, the config fixtures and the
regression sites) is started, every glance-api of it (a DCN design has one per site): its
files in load order, with the lab overlay of ``glance_host.py`` appended (the lab's Ceph,
radosgw and paste pipeline instead of the deployment's), through ``lab/glance-try`` from a
database migrated once, two at a time (``IMAGEYARD_DESIGN_START_WORKERS``). With
``IMAGEYARD_DESIGN_START=all`` (``make test-design-start-all``) every glance-api of every
design is started instead. Each must start, and ``GET /v2/info/stores`` must list exactly
the stores its API plan enables and name its default. The other designs of a kind differ
only in values the oslo load check (``test_lab_design_oslo.py``) and the unit acceptance
tests read. Stores the lab cannot provide are listed in ``LEFT_OUT`` with the reason, and
the list is asserted, not skipped.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests
from glance_host import hosted, left_out
from test_lab_design_oslo import EXAMPLES, RELEASE, SETS, _collect, _files

from imageyard.design import DesignRun, design_from
from imageyard.design.diff import masked
from imageyard.design.model import Design
from imageyard.design.placement import glance_service
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import read_inventory

if TYPE_CHECKING:
    from conftest import Lab

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[2]
TRY = ROOT / "lab" / "glance-try"
LAB_FILES = ("ceph.conf", "glance-swift.conf", "glance-api-paste.ini", "policy.yaml")
CINDER = "the cinder store needs os-brick and a Cinder, neither of which the lab's Glance has"
# design's API -> the stores the lab cannot provide (left out of its start), asserted below
LEFT_OUT = {
    f"corpus/{name} (main)": {"cinder": CINDER}
    for name in ("kolla-ceph", "kolla-ceph-cow", "kolla-s3", "osa-ceph", "osa-file")
}
_PORTS = threading.Lock()
ALL = os.environ.get("IMAGEYARD_DESIGN_START") == "all"
WORKERS = int(os.environ.get("IMAGEYARD_DESIGN_START_WORKERS", "2"))  # glance-apis at a time
SITES = ROOT / "tests" / "fixtures" / "sites"
OVER = {  # regression site -> the config fixture it is designed over (none: greenfield)
    "edge-api-hot-store": "kolla-control-services",
    "repeated-section-store-pool": "duplicated-sections",
}
REFUSED = {"measured-cluster-site-collision"}  # bad input: no design, no config


@dataclass(frozen=True)
class Api:
    """One glance-api of one design: its files' text and what it must serve."""

    name: str
    text: str
    stores: frozenset[str]
    default: str


def _kind(run: DesignRun, inv: Inventory | None) -> tuple[object, ...]:
    d = run.design
    svc = glance_service(inv)
    files = "greenfield" if svc is None else "files"
    if svc is not None and any("glance.conf.d" in f for f in svc.files):
        files = "config directory"
    return (
        tuple(sorted({s.type for s in d.stores})),
        "per site" if d.apis else "one API",
        files,
        d.decision("layout.migration") is not None,
    )


def _expected(design: Design, target: str) -> tuple[frozenset[str], str]:
    api = next((a for a in design.apis if a.target == target), None)
    if api is not None:
        return frozenset(api.stores), api.default
    default = design.default_store
    return frozenset(s.id for s in design.stores), default.id if default else ""


def _apis(name: str, run: DesignRun, inv: Inventory | None) -> list[Api]:
    targets = dict.fromkeys(["", *(d.target for d in run.diffs if d.file == "glance-api.conf")])
    out = []
    for target in targets:
        text = "\n".join(masked(t) for t in _files(run, inv, target, after=True))
        stores, default = _expected(run.design, target)
        out.append(Api(f"{name} ({target or 'main'})", text, stores, default))
    return out


def _sites(tmp: Path) -> dict[str, tuple[DesignRun, Inventory | None]]:
    out: dict[str, tuple[DesignRun, Inventory | None]] = {}
    for site in sorted(p for p in SITES.glob("*.yaml") if p.stem not in REFUSED):
        over = OVER.get(site.stem)
        inv = _collect(ROOT / "tests" / "fixtures" / "configs" / over, tmp) if over else None
        run = design_from(inv, site, RELEASE, with_audit=False)
        out[f"sites/{site.stem}"] = (run, read_inventory(inv) if inv else None)
    return out


def _designs(tmp: Path) -> dict[str, tuple[DesignRun, Inventory | None]]:
    """Corpus sets first, then the examples, the config fixtures and the regression sites."""
    out: dict[str, tuple[DesignRun, Inventory | None]] = {}
    for path in [p for p in SETS if p.parent.name == "corpus"]:
        inv = _collect(path, tmp)
        run = design_from(inv, None, RELEASE, with_audit=False)
        out[f"corpus/{path.name}"] = (run, read_inventory(inv))
    for p in EXAMPLES:
        out[f"example {p.stem}"] = (design_from(None, p, RELEASE, with_audit=False), None)
    for path in [p for p in SETS if p.parent.name != "corpus"]:
        inv = _collect(path, tmp)
        run = design_from(inv, None, RELEASE, with_audit=False)
        out[f"configs/{path.name}"] = (run, read_inventory(inv))
    return out | _sites(tmp)


def _free_port() -> int:
    with _PORTS, socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    db = tmp_path_factory.mktemp("db") / "glance.sqlite"
    subprocess.run(["bash", str(TRY), "db", str(db)], check=True, timeout=180)
    yield db


def _start(api: Api, lab: Lab, db: Path, tmp: Path) -> tuple[str, str | None]:
    """(api name, problem or None): start it, compare /v2/info/stores, stop it."""
    etc = tmp / api.name.replace("/", "-").replace(" ", "-").replace("(", "").replace(")", "")
    etc.mkdir()
    for name in LAB_FILES:
        shutil.copy(lab.etc / name, etc / name)
    lab_conf = (lab.etc / "glance-api.conf").read_text(encoding="utf-8")
    (etc / "glance-api.conf").write_text(hosted(api.text, etc, lab_conf), encoding="utf-8")
    env = {**os.environ, "IMAGEYARD_GLANCE_TRY_DB": str(db)}
    proc = subprocess.run(
        ["bash", str(TRY), "start", str(etc), str(_free_port())],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=env,
    )
    info = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    try:
        if proc.returncode != 0:
            return api.name, f"did not start: {proc.stderr[-1500:]}"
        http = requests.Session()
        http.trust_env = False
        body = http.get(f"{info['url']}/v2/info/stores", timeout=30).json()
        live = {s["id"] for s in body["stores"]}
        default = [s["id"] for s in body["stores"] if s.get("default")]
        if (live, default) != (set(api.stores), [api.default]):
            return api.name, f"serves {sorted(live)} default {default}, designed " + (
                f"{sorted(api.stores)} default {api.default}"
            )
        return api.name, None
    finally:
        if "pid" in info and "dir" in info:
            subprocess.run(["bash", str(TRY), "stop", info["pid"], info["dir"]], timeout=60)


def test_designs_start_and_serve_their_stores(lab: Lab, template_db: Path, tmp_path: Path) -> None:
    designs = _designs(tmp_path)
    kinds: dict[tuple[object, ...], str] = {}
    apis: list[Api] = []
    missing: dict[str, dict[str, str]] = {}
    for name, (run, inv) in designs.items():
        found = _apis(name, run, inv)
        missing |= {a.name: out for a in found if (out := left_out(a.text))}
        if kinds.setdefault(_kind(run, inv), name) == name or ALL:
            apis += [replace(a, stores=a.stores - set(left_out(a.text))) for a in found]
    assert missing == LEFT_OUT
    assert len(kinds) >= 10  # every layout kind of the corpus, examples and fixtures
    assert len(apis) > len(designs) if ALL else len(apis) < len(designs)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = dict(pool.map(lambda a: _start(a, lab, template_db, tmp_path), apis))
    assert {k: v for k, v in results.items() if v is not None} == {}
    assert len(results) == len(apis) > len(kinds)  # a DCN design starts one API per site
