"""``imageyard simulate placement`` end to end: formats, the cost file, the plot, errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from imageyard import cli
from imageyard.errors import ExitCode
from imageyard.simulate.placement.compare import compare
from imageyard.simulate.placement.costs import CostModel, StoreCost
from imageyard.simulate.placement.load import load
from imageyard.simulate.tracefile import read_trace

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def trace_file(tmp_path: Path) -> Path:
    out = tmp_path / "boots.csv"
    args = ["simulate", "generate", "--events", "3000", "--zones", "3", "--seed", "4"]
    assert cli.run([*args, "-o", str(out)]) == 0
    return out


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert cli.run(["simulate", "placement", *args, "-f", "json"]) == 0
    doc: dict[str, object] = json.loads(capsys.readouterr().out)
    return doc


def test_json_restates_the_comparison(trace_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(capsys, "--trace", str(trace_file))
    want = compare(load(read_trace(str(trace_file))), CostModel())
    assert doc["schema"] == "imageyard-simulate-placement/1"
    layouts = doc["layouts"]
    assert isinstance(layouts, list)
    assert [d["layout"] for d in layouts] == ["all-ceph", "hot-cold", "site-replicas"]
    for got, expected in zip(layouts, want.layouts, strict=True):
        assert got["p95_seconds"] == round(expected.p95_seconds, 3)
        assert got["monthly_cost"] == round(expected.monthly_cost, 4)
    search = doc["split_search"]
    assert isinstance(search, dict) and len(search["tried"]) == doc["images"] + 1  # type: ignore[operator]
    assert layouts[1]["hot_images"] == search["hot_images"]


def test_cost_file_and_flags(
    trace_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    costs = tmp_path / "costs.yaml"
    costs.write_text("ceph: {gib_month: 0.1, download_mbps: 50}\ncold: {gib_month: 0.02}\n"
                     "clone_seconds: 0.2\n")  # fmt: skip
    doc = _json(capsys, "--trace", str(trace_file), "--costs", str(costs), "--cold-gib-month", "0")
    got = doc["costs"]
    assert isinstance(got, dict)
    assert got["ceph"] == {"gib_month": 0.1, "download_bps": 50e6}
    assert got["cold"]["gib_month"] == 0 and got["clone_seconds"] == 0.2
    want = CostModel(ceph=StoreCost(0.1, 50e6), cold=StoreCost(0.0, 50e6), clone_seconds=0.2)
    central = compare(load(read_trace(str(trace_file))), want).layouts[0]
    assert doc["layouts"][0]["monthly_cost"] == round(central.monthly_cost, 4)  # type: ignore[index]


def test_probe_results_win_over_the_cost_file(
    trace_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probe = tmp_path / "probe.json"
    probe.write_text(json.dumps({"throughputs": {"clone_seconds": 0.03, "convert_bps": 9e8}}))
    costs = tmp_path / "costs.yaml"
    costs.write_text("clone_seconds: 2\nimport_mbps: 123\n")
    doc = _json(capsys, "--trace", str(trace_file), "--costs", str(costs),
                "--probe-results", str(probe))  # fmt: skip
    got = doc["costs"]
    assert isinstance(got, dict)
    assert (got["clone_seconds"], got["convert_bps"], got["import_bps"]) == (0.03, 9e8, 123e6)
    assert "measured" in got["source"]


def test_table_and_markdown(trace_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["simulate", "placement", "--trace", str(trace_file)]) == 0
    table = capsys.readouterr().out
    assert "all-ceph" in table and "site-replicas" in table and "images hot" in table
    args = ["simulate", "placement", "--trace", str(trace_file), "-f", "markdown"]
    assert cli.run(args) == 0
    md = capsys.readouterr().out
    assert md.startswith("## Placement") and "| all-ceph |" in md


def test_svg_plot_marks_every_layout(trace_file: Path, tmp_path: Path) -> None:
    plot = tmp_path / "cost.svg"
    args = ["simulate", "placement", "--trace", str(trace_file), "--plot", str(plot)]
    assert cli.run([*args, "-o", str(tmp_path / "out.txt")]) == 0
    root = ET.fromstring(plot.read_text())
    marks = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]  # type: ignore[union-attr]
    assert [m.split(":")[0] for m in marks] == ["all-ceph", "hot-cold", "site-replicas"]  # type: ignore[union-attr]
    assert root.find(f"{SVG}path[@class='split']") is not None
    again = tmp_path / "again.svg"
    assert cli.run([*args[:-1], str(again), "-o", str(tmp_path / "out2.txt")]) == 0
    assert again.read_bytes() == plot.read_bytes()


@pytest.mark.parametrize(
    ("extra", "code", "words"),
    [
        (["--costs", "COSTS"], ExitCode.BAD_INPUT, "wieght"),
        (["--central-zone", "nowhere"], ExitCode.USAGE, "no zone 'nowhere'"),
        (["--plot", "PLOT.gif"], ExitCode.USAGE, ".svg or .png"),
    ],
)
def test_bad_input_is_one_line(
    trace_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    code: ExitCode,
    words: str,
) -> None:
    costs = tmp_path / "costs.yaml"
    costs.write_text("ceph:\n  wieght: 3\n")
    extra = [e.replace("COSTS", str(costs)).replace("PLOT", str(tmp_path / "p")) for e in extra]
    assert cli.run(["simulate", "placement", "--trace", str(trace_file), *extra]) == code
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if "error" in line]) == 1


def test_png_plot_has_the_svg_geometry(trace_file: Path, tmp_path: Path) -> None:
    from PIL import Image

    from imageyard.simulate.placement import plot

    out = tmp_path / "cost.png"
    args = ["simulate", "placement", "--trace", str(trace_file), "--plot", str(out)]
    assert cli.run([*args, "-o", str(tmp_path / "t.txt")]) == 0
    result = compare(load(read_trace(str(trace_file))), CostModel())
    fig = plot.figure(result)
    with Image.open(out) as image:
        assert image.format == "PNG" and image.size == (plot.WIDTH, plot.HEIGHT)
        x, y = plot.xy(fig, *fig.marks[0][1:])
        assert image.getpixel((round(x), round(y))) == (0x3B, 0x6E, 0xA8)  # all-ceph's mark
