"""``imageyard simulate``: the trace file, the generator and the cache report, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imageyard import cli
from imageyard.errors import ExitCode
from imageyard.simulate import glance_cache
from imageyard.simulate.glance_cache import GlanceCacheSettings
from imageyard.simulate.tracefile import read_trace


def _run(*args: str) -> int:
    return cli.run(list(args))


def test_generate_is_reproducible_and_readable(tmp_path: Path) -> None:
    a, b, c = (tmp_path / n for n in ("a.csv", "b.csv", "c.csv"))
    for out, seed in ((a, "7"), (b, "7"), (c, "8")):
        args = ("simulate", "generate", "--pattern", "golden", "--events", "300")
        assert _run(*args, "--seed", seed, "-o", str(out)) == 0
    assert a.read_text() == b.read_text() != c.read_text()
    trace = read_trace(str(a))
    assert len(trace) == 300
    assert any(name.startswith("golden-") for name in trace.image_names)


def test_cache_report_matches_the_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace_file = tmp_path / "boots.csv"
    assert _run("simulate", "generate", "--events", "2000", "-o", str(trace_file)) == 0
    args = ["simulate", "cache", "--trace", str(trace_file), "--glance-max-size", str(50 << 30)]
    assert _run(*args, "--model", "glance", "--target-hit-rate", "0.5", "-f", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    (model,) = doc["models"]
    expected = glance_cache.replay(read_trace(str(trace_file)), GlanceCacheSettings(50 << 30))
    assert (model["hits"], model["bytes_downloaded"]) == (expected.hits, expected.bytes_downloaded)
    assert model["search"]["hit_rate"] >= 0.5
    assert model["search"]["smallest"] % (1 << 30) == 0
    tried = [(t["setting"], t["hit_rate"]) for t in model["search"]["tried"]]
    trace = read_trace(str(trace_file))
    replayed = [glance_cache.replay(trace, GlanceCacheSettings(s)).hit_rate for s, _ in tried]
    assert [r for _, r in tried] == [round(r, 6) for r in replayed]
    assert [s for s, _ in tried] == sorted({s for s, _ in tried})
    assert model["search"]["smallest"] in [s for s, _ in tried]
    assert len(tried) == model["search"]["replays"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("time,image,host,az\n1,a,h,z\n", "boots.csv:2: no size for image 'a'"),
        ("1,a,h,z,10\nsoon,a,h,z,10\n", "boots.csv:2: not a time: 'soon'"),
        ("1,a,h\n", "boots.csv:1: expected time,image,host,az"),
        ("# nothing\n", "boots.csv: the trace has no events"),
        ("1,a,h,z,10,-5\n", "boots.csv:1: the time must be finite and the lifetime not negative"),
    ],
)
def test_bad_trace_is_one_line_and_exit_5(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    trace_file = tmp_path / "boots.csv"
    trace_file.write_text(content)
    assert _run("simulate", "cache", "--trace", str(trace_file)) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_iso_times_and_header(tmp_path: Path) -> None:
    trace_file = tmp_path / "boots.csv"
    trace_file.write_text(
        "time,image,host,az,size\n2026-01-01T00:01:00Z,b,h,z,5\n2026-01-01T00:00:00,a,h,z,5\n"
    )
    trace = read_trace(str(trace_file))
    assert [trace.image_names[i] for i in trace.images] == ["a", "b"]
    assert trace.span == 60.0


def test_directory_as_trace_is_exit_5(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("simulate", "cache", "--trace", str(tmp_path)) == ExitCode.BAD_INPUT
    assert "not a regular file" in capsys.readouterr().err
