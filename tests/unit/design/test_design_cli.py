"""``imageyard design`` on the command line: outputs, renderers and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from design_support import EXAMPLES, RENDERS

from imageyard.cli import run


def test_needs_an_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["design"]) == 2


def test_bad_site_is_exit_5(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("backends: {}\n")
    assert run(["design", "--site", str(bad)]) == 5
    err = capsys.readouterr().err
    assert f"{bad}:1:" in err and err.count("\n") == 1


def test_markdown_memo(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["design", "--site", str(EXAMPLES / "all-ceph.yaml")]) == 0
    out = capsys.readouterr().out
    for title in (
        "(a) Store layout",
        "(b) Format policy",
        "(c) Configuration",
        "(d) Caches",
        "(e) Reclamation",
        "## Facts cited",
    ):
        assert title in out


def test_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["design", "--site", str(EXAMPLES / "no-ceph.yaml"), "-f", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "imageyard.design/1"
    assert doc["stores"][0]["id"] == "nfs" and "glance-api.conf" in doc["diff"]


@pytest.mark.parametrize("render", RENDERS)
def test_renderers(render: str, capsys: pytest.CaptureFixture[str]) -> None:
    site = str(EXAMPLES / "edge-two-ceph.yaml")
    assert run(["design", "--site", site, "--render", render]) == 0
    assert capsys.readouterr().out.strip()


def test_release_flag_gates_weight(capsys: pytest.CaptureFixture[str]) -> None:
    site = str(EXAMPLES / "all-ceph.yaml")
    assert run(["design", "--site", site, "--release", "2023.1", "-f", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert not any(c["key"] == "weight" for c in doc["changes"])
    assert doc["stores"][0]["weight"] is None


def test_write_configs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = str(EXAMPLES / "all-ceph.yaml")
    assert (
        run(
            [
                "design",
                "--site",
                site,
                "--write-configs",
                str(tmp_path / "etc"),
                "-o",
                str(tmp_path / "memo.md"),
            ]
        )
        == 0
    )
    text = (tmp_path / "etc" / "glance-api.conf").read_text()
    assert "default_backend = rbd" in text
    assert (tmp_path / "memo.md").read_text().startswith("# Glance storage design")


def test_written_configs_and_diffs_carry_no_secret(tmp_path: Path) -> None:
    from imageyard.design.diff import masked

    text = (
        "[DEFAULT]\ntransport_url = rabbit://openstack:S3CRETrabbit@ctl:5672/\n"
        "[s3]\ns3_store_secret_key = S3CRETkey\ns3_store_host = http://s3\n"
        "[database]\nconnection = mysql+pymysql://glance:S3CRETdb@db/glance\n"
        "# s3_store_access_key = commented\n"
    )
    out = masked(text)
    assert "S3CRET" not in out
    assert "s3_store_host = http://s3" in out
    assert "# s3_store_access_key = commented" in out
