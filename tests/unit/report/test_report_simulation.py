"""``imageyard report --simulation``: a hit rate against size chart per cache model."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from report_support import SIMULATION, simulation, snapshot

from imageyard.cli import run

EPOCH = "1767323045"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return snapshot(tmp_path_factory.mktemp("sim"), 5)


def _report(inv: Path, tmp: Path, monkeypatch: pytest.MonkeyPatch, sim: Path) -> str:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = tmp / "r.html"
    assert run(["report", str(inv), "-o", str(out), "--simulation", str(sim)]) == 0
    return out.read_text()


def _figure(html: str, model: str) -> str:
    match = re.search(rf'<figure id="chart-cache-{model}">(.*?)</figure>', html)
    assert match is not None, f"no chart for {model}"
    return match.group(1)


def _points(svg: str) -> list[tuple[int, float]]:
    found = re.findall(r'data-setting="(\d+)" data-hit-rate="([0-9.]+)"', svg)
    return [(int(s), float(r)) for s, r in found]


def test_one_chart_per_model_with_the_searched_points_in_setting_order(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = _report(small, tmp_path, monkeypatch, simulation(tmp_path))
    glance = _figure(html, "glance")
    assert _points(glance) == [(0, 0.1), (2 << 30, 0.6), (3 << 30, 0.82), (4 << 30, 0.9)]
    assert _points(_figure(html, "cinder")) == [(1, 0.0), (40, 0.3)]
    assert _points(_figure(html, "nova")) == []
    assert "no size search" in _figure(html, "nova")
    assert html.count('<figure id="chart-cache-') == 3


def test_target_and_smallest_are_marked(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = _report(small, tmp_path, monkeypatch, simulation(tmp_path))
    glance = _figure(html, "glance")
    marked = re.findall(r'<circle class="point smallest"[^>]*data-setting="(\d+)"', glance)
    assert marked == [str(3 << 30)]
    assert "target 80.0%" in glance and "smallest reaching the target: 3.0 GiB" in glance
    # the target line sits at 80% of the plot's height (y runs 10 to 160, top is 100%)
    assert re.search(r'<line class="target" x1="48" y1="40.0"', glance)
    cinder = _figure(html, "cinder")
    assert "point smallest" not in cinder and "target not reached" in cinder


def test_same_simulation_same_bytes_and_names_are_scrubbed(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = copy.deepcopy(SIMULATION)
    doc["models"][2]["model"] = "nova password=hunter2"
    sim = simulation(tmp_path, doc)
    first = _report(small, tmp_path, monkeypatch, sim)
    assert _report(small, tmp_path, monkeypatch, sim) == first
    assert "nova password" in first and "hunter2" not in first


def _bad_docs() -> list[Any]:
    no_tried = copy.deepcopy(SIMULATION)
    del no_tried["models"][0]["search"]["tried"]
    bad_rate = copy.deepcopy(SIMULATION)
    bad_rate["models"][0]["search"]["tried"][0]["hit_rate"] = 1.5
    bad_setting = copy.deepcopy(SIMULATION)
    bad_setting["models"][1]["search"]["tried"][0]["setting"] = "big"
    not_list = dict(SIMULATION, models="glance")
    return [no_tried, bad_rate, bad_setting, not_list, {"schema": "other/1"}, [1, 2]]


@pytest.mark.parametrize("doc", _bad_docs())
def test_a_simulation_of_the_wrong_shape_is_one_line_and_exit_5(
    small: Path, tmp_path: Path, doc: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = simulation(tmp_path, doc)
    assert (
        run(["report", str(small), "-o", str(tmp_path / "r.html"), "--simulation", str(sim)]) == 5
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"imageyard: error: {sim}:")
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("content", [None, b"{not json", b"\x00\x01", "dir"])
def test_a_missing_or_unreadable_simulation_is_one_line_and_exit_5(
    small: Path, tmp_path: Path, content: bytes | str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = tmp_path / "sim.json"
    if content == "dir":
        sim.mkdir()
    elif isinstance(content, bytes):
        sim.write_bytes(content)
    assert (
        run(["report", str(small), "-o", str(tmp_path / "r.html"), "--simulation", str(sim)]) == 5
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("imageyard: error:") and str(sim) in err[0]
    assert "Traceback" not in "".join(err)


def test_simulate_json_is_what_the_report_reads(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = tmp_path / "boots.csv"
    assert run(["simulate", "generate", "--pattern", "zipf", "--events", "300", "--seed", "3",
                "-o", str(trace)]) == 0  # fmt: skip
    sim = tmp_path / "sim.json"
    args = ["simulate", "cache", "--trace", str(trace), "--model", "glance"]
    assert run([*args, "--target-hit-rate", "0.5", "-f", "json", "-o", str(sim)]) == 0
    search = json.loads(sim.read_text())["models"][0]["search"]
    html = _report(small, tmp_path, monkeypatch, sim)
    shown = _points(_figure(html, "glance"))
    assert shown == [(t["setting"], t["hit_rate"]) for t in search["tried"]]
    assert len(shown) == search["replays"]
    marked = re.findall(r'class="point smallest"[^>]*data-setting="(\d+)"', html)
    assert marked == [str(search["smallest"])]


def test_placement_comparison_is_a_cost_against_p95_chart(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trace = tmp_path / "boots.csv"
    assert run(["simulate", "generate", "--events", "400", "--zones", "2", "--seed", "5",
                "-o", str(trace)]) == 0  # fmt: skip
    placed, cache = tmp_path / "placement.json", tmp_path / "cache.json"
    assert (
        run(["simulate", "placement", "--trace", str(trace), "-f", "json", "-o", str(placed)]) == 0
    )
    assert run(["simulate", "cache", "--trace", str(trace), "--model", "glance", "-f", "json",
                "-o", str(cache)]) == 0  # fmt: skip
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = tmp_path / "r.html"
    args = ["report", str(small), "-o", str(out), "--simulation", str(placed)]
    assert run([*args, "--simulation", str(cache)]) == 0
    html = out.read_text()
    match = re.search(r'<figure id="chart-placement">(.*?)</figure>', html, re.S)
    assert match is not None and '<figure id="chart-cache-glance">' in html
    doc = json.loads(placed.read_text())
    tips = re.findall(r'<circle class="layout"[^>]*><title>([^<]*)</title>', match.group(1))
    want = [f"{r['layout']}: {r['monthly_cost']:.2f} per month, p95 {r['p95_seconds']:.1f} s"
            for r in doc["layouts"]]  # fmt: skip
    assert tips == want
    curve = re.search(r'<path class="split" d="M([^"]*)"', match.group(1))
    assert curve is not None and curve.group(1).count("L") == len(doc["split_search"]["tried"]) - 1


def test_a_placement_result_of_the_wrong_shape_is_exit_5(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = simulation(tmp_path, {"schema": "imageyard-simulate-placement/1", "layouts": []})
    assert (
        run(["report", str(small), "-o", str(tmp_path / "r.html"), "--simulation", str(sim)]) == 5
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a simulate placement result" in err[0]
