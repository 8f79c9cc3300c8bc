"""The seeded lab's report in a real browser, its metrics through promtool, and a drift.

The lab is collected (configuration, Glance, Ceph, the file/S3/Swift backends); the HTML
report (with the lab's design, ``design -f json``) is opened in Debian's headless
Chromium, driven by Playwright with that system browser (``lab/install-deps`` installs
``chromium`` and ``prometheus``). The test checks that every section and chart is there,
that the design shows its stores and diff, that filtering and sorting change the rows
shown, that an image's detail opens and that the console has no error; it saves a
screenshot to tests/actual/report.png. The same snapshot designed with a second Ceph site
(``examples/edge-two-ceph.yaml``, ``report --site``) shows each site's glance-api.
``promtool check metrics`` validates ``imageyard metrics``. The drift test makes images of
its own (a unique name prefix): two in the ``fast`` store that a plan moves to ``ceph``,
one in ``s3`` that it copies into ``ceph``, one in ``ceph`` and ``cheap`` that it deletes
from ``cheap`` and a qcow2 one it converts to raw (hiding the original); the plan is
applied between two snapshots, and the images are deleted afterwards.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from apply_support import cleanup, make_image, plan, prefix, raw_bytes
from apply_support import image as image_doc
from apply_support import run as apply_run
from apply_support import snapshot as snapshot_of

from imageyard.cli import run

if TYPE_CHECKING:
    from conftest import Lab

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"


def _collect(lab: Lab, out: Path) -> Path:
    argv = ["collect", "-q", "--config-dir", str(lab.etc), "--glance-endpoint", lab.glance_url,
            "--sources", "config,glance,ceph,backends", "--ceph-user", "ops",
            "-o", str(out)]  # fmt: skip
    assert run(argv) == 0
    return out


@pytest.fixture(scope="module")
def snapshot(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _collect(lab, tmp_path_factory.mktemp("report") / "lab.json")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} missing: run bash lab/install-deps", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright missing: make venv (the 'browser' extra)", pytrace=False)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _visible_column(page: Any, table: str, column: int) -> list[str]:
    cells = page.locator(f"#{table} tbody tr td:nth-child({column})")
    return [str(t) for t in cells.all_text_contents()]


def test_report_opens_with_every_section_and_no_console_error(
    snapshot: Path, browser: Any, tmp_path: Path
) -> None:
    html, design = tmp_path / "report.html", tmp_path / "design.json"
    assert run(["design", str(snapshot), "-q", "-f", "json", "-o", str(design)]) == 0
    assert run(["report", str(snapshot), "-o", str(html), "--design", str(design)]) == 0
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request", lambda r: errors.append(f"request {r.url}") if r.url != html.as_uri() else None
    )
    page.goto(html.as_uri())
    page.wait_for_selector("body[data-ready='1']", state="attached")
    for section in ("summary", "charts", "findings", "images", "gaps", "design"):
        assert page.locator(f"section#{section}").is_visible(), section
    assert page.locator("svg.chart").count() == 5
    assert page.locator("#chart-bytes-store rect.bar").count() >= 3
    assert page.locator("#chart-paths rect.bar").count() >= 2
    box = page.locator("#chart-bytes-store svg").bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 20

    total = page.locator("#findings-table tbody tr").count()
    assert total > 3
    page.fill("#findings-filter", "duplicate-image")
    rules = _visible_column(page, "findings-table", 2)
    assert rules and set(rules) == {"duplicate-image"} and len(rules) < total
    page.fill("#findings-filter", "")
    page.click("#findings-table th[data-col='2']")
    # the table is paged: each page shows its end of the whole sorted list
    ascending = _visible_column(page, "findings-table", 2)
    assert ascending == sorted(ascending)
    page.click("#findings-table th[data-col='2']")
    descending = _visible_column(page, "findings-table", 2)
    assert descending == sorted(descending, reverse=True)
    assert ascending[0] < descending[0]  # several rules (duplicate-image and others, above)

    stores = [s["id"] for s in json.loads(design.read_text())["stores"]]
    assert page.locator("#design-layout").is_visible()
    shown = _visible_column(page, "design-layout table.memo-table", 1)
    assert shown == stores and "ceph" in stores
    assert page.locator("#design-config details.diff").count() >= 1

    page.locator("#images-table tbody tr").first.click()
    assert page.locator("#image-detail").is_visible()
    assert "Path per consumer" in page.locator("#image-detail").inner_text()
    actual = ROOT / "tests" / "actual"
    actual.mkdir(exist_ok=True)
    page.screenshot(path=str(actual / "report.png"), full_page=True)
    page.close()
    assert errors == []


def test_rows_in_many_blocks_are_filtered_sorted_and_detailed_whole(
    snapshot: Path, browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks of two rows: the first page comes from the first block, and filtering,
    sorting and a row's detail reach the rows of the last block."""
    from imageyard.model.snapshot import read_inventory
    from imageyard.report.html import view

    monkeypatch.setattr(view, "BLOCK", 2)
    html = tmp_path / "r.html"
    assert run(["report", str(snapshot), "-o", str(html)]) == 0
    images = sorted(read_inventory(snapshot).images, key=lambda i: (i.name or "", i.id))
    assert html.read_text().count('data-rows="images"') == (len(images) + 1) // 2
    # a secret the run remembers matches inside the last images block's base64: that
    # block is embedded as plain JSON, among compressed ones
    last = re.findall(r'data-rows="images" data-enc="deflate">([^<]{24})', html.read_text())[-1]
    monkeypatch.setenv("OS_PASSWORD", last[4:20])
    assert run(["report", str(snapshot), "-o", str(html)]) == 0
    text = html.read_text()
    assert 'data-rows="images">[' in text and text.count('data-enc="deflate"') > 2
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.goto(html.as_uri())
    page.wait_for_selector("body[data-ready='1']", state="attached")
    count = "document.getElementById('images-count').textContent"
    assert page.evaluate(count) == f"{len(images)} of {len(images)}"
    assert _visible_column(page, "images-table", 2)[:2] == [i.id for i in images[:2]]
    page.click("#images-table th[data-col='4']")  # by size: every block's rows
    page.wait_for_selector("#images-table th[data-col='4'][aria-sort='ascending']")
    smallest = min(i.size or 0 for i in images)
    first = _visible_column(page, "images-table", 2)[0]
    assert first in {i.id for i in images if (i.size or 0) == smallest}
    page.fill("#images-filter", images[-1].id)  # a row of the last block
    page.wait_for_function(f"{count} === '1 of {len(images)}'")
    assert _visible_column(page, "images-table", 2) == [images[-1].id]
    page.locator("#images-table tbody tr").first.click()
    page.wait_for_selector("#image-detail h4:has-text('Locations')")
    assert images[-1].locations[0].url in page.locator("#image-detail").inner_text()
    page.close()
    assert errors == []


