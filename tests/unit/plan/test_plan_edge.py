"""Edge pre-placement (``plan make --site``): which images, which store, idempotence, order."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from plan_support import QCOW2_IN_CEPH, RAW_IN_CEPH, RAW_IN_FILE, inventory

from imageyard.cli import run
from imageyard.design.site import Site, parse_site
from imageyard.errors import ExitCode
from imageyard.model.compute import Server, Volume
from imageyard.model.config import StoreType
from imageyard.model.inventory import Inventory
from imageyard.model.plan import PLAN_VERSION, Plan
from imageyard.model.snapshot import write_inventory
from imageyard.model.store import Store, StoreSource
from imageyard.plan import PlanPolicy, make_plan, read_plan
from imageyard.plan.show import render_plan

CENTRAL_FSID = "aaaaaaaa-1111-4222-8333-444444444444"
EDGE_FSID = "bbbbbbbb-1111-4222-8333-444444444444"
SITE = f"""
name: two-sites
sites:
  - {{name: central, role: central, availability_zone: az-central}}
  - {{name: edge1, role: edge, availability_zone: az-edge1}}
ceph_clusters:
  - {{name: central, fsid: {CENTRAL_FSID}, site: central}}
  - {{name: edge1, fsid: {EDGE_FSID}, site: edge1}}
backends:
  - {{id: ceph, type: rbd, ceph_cluster: central, pool: images, site: central}}
nova:
  - {{name: central-computes, images_type: rbd, ceph_cluster: central, site: central}}
  - {{name: edge1-computes, images_type: rbd, ceph_cluster: edge1, site: edge1}}
cinder:
  - {{name: edge1-rbd, driver: rbd, ceph_cluster: edge1, site: edge1}}
