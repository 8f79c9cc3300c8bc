"""The lab's random raw images are ones Glance's upload checks take for raw."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

SEED = Path(__file__).resolve().parents[2] / "lab" / "seed.py"


def _seed(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("lab_seed", SEED)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look it up
    spec.loader.exec_module(module)
    return module


def test_random_raw_bytes_never_carry_a_partition_tables_boot_signature(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed = _seed(monkeypatch)
    signed = bytes(510) + b"\x55\xaa" + bytes(4096 - 512)  # what 1 draw in 65,536 gives
    monkeypatch.setattr(os, "urandom", lambda n: signed[:n])
    data = seed.random_bytes(4 / 1024)
    assert len(data) == 4096 and data[510:512] != b"\x55\xaa"
    assert data[:510] == signed[:510] and data[511:] == signed[511:]  # nothing else changed
    monkeypatch.setattr(os, "urandom", lambda n: b"\x01" * n)
    assert seed.random_bytes(4 / 1024) == b"\x01" * 4096  # other draws as they come
