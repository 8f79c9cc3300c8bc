"""The cost model: a price per GiB-month and a capacity per store, from flags or a YAML file.

Concepts: ``CostModel`` holds what the operator gave (``--cost STORE=PRICE``,
``--capacity STORE=SIZE``, or ``--cost-model FILE``); ``with_defaults`` fills the price of
every other store of the inventory from ``DEFAULT_PRICES`` by store type (placement by
policy compares stores, so each needs a price). The defaults are illustrative list prices
per GiB-month: replicated Ceph RBD 0.030, file/NFS 0.020, Swift and S3 (erasure-coded
object storage) 0.010. A capacity is the most bytes of image data a store may hold; a store
without one is not limited. The YAML file::

    stores:
      ceph:  {price: 0.04, capacity: 500G}
      swift: {price: 0.008}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from imageyard import yamlsafe
from imageyard.errors import InputError
from imageyard.files import read_text
from imageyard.model.inventory import Inventory

DEFAULT_PRICES = {"rbd": 0.030, "file": 0.020, "swift": 0.010, "s3": 0.010}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def parse_size(text: str) -> int:
    """Bytes from ``500G``, ``2TiB``, ``1048576``; ValueError otherwise."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a size (e.g. 500G)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


@dataclass(frozen=True)
class CostModel:
    """Prices (per GiB-month) and capacities (bytes) by store id."""

    prices: tuple[tuple[str, float], ...] = ()
    capacities: tuple[tuple[str, int], ...] = ()

    def price(self, store: str) -> float | None:
        """The store's price, or None."""
        return dict(self.prices).get(store)

    def capacity(self, store: str) -> int | None:
        """The store's capacity in bytes, or None (no limit)."""
        return dict(self.capacities).get(store)

    def merged(self, other: CostModel) -> CostModel:
        """This model with ``other``'s entries winning."""
        return CostModel(
            tuple(sorted({**dict(self.prices), **dict(other.prices)}.items())),
            tuple(sorted({**dict(self.capacities), **dict(other.capacities)}.items())),
        )


def with_defaults(model: CostModel, inv: Inventory) -> CostModel:
    """``model`` plus a default price for every writable store of ``inv`` it does not price."""
    prices = dict(model.prices)
    for store in inv.stores:
        default = DEFAULT_PRICES.get(store.type.value)
        if default is not None and not store.is_reserved:
            prices.setdefault(store.id, default)
    return replace(model, prices=tuple(sorted(prices.items())))


def load_cost_model(path: Path) -> CostModel:
    """The cost model in YAML file ``path``; ``InputError`` naming the entry otherwise."""
    text = read_text(path, "cost model", 1 << 20)
    try:
        node = yamlsafe.compose(text)
        doc = None if node is None else _construct(node)
    except (yaml.YAMLError, yamlsafe.YamlLimitError) as exc:
        raise InputError(f"{path}: not YAML: {' '.join(str(exc).split())[:200]}") from None
    stores = doc.get("stores") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or not isinstance(stores, dict) or set(doc) != {"stores"}:
        raise InputError(f"{path}: expected one mapping 'stores: {{STORE: {{price, capacity}}}}'")
    prices: dict[str, float] = {}
    capacities: dict[str, int] = {}
    for name, terms in stores.items():
        _entry(path, str(name), terms, prices, capacities)
    return CostModel(tuple(sorted(prices.items())), tuple(sorted(capacities.items())))


def _construct(node: yaml.Node) -> Any:
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _entry(
    path: Path, name: str, terms: Any, prices: dict[str, float], capacities: dict[str, int]
) -> None:
    if not isinstance(terms, dict) or not set(terms) <= {"price", "capacity"}:
        raise InputError(f"{path}: stores.{name}: expected price and/or capacity")
    try:
        if "price" in terms:
            price = terms["price"]
            if isinstance(price, bool) or not isinstance(price, int | float) or price < 0:
                raise ValueError(f"price {price!r} is not a number >= 0")
            prices[name] = float(price)
        if "capacity" in terms:
            capacities[name] = parse_size(str(terms["capacity"]))
    except ValueError as exc:
        raise InputError(f"{path}: stores.{name}: {exc}") from None