"""
CENTRAL_ONLY = "44444444-0000-4000-8000-000000000004"
EDGE_STORE = Store("dcn1", StoreType.RBD, StoreSource.CONFIG, rbd_pool="images", rbd_fsid=EDGE_FSID)


def _site() -> Site:
    return parse_site(SITE, "two-sites.yaml")


def _inventory(*, edge_store: bool = True, in_edge: tuple[str, ...] = ()) -> Inventory:
    """The plan fixture plus: RAW_IN_CEPH public, RAW_IN_FILE booted by a server in the edge
    zone, a volume on the edge's Cinder backend made from QCOW2_IN_CEPH, and a server in the
    central zone using a private image the edge must not get."""
    inv = inventory()
    images = tuple(
        replace(
            i,
            visibility="public" if i.id == RAW_IN_CEPH else i.visibility,
            stores=(*i.stores, "dcn1") if i.id in in_edge else i.stores,
        )
        for i in inv.images
    )
    central_only = replace(images[0], id=CENTRAL_ONLY, visibility="shared")
    return replace(
        inv,
        images=(*images, central_only),
        stores=(*inv.stores, EDGE_STORE) if edge_store else inv.stores,
        servers=(
            Server("s1", image_ref=RAW_IN_FILE, availability_zone="az-edge1"),
            Server("s2", image_ref=central_only.id, availability_zone="az-central"),
        ),
        volumes=(Volume("v1", backend_host="cinder-edge@edge1-rbd#rbd", image_id=QCOW2_IN_CEPH),),
    )


def _plan(inv: Inventory, policy: PlanPolicy | None = None) -> Plan:
    return make_plan(inv, policy or PlanPolicy(), site=_site())


def _edge(plan: Plan) -> list[tuple[str, str, str]]:
    return [(a.kind, a.image_id, a.target) for a in plan.actions if a.param("site") == "edge1"]


def test_the_edge_gets_public_used_and_volume_images_in_its_own_store() -> None:
    plan = _plan(_inventory())
    assert sorted(_edge(plan)) == sorted(
        [
            ("copy-image", RAW_IN_CEPH, "dcn1"),  # public
            ("copy-image", RAW_IN_FILE, "dcn1"),  # a server in the edge's zone boots it
            ("copy-converted", QCOW2_IN_CEPH, "dcn1"),  # an edge volume; its raw replacement
        ]
    )
    edge = next(s for s in plan.sites if s.site == "edge1")
    assert (edge.store, edge.boots, edge.present, edge.copies) == ("dcn1", 3, 0, 3)
    assert edge.bytes == 2 * 67108864 + 268435456  # the replacement's virtual size
    assert all(a.image_id != CENTRAL_ONLY for a in plan.actions if a.target == "dcn1")


def test_the_central_site_counts_what_is_there_and_tags_copies_other_rules_planned() -> None:
    plan = _plan(_inventory())
    central = next(s for s in plan.sites if s.site == "central")
    assert (central.store, central.boots, central.present, central.copies) == ("ceph", 2, 2, 0)
    inv = _inventory()
    inv = replace(inv, servers=(*inv.servers, Server("s3", image_ref=RAW_IN_FILE,
                                                     availability_zone="az-central")))  # fmt: skip
    plan = _plan(inv)
    to_ceph = [a for a in plan.actions if a.image_id == RAW_IN_FILE and a.target == "ceph"]
    assert len(to_ceph) == 1  # placement's copy, not a second one
    assert to_ceph[0].param("site") == "central"
    central = next(s for s in plan.sites if s.site == "central")
    assert (central.boots, central.present, central.copies) == (3, 2, 1)


def test_conversion_then_edge_copy_then_retirement_in_one_lane() -> None:
    plan = _plan(_inventory())
    lane = [a for a in plan.actions if a.image_id == QCOW2_IN_CEPH]
    assert [a.kind for a in lane] == ["convert-to-raw", "copy-converted", "retire-image"]
    assert lane[1].depends_on == (lane[0].id,) and lane[2].depends_on == (lane[1].id,)
    assert lane[1].expect == lane[1].result == lane[0].result  # the original is unchanged
    assert not lane[1].destructive


def test_already_placed_images_get_no_action_and_replanning_is_idempotent() -> None:
    plan = _plan(_inventory(in_edge=(RAW_IN_CEPH, RAW_IN_FILE)), PlanPolicy(convert=False))
    assert _edge(plan) == [("copy-image", QCOW2_IN_CEPH, "dcn1")]  # not converted: as it is
    edge = next(s for s in plan.sites if s.site == "edge1")
    assert (edge.present, edge.copies) == (2, 1)
    done = _inventory(in_edge=(RAW_IN_CEPH, RAW_IN_FILE, QCOW2_IN_CEPH))
    assert _edge(_plan(done, PlanPolicy(convert=False))) == []


def test_edge_copies_come_before_a_move_of_the_same_image() -> None:
    plan = _plan(_inventory(), PlanPolicy(convert=False, moves=(("local", "cheap"),)))
    lane = [(a.kind, a.target) for a in plan.actions if a.image_id == RAW_IN_FILE]
    assert lane == [
        ("copy-image", "ceph"),
        ("copy-image", "dcn1"),
        ("copy-image", "cheap"),
        ("delete-from-store", "local"),
    ]


def test_a_site_whose_store_glance_lacks_gets_a_note_and_no_action() -> None:
    plan = _plan(_inventory(edge_store=False))
    assert _edge(plan) == []
    edge = next(s for s in plan.sites if s.site == "edge1")
    assert edge.store is None and "edge1 is not in Glance" in edge.note
    assert "nothing planned: the design's store edge1 is not in Glance" in render_plan(plan)


def test_scope_and_no_site_mean_no_edge_actions() -> None:
    scoped = _plan(_inventory(), PlanPolicy(images=(RAW_IN_FILE,)))
    assert _edge(scoped) == [("copy-image", RAW_IN_FILE, "dcn1")]
    plain = make_plan(_inventory(), PlanPolicy())
    assert plain.sites == () and all(a.target != "dcn1" for a in plain.actions)


def test_plan_show_lists_each_site_with_its_copies_and_bytes() -> None:
    text = render_plan(_plan(_inventory()))
    assert "Edge pre-placement" in text
    line = "  edge1        store dcn1: 3 images booted, 0 there already, 3 copied (384.0 MiB)"
    assert line in text
    assert f"copy the raw replacement of centos-qcow2 ({QCOW2_IN_CEPH}) to store dcn1" in text


def test_cli_site_flag_writes_the_sites_and_bad_yaml_is_exit_5(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inv = tmp_path / "inv.json"
    write_inventory(_inventory(), inv)
    (tmp_path / "site.yaml").write_text(SITE)
    out = tmp_path / "plan.json"
    code = run(["plan", "make", str(inv), "--site", str(tmp_path / "site.yaml"), "-o", str(out)])
    assert code == ExitCode.FINDINGS
    plan = read_plan(out)
    assert plan.version == PLAN_VERSION and ("site", "site.yaml") in plan.policy
    assert {s.site for s in plan.sites} == {"central", "edge1"}
    (tmp_path / "bad.yaml").write_text("sites: [{name: x, role: nowhere}]\n")
    code = run(["plan", "make", str(inv), "--site", str(tmp_path / "bad.yaml"), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT and "bad.yaml" in err and "Traceback" not in err


def test_edge_copies_stop_at_the_edge_store_capacity_and_are_reported() -> None:
    from imageyard.plan import CostModel

    room = CostModel(capacities=(("dcn1", 67108864 + 1),))  # one raw image fits, no more
    plan = make_plan(_inventory(), PlanPolicy(), site=_site(), model=room)
    placed = _edge(plan)
    assert len(placed) == 1
    edge = next(s for s in plan.sites if s.site == "edge1")
    assert (edge.boots, edge.present, edge.copies) == (3, 0, 1)
    assert edge.note == "2 not placed: over the store's capacity"
    assert sorted(u.store for u in plan.unplaced) == ["dcn1", "dcn1"]
    dcn1 = next(u for u in plan.stores if u.store == "dcn1")
    assert dcn1.bytes_peak <= 67108864 + 1


def test_a_server_on_one_of_a_sites_compute_hosts_counts_for_that_site() -> None:
    hosts = SITE.replace(
        "availability_zone: az-edge1}", "availability_zone: az-edge1, hosts: [edge1-cmp1]}"
    )
    site = parse_site(hosts, "hosts.yaml")
    assert site.zone("edge1").hosts == ("edge1-cmp1",)  # type: ignore[union-attr]
    inv = _inventory()
    servers = (
        Server("s3", image_ref=CENTRAL_ONLY, host="edge1-cmp1"),  # no zone recorded
        Server("s4", image_ref=RAW_IN_FILE, host="central-cmp1"),  # a host of no edge
    )
    inv = replace(inv, servers=servers)
    by_host = make_plan(inv, PlanPolicy(), site=site)
    assert ("copy-image", CENTRAL_ONLY, "dcn1") in _edge(by_host)
    assert all(i != RAW_IN_FILE for _, i, _ in _edge(by_host))
    assert all(i != CENTRAL_ONLY for _, i, _ in _edge(make_plan(inv, PlanPolicy(), site=_site())))
