"""``-q`` silences library noise too: log records of any library (keystoneauth, urllib3,
botocore ...), Python warnings, and librados' own stderr lines; without ``-q`` only library
errors get through. Checked at the file-descriptor level (capfd), where C libraries write."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

from imageyard import cli
from imageyard.cli import collect as collect_cli
from imageyard.collect.base import Progress
from imageyard.collect.sources import build_collectors
from imageyard.errors import ExitCode
from imageyard.model.inventory import Inventory

FIXTURES = Path(__file__).parents[2] / "fixtures" / "configs"
NOISY = ("keystoneauth1.session", "urllib3.connectionpool", "botocore.endpoint", "some.library")


@dataclass(frozen=True)
class _Noisy:
    """A collector that logs and warns the way client libraries do, then adds nothing."""

    name: str = "noisy"

    def collect(self, inventory: Inventory, progress: Progress) -> Inventory:
        for logger in NOISY:
            logging.getLogger(logger).warning("library warning from %s", logger)
            logging.getLogger(logger).error("library error from %s", logger)
        warnings.warn("a deprecated library call", DeprecationWarning, stacklevel=1)
        warnings.warn("a library user warning", UserWarning, stacklevel=1)
        return inventory


def _collect(tmp_path: Path, *flags: str) -> int:
    """collect with no handler on the root logger, as in a real run (pytest's would catch
    the records that Python's last-resort handler prints on stderr)."""
    argv = ["collect", *flags, "--config-dir", str(FIXTURES / "lab"), "-o"]
    handlers = logging.root.handlers
    logging.root.handlers = []
    try:
        return cli.run([*argv, str(tmp_path / "inv.json")])
    finally:
        logging.root.handlers = handlers


@pytest.fixture
def noisy(monkeypatch: pytest.MonkeyPatch) -> None:
    def with_noise(request: object) -> list[object]:
        return [*build_collectors(request), _Noisy()]  # type: ignore[arg-type]

    monkeypatch.setattr(collect_cli, "build_collectors", with_noise)


@pytest.mark.usefixtures("noisy")
def test_quiet_run_prints_nothing_at_all(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # as loud as a library can be made
        assert _collect(tmp_path, "-q") == ExitCode.OK
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


@pytest.mark.usefixtures("noisy")
def test_without_quiet_only_library_errors_get_through(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert _collect(tmp_path) == ExitCode.OK
    err = capfd.readouterr().err
    assert "library error from keystoneauth1.session" in err
    assert "library warning from" not in err.replace("library warning from some.library", "")


def test_quiet_restores_logging_and_warnings(tmp_path: Path) -> None:
    level = logging.getLogger("urllib3").level
    filters = list(warnings.filters)
    assert _collect(tmp_path, "-q") == ExitCode.OK
    assert logging.root.manager.disable == logging.NOTSET
    assert logging.getLogger("urllib3").level == level and warnings.filters == filters


def test_librados_says_nothing_under_quiet(
    silent_mon: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # a keyring that does not exist and a monitor that never answers, in a ceph.conf that
    # asks for logging on stderr: left alone, librados prints a line for each and its debug
    conf = tmp_path / "ceph.conf"
    conf.write_text(
        f"[global]\nfsid = 00000000-0000-0000-0000-000000000002\nmon_host = {silent_mon}\n"
        f"keyring = {tmp_path}/missing.keyring\n"
        "log_to_stderr = true\nerr_to_stderr = true\ndebug_monc = 10\n"
    )
    argv = ["collect", "-q", "--sources", "config,ceph", "--ceph-conf", str(conf)]
    code = cli.run([*argv, "--ceph-timeout", "1", "-o", str(tmp_path / "inv.json")])
    assert code == ExitCode.SOURCE_FAILED
    lines = capfd.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("imageyard: error: requested source(s) ceph")
