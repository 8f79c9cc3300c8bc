"""A probe's result as a table or as JSON (``imageyard-probe/1``)."""

from __future__ import annotations

import json
from typing import Any

from imageyard.simulate.probe.run import ProbeResult

MB = 1e6


def throughputs(result: ProbeResult) -> dict[str, float]:
    """Download, conversion and import bytes per second, and the clone's seconds, where
    measured."""
    rates: dict[str, float] = {}
    for step in result.steps:
        if step.name == "download" and step.seconds > 0 and step.bytes:
            rates["download_bps"] = step.bytes / step.seconds
        elif step.name == "rbd-import" and step.seconds > 0 and step.bytes:
            rates["import_bps"] = step.bytes / step.seconds
        elif step.name == "convert" and step.seconds > 0 and step.bytes:
            rates["convert_bps"] = step.bytes / step.seconds
        elif step.name == "clone":
            rates["clone_seconds"] = step.seconds
    return rates


def document(result: ProbeResult) -> dict[str, Any]:
    """The JSON document of ``result``."""
    image, verdict = result.image, result.verdict
    return {
        "schema": "imageyard-probe/1",
        "image": {
            "id": image.id,
            "name": image.name,
            "disk_format": image.disk_format,
            "size": image.size,
        },
        "consumer": result.consumer.name,
        "path": verdict.path.value,
        "cause": verdict.cause,
        "location": verdict.location,
        "store": verdict.store,
        "performed": result.performed,
        "note": result.note,
        "scratch": result.scratch,
        "scratch_parent": result.parent,
        "steps": [
            {"name": s.name, "seconds": round(s.seconds, 6), "bytes": s.bytes} for s in result.steps
        ],
        "total_seconds": round(result.total_seconds, 6),
        "throughputs": throughputs(result),
    }


def render_json(result: ProbeResult) -> str:
    """``document`` as sorted JSON."""
    return json.dumps(document(result), indent=2, sort_keys=True) + "\n"


def render_table(result: ProbeResult) -> str:
    """The path, each step's time and the total."""
    image, verdict = result.image, result.verdict
    lines = [
        f"image {image.name or image.id} ({image.disk_format}) on {result.consumer.name}",
        f"path: {verdict.path.value} ({verdict.cause})",
    ]
    if not result.performed:
        lines.append(f"not performed: {result.note}")
        return "\n".join(lines) + "\n"
    for step in result.steps:
        rate = f"  {step.bytes / step.seconds / MB:.0f} MB/s" if step.bytes and step.seconds else ""
        lines.append(f"  {step.name:<12} {step.seconds:9.3f} s{rate}")
    lines.append(f"  {'disk ready':<12} {result.total_seconds:9.3f} s")
    made = f"a clone of {result.parent}" if result.parent else "no parent (a full copy)"
    lines.append(f"scratch {result.scratch}: {made}; removed")
    return "\n".join(lines) + "\n"


FORMATS = {"table": render_table, "json": render_json}
