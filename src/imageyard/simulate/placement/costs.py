"""The cost model of ``simulate placement``: what a GiB-month costs in each store, and how
fast data moves.

Concepts: three stores take part. ``ceph`` is the RBD store at the central site, whose
cluster the central computes use (a clone); ``site`` is the RBD store of every other site
(its own cluster: Glance copies into it with copy-image, as Nova's
``images_rbd_glance_store_name`` asks); ``cold`` is a cheaper object or file store (Swift,
S3, a file store) holding images as uploaded, so a boot from it downloads, converts and
imports. Prices are per GiB-month of usable capacity (replication included), in any one
currency; the defaults are illustrative. Throughputs: a download from each store, the
conversion (``qemu-img convert``), the ``rbd import`` and the seconds of one clone; a probe's
measured throughputs replace the defaults and the file's values (measured data wins).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from imageyard.files import MiB, read_text
from imageyard.yamlschema import check, validator

MB = 1e6
MAX_COSTS_BYTES = 1 * MiB


@dataclass(frozen=True)
class StoreCost:
    """One store's price per GiB-month and the bytes per second a download from it gets."""

    gib_month: float
    download_bps: float


@dataclass(frozen=True)
class CostModel:
    """The three stores and the throughputs of the steps a boot takes."""

    ceph: StoreCost = field(default_factory=lambda: StoreCost(0.05, 100 * MB))
    site: StoreCost = field(default_factory=lambda: StoreCost(0.05, 100 * MB))
    cold: StoreCost = field(default_factory=lambda: StoreCost(0.01, 50 * MB))
    import_bps: float = 200 * MB
    convert_bps: float = 300 * MB
    clone_seconds: float = 0.5
    source: str = "assumed"


STORES = ("ceph", "site", "cold")
_POSITIVE = {"type": "number", "exclusiveMinimum": 0, "maximum": 1e12}
_PRICE = {"type": "number", "minimum": 0, "maximum": 1e12}
_STORE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"gib_month": _PRICE, "download_mbps": _POSITIVE},
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        **{name: _STORE for name in STORES},
        "import_mbps": _POSITIVE,
        "convert_mbps": _POSITIVE,
        "clone_seconds": _POSITIVE,
    },
}


def read_costs(path: str) -> CostModel:
    """The cost model of a YAML file; what it leaves out keeps the default."""
    text = read_text(path, "cost model", MAX_COSTS_BYTES)
    doc = check(text, path, SCHEMA, validator(SCHEMA)).value or {}
    model = CostModel(source=path)
    stores: dict[str, Any] = {n: _store(getattr(model, n), doc.get(n) or {}) for n in STORES}
    rates: dict[str, Any] = {
        f"{k}_bps": doc[f"{k}_mbps"] * MB for k in ("import", "convert") if f"{k}_mbps" in doc
    }
    if "clone_seconds" in doc:
        rates["clone_seconds"] = float(doc["clone_seconds"])
    return replace(model, **stores, **rates)


def _store(base: StoreCost, doc: dict[str, Any]) -> StoreCost:
    price = float(doc.get("gib_month", base.gib_month))
    download = float(doc["download_mbps"]) * MB if "download_mbps" in doc else base.download_bps
    return StoreCost(price, download)


def with_prices(model: CostModel, prices: dict[str, float | None]) -> CostModel:
    """``model`` with the GiB-month prices given on the command line (None: keep)."""
    stores: dict[str, Any] = {
        name: replace(getattr(model, name), gib_month=price)
        for name, price in prices.items()
        if price is not None
    }
    return replace(model, **stores)


def with_measured(model: CostModel, found: dict[str, float], source: str) -> CostModel:
    """``model`` with what probes measured (``estimate.measured``): a download (taken for
    both RBD stores; the cold store keeps its own), the conversion, the import, the clone."""
    if not found:
        return model
    changes: dict[str, Any] = {k: found[k] for k in _MEASURED if k in found}
    if "download_bps" in found:
        for name in ("ceph", "site"):
            changes[name] = replace(getattr(model, name), download_bps=found["download_bps"])
    return replace(model, **changes, source=f"{model.source}; measured: {source}")


_MEASURED = ("import_bps", "convert_bps", "clone_seconds")
