"""The design checked against itself before anything is printed.

Concepts: ``problems(design)`` returns one line per contradiction: a fact cited that does
not exist; two changes giving one option different values, or setting and removing it; a
config change that no decision backs (a store section, an ``enabled_backends`` entry, a
``default_backend`` or an ``images_rbd_glance_store_name`` naming a store the layout does not
enable, a store of a type no driver has); an API whose default it does not enable; tied
weights within one API or in the store table; a default-store decision that disagrees with
the store table; two APIs at one site; a retired store still enabled. ``build_design``
refuses a design with problems (``DesignRefused``, exit 5: one line naming each), and the
tests run it over every example and fixture.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from imageyard.design.facts import FACTS
from imageyard.design.model import Change, Design

API = "glance-api.conf"
DRIVERS = frozenset({"file", "http", "swift", "rbd", "cinder", "vmware", "s3"})


def _facts(design: Design) -> Iterator[str]:
    cited = [(d.key, f) for d in design.decisions for f in d.facts]
    cited += [(f"{c.file} [{c.section}] {c.key}", c.fact) for c in design.changes]
    cited += [(s.title, s.fact) for s in design.steps]
    for where, fact in cited:
        if fact not in FACTS:
            yield f"{where} cites fact {fact!r}, which does not exist"


def _one_value(design: Design) -> Iterator[str]:
    seen: dict[tuple[str, str, str, str], set[str | None]] = defaultdict(set)
    for c in design.changes:
        seen[(c.file, c.target, c.section, c.key)].add(c.value)
    for (file, target, section, key), values in seen.items():
        if len(values) > 1:
            where = f"{file}{f' ({target})' if target else ''} [{section}] {key}"
            yield f"{where} is given {len(values)} values: {sorted(map(str, values))}"


def _ids(value: str) -> list[tuple[str, str]]:
    pairs = [p.strip() for p in value.split(",") if p.strip()]
    return [(p.partition(":")[0].strip(), p.partition(":")[2].strip()) for p in pairs]


def _stores_backed(design: Design) -> Iterator[str]:
    enabled = {s.id for s in design.stores}
    for c in design.changes:
        if c.value is None:
            continue
        if c.key == "enabled_backends":
            if not _ids(c.value):
                yield "enabled_backends is empty: glance-api would have no store"
            for sid, stype in _ids(c.value):
                if sid not in enabled:
                    yield f"enabled_backends names {sid}, which the layout does not enable"
                if stype not in DRIVERS:
                    yield f"enabled_backends gives {sid} the type {stype!r}, no driver"
        elif c.key in ("default_backend", "images_rbd_glance_store_name") and (
            c.value not in enabled
        ):
            yield f"{c.file} {c.key} = {c.value}: not a store of the layout"
        elif (
            c.file == API and c.key in ("store_description", "weight") and c.section not in enabled
        ):
            yield f"[{c.section}] {c.key}: {c.section} is not a store of the layout"


def _apis(design: Design) -> Iterator[str]:
    enabled = {s.id for s in design.stores}
    sites = [a.site for a in design.apis]
    yield from (f"two glance-apis at site {s!r}" for s in sorted(set(sites)) if sites.count(s) > 1)
    for a in design.apis:
        if a.default not in a.stores:
            yield f"the API at {a.site} defaults to {a.default}, which it does not enable"
        yield from (
            f"the API at {a.site} enables unknown {s}" for s in a.stores if s not in enabled
        )
        weights = [w for _, w in a.weights]
        if len(weights) != len(set(weights)):
            yield f"the API at {a.site} has tied weights {a.weights}"


def _store_weights(design: Design) -> Iterator[str]:
    weights = [(s.id, s.weight) for s in design.stores if s.weight is not None]
    if len({w for _, w in weights}) != len(weights):
        yield f"the store table has tied weights {weights}"


def _default(design: Design) -> Iterator[str]:
    d = design.decision("layout.default_store")
    store = design.default_store
    if d is None or store is None:
        return
    if d.choice != store.id:
        yield f"layout.default_store says {d.choice}, the store table {store.id}"
    if store.type == "rbd" and "No consumer uses Ceph" in d.why:
        yield "layout.default_store says no consumer uses Ceph, but the default is rbd"


def _retired(design: Design) -> Iterator[str]:
    d = design.decision("layout.retire")
    if d is None:
        return
    enabled = {s.id for s in design.stores}
    for part in d.choice.split("; "):
        if part.startswith("drop "):
            sid = part.split()[1]
            if sid in enabled:
                yield f"{sid} is retired but still enabled"


def _set_and_removed(changes: tuple[Change, ...]) -> Iterator[str]:
    keys = {(c.file, c.target, c.section, c.key) for c in changes if c.value is None}
    for c in changes:
        if c.value is not None and (c.file, c.target, c.section, c.key) in keys:
            yield f"{c.file} [{c.section}] {c.key} is both set and removed"


def problems(design: Design) -> tuple[str, ...]:
    """Every contradiction found in ``design`` (empty when it is consistent)."""
    found = [
        *_facts(design),
        *_one_value(design),
        *_stores_backed(design),
        *_apis(design),
        *_store_weights(design),
        *_default(design),
        *_retired(design),
        *_set_and_removed(design.changes),
    ]
    return tuple(dict.fromkeys(found))
