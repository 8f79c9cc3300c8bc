"""Hypothesis strategies for every snapshot dataclass, derived from the type hints."""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

from hypothesis import strategies as st

from imageyard.model.codec import SIZE_FIELDS, check_schema
from imageyard.model.inventory import SCHEMA_VERSION, Inventory

TEXT = st.text(max_size=8)
SCALARS: dict[Any, st.SearchStrategy[Any]] = {
    str: TEXT,
    int: st.integers(),
    float: st.floats(allow_nan=False, allow_infinity=False),
    bool: st.booleans(),
    type(None): st.none(),
}


def strategy_for(tp: Any, max_items: int = 2) -> st.SearchStrategy[Any]:
    """A strategy for any type the codec supports (collections hold at most ``max_items``)."""
    origin, args = get_origin(tp), get_args(tp)
    if tp in SCALARS:
        return SCALARS[tp]
    if origin is Union or origin is types.UnionType:
        return st.one_of(*(strategy_for(a, max_items) for a in args))
    if origin is Literal:
        return st.sampled_from(args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return st.lists(strategy_for(args[0], max_items), max_size=max_items).map(tuple)
    if origin is tuple:
        return st.tuples(*(strategy_for(a, max_items) for a in args))
    if origin is dict:
        return st.dictionaries(TEXT, strategy_for(args[1], max_items), max_size=max_items)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return dataclass_strategy(tp, max_items)
    raise TypeError(f"no strategy for {tp!r}")


@functools.cache
def dataclass_strategy(cls: type, max_items: int = 2) -> st.SearchStrategy[Any]:
    """``st.builds(cls)`` with *every* init field drawn, not just the required ones."""
    hints = typing.get_type_hints(cls)
    fields = {
        f.name: _sized(f.name, strategy_for(hints[f.name], max_items))
        for f in dataclasses.fields(cls)
        if f.init
    }
    return st.builds(cls, **fields)


def _sized(name: str, strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Sizes as a collection writes them: never negative."""
    if name not in SIZE_FIELDS:
        return strategy
    return strategy.map(lambda v: abs(v) if isinstance(v, int | float) else v)


SNAPSHOT_CLASSES: tuple[type, ...] = check_schema(Inventory)


def register_all() -> None:
    """Register a strategy for each snapshot dataclass, so ``st.from_type`` finds them."""
    for cls in SNAPSHOT_CLASSES:
        st.register_type_strategy(cls, dataclass_strategy(cls))


def inventories() -> st.SearchStrategy[Inventory]:
    """Whole inventories, small enough for quick tests."""
    return dataclass_strategy(Inventory, 2).map(_consistent)


def _consistent(inv: Inventory) -> Inventory:
    """As a collection writes it: each image id and each (store id, source) once."""
    images = {i.id: i for i in reversed(inv.images)}
    stores = {(s.id, s.source): s for s in reversed(inv.stores)}
    return dataclasses.replace(
        inv,
        schema_version=SCHEMA_VERSION,
        images=tuple(i for i in inv.images if images[i.id] is i),
        stores=tuple(s for s in inv.stores if stores[(s.id, s.source)] is s),
    )
