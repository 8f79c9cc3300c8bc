"""The glance_store option lists shipped as data match the glance_store in the lab.

The lab's Glance venv has the real glance_store; ``glance_store_probe.py`` runs there and
prints every driver's option names. Outside the lab the test is skipped, unless
``IMAGEYARD_REQUIRE_LAB=1``, where a missing lab is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from imageyard.audit.data.glance_store_options import (
    DEPRECATED_ALIASES,
    DRIVER_OPTIONS,
    GLANCE_STORE_VERSION,
    MULTI_BACKEND_OPTIONS,
)

LAB = Path(os.environ.get("IMAGEYARD_LAB", "/tmp/imageyard-lab"))
GLANCE_PYTHON = LAB / "glance" / "venv" / "bin" / "python"
PROBE = Path(__file__).with_name("glance_store_probe.py")

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def live() -> dict[str, object]:
    if not GLANCE_PYTHON.exists():
        reason = f"no lab Glance venv at {GLANCE_PYTHON}"
        if os.environ.get("IMAGEYARD_REQUIRE_LAB") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    proc = subprocess.run(
        [str(GLANCE_PYTHON), str(PROBE)], capture_output=True, text=True, check=True, timeout=120
    )
    return dict(json.loads(proc.stdout))


def test_version_matches(live: dict[str, object]) -> None:
    assert live["version"] == GLANCE_STORE_VERSION


def test_multi_backend_options_match(live: dict[str, object]) -> None:
    assert set(live["multi_backend"]) == MULTI_BACKEND_OPTIONS  # type: ignore[call-overload]


def test_driver_options_match(live: dict[str, object]) -> None:
    drivers = live["drivers"]
    assert isinstance(drivers, dict)
    assert set(drivers) == set(DRIVER_OPTIONS)
    for name, found in drivers.items():
        assert set(found["options"]) == DRIVER_OPTIONS[name], name
        assert set(found["aliases"]) == DEPRECATED_ALIASES[name], name
