"""Simulation results (``imageyard simulate cache|placement -f json``) as the report reads them.

Concepts: ``read_simulation(path)`` checks the document's schema: a cache simulation gives
one ``Curve`` per cache model (the settings its size search replayed with their hit rates,
the target and the smallest setting reaching it); a placement comparison gives one
``PlacementSummary`` (cost against p95 boot time). The points are simulate's own; the
report only draws them. A file that is neither is ``InputError`` (exit 5).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from imageyard.errors import InputError
from imageyard.files import read_text
from imageyard.simulate.placement import render as placement
from imageyard.simulate.placement.result_file import PlacementSummary, read_placement

SCHEMA = "imageyard-simulate-cache/1"
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
    text = read_text(path, "simulation result", MAX_SIMULATION_BYTES)
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{name}:{getattr(exc, 'lineno', 1)}: not JSON: {exc}") from None
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
        target=_rate(search["target_hit_rate"]),
        smallest=None if smallest is None else _setting(smallest),
        points=points,
    )


def _point(doc: Any) -> tuple[int, float]:
    return _setting(doc["setting"]), _rate(doc["hit_rate"])


def _setting(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"a setting must be a whole number >= 0, not {value!r}")
    return value


def _rate(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"a hit rate must be a number from 0 to 1, not {value!r}")
    return float(value)
