"""``design --cache-simulation``: section (d) and the config diff sized by simulate cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imageyard import cli

ROOT = Path(__file__).resolve().parents[3]
SITE = str(ROOT / "examples" / "no-ceph.yaml")  # downloads everywhere: every cache is used
ALL_CEPH = str(ROOT / "examples" / "all-ceph.yaml")  # clones everywhere: no cache is used


@pytest.fixture(scope="module")
def simulation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cachesim")
    trace, out = tmp / "boots.csv", tmp / "cache.json"
    assert cli.run(["simulate", "generate", "--events", "300", "--images", "20", "--hosts", "2",
                    "--seed", "3", "--lifetime", "600", "-o", str(trace)]) == 0  # fmt: skip
    assert cli.run(["simulate", "cache", "--trace", str(trace), "--target-hit-rate", "0.8",
                    "-f", "json", "-o", str(out)]) == 0  # fmt: skip
    return out


def _smallest(sim: Path) -> dict[str, int]:
    models = json.loads(sim.read_text())["models"]
    found = {m["search"]["option"]: m["search"]["smallest"] for m in models}
    assert all(isinstance(v, int) and v > 0 for v in found.values()), found
    return found


def _design(capsys: pytest.CaptureFixture[str], *extra: str, site: str = SITE) -> Any:
    assert cli.run(["design", "--site", site, *extra, "-f", "json", "-q"]) == 0
    return json.loads(capsys.readouterr().out)


def _decision(doc: Any, key: str) -> Any:
    return next(d for d in doc["decisions"] if d["key"] == key)


def _changed(doc: Any, key: str) -> set[str]:
    return {c["value"] for c in doc["changes"] if c["key"] == key}


def test_sizes_flow_into_section_d_and_the_changes(
    simulation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = _smallest(simulation)
    doc = _design(capsys, "--cache-simulation", str(simulation))
    glance = found["image_cache_max_size"]
    age = found["remove_unused_original_minimum_age_seconds"]
    gb = found["image_volume_cache_max_size_gb"]
    assert _changed(doc, "image_cache_max_size") == {str(glance)}
    assert _changed(doc, "remove_unused_original_minimum_age_seconds") == {str(age)}
    assert _changed(doc, "image_volume_cache_max_size_gb") == {str(gb)}
    assert (
        f"image_cache_max_size = {glance / 1024**3:.0f} GiB"
        in _decision(doc, "cache.glance_api")["choice"]
    )
    assert f"minimum_age_seconds {age}" in _decision(doc, "cache.nova_base")["choice"]
    assert f"max_size_gb {gb}," in _decision(doc, "cache.cinder")["choice"]
    for key in ("cache.glance_api", "cache.nova_base", "cache.cinder"):
        cited = [e for e in _decision(doc, key)["evidence"] if "cache simulation of 300" in e]
        assert len(cited) == 1 and cited[0].startswith("declared: "), key


def test_the_diff_carries_the_same_values(
    simulation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = _smallest(simulation)
    assert cli.run(["design", "--site", SITE, "--cache-simulation", str(simulation), "-q"]) == 0
    memo = capsys.readouterr().out
    for option, value in found.items():
        assert f"+{option} = {value}\n" in memo, option


def test_without_the_flag_the_estimate_stays(
    simulation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = _smallest(simulation)
    doc = _design(capsys)
    assert _changed(doc, "image_volume_cache_max_size_gb") != {
        str(found["image_volume_cache_max_size_gb"])
    }
    assert not any("cache simulation" in e for d in doc["decisions"] for e in d["evidence"])


def test_unused_caches_are_not_cited(simulation: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = _design(capsys, site=ALL_CEPH)
    cited = _design(capsys, "--cache-simulation", str(simulation), site=ALL_CEPH)
    assert cited["changes"] == plain["changes"]
    assert cited["decisions"] == plain["decisions"]


def test_an_unreached_target_leaves_the_estimate(
    simulation: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(simulation.read_text())
    for m in doc["models"]:
        m["search"]["smallest"] = m["search"]["hit_rate"] = None
    unreached = tmp_path / "unreached.json"
    unreached.write_text(json.dumps(doc))
    plain = _design(capsys)
    cited = _design(capsys, "--cache-simulation", str(unreached))
    assert cited["changes"] == plain["changes"]
    evidence = _decision(cited, "cache.cinder")["evidence"]
    assert any("reaches hit rate 80.0%; the estimate stands" in e for e in evidence)


BAD = {
    "not-json.json": "{",
    "placement.json": '{"schema": "imageyard-simulate-placement/1"}',
    "no-search.json": '{"schema": "imageyard-simulate-cache/1", "events": 3, '
    '"throughputs": {"source": "assumed"}, "models": [{"model": "glance"}]}',
    "bad-size.json": '{"schema": "imageyard-simulate-cache/1", "events": 3, '
    '"throughputs": {"source": "assumed"}, "models": [{"model": "glance", "search": '
    '{"option": "image_cache_max_size", "target_hit_rate": 0.9, "smallest": -1, '
    '"hit_rate": 0.9}}]}',
    "missing.json": None,
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_file_is_one_line_and_exit_5(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    if BAD[name] is not None:
        path.write_text(BAD[name] or "")
    assert cli.run(["design", "--site", SITE, "--cache-simulation", str(path), "-q"]) == 5
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0], err
