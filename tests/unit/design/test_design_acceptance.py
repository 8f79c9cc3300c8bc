"""Every design of every example, config fixture and corpus set: the rendered files give
exactly the intended values, every store that may hold images stays enabled with the same
driver settings, and the design is consistent. For every inventory with images (the audit
fixtures that carry a catalog; the lab's in ``tests/lab/test_lab_design.py``) every image
location still maps, under the rendered files, to an enabled store with the same driver
settings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from design_support import (
    CONFIG_FIXTURES,
    EXAMPLE_NAMES,
    ROOT,
    check_locations_kept,
    driver,
    example,
    glance_text,
    old_section,
)

from imageyard.audit.releases import parse_release
from imageyard.collect.ini import parse_ini
from imageyard.design import DesignRun, run_design
from imageyard.design.consistency import problems
from imageyard.design.model import Change
from imageyard.design.placement import consumer_service
from imageyard.design.situation import measured_site, merge
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import read_inventory

CORPUS = ROOT / "tests" / "corpus"
SETS = [*(CONFIG_FIXTURES / n for n in sorted(p.name for p in CONFIG_FIXTURES.iterdir()))]
SETS += [CORPUS / n for n in sorted(p.name for p in CORPUS.iterdir() if p.is_dir())]
SETS = [p for p in SETS if p.is_dir()]
AUDIT = ROOT / "tests" / "fixtures" / "audit"
IMAGED = sorted(
    p.parent
    for p in AUDIT.glob("*/*/inventory.json")
    if any(i.locations for i in read_inventory(p).images)
)


def _collect(path: Path) -> Inventory:
    sys.path.insert(0, str(ROOT / "tests" / "unit" / "audit"))
    from audit_support import collect_dir  # type: ignore[import-not-found]

    inv: Inventory = collect_dir(path)
    return inv


def _design(path: Path, release: str | None) -> tuple[DesignRun, Inventory]:
    inv = _collect(path)
    site = merge(measured_site(inv), None)
    return run_design(site, inv, parse_release(release), with_audit=False), inv


def _norm(text: str | None) -> str | None:
    return None if text is None else "".join(text.split())


def _service_text(run: DesignRun, inv: Inventory | None, c: Change) -> str | None:
    """A compute group's or cinder-volume's files in load order, as one text (new values)."""
    svc = consumer_service(inv, c.file, c.target)
    if svc is None:
        return None
    diffs = {d.path: d for d in run.diffs if d.target == c.target}
    return "\n".join(
        diffs[p].after if p in diffs else Path(p).read_text(encoding="utf-8") for p in svc.files
    )


def _check_values(run: DesignRun, inv: Inventory | None) -> None:
    """Every change gives the value the service then uses (all its files, in load order)."""
    glance = parse_ini(glance_text(run, inv, after=True), "glance-api (effective)")
    for c in run.design.changes:
        if c.file in ("glance-api.conf", "glance-image-import.conf") and not c.target:
            found = glance.get(c.section, c.key)
        elif (text := _service_text(run, inv, c)) is not None:
            found = parse_ini(text, f"{c.target} (effective)").get(c.section, c.key)
        else:
            d = next(x for x in run.diffs if x.file == c.file and x.target == c.target)
            found = parse_ini(d.after, d.path).get(c.section, c.key)
        got = found.value if found is not None else None
        assert _norm(got) == _norm(c.value), (c.file, c.target, c.section, c.key)


def _check_placed(run: DesignRun) -> None:
    """JSON and diff from one change list: each change's files are the diffs that edit it,
    and its ``file`` is the kind of the file that wins."""
    for c in run.design.changes:
        mine = [d for d in run.diffs if d.target == c.target and d.path in c.paths]
        assert len(mine) == len(c.paths), (c.section, c.key, c.paths)
        if mine:
            assert next(d for d in mine if d.path == c.paths[-1]).file == c.file, c.key
        for d in mine:
            assert f"imageyard: {'removed' if c.value is None else 'set'} {c.key}:" in d.after


def _check_stores_kept(run: DesignRun, inv: Inventory) -> None:
    if not any(d.file == "glance-api.conf" and not d.target for d in run.diffs):
        return
    if run.design.decision("layout.refused") is not None:
        return
    before = parse_ini(glance_text(run, inv, after=False), "before")
    after = parse_ini(glance_text(run, inv, after=True), "after")
    enabled = after.get("DEFAULT", "enabled_backends")
    ids = {p.split(":")[0].strip() for p in (enabled.value if enabled else "").split(",")}
    retire = run.design.decision("layout.retire")
    dropped = retire.choice if retire is not None else ""
    for store in inv.stores:
        if store.is_reserved or store.type.value == "unknown":
            continue
        if store.id not in ids:
            assert f"drop {store.id} " in dropped, f"{store.id} disabled without a count"
            assert not any(store.id in i.stores for i in inv.images)
            continue
        old = driver(before, old_section(before, store.id), store.type.value)
        assert driver(after, store.id, store.type.value) == old, store.id


@pytest.mark.parametrize("release", [None, "ussuri"], ids=["latest", "ussuri"])
@pytest.mark.parametrize("path", IMAGED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_image_location_keeps_its_store(path: Path, release: str | None) -> None:
    run, inv = _design(path, release)
    assert run.design.decision("layout.refused") is None
    before = parse_ini(glance_text(run, inv, after=False), "before")
    after = parse_ini(glance_text(run, inv, after=True), "after")
    assert check_locations_kept(before, after, inv) > 0


@pytest.mark.parametrize("release", [None, "ussuri"], ids=["latest", "ussuri"])
@pytest.mark.parametrize("path", SETS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_deployment_design_applies_cleanly(path: Path, release: str | None) -> None:
    run, inv = _design(path, release)
    assert problems(run.design) == ()
    _check_values(run, inv)
    _check_placed(run)
    _check_stores_kept(run, inv)
    for d in run.diffs:
        assert "<" not in d.after.replace("# imageyard", "")  # no placeholder in a file


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_design_applies_cleanly(name: str) -> None:
    run = example(name)
    assert problems(run.design) == ()
    _check_values(run, None)


def test_checker_catches_contradictions() -> None:
    from dataclasses import replace

    from imageyard.design.model import Change

    d = example("edge-two-ceph").design
    bad = replace(
        d,
        changes=(
            *d.changes,
            Change("nova.conf", "libvirt", "images_rbd_glance_store_name", "nope", "w", "f", "x"),
            Change(
                "glance-api.conf", "DEFAULT", "show_image_direct_url", "False", "w", "ossn-0090"
            ),
            Change("glance-api.conf", "ceph", "weight", "1", "w", "not-a-fact"),
        ),
    )
    found = " | ".join(problems(bad))
    assert "images_rbd_glance_store_name = nope" in found
    assert "show_image_direct_url is given 2 values" in found
    assert "not-a-fact" in found and "[ceph] weight" in found


def test_location_check_catches_a_disabled_or_changed_store() -> None:
    run, inv = _design(AUDIT / "cow-not-eligible" / "pass-raw-in-cluster", None)
    before = parse_ini(glance_text(run, inv, after=False), "before")
    text = glance_text(run, inv, after=True)
    store = inv.images[0].locations[0].store
    assert check_locations_kept(before, parse_ini(text, "after"), inv) == 1
    for broken in (
        text + "\n[DEFAULT]\nenabled_backends = other:file\n",
        text + f"\n[{store}]\nrbd_store_pool = elsewhere\n",
    ):
        with pytest.raises(AssertionError):
            check_locations_kept(before, parse_ini(broken, "after"), inv)
