"""A ``simulate cache -f json`` file read back, for design's section (d).

Concepts: the design sizes caches from the simulation, it never replays the trace: a model
with a size search (``--target-hit-rate``) gives the smallest setting of one option that
reached the target. ``read_cache_simulation(path)`` checks the schema and returns a
``CacheSimulation``; a file that is not such a document, or one without any search, is
``InputError`` (exit 5).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from imageyard.errors import InputError
from imageyard.files import MiB, read_json

SCHEMA = "imageyard-simulate-cache/1"
MAX_BYTES = 64 * MiB


@dataclass(frozen=True)
class SizeFound:
    """One model's search: the smallest ``option`` value reaching ``target`` (None: never)."""

    model: str
    option: str
    target: float
    smallest: int | None
    hit_rate: float | None


@dataclass(frozen=True)
class CacheSimulation:
    """What a cache simulation says, as the design cites it."""

    events: int
    throughputs_source: str
    found: tuple[SizeFound, ...]

    def setting(self, option: str) -> SizeFound | None:
        """The search over ``option``, if the simulation made one."""
        return next((f for f in self.found if f.option == option), None)


def read_cache_simulation(path: str | os.PathLike[str]) -> CacheSimulation:
    """The simulation in ``path`` (``simulate cache --target-hit-rate R -f json``)."""
    name = os.fspath(path)
    doc = read_json(path, "cache simulation", MAX_BYTES)
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise InputError(f'{name}: not a simulate cache result (no "schema": "{SCHEMA}")')
    try:
        sim = _simulation(doc)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        reason = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise InputError(f"{name}: not a simulate cache result ({reason})") from None
    if not sim.found:
        raise InputError(f"{name}: no size search in it (run simulate cache --target-hit-rate)")
    return sim


def whole_number(value: Any) -> int:
    """A count or setting read back: a whole number >= 0 (``ValueError`` if not)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"not a whole number >= 0: {value!r}")
    return value


def hit_rate(value: Any) -> float:
    """A hit rate read back: a number from 0 to 1 (``ValueError`` if not)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"not a hit rate: {value!r}")
    return float(value)


def _found(model: str, search: dict[str, Any]) -> SizeFound:
    smallest, rate = search["smallest"], search["hit_rate"]
    return SizeFound(
        model,
        str(search["option"]),
        hit_rate(search["target_hit_rate"]),
        None if smallest is None else whole_number(smallest),
        None if rate is None else hit_rate(rate),
    )


def _simulation(doc: dict[str, Any]) -> CacheSimulation:
    models = doc["models"]
    if not isinstance(models, list):
        raise ValueError("models is not a list")
    found = tuple(_found(str(m["model"]), m["search"]) for m in models if "search" in m)
    return CacheSimulation(whole_number(doc["events"]), str(doc["throughputs"]["source"]), found)
