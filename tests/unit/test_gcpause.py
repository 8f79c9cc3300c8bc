"""Cyclic GC is off while an inventory is built and restored afterwards, whatever happens."""

from __future__ import annotations

import gc

import pytest

from imageyard import gcpause
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
