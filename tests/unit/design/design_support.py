"""Helpers for the design tests: the example sites and fixture inventories, designed; the
rendered glance-api files as oslo.config reads them; the image-location check."""

from __future__ import annotations

import sys
from pathlib import Path

from imageyard.audit.data.glance_store_options import DRIVER_OPTIONS
from imageyard.audit.releases import parse_release
from imageyard.collect.ini import IniDocument
from imageyard.design import DesignRun, run_design
from imageyard.design.placement import glance_service
from imageyard.design.site import load_site
from imageyard.design.situation import measured_site, merge
from imageyard.model.config import StoreType
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location
from imageyard.model.store import Store

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
GOLD = ROOT / "tests" / "gold" / "design"
CONFIG_FIXTURES = ROOT / "tests" / "fixtures" / "configs"
EXAMPLE_NAMES = tuple(sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
RENDERS = ("ini", "kolla", "osa", "charm", "operator")


def example(name: str) -> DesignRun:
    """The design of ``examples/<name>.yaml`` (greenfield, no audit)."""
    site = load_site(EXAMPLES / f"{name}.yaml")
    return run_design(site, None, parse_release(site.release), with_audit=False)


def fixture(name: str, release: str | None = None) -> DesignRun:
    """The design of a collected config fixture (brownfield, no audit)."""
    sys.path.insert(0, str(ROOT / "tests" / "unit" / "audit"))
    from audit_support import collect_dir  # type: ignore[import-not-found]

    inv = collect_dir(CONFIG_FIXTURES / name)
    site = merge(measured_site(inv), None)
    return run_design(site, inv, parse_release(release), with_audit=False)


def glance_text(run: DesignRun, inv: Inventory | None, after: bool) -> str:
    """Every file glance-api loads, in load order, as one text: oslo's last-wins view."""
    diffs = {d.path: d for d in run.diffs if not d.target}
    svc = glance_service(inv)
    paths = list(svc.files) if svc is not None else []
    texts = []
    for path in paths:
        d = diffs.get(path)
        texts.append(d.after if d and after else d.before if d else Path(path).read_text())
    new = [d for d in run.diffs if not d.target and d.path not in paths]
    first = [d for d in new if d.file == "glance-image-import.conf"]  # glance-api loads it first
    last = [d for d in new if d.file == "glance-api.conf"]
    pick = [(d.after if after else d.before) for d in first]
    return "\n".join(pick + texts + [(d.after if after else d.before) for d in last])


def driver(doc: IniDocument, section: str, kind: str) -> dict[str, str]:
    keys = DRIVER_OPTIONS.get(kind, frozenset())
    return {v.key: v.value for v in doc.section(section) if v.key in keys}


def old_section(before: IniDocument, store_id: str) -> str:
    return store_id if before.has_section(store_id) else "glance_store"


def _store_of(location: Location, inv: Inventory) -> Store | None:
    """The store a location resolves to: its Glance store id, else (a single-store location)
    the one store of its scheme's type."""
    if location.store is not None:
        return inv.store(location.store)
    kind = StoreType.from_scheme(location.url.split(":", 1)[0])
    found = [s for s in inv.stores if s.type is kind and not s.is_reserved]
    return found[0] if len(found) == 1 else None


def check_locations_kept(before: IniDocument, after: IniDocument, inv: Inventory) -> int:
    """Every image location maps, in the new files, to an enabled store whose driver settings
    are those it had; the number of locations checked."""
    enabled = after.get("DEFAULT", "enabled_backends")
    ids = {p.split(":")[0].strip() for p in (enabled.value if enabled else "").split(",")}
    checked = 0
    for image in inv.images:
        for loc in image.locations:
            store = _store_of(loc, inv)
            assert store is not None, (image.id, loc.url)
            assert store.id in ids, (image.id, loc.url, sorted(ids))
            old = driver(before, old_section(before, store.id), store.type.value)
            assert driver(after, store.id, store.type.value) == old, (image.id, store.id)
            checked += 1
    return checked
