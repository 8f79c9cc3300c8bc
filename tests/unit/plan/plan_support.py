"""A small inventory with a Ceph Nova consumer: raw in ceph, qcow2 in ceph, raw in a file store."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "audit"))
from audit_support import AUDIT_FIXTURES, collect_dir

from imageyard.model.inventory import Inventory

CASE = AUDIT_FIXTURES / "cow-not-eligible" / "fail-qcow2-and-file-only"
RAW_IN_CEPH = "11111111-0000-4000-8000-000000000001"
QCOW2_IN_CEPH = "22222222-0000-4000-8000-000000000002"
RAW_IN_FILE = "33333333-0000-4000-8000-000000000003"


def inventory() -> Inventory:
    """The fixture's inventory (config collected, images from its inventory.json)."""
    return collect_dir(CASE)
