"""Retention: families, newest N kept, and used or clone-pinned images never retired."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from imageyard.model.ceph import CephCluster, Pool, RbdImage, RbdParentRef
from imageyard.model.compute import Server, Volume
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location, RbdLocation
from imageyard.plan import PlanPolicy, make_plan
from imageyard.plan.retention import clone_children, family_of, select

FSID = "aaaaaaaa-1111-4222-8333-444444444444"
TODAY = datetime.date(2026, 6, 1)


def img(n: int, name: str, created: str, **kw: object) -> Image:
    iid = f"{n:08d}-0000-4000-8000-000000000000"
    loc = Location(f"rbd://{FSID}/images/{iid}/snap", "ceph")
    return Image(
        id=iid,
        name=name,
        created_at=created,
        stores=("ceph",),
        locations=(loc,),
        **kw,  # type: ignore[arg-type]
    )


def family() -> tuple[Image, ...]:
    return (
        img(1, "ubuntu-24.04-20250101", "2025-01-01T00:00:00Z"),
        img(2, "ubuntu-24.04-20250301", "2025-03-01T00:00:00Z"),
        img(3, "ubuntu-24.04-20250601", "2025-06-01T00:00:00Z"),
        img(4, "ubuntu-24.04-20260101", "2026-01-01T00:00:00Z"),
        img(5, "ubuntu-22.04-20240101", "2024-01-01T00:00:00Z"),
    )


def _retired(inv: Inventory, keep: int, max_age: int | None = None) -> set[str]:
    return {d.image.id[:8] for d in select(inv, keep, max_age, TODAY) if d.retire}


def test_family_is_distro_and_version_else_the_name_without_its_build_stamp() -> None:
    props = (("os_distro", "ubuntu"), ("os_version", "24.04"))
    assert family_of(Image(id="x", name="anything", properties=props)) == "ubuntu:24.04"
    assert family_of(Image(id="x", name="ubuntu-24.04-20250101")) == "ubuntu-24.04"
    assert family_of(Image(id="x", name="rhel-9.4_2025-01-02")) == "rhel-9.4"
    assert family_of(Image(id="x", name="centos-9")) == "centos-9"
    assert family_of(Image(id="x", name="app-v12")) == "app"


def test_keep_the_newest_n_of_each_family() -> None:
    inv = Inventory(images=family())
    assert _retired(inv, 2) == {"00000001", "00000002"}
    assert _retired(inv, 1) == {"00000001", "00000002", "00000003"}
    assert _retired(inv, 4) == set()


def test_max_age_spares_the_recent_ones() -> None:
    inv = Inventory(images=family())
    assert _retired(inv, 1, max_age=500) == {"00000001"}  # 516 days old; the next is 457
    assert _retired(inv, 1, max_age=400) == {"00000001", "00000002"}


def _pinned_inventory() -> Inventory:
    images = family()
    clone = RbdImage(
        pool="volumes",
        name="volume-x",
        id="c1",
        size=1,
        parent=RbdParentRef(pool="images", image=images[1].id, snapshot="snap"),
    )
    cluster = CephCluster(
        fsid=FSID, pools=(Pool(name="images"), Pool(name="volumes", images=(clone,)))
    )
    return Inventory(
        images=images,
        servers=(Server(id="s1", project="p", image_ref=images[0].id),),
        volumes=(Volume(id="v1", image_id=images[2].id),),
        ceph_clusters=(cluster,),
    )


def test_used_or_clone_pinned_images_are_never_retired() -> None:
    inv = _pinned_inventory()
    decisions = {d.image.id[:8]: d for d in select(inv, 1, None, TODAY)}
    assert not any(d.retire for d in decisions.values())
    assert decisions["00000001"].reason == "used by 1 server(s)"
    assert decisions["00000002"].reason == "used by 1 RBD clone(s)"
    assert decisions["00000003"].reason == "used by 1 volume(s)"


def test_the_planner_hides_then_deactivates_only_unused_old_images() -> None:
    inv = _pinned_inventory()
    extra = img(6, "ubuntu-24.04-20240601", "2024-06-01T00:00:00Z")
    inv = Inventory(
        images=(*inv.images, extra),
        servers=inv.servers,
        volumes=inv.volumes,
        ceph_clusters=inv.ceph_clusters,
    )
    plan = make_plan(inv, PlanPolicy(place=False, convert=False, keep=1))
    steps = [(a.kind, a.image_id[:8], a.target) for a in plan.actions]
    assert steps == [
        ("retire-image", "00000006", "hide"),
        ("retire-image", "00000006", "deactivate"),
    ]
    assert plan.actions[1].depends_on == (plan.actions[0].id,)
    assert dict(plan.policy)["keep"] == "1"


def test_no_retention_without_keep() -> None:
    plan = make_plan(Inventory(images=family()), PlanPolicy(place=False, convert=False))
    assert not plan.actions
    assert "keep" not in dict(plan.policy)


_NAMES = st.sampled_from(["a", "b"])
_POOLS = st.sampled_from(["images", "volumes"])
_FSIDS = st.sampled_from([FSID, "bbbbbbbb-1111-4222-8333-444444444444"])


@st.composite
def _clusters(draw: st.DrawFn) -> tuple[CephCluster, ...]:
    """Clusters (an fsid may be read twice) whose pools hold clones of a few parents, named
    by name, by RBD id (which may equal the name), or both."""
    out = []
    for fsid in draw(st.lists(_FSIDS, min_size=1, max_size=3)):
        pools = []
        for pool in draw(st.lists(_POOLS, max_size=2, unique=True)):
            children = [
                RbdImage(
                    pool=pool,
                    name=f"child-{n}",
                    id=f"id-{n}",
                    size=1,
                    parent=RbdParentRef(
                        pool=draw(_POOLS),
                        image=draw(_NAMES),
                        snapshot="snap",
                        image_id=draw(st.none() | _NAMES),
                    ),
                )
                for n in range(draw(st.integers(1, 4)))
            ]
            pools.append(Pool(name=pool, images=tuple(children)))
        out.append(CephCluster(fsid=fsid, pools=tuple(pools)))
    return tuple(out)


def _scanned(inv: Inventory, image: Image) -> int:
    """The clones of ``image``'s copies, by scanning each cluster's pools (the definition)."""
    count = 0
    for loc in image.locations:
        parsed = loc.parsed
        if isinstance(parsed, RbdLocation) and parsed.cloneable_form:
            cluster = inv.ceph_cluster(parsed.fsid)
            if cluster is not None:
                count += len(cluster.children(parsed.pool, parsed.image))
    return count


@settings(max_examples=150, deadline=None)
@given(
    _clusters(),
    st.lists(st.tuples(_FSIDS, _POOLS, _NAMES, st.sampled_from(["snap", ""])), max_size=4),
)
def test_clone_counts_are_those_of_a_scan_of_every_pool(
    clusters: tuple[CephCluster, ...], locations: list[tuple[str, str, str, str]]
) -> None:
    urls = [f"rbd://{fsid}/{pool}/{name}/{snap}" for fsid, pool, name, snap in locations]
    image = Image(id="i", locations=tuple(Location(u, "ceph") for u in urls))
    inv = Inventory(images=(image,), ceph_clusters=clusters)
    assert clone_children(inv, image) == _scanned(inv, image)
