"""SARIF 2.1.0: one result per reclaim item (kind ``fail``) or undecided scope (``open``).

Concepts: each class is a SARIF rule; severity maps to level as in the audit's SARIF. The
item's bytes and proposed action ride in ``properties``; a muted item carries an external
suppression with the mute's reason.
"""

from __future__ import annotations

import json
from typing import Any

from imageyard import __version__
from imageyard.model.finding import Status
from imageyard.reclaim.classes import CLASSES
from imageyard.reclaim.model import Item, ReclaimResult
from imageyard.report.sarif import LEVELS, SARIF_SCHEMA, SARIF_VERSION

_INDEX = {c.id: n for n, c in enumerate(CLASSES)}


def _rule(n: int) -> dict[str, Any]:
    meta = CLASSES[n]
    return {
        "id": meta.id,
        "name": meta.title,
        "shortDescription": {"text": meta.title},
        "help": {"text": f"How to act: {meta.remediation}"},
        "defaultConfiguration": {"level": LEVELS[meta.severity]},
        "properties": {"tags": ["reclaim", meta.family], "action": meta.action},
    }


def _item(item: Item) -> dict[str, Any]:
    f = item.finding
    out: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": _INDEX[f.rule_id],
        "kind": "fail",
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "properties": {
            "resource": str(f.resource),
            "evidence": [e.text for e in f.evidence],
            "action": {"kind": f.action.kind, "params": dict(f.action.params)}
            if f.action
            else None,
            "provisioned": item.provisioned,
            "used": item.used,
            "store": item.store,
            "pool": item.pool,
        },
    }
    if f.status is Status.MUTED and f.mute is not None:
        out["suppressions"] = [{"kind": "external", "justification": f.mute.reason}]
    return out


def render(result: ReclaimResult) -> str:
    """The result as a SARIF 2.1.0 log."""
    results = [_item(i) for i in result.items]
    results += [
        {
            "ruleId": u.rule_id,
            "ruleIndex": _INDEX[u.rule_id],
            "kind": "open",
            "level": "none",
            "message": {"text": f"{u.resource}: could not decide: {u.reason}"},
            "properties": {"resource": str(u.resource)},
        }
        for u in result.unknowns
    ]
    driver = {
        "name": "imageyard",
        "version": __version__,
        "rules": [_rule(n) for n in range(len(CLASSES))],
    }
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"
