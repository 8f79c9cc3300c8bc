"""``imageyard probe`` without a cloud: choosing the consumer and image, paths it does not run,
and its JSON feeding ``simulate cache --probe-results``."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from imageyard import cli
from imageyard.audit.cow import BootPath, Verdict, consumers
from imageyard.errors import ExitCode
from imageyard.model.codec import dumps
from imageyard.model.finding import Confidence
from imageyard.model.image import Image
from imageyard.model.snapshot import read_inventory
from imageyard.simulate.probe.render import document, render_table
from imageyard.simulate.probe.run import ProbeResult, ProbeTarget, Step, probe

FIXTURE = Path(__file__).parents[2] / "fixtures/audit/cow-not-eligible/fail-qcow2-and-file-only"


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    out = tmp_path / "inv.json"
    assert cli.run(["collect", "-q", "--config-dir", str(FIXTURE), "-o", str(out)]) == 0
    inv = read_inventory(out)
    images = (
        Image("img-old", name="old", status="deactivated", disk_format="raw", size=10),
        Image("img-twin-1", name="twin", disk_format="raw", size=10),
        Image("img-twin-2", name="twin", disk_format="raw", size=10),
    )
    out.write_text(dumps(replace(inv, images=images)))
    return out


def _probe(snapshot: Path, image: str, conf: str = "nova.conf") -> list[str]:
    return [
        "probe", "boot", image, "--inventory", str(snapshot), "--nova-conf",
        str(FIXTURE / conf), "--glance-endpoint", "http://127.0.0.1:9", "-f", "json",
    ]  # fmt: skip


def test_refused_image_is_reported_not_performed(
    snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.run(_probe(snapshot, "old")) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["path"], doc["performed"], doc["steps"]) == ("refused", False, [])
    assert "not active" in doc["note"]


@pytest.mark.parametrize(
    ("image", "conf", "message"),
    [
        ("nope", "nova.conf", "no image 'nope' in the snapshot"),
        ("twin", "nova.conf", "2 images are named 'twin': give the id"),
        ("old", "cinder.conf", "the snapshot has no nova consumer read from"),
    ],
)
def test_bad_choice_is_one_line_exit_2(
    snapshot: Path, capsys: pytest.CaptureFixture[str], image: str, conf: str, message: str
) -> None:
    assert cli.run(_probe(snapshot, image, conf)) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_copy_to_store_needs_the_flag(snapshot: Path) -> None:
    inv = read_inventory(snapshot)
    consumer = next(c for c in consumers(inv) if c.is_nova)
    image = Image("img-file", name="file", disk_format="raw", size=10)
    verdict = Verdict(image.id, consumer.name, BootPath.COPY_TO_STORE, (), Confidence.LOW)
    target = ProbeTarget(ceph_conf="/nonexistent", user="nova", pool="vms", glance_endpoint="x")
    result = probe(image, consumer, verdict, target)
    assert not result.performed and "--allow-copy-image" in result.note


def test_json_feeds_the_cache_simulation(
    snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inv = read_inventory(snapshot)
    consumer = next(c for c in consumers(inv) if c.is_nova)
    image = Image("img-q", name="q", disk_format="qcow2", size=4_000_000)
    verdict = Verdict(image.id, consumer.name, BootPath.DOWNLOAD_CONVERT, (), Confidence.HIGH)
    steps = (Step("download", 2.0, 4_000_000), Step("convert", 1.0, 8_000_000),
             Step("rbd-import", 4.0, 8_000_000))  # fmt: skip
    result = ProbeResult(image, consumer, verdict, True, steps, scratch="iyprobe-x")
    doc = document(result)
    rates = {"download_bps": 2_000_000.0, "import_bps": 2_000_000.0, "convert_bps": 8_000_000.0}
    assert doc["throughputs"] == rates
    assert doc["total_seconds"] == 7.0
    assert doc["scratch_parent"] is None
    assert "disk ready" in render_table(result) and "no parent" in render_table(result)
    cloned = ProbeResult(image, consumer, verdict, True, steps, "", "iyprobe-y", "images/a@snap")
    assert document(cloned)["scratch_parent"] == "images/a@snap"
    assert "a clone of images/a@snap" in render_table(cloned)
    probe_file, trace = tmp_path / "probe.json", tmp_path / "boots.csv"
    probe_file.write_text(json.dumps(doc))
    trace.write_text("0,a,h,z,4000000\n10,a,h,z,4000000\n")
    args = ["simulate", "cache", "--trace", str(trace), "--model", "cinder", "-f", "json"]
    assert cli.run([*args, "--probe-results", str(probe_file)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["throughputs"]["download_bps"] == 2_000_000.0
    # one miss (download 2 s + import 2 s), one hit (a clone, assumed 0.5 s): mean 2.25 s
    assert out["models"][0]["mean_boot_seconds"] == 2.25


def test_probe_result_without_throughputs_is_exit_5(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad, trace = tmp_path / "p.json", tmp_path / "boots.csv"
    bad.write_text('{"throughputs": {"download_bps": -1}}')
    trace.write_text("0,a,h,z,10\n")
    args = ["simulate", "cache", "--trace", str(trace), "--probe-results", str(bad)]
    assert cli.run(args) == ExitCode.BAD_INPUT
    assert "not a probe result with throughputs" in capsys.readouterr().err


def test_download_that_cannot_be_written_is_a_probe_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imageyard.simulate.probe import ops

    class Response:
        def __enter__(self) -> Response:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def raise_for_status(self) -> None:
            return None

        def iter_content(self, size: int) -> list[bytes]:
            return [b"x" * 10]

    monkeypatch.setattr(ops.requests, "get", lambda *a, **k: Response())
    with pytest.raises(ops.ProbeError, match=r"download of image i1 to .*missing"):
        ops.download("http://glance", None, "i1", str(tmp_path / "missing" / "image"))
