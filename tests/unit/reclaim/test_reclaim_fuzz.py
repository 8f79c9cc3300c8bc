"""Arbitrary inventories: the analysis never raises, every format renders, the sums hold."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "model"))
from model_strategies import inventories

from imageyard.model.inventory import Inventory
from imageyard.reclaim import analyse
from imageyard.reclaim.classes import BY_ID
from imageyard.reclaim.render import FORMATS


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories())
def test_any_inventory_is_analysed_and_rendered(inv: Inventory) -> None:
    result = analyse(inv)
    assert all(i.class_id in BY_ID for i in result.items)
    assert all(u.rule_id in BY_ID for u in result.unknowns)
    by_class = {t.name: t for t in result.totals if t.kind == "class"}
    for class_id, state in result.classes:
        mine = result.of_class(class_id)
        assert by_class[class_id].reclaimable == sum(i.reclaimable for i in mine)
        assert (state == "unknown") == any(u.rule_id == class_id for u in result.unknowns)
    doc = json.loads(FORMATS["json"](result))
    assert len(doc["items"]) == len(result.items)
    for name in ("table", "markdown", "sarif"):
        assert FORMATS[name](result).endswith("\n")
