"""Cyclic GC is off while an inventory is built and restored afterwards, whatever happens."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from imageyard import cli, gcpause
from imageyard.errors import SnapshotError
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import dump_inventory, load_inventory


def test_paused_inside_restored_after_even_on_error() -> None:
    assert gc.isenabled()
    with gcpause.paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gcpause.paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_left_off_when_it_was_off() -> None:
    gc.disable()
    try:
        with gcpause.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_snapshot_loading_pauses_and_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real = gcpause.paused

    def spy() -> object:
        seen.append(gc.isenabled())
        return real()

    monkeypatch.setattr(gcpause, "paused", spy)
    assert load_inventory(dump_inventory(Inventory()), origin="x") == Inventory(
        schema_version=Inventory().schema_version
    )
    with pytest.raises(SnapshotError):
        load_inventory("{}", origin="x")
    assert seen == [True, True] and gc.isenabled()


def test_keep_is_undone_when_the_outermost_block_ends() -> None:
    assert gc.get_freeze_count() == 0
    earlier = [object() for _ in range(10)]
    with gcpause.paused():
        with gcpause.paused():
            gcpause.keep()
            assert gc.get_freeze_count() > 0
        assert gc.get_freeze_count() > 0  # the inner block leaves it to the outermost
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    assert earlier


def test_keep_outside_a_block_freezes_nothing() -> None:
    gcpause.keep()
    assert gc.get_freeze_count() == 0


def test_keep_leaves_an_earlier_freeze_as_it_was() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with gcpause.paused():
            gcpause.keep()
            assert gc.get_freeze_count() == before
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()


def test_offline_commands_leave_nothing_frozen(tmp_path: Path) -> None:
    snapshot = tmp_path / "inventory.json"
    snapshot.write_text(dump_inventory(Inventory()))
    assert gc.get_freeze_count() == 0
    for args in (["show", str(snapshot)], ["design", str(snapshot), "-o", os.devnull]):
        assert cli.run(args) == 0
        assert gc.get_freeze_count() == 0 and gc.isenabled()


class _Node:
    """One object in a reference cycle (only the cyclic collector frees it)."""

    def __init__(self) -> None:
        self.me = self


def test_the_console_script_leaves_what_remains_to_the_process_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(gcpause, "_whole_process", False)  # main sets it: undone afterwards
    monkeypatch.setattr(gcpause, "_held", [])
    monkeypatch.setattr(cli, "run", lambda: 3)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        left = weakref.ref(_Node())  # garbage in a cycle, as a command may leave
        with pytest.raises(SystemExit) as exited:
            cli.main()
        assert exited.value.code == 3
        assert gc.get_freeze_count() > 0
        gc.collect()
        assert left() is not None  # out of the last collection's reach
        gc.unfreeze()
        gc.collect()
        assert left() is None
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def test_in_the_console_script_the_outermost_block_freezes_what_the_command_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No collection traverses what a command made once it is done: the process ends."""
    monkeypatch.setattr(gcpause, "_whole_process", False)
    monkeypatch.setattr(gcpause, "_held", [])
    after_the_block: list[tuple[int, bool]] = []

    def command() -> int:
        with gcpause.paused():
            with gcpause.paused():
                pass
            assert gc.get_freeze_count() == 0  # an inner block leaves it to the outermost
            garbage.append(weakref.ref(_Node()))
        after_the_block.append((gc.get_freeze_count(), gc.isenabled()))
        gc.collect()
        return 0

    garbage: list[weakref.ref[_Node]] = []
    monkeypatch.setattr(cli, "run", command)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    try:
        with pytest.raises(SystemExit):
            cli.main()
        ((frozen, enabled),), (left,) = after_the_block, garbage
        assert frozen > 0 and enabled
        assert left() is not None  # frozen by the block, so the collection passed it by
    finally:
        gc.unfreeze()
        gc.collect()
    assert garbage[0]() is None


# A console script whose command prints without flushing and registers an exit handler;
# argv[1] says whether it holds something and whether a thread still runs when it returns.
# ``os._exit`` says when it ends the process.
_CONSOLE = """
import atexit, os, sys, threading
from imageyard import cli, gcpause

def fast(code, real=os._exit):
    os.write(2, b"at once\\n")
    real(code)

def command():
    atexit.register(print, "exit handler ran")
    if "hold" in sys.argv[1]:
        gcpause.hold([object()])
    if "thread" in sys.argv[1]:
        threading.Thread(target=threading.Event().wait, args=(0.2,)).start()
    if "profiled" in sys.argv[1]:
        sys.setprofile(lambda *args: None)
    if "traced" in sys.argv[1]:
        sys.settrace(lambda *args: None)
    print("report", end="")
    sys.stderr.write("summary\\n")
    return 3

os._exit = fast
cli.run = command
cli.main()
"""


def _console(mode: str) -> subprocess.CompletedProcess[str]:
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-c", _CONSOLE, mode],
        capture_output=True,
        text=True,
        check=False,
        env=buffered,
    )


def test_a_console_command_that_holds_ends_at_once_flushed_and_with_its_code() -> None:
    proc = _console("hold")
    assert proc.returncode == 3
    assert proc.stdout == "reportexit handler ran\n"
    assert proc.stderr == "summary\nat once\n"


@pytest.mark.parametrize("mode", ["nothing", "hold thread", "hold profiled", "hold traced"])
def test_otherwise_the_console_script_ends_the_ordinary_way(mode: str) -> None:
    proc = _console(mode)
    assert proc.returncode == 3
    assert proc.stdout == "reportexit handler ran\n"
    assert proc.stderr == "summary\n"


def test_hold_outside_the_console_script_keeps_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gcpause, "_held", [])
    gcpause.hold(object())
    assert gcpause._held == []
