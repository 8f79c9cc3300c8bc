"""Simulation results (``imageyard simulate cache|placement -f json``) as the report reads them.

Concepts: ``read_simulation(path)`` checks the document's schema: a cache simulation gives
one ``Curve`` per cache model (the settings its size search replayed with their hit rates,
the target and the smallest setting reaching it); a placement comparison gives one
``PlacementSummary`` (cost against p95 boot time). The points are simulate's own; the
report only draws them. A file that is neither is ``InputError`` (exit 5).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from imageyard.errors import InputError
from imageyard.files import read_json
from imageyard.simulate.placement import render as placement
from imageyard.simulate.placement.result_file import PlacementSummary, read_placement
from imageyard.simulate.result_file import SCHEMA, hit_rate, whole_number

MAX_SIMULATION_BYTES = 16 * 2**20


@dataclass(frozen=True)
class Curve:
    """One model's hit rate against the searched setting (no search: no points)."""

    model: str
    option: str
    target: float | None
    smallest: int | None
    points: tuple[tuple[int, float], ...]


Simulation = Curve | PlacementSummary


def read_simulation(path: str | os.PathLike[str]) -> tuple[Simulation, ...]:
    """The curves of a ``simulate cache -f json`` file, in the file's model order, or the
    comparison of a ``simulate placement -f json`` file."""
    name = os.fspath(path)
    doc = read_json(path, "simulation result", MAX_SIMULATION_BYTES)
    if isinstance(doc, dict) and doc.get("schema") == placement.SCHEMA:
        return (read_placement(path),)
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise InputError(
            f'{name}: not a simulate cache or placement result (no "schema": "{SCHEMA}" '
            f'or "{placement.SCHEMA}")'
        )
    try:
        return tuple(_curve(m) for m in doc["models"])
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{name}: not a simulate cache result ({_reason(exc)})") from None


def _reason(exc: Exception) -> str:
    return f"missing {exc}" if isinstance(exc, KeyError) else str(exc)


def _curve(doc: Any) -> Curve:
    search = doc.get("search")
    if search is None:
        return Curve(str(doc["model"]), "", None, None, ())
    points = tuple(sorted(_point(p) for p in search["tried"]))
    smallest = search["smallest"]
    return Curve(
        model=str(doc["model"]),
        option=str(search["option"]),
        target=hit_rate(search["target_hit_rate"]),
        smallest=None if smallest is None else whole_number(smallest),
        points=points,
    )


def _point(doc: Any) -> tuple[int, float]:
    return whole_number(doc["setting"]), hit_rate(doc["hit_rate"])
