"""``imageyard report --design design.json`` / ``--site SITE``: design's own result, shown."""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from report_support import ROOT, snapshot

from imageyard.cli import run
from imageyard.report import design_memo

EPOCH = "1767323045"
SITE = ROOT / "examples" / "all-ceph.yaml"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return snapshot(tmp_path_factory.mktemp("design"), 30)


@pytest.fixture(scope="module")
def design_json(small: Path) -> Path:
    out = small.with_name("design.json")
    assert run(["design", str(small), "-q", "-f", "json", "-o", str(out)]) == 0
    return out


def _report(inv: Path, out: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> str:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert run(["report", str(inv), "-o", str(out), *extra]) == 0
    return out.read_text()


def _design_section(text: str) -> str:
    match = re.search(r'<section id="design">(.*?)</section>', text, re.S)
    assert match is not None
    return htmllib.unescape(match.group(1))


def _section(text: str, key: str) -> str:
    start = text.index(f'<div class="memo-section" id="design-{key}">')
    ends = [text.find(m, start + 1) for m in ('<div class="memo-section"', "<h3>Facts cited")]
    return text[start : min(e for e in ends if e > 0)]


def test_every_part_of_the_design_is_shown_with_its_evidence(
    small: Path, design_json: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc: dict[str, Any] = json.loads(design_json.read_text())
    shown = _design_section(_report(small, tmp_path / "r.html", monkeypatch,
                                    "--design", str(design_json)))  # fmt: skip
    assert doc["site"] in shown and doc["release"] in shown
    for d in doc["decisions"]:
        part = _section(shown, d["section"])
        assert d["title"] in part and d["choice"] in part and d["why"] in part
        assert all(e in part for e in d["evidence"]) and all(f in part for f in d["facts"])
    layout = _section(shown, "layout")
    assert all(f"<td>{s['id']}</td>" in layout for s in doc["stores"])
    config = _section(shown, "config")
    assert f"Options to change: {len(doc['changes'])}" in config
    assert all(f"<td>{c['key']}</td>" in config for c in doc["changes"])
    for name, diff in doc["diff"].items():
        added = sum(1 for x in diff.splitlines() if x.startswith("+") and x[:3] != "+++")
        assert f"{name}: {added} lines added" in config
    reclaim = _section(shown, "reclaim")
    assert all(s["title"] in reclaim and s["check"] in reclaim for s in doc["steps"])
    reclaimable = doc["reclaim"]["reclaimable_bytes"]
    assert "Reclaim analysis (as imageyard reclaim reports it)" in reclaim
    assert all(u in reclaim for u in doc["reclaim"]["unknown"])
    assert (reclaimable == 0) == ("0 B reclaimable" in reclaim)
    for fid, fact in doc["facts"].items():
        assert f"{fid} ({fact['kind']})" in shown and f"Source: {fact['source']}" in shown


def test_site_runs_the_design_and_shows_what_its_json_shows(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site-design.json"
    args = ["design", str(small), "--site", str(SITE), "-q", "-f", "json", "-o", str(out)]
    assert run(args) == 0
    from_file = _report(small, tmp_path / "a.html", monkeypatch, "--design", str(out))
    from_run = _report(small, tmp_path / "b.html", monkeypatch, "--site", str(SITE))
    assert _design_section(from_run) == _design_section(from_file)
    assert "all-ceph" in _design_section(from_run)
    again = _report(small, tmp_path / "c.html", monkeypatch, "--site", str(SITE))
    assert again == from_run  # the same inputs, the same bytes


def test_a_long_conversion_list_is_cut_and_counted(
    design_json: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = json.loads(design_json.read_text())
    one = {"image_id": "i", "name": "n", "store": "ceph", "disk_format": "qcow2",
           "size": 2**30, "virtual_size": 3 * 2**30, "boots": 1}  # fmt: skip
    doc["conversions"] = [dict(one, image_id=f"img-{n:03d}") for n in range(25)]
    table = next(
        t for s in design_memo.memo(doc).sections for t in s.tables if t.caption.startswith("Im")
    )
    assert table.caption == "Images to convert to raw: 25, 25.0 GiB now"
    assert len(table.rows) == design_memo.MAX_LISTED and table.more == 25 - design_memo.MAX_LISTED
    assert table.rows[0] == ("img-000", "n", "ceph", "qcow2", "1.0 GiB", "2.0 GiB", "1")


def test_secrets_in_a_design_are_never_rendered(
    small: Path, design_json: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = json.loads(design_json.read_text())
    doc["decisions"][0]["why"] = "connect with password=hunter2 <b>now</b>"
    doc["steps"][0]["commands"] = ["rbd -m rados://admin:s3cr3tpw@mon ls"]
    leaky = tmp_path / "leaky.json"
    leaky.write_text(json.dumps(doc))
    text = _report(small, tmp_path / "r.html", monkeypatch, "--design", str(leaky))
    assert "connect with password" in text and "&lt;b&gt;now" in text and "rados://admin:" in text
    assert "hunter2" not in text and "s3cr3tpw" not in text


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"schema": "imageyard.design/2"}', 'no "schema": "imageyard.design/1"'),
        ('{"schema": "imageyard.design/1", "site": "x"}', "missing 'release'"),
        ("{not json", "not JSON"),
        ("[1, 2]", "not an imageyard design"),
    ],
)
def test_a_bad_design_file_is_one_line_and_exit_5(
    small: Path, design_json: Path, tmp_path: Path, body: str, reason: str,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    bad = tmp_path / "bad.json"
    bad.write_text(body)
    out = tmp_path / "r.html"
    assert run(["report", str(small), "-o", str(out), "--design", str(bad)]) == 5
    err = capsys.readouterr().err.strip()
    assert err.startswith("imageyard: error:") and "\n" not in err and reason in err
    assert not out.exists()


def test_a_decision_list_of_the_wrong_type_is_exit_5(
    small: Path, design_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(design_json.read_text())
    doc["decisions"][0]["evidence"] = "not a list"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    assert run(["report", str(small), "-o", str(tmp_path / "r.html"), "--design", str(bad)]) == 5
    assert "not an imageyard design (a list must not be str)" in capsys.readouterr().err


def test_design_and_site_together_is_a_usage_error(
    small: Path, design_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["report", str(small), "-o", str(tmp_path / "r.html"), "--design", str(design_json)]
    assert run([*args, "--site", str(SITE)]) == 2
    assert "give --design or --site, not both" in capsys.readouterr().err


def test_reclaimable_chart_and_card_are_reclaims_own_totals(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report draws what reclaim returns: a changed result changes the chart."""
    from dataclasses import replace

    from imageyard.model.snapshot import read_inventory
    from imageyard.reclaim import ReclaimSettings
    from imageyard.reclaim.model import Total
    from imageyard.report import results
    from imageyard.report.facts import human_bytes

    real = results.analyse

    def analyse(*args: Any, **kwargs: Any) -> Any:
        got = real(*args, **kwargs)
        mine = (Total("class", "zz-class", 1, 7 * 2**30, 3 * 2**30, 0),)
        return replace(got, totals=(*got.totals, *mine))

    monkeypatch.setattr(results, "analyse", analyse)
    text = _report(small, tmp_path / "r.html", monkeypatch)
    chart = re.search(r'<figure id="chart-reclaim">(.*?)</figure>', text, re.S)
    assert chart is not None and "zz-class" in chart.group(1) and "3.0 GiB" in chart.group(1)
    before = sum(t.reclaimable for t in real(read_inventory(small), ReclaimSettings()).totals
                 if t.kind == "class")  # fmt: skip
    card = (
        f'<div class="label">Reclaimable</div><div class="value">{human_bytes(before + 3 * 2**30)}<'
    )
    assert card in text


EDGE = ROOT / "examples" / "edge-two-ceph.yaml"


def _api_cells(api: dict[str, Any]) -> tuple[str, ...]:
    """One row of the per-site API table, from design's own JSON."""
    where = f"glance-api.conf ({api['target']})" if api["target"] else "glance-api.conf"
    weights = ", ".join(f"{s}={w}" for s, w in api["weights"]) or "no weights (before Glance 27)"
    return (api["site"], where, api["default"], ", ".join(api["stores"]), weights)


@pytest.fixture(scope="module")
def edge_design(small: Path) -> dict[str, Any]:
    out = small.with_name("edge-design.json")
    args = ["design", str(small), "--site", str(EDGE), "-q", "-f", "json", "-o", str(out)]
    assert run(args) == 0
    doc: dict[str, Any] = json.loads(out.read_text())
    assert len({a["site"] for a in doc["apis"]}) >= 2, "the example plans several sites"
    return doc


def test_the_memo_has_each_sites_api_plan_in_the_layout_section(
    edge_design: dict[str, Any], design_json: Path
) -> None:
    layout = next(s for s in design_memo.memo(edge_design).sections if s.key == "layout")
    apis = next(t for t in layout.tables if t.key == "apis")
    assert apis.caption == f"Glance API per site: {len(edge_design['apis'])}"
    assert apis.rows == tuple(_api_cells(a) for a in edge_design["apis"])
    one_site = design_memo.memo(json.loads(design_json.read_text()))
    assert [t.key for s in one_site.sections for t in s.tables if t.key] == []


def test_site_report_shows_each_sites_api_plan(
    small: Path, edge_design: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _report(small, tmp_path / "r.html", monkeypatch, "--site", str(EDGE))
    layout = _section(_design_section(text), "layout")
    table = re.search(r'<table class="memo-table" id="design-table-apis">(.*?)</table>', layout,
                      re.S)  # fmt: skip
    assert table is not None
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1).split("<tbody>")[1])
    cells = [tuple(re.findall(r"<td>(.*?)</td>", r)) for r in rows]
    assert cells == [_api_cells(a) for a in edge_design["apis"]]


def test_api_plans_of_the_wrong_type_are_exit_5(
    small: Path, edge_design: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(dict(edge_design, apis=[{"site": "a"}, {"site": "b"}])))
    assert run(["report", str(small), "-o", str(tmp_path / "r.html"), "--design", str(bad)]) == 5
    assert "not an imageyard design (missing 'default')" in capsys.readouterr().err
