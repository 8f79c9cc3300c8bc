"""The JSON output: the whole design as one document, stable key order.

Concepts: ``schema`` names the document version; decisions, stores, conversions, changes
and steps are the dataclasses as objects; ``facts`` holds every cited fact once; ``diff``
maps each file to its unified diff (secrets masked); each change names the file kind that
wins (``file``) and the files it is written to (``paths``), as the diff applies it.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from imageyard.design.diff import FileDiff
from imageyard.design.facts import FACTS
from imageyard.design.model import Design

SCHEMA = "imageyard.design/1"


def to_dict(design: Design, diffs: tuple[FileDiff, ...]) -> dict[str, Any]:
    body = dataclasses.asdict(design)
    body["audit"] = dict(design.audit)
    if body.get("reclaim") is None:
        body.pop("reclaim", None)  # NOTE: a design from a site alone has no reclaim analysis
    used = sorted(
        {f for d in design.decisions for f in d.facts}
        | {c.fact for c in design.changes}
        | {s.fact for s in design.steps}
    )
    body["facts"] = {f: dataclasses.asdict(FACTS[f]) for f in used}
    body["diff"] = _diffs(diffs)
    return {"schema": SCHEMA, **body}


def _diffs(diffs: tuple[FileDiff, ...]) -> dict[str, str]:
    """file (``file:target`` for another site or group) -> unified diff; when one glance-api
    or group edits several files of one kind (glance.conf.d), each is keyed by its path too."""
    keys = [f"{d.file}:{d.target}" if d.target else d.file for d in diffs]
    return {
        (f"{k}:{d.path}" if keys.count(k) > 1 else k): d.unified()
        for k, d in zip(keys, diffs, strict=True)
    }


def render(design: Design, diffs: tuple[FileDiff, ...]) -> str:
    return json.dumps(to_dict(design, diffs), indent=2, sort_keys=True) + "\n"