def test_a_multi_site_design_shows_each_sites_api_plan(
    snapshot: Path, browser: Any, tmp_path: Path
) -> None:
    """The lab's snapshot designed with a second Ceph site (``examples/edge-two-ceph.yaml``):
    the design section shows one row per site's glance-api, as design's JSON has them."""
    site, html, design = (
        ROOT / "examples" / "edge-two-ceph.yaml",
        tmp_path / "r.html",
        tmp_path / "d.json",
    )
    assert (
        run(["design", str(snapshot), "--site", str(site), "-q", "-f", "json", "-o", str(design)])
        == 0
    )
    apis = json.loads(design.read_text())["apis"]
    assert len(apis) >= 2
    assert run(["report", str(snapshot), "-o", str(html), "--site", str(site)]) == 0
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(html.as_uri())
    page.wait_for_selector("body[data-ready='1']", state="attached")
    table = page.locator("#design-layout #design-table-apis")
    assert table.is_visible()
    assert _visible_column(page, "design-table-apis", 1) == [a["site"] for a in apis]
    assert _visible_column(page, "design-table-apis", 3) == [a["default"] for a in apis]
    page.close()
    assert errors == []


def test_promtool_accepts_the_metrics(snapshot: Path, tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    assert promtool is not None, "promtool missing: run bash lab/install-deps"
    prom = tmp_path / "imageyard.prom"
    assert run(["metrics", str(snapshot), "-o", str(prom)]) == 0
    text = prom.read_text()
    assert 'imageyard_store_bytes{store="ceph"}' in text
    check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                           text=True, check=False)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout + check.stderr == ""  # not even a lint warning


