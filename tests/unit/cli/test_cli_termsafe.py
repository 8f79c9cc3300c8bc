"""A tenant's control characters never reach the operator's terminal raw.

Images whose name, disk format, property values and tags carry ESC, BEL, CR, LF, tab,
backspace, NUL, DEL and C1 controls (U+009B CSI) run through every command with a human
format; stdout and stderr must hold none of those characters (but the layout's own newlines
and tabs), and the JSON formats must still carry each value exactly.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from imageyard import cli
from imageyard.errors import ExitCode
from imageyard.model.ceph import CephCluster, Pool
from imageyard.model.codec import dumps
from imageyard.model.gap import Gap
from imageyard.model.identity import Project
from imageyard.model.image import Image, Location
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import read_inventory
from imageyard.terminal import one_line, register_stand_in, visible

CORPUS = Path(__file__).parents[2] / "corpus" / "kolla-ceph-cow" / "etc"
EVIL = "ESC\x1b[31mRED\x07BEL\rCR\nLF\tTAB\bBS\x00NUL\x7fDEL\x9b2JC1\x85NEL\u202eRLO\u2066LRI"
# any control character but newline and tab (the layout's own), and the bidi overrides
_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_FSID = "0b3b8c1e-6a45-4b7e-9a52-2f0c1d2e3f40"


def _cow(image_id: str) -> Image:
    url = f"rbd://{_FSID}/images/{image_id}/snap"
    return Image(
        image_id,
        container_format="bare",
        size=1 << 20,
        stores=("ceph",),
        locations=(Location(url=url, store="ceph"),),
        direct_url=url,
        owner="p1",
    )


def _images() -> tuple[Image, ...]:
    crafted = {"name": EVIL, "tags": (EVIL,), "properties": (("hw_disk_bus", EVIL),)}
    return (
        replace(_cow("img-evil-1"), disk_format="qcow2\x1b[2J", **crafted),
        replace(_cow("img-evil-4"), name=EVIL, disk_format="qcow2"),
        Image("img-evil-2", name=EVIL, status="queued", disk_format="raw", owner="p1"),
        Image("img-evil-3", name=EVIL, disk_format="raw", size=1, stores=("nowhere\x1b]0;x\x07",)),
    )


@pytest.fixture
def snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    snap = tmp_path / "inv.json"
    assert cli.run(["collect", "--config-dir", str(CORPUS), "-q", "-o", str(snap)]) == 0
    inv = read_inventory(snap)
    snap.write_text(dumps(replace(inv, images=(*inv.images, *_images()))))
    capsys.readouterr()
    return snap


def _printed(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    if argv[0] in ("audit", "reclaim"):
        argv = [*argv, "--fail-on", "none"]
    code = cli.run(argv)
    captured = capsys.readouterr()
    assert code in (ExitCode.OK, ExitCode.FINDINGS), (argv, captured.err)
    return captured.out, captured.err


def test_stand_ins_keep_one_column_and_the_layout() -> None:
    shown = visible(EVIL)
    assert len(shown) == len(EVIL) and "\n" in shown and "\t" in shown
    assert "␛" in shown and "␇" in shown and "␍" in shown and "␈" in shown
    assert "␀" in shown and "␡" in shown and "\ufffd" in shown
    assert _RAW.search(shown) is None
    lone = one_line(EVIL)
    assert "\n" not in lone and "\t" not in lone and "␊" in lone and "␉" in lone
    assert visible("plain │ text\n") == "plain │ text\n"
    # a bidi override or isolate is shown; the marks of right-to-left text stay
    assert visible("a\u202eb\u2067c\u200fd") == "a\ufffdb\ufffdc\u200fd"


# (the command, and which crafted value its output names: an image's name, a store's, none)
HUMAN_RUNS = [
    (["show"], "store"),
    (["audit", "-f", "table"], "name"),
    (["audit", "-f", "markdown"], "name"),
    (["paths", "-f", "table"], "name"),
    (["design", "-f", "markdown"], ""),
    (["reclaim", "-f", "table"], ""),
    (["reclaim", "-f", "markdown"], ""),
]


@pytest.mark.parametrize(("argv", "names"), HUMAN_RUNS, ids=[" ".join(a) for a, _ in HUMAN_RUNS])
def test_human_formats_show_control_characters(
    argv: list[str], names: str, snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = _printed([*argv, str(snapshot)], capsys)
    assert _RAW.search(out) is None, argv
    assert _RAW.search(err) is None, argv
    assert ("␛" in out) == bool(names), argv  # the values are there, shown


def test_plan_text_and_stderr_show_control_characters(
    snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    _, err = _printed(["plan", "make", str(snapshot), "-o", str(plan)], capsys)
    assert EVIL in plan.read_text() or any(
        EVIL in t for t in _strings(json.loads(plan.read_text()))
    )
    out, _ = _printed(["plan", "show", str(plan)], capsys)
    assert _RAW.search(out + err) is None
    assert "␛" in out
    assert not [line for line in out.splitlines() if line.startswith(("LF", "CR"))]


def test_diff_shows_control_characters(
    snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.json"
    inv = read_inventory(snapshot)
    old.write_text(dumps(replace(inv, images=inv.images[:-3])))
    for fmt in ("table", "markdown"):
        out, err = _printed(["diff", str(old), str(snapshot), "-f", fmt], capsys)
        assert _RAW.search(out + err) is None, fmt
        assert "␛" in out, fmt


@pytest.mark.parametrize(("argv", "names"), HUMAN_RUNS, ids=[" ".join(a) for a, _ in HUMAN_RUNS])
def test_a_value_newline_forges_no_line(
    argv: list[str], names: str, snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = _printed([*argv, str(snapshot)], capsys)
    # what follows the CR and the LF inside the name never starts a line of its own
    forged = [line for line in (out + err).splitlines() if line.startswith(("LF", "CR"))]
    assert forged == [], argv
    assert names != "name" or "LF\tTAB" in out or "LF␉TAB" in out, argv  # the name is there


@pytest.mark.parametrize("argv", [["audit", "-f", "json"], ["paths", "-f", "json"]])
def test_json_carries_the_exact_values(
    argv: list[str], snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = _printed([*argv, str(snapshot)], capsys)
    assert "␛" not in out
    assert any(EVIL in text for text in _strings(json.loads(out)))


def _strings(data: object) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(data, list):
        return [s for item in data for s in _strings(item)]
    return []


def test_snapshot_json_round_trips(snapshot: Path) -> None:
    inv = read_inventory(snapshot)
    evil = [i for i in inv.images if i.id.startswith("img-evil")]
    assert [i.name for i in evil] == [EVIL] * 4
    assert evil[0].disk_format == "qcow2\x1b[2J"


def test_an_error_line_shows_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / f"no-{EVIL.replace(chr(0), '')}.json"
    assert cli.run(["show", str(missing)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert _RAW.search(err) is None
    assert err.count("\n") == 1 and "␛" in err


def test_the_coloured_table_keeps_only_its_own_colours(
    snapshot: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # the table on a terminal
    out, _ = _printed(["audit", str(snapshot)], capsys)
    colours = re.findall("\x1b\\[[0-9;]*m", out)
    assert colours  # coloured indeed
    assert set(colours) <= {"\x1b[0m", "\x1b[1;31m", "\x1b[31m", "\x1b[33m", "\x1b[36m"}
    assert _RAW.search(re.sub("\x1b\\[[0-9;]*m", "", out)) is None
    assert "␛[31mRED" in out  # the name's own colour code, shown


def test_a_clean_grid_shows_its_cells_controls_and_keeps_its_lines() -> None:
    from imageyard.report import grid

    rows = [("a\x1b[2Jb\x9b", "x.conf:1\ny.conf:2")]
    units = grid.render_rows("", ("v", "w"), rows, width=60, styles=[("31", "")], clean=True)
    styled = "\n".join(line for unit in units for line in unit)
    assert _RAW.search(re.sub("\x1b\\[[0-9;]*m", "", styled)) is None
    assert "a␛[2Jb\ufffd" in styled and "x.conf:1" in styled and "y.conf:2" in styled


def _summary_inventory(snapshot: Path) -> Inventory:
    """The snapshot with markup and controls in what the summary prints of it: a store id
    and place, a deleted owner, a pool, a gap's error and a source's detail."""
    inv = read_inventory(snapshot)
    evil = "[/x][red]" + EVIL
    store = replace(inv.stores[0], id=evil, rbd_pool=evil)
    image = replace(inv.images[0], owner=evil)
    cluster = CephCluster(fsid=_FSID, pools=(Pool(name=evil),))
    sources = [replace(s, complete=True) if s.source == "keystone" else s for s in inv.sources]
    sources[0] = replace(sources[0], detail=evil)
    return replace(
        inv,
        stores=(store, *inv.stores[1:]),
        images=(image, *inv.images[1:]),
        projects=(Project(id="p1"),),
        ceph_clusters=(cluster,),
        sources=tuple(sources),
        gaps=(Gap(source="glance", scope="images", error=evil),),
    )


def _assert_summary_shows(text: str) -> None:
    assert _RAW.search(text.replace("\n", "")) is None
    lines = [line for line in text.splitlines() if "[/x][red]" in line]
    # store row, owner, pool, gap, source: each one line, brackets and controls as they are
    assert len(lines) >= 5, text
    assert all("ESC␛[31mRED␇BEL␍CR␊LF␉TAB" in line for line in lines), lines


def test_show_prints_markup_and_controls_as_they_are(
    snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = tmp_path / "summary.json"
    evil.write_text(dumps(_summary_inventory(snapshot)))
    out, _ = _printed(["show", str(evil)], capsys)  # before: MarkupError, exit 70
    _assert_summary_shows(out)


def test_collect_summary_prints_markup_and_controls_as_they_are(
    snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from imageyard.cli.summary import print_collect_summary

    print_collect_summary(_summary_inventory(snapshot), "[/x]\x1b]0;t\x07.json")
    err = capsys.readouterr().err
    _assert_summary_shows(err)
    assert "snapshot: [/x]␛]0;t␇.json" in err


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_stdout_that_cannot_hold_a_character_gets_its_escape(
    encoding: str, snapshot: Path
) -> None:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    argv = [sys.executable, "-m", "imageyard", "show", str(snapshot)]
    done = subprocess.run(argv, env=env, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr  # before: UnicodeEncodeError, exit 70
    out = done.stdout.decode(encoding)
    assert "qcow2\\u241b[2J" in out  # the stand-in for ESC, as its escape
    assert _RAW.search(out) is None


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_stdout_that_cannot_hold_box_drawing_gets_ascii_borders(
    encoding: str, snapshot: Path
) -> None:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    argv = [sys.executable, "-m", "imageyard", "audit", str(snapshot), "--fail-on", "none"]
    done = subprocess.run(argv, env=env, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode(encoding)
    assert re.search(r"\\u25[0-7][0-9a-f]", out) is None  # no border written as its escape
    lines = out.splitlines()
    tops = [i for i, line in enumerate(lines) if re.fullmatch(r"\+(=+\+)+", line)]
    assert tops, out[:2000]  # a table's top border, and its header's rule below the header
    top = tops[0]
    assert lines[top + 1].startswith("| ") and lines[top + 1].endswith(" |")
    table = lines[top : lines.index(next(x for x in lines[top:] if x.startswith("+-")), top) + 1]
    # one column per border character: still a table (a catalog value written as its
    # escape widens its own line)
    assert len({len(line) for line in table if "\\" not in line}) == 1
    assert re.fullmatch(r"\+(-+\+)+", table[-1])  # the bottom border


def test_box_drawing_has_one_ascii_stand_in_each() -> None:
    text = "┏━┳┓┃│┡╇┩└─┴┘├┼┤—–"
    drawn = text.encode("ascii", errors=register_stand_in()).decode("ascii")
    assert drawn == "+=++||++++-+++++--"
    assert "é␛".encode("ascii", errors=register_stand_in()) == b"\\xe9\\u241b"
