"""Placement by policy: tiers from usage (threshold boundaries), capacity, cost, trace, YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from imageyard.cli import run
from imageyard.errors import ExitCode, InputError
from imageyard.model.ceph import CephCluster, Pool, RbdImage, RbdParentRef
from imageyard.model.compute import Server, Volume
from imageyard.model.gap import SourceStatus
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import write_inventory
from imageyard.model.store import Store, StoreSource, StoreType
from imageyard.plan import CostModel, make_plan, read_plan
from imageyard.plan.economics import load_cost_model, parse_size, with_defaults
from imageyard.plan.policy import PlanPolicy, TierPolicy
from imageyard.plan.show import render_plan
from imageyard.plan.usage import image_usage
from imageyard.simulate.trace import TraceBuilder

GIB = 1 << 30
NOW = "2026-06-30T00:00:00Z"
STORES = (
    Store("ceph", StoreType.RBD, StoreSource.CONFIG, rbd_pool="images", rbd_fsid="f"),
    Store("swift", StoreType.SWIFT, StoreSource.CONFIG),
    Store("fast", StoreType.FILE, StoreSource.CONFIG),
)
KNOWN = (SourceStatus("nova", True, 1), SourceStatus("cinder", True, 1))


def _image(name: str, stores: tuple[str, ...], **kw: object) -> Image:
    return Image(
        id=f"id-{name}",
        name=name,
        disk_format="raw",
        size=GIB,
        stores=stores,
        **kw,  # type: ignore[arg-type]
    )


def _servers(image: str, n: int, created: str = "2026-06-20T00:00:00Z") -> list[Server]:
    return [Server(f"s-{image}-{i}", image_ref=f"id-{image}", created_at=created) for i in range(n)]


def _inventory(
    images: list[Image],
    servers: list[Server] = (),  # type: ignore[assignment]
    volumes: list[Volume] = (),  # type: ignore[assignment]
    sources: tuple[SourceStatus, ...] = KNOWN,
    clusters: tuple[CephCluster, ...] = (),
) -> Inventory:
    return Inventory(
        generated_at=NOW,
        stores=STORES,
        images=tuple(images),
        servers=tuple(servers),
        volumes=tuple(volumes),
        sources=sources,
        ceph_clusters=clusters,
    )


def _kinds(inv: Inventory, tier: TierPolicy, **kw: object) -> list[tuple[str, str, str]]:
    policy = PlanPolicy(place=False, convert=False, tier=tier)
    plan = make_plan(inv, policy, **kw)  # type: ignore[arg-type]
    return [(a.kind, a.image_name, a.target) for a in plan.actions]


def test_hot_threshold_is_inclusive_on_uses_and_on_boots() -> None:
    tier = TierPolicy(hot_uses=3, hot_boots=2, window_days=30)
    old = "2026-01-01T00:00:00Z"
    images = [_image(n, ("fast",)) for n in ("u3", "u2", "b2", "b1")]
    servers = (
        _servers("u3", 2, old)
        + _servers("u2", 2, old)
        + _servers("b2", 2)  # created 10 days ago: 2 boots in the window
        + _servers("b1", 1)
    )
    volumes = [Volume("v1", image_id="id-u3")]  # u3: 2 servers + 1 volume = 3 uses
    actions = _kinds(_inventory(images, servers, volumes), tier)
    assert actions == [("copy-image", "b2", "ceph"), ("copy-image", "u3", "ceph")]


def test_window_boundary_counts_servers_created_on_its_first_day() -> None:
    inside = _servers("edge", 2, "2026-05-31T00:00:00Z")  # exactly 30 days before NOW
    outside = _servers("late", 2, "2026-05-30T23:59:59Z")
    inv = _inventory([_image("edge", ("fast",)), _image("late", ("fast",))], inside + outside)
    usage = image_usage(inv, 30)
    assert (usage["id-edge"].boots, usage["id-late"].boots) == (2, 0)
    assert _kinds(inv, TierPolicy(hot_uses=9, hot_boots=2)) == [("copy-image", "edge", "ceph")]


def test_golden_public_or_tagged_goes_to_ceph_without_users() -> None:
    images = [
        _image("pub", ("swift",), visibility="public"),
        _image("tagged", ("swift",), tags=("gold-std",)),
        _image("plain", ("swift",), visibility="private"),
    ]
    actions = _kinds(_inventory(images), TierPolicy(golden_tag="gold-std"))
    assert sorted(actions) == [("copy-image", "pub", "ceph"), ("copy-image", "tagged", "ceph")]


def test_cold_image_moves_to_the_cold_store_and_off_ceph_unless_pinned() -> None:
    pinned_clone = RbdImage(
        id="c1",
        name="disk",
        pool="vms",
        size=GIB,
        parent=RbdParentRef("images", "id-pinned", "snap"),
    )
    cluster = CephCluster(fsid="f", pools=(Pool(name="vms", images=(pinned_clone,)),))
    images = [_image("idle", ("ceph",)), _image("pinned", ("ceph",)), _image("busy", ("ceph",))]
    ceph = (*KNOWN, SourceStatus("ceph", True, 1))
    busy = _servers("busy", 1, "2026-01-01T00:00:00Z")
    inv = _inventory(images, busy, sources=ceph, clusters=(cluster,))
    actions = _kinds(inv, TierPolicy(cold_store="swift"))
    assert actions == [
        ("copy-image", "idle", "swift"),
        ("delete-from-store", "idle", "ceph"),
        ("copy-image", "pinned", "swift"),
    ]  # busy has a user: warm, left alone; pinned keeps its Ceph copy for its clone
    unread = _inventory(images, busy, clusters=(cluster,))  # Ceph not read: clones unknown
    assert [a[0] for a in _kinds(unread, TierPolicy(cold_store="swift"))] == ["copy-image"] * 2


def test_unknown_usage_is_never_cold() -> None:
    inv = _inventory([_image("idle", ("ceph",))], sources=(SourceStatus("nova", True, 0),))
    assert _kinds(inv, TierPolicy(cold_store="swift")) == []


def test_capacity_is_never_exceeded_and_what_does_not_fit_is_reported() -> None:
    images = [_image(n, ("fast",), visibility="public") for n in ("a", "b", "c")]
    servers = _servers("c", 3) + _servers("b", 1)  # c hottest, then b, then a
    inv = _inventory(images, servers)
    model = CostModel(capacities=(("ceph", 2 * GIB),))
    plan = make_plan(inv, PlanPolicy(place=False, convert=False, tier=TierPolicy()), model=model)
    assert [a.image_name for a in plan.actions] == ["c", "b"]
    assert [(u.image_name, u.store, u.bytes) for u in plan.unplaced] == [("a", "ceph", GIB)]
    ceph = next(u for u in plan.stores if u.store == "ceph")
    assert (ceph.bytes_before, ceph.bytes_peak, ceph.capacity) == (0, 2 * GIB, 2 * GIB)
    text = render_plan(plan)
    assert "Not placed (1):" in text and "a (id-a) -> ceph, 1.0 GiB: over capacity" in text


def test_full_store_refuses_even_the_first_copy() -> None:
    images = [_image("x", ("ceph",)), _image("y", ("fast",), visibility="public")]
    model = CostModel(capacities=(("ceph", GIB),))  # x fills it already
    plan = make_plan(
        _inventory(images, _servers("x", 1)), PlanPolicy(tier=TierPolicy()), model=model
    )
    assert plan.actions == () and [u.image_name for u in plan.unplaced] == ["y"]


def test_move_whose_copy_does_not_fit_keeps_its_source() -> None:
    images = [_image("m", ("fast", "swift"))]
    model = CostModel(capacities=(("ceph", GIB // 2),))
    policy = PlanPolicy(place=False, convert=False, moves=(("fast", "ceph"),))
    plan = make_plan(_inventory(images), policy, model=model)
    assert plan.actions == () and plan.unplaced[0].store == "ceph"


def test_cost_before_and_after_sum_per_store_with_type_defaults() -> None:
    images = [_image("idle", ("ceph",)), _image("hot", ("swift",), visibility="public")]
    inv = _inventory(images, sources=(*KNOWN, SourceStatus("ceph", True, 1)))
    model = with_defaults(CostModel(prices=(("swift", 0.5),)), inv)
    assert dict(model.prices) == {"ceph": 0.03, "fast": 0.02, "swift": 0.5}
    plan = make_plan(inv, PlanPolicy(tier=TierPolicy(cold_store="swift")), model=model)
    costs = {c.store: (c.gib_before, c.gib_after) for c in plan.costs}
    assert costs == {"ceph": (1.0, 1.0), "fast": (0.0, 0.0), "swift": (1.0, 2.0)}
    text = render_plan(plan)
    # before: ceph 1 GiB x 0.03 + swift 1 GiB x 0.5; after: ceph 1 x 0.03 + swift 2 x 0.5
    assert "total" in text and "0.53 ->       1.03" in text


def test_boot_trace_counts_boots_in_its_last_window_by_id_or_unique_name() -> None:
    b = TraceBuilder()
    day = 86400.0
    for t in range(5):
        b.add(100 * day + t, "tr", "h1", "az")  # 5 recent boots by name
    b.add(10 * day, "id-old", "h1", "az")  # outside a 30-day window before day 100
    for t in range(4):
        b.add(99 * day + t, "id-old", "h1", "az")  # 4 boots by id: below 5
    inv = _inventory([_image("tr", ("fast",)), _image("old", ("fast",))])
    usage = image_usage(inv, 30, b.build())
    assert (usage["id-tr"].boots, usage["id-old"].boots) == (5, 4)
    assert _kinds(inv, TierPolicy(hot_boots=5), trace=b.build()) == [("copy-image", "tr", "ceph")]


def test_tier_keeps_the_ordinary_placement_off_cold_images() -> None:
    inv = _inventory([_image("idle", ("fast",)), _image("pub", ("fast",), visibility="public")])
    plan = make_plan(inv, PlanPolicy(tier=TierPolicy()))
    assert [(a.kind, a.image_name) for a in plan.actions] == [("copy-image", "pub")]


def test_cost_model_yaml_and_sizes(tmp_path: Path) -> None:
    good = tmp_path / "costs.yaml"
    good.write_text("stores:\n  ceph: {price: 0.04, capacity: 500G}\n  swift: {price: 0}\n")
    model = load_cost_model(good)
    assert model.price("ceph") == 0.04 and model.capacity("ceph") == 500 * GIB
    assert model.price("swift") == 0.0 and model.capacity("swift") is None
    assert parse_size("2TiB") == 2 << 40 and parse_size("1.5g") == 3 * GIB // 2
    for text in ("stores: [1]", "stores:\n  ceph: {price: -1}", "other: 1", "stores:\n  c: {x: 1}"):
        bad = tmp_path / "bad.yaml"
        bad.write_text(text)
        with pytest.raises(InputError):
            load_cost_model(bad)


def test_cli_tier_flags_capacity_and_bad_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inv = _inventory(
        [_image("p", ("fast",), visibility="public"), _image("q", ("fast",), tags=("golden",))]
    )
    snap = tmp_path / "inv.json"
    write_inventory(inv, snap)
    out = tmp_path / "plan.json"
    code = run(["plan", "make", str(snap), "-o", str(out), "--tier", "--capacity", "ceph=1G"])
    assert code == ExitCode.FINDINGS
    plan = read_plan(out)
    assert len(plan.actions) == 1 and len(plan.unplaced) == 1
    assert ("tier_hot_uses", "3") in plan.policy
    assert "not placed" in capsys.readouterr().err
    bad = run(["plan", "make", str(snap), "-o", str(out), "--capacity", "ceph=lots"])
    assert bad == ExitCode.USAGE
    assert "not a size" in capsys.readouterr().err