@pytest.fixture
def area(lab: Lab) -> Iterator[str]:
    name = prefix("report")
    yield name
    cleanup(lab, name)


def _qcow2(tmp: Path) -> bytes:
    raw = tmp / "q.raw"
    raw.write_bytes(raw_bytes(1 << 20))
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(raw),
                    str(tmp / "q.qcow2")], check=True)  # fmt: skip
    return (tmp / "q.qcow2").read_bytes()


def _copied(lab: Lab, image_id: str, store: str) -> None:
    """Copy ``image_id`` into ``store`` with Glance's copy-image import, and wait for it."""
    copy = {"method": {"name": "copy-image"}, "stores": [store]}
    r = lab.http.post(f"{lab.glance_url}/v2/images/{image_id}/import", json=copy, timeout=30)
    r.raise_for_status()
    end = time.monotonic() + 120
    while True:
        doc = image_doc(lab, image_id)
        assert not doc.get("os_glance_failed_import"), doc
        if store in (doc.get("stores") or "").split(",") and not doc.get(
            "os_glance_importing_to_stores"
        ):
            return
        assert time.monotonic() < end, f"copy of {image_id} into {store} not done"
        time.sleep(0.5)


def _ours(entries: list[dict[str, Any]], area: str) -> list[dict[str, Any]]:
    return [e for e in entries if e["name"].startswith(area)]


def test_diff_before_and_after_an_applied_plan_lists_exactly_its_changes(
    lab: Lab, area: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Moves (fast to ceph), a copy (placement into ceph), a deletion from a store (--drop
    cheap) and a conversion (a new raw image, the qcow2 original hidden): the diff of the
    snapshots before and after lists each, and nothing else of ours."""
    data = raw_bytes(128 * 1024)
    moved = {make_image(lab, f"{area}-m{i}", raw_bytes(128 * 1024), "fast") for i in range(2)}
    placed = make_image(lab, f"{area}-p", data, "s3")
    dropped = make_image(lab, f"{area}-x", raw_bytes(128 * 1024), "ceph")
    _copied(lab, dropped, "cheap")
    qcow2 = make_image(lab, f"{area}-q", _qcow2(tmp_path), "ceph", disk_format="qcow2")
    before = tmp_path / "before"
    before.mkdir()
    plan_file = plan(lab, before, "--image", f"{area}-*", "--move", "fast=ceph",
                     "--drop", "cheap")  # fmt: skip
    actions = json.loads(plan_file.read_text())["actions"]
    kinds = {a["kind"] for a in actions}
    assert {"copy-image", "delete-from-store", "convert-to-raw", "retire-image"} <= kinds
    apply_run("apply", str(plan_file), "--glance-endpoint", lab.glance_url, "--yes-destroy",
              check=0)  # fmt: skip
    after = snapshot_of(lab, tmp_path / "after.json")
    capsys.readouterr()
    assert run(["diff", str(before / "inv.json"), str(after), "-f", "json"]) == 0
    images = json.loads(capsys.readouterr().out)["images"]
    # other tests may add or remove their own images meanwhile: only ours are compared
    got = {m["id"]: (m["left"], m["joined"]) for m in _ours(images["moved"], area)}
    assert got == {**{i: (["fast"], ["ceph"]) for i in moved}, placed: ([], ["ceph"]),
                   dropped: (["cheap"], [])}  # fmt: skip
    added = _ours(images["added"], area)
    assert len(added) == 1 and added[0]["stores"] == ["ceph"] and added[0]["id"] != qcow2
    assert image_doc(lab, added[0]["id"])["disk_format"] == "raw"
    assert _ours(images["removed"], area) == []
    changed = {c["id"]: c["fields"] for c in _ours(images["changed"], area)}
    assert changed == {qcow2: {"os_hidden": [False, True]}}
