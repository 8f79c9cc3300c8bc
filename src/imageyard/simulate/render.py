"""``simulate cache`` results as a table or as JSON (``imageyard-simulate-cache/1``)."""

from __future__ import annotations

import json
from typing import Any

from imageyard.simulate.cache import ModelReport
from imageyard.simulate.estimate import Throughputs
from imageyard.simulate.result_file import SCHEMA

GiB = 1 << 30


def _doc(reports: list[ModelReport], events: int, rates: Throughputs) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "events": events,
        "throughputs": {
            "download_bps": rates.download_bps,
            "import_bps": rates.import_bps,
            "clone_seconds": rates.clone_seconds,
            "source": rates.source,
        },
        "models": [_model(r) for r in reports],
    }


def _model(report: ModelReport) -> dict[str, Any]:
    r = report.result
    doc: dict[str, Any] = {
        "model": r.model,
        "settings": report.setting,
        "hits": r.hits,
        "misses": r.misses,
        "hit_rate": round(r.hit_rate, 6),
        "bytes_downloaded": r.bytes_downloaded,
        "evictions": r.evictions,
        "mean_boot_seconds": round(report.mean_boot_seconds, 3),
    }
    if report.search is not None:
        doc["search"] = {
            "option": report.search_setting,
            "target_hit_rate": report.search.target,
            "smallest": report.search.setting,
            "hit_rate": report.search.hit_rate,
            "replays": report.search.replays,
            "tried": [
                {"setting": setting, "hit_rate": round(rate, 6)}
                for setting, rate in report.search.tried
            ],
        }
    return doc


def render_json(reports: list[ModelReport], events: int, rates: Throughputs) -> str:
    """The JSON document, sorted keys."""
    return json.dumps(_doc(reports, events, rates), indent=2, sort_keys=True) + "\n"


def render_table(reports: list[ModelReport], events: int, rates: Throughputs) -> str:
    """One block per model."""
    lines = [f"{events} boots; throughputs: {_rates(rates)}"]
    for report in reports:
        r = report.result
        lines += [
            "",
            f"{r.model}: {report.setting}",
            f"  hit rate        {r.hit_rate:.1%} ({r.hits} of {r.events})",
            f"  downloaded      {r.bytes_downloaded / GiB:.1f} GiB",
            f"  evictions       {r.evictions}",
            f"  boot estimate   {report.mean_boot_seconds:.1f} s per boot (mean)",
        ]
        if report.search is not None:
            lines.append(f"  {_search_line(report)}")
    return "\n".join(lines) + "\n"


def _search_line(report: ModelReport) -> str:
    found = report.search
    assert found is not None
    if found.setting is None:
        return f"target {found.target:.1%}: not reachable by {report.search_setting} alone"
    return (
        f"target {found.target:.1%}: smallest {report.search_setting} = {found.setting} "
        f"(hit rate {found.hit_rate:.1%}, {found.replays} replays)"
    )


def _rates(rates: Throughputs) -> str:
    return (
        f"download {rates.download_bps / 1e6:.0f} MB/s, import {rates.import_bps / 1e6:.0f} "
        f"MB/s, clone {rates.clone_seconds:.2f} s ({rates.source})"
    )


FORMATS = {"table": render_table, "json": render_json}
