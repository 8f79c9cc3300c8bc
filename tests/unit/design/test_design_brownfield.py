"""Designs computed from collected deployments, and measured data winning over declared."""

from __future__ import annotations

from design_support import fixture

from imageyard.design.diff import apply_changes
from imageyard.design.model import Change
from imageyard.design.site import Backend, CephCluster, ComputeGroup, Site
from imageyard.design.situation import merge


def test_tripleo_dcn_keeps_central_default_and_edges() -> None:
    d = fixture("tripleo-dcn").design
    assert [(s.id, s.role) for s in d.stores] == [
        ("central", "default"),
        ("dcn0", "edge"),
        ("dcn1", "edge"),
    ]
    assert d.decision("layout.edge") is not None


def test_diff_is_against_the_current_file() -> None:
    run = fixture("tripleo-dcn")
    api = next(x for x in run.diffs if x.file == "glance-api.conf")
    assert api.before and api.unified().startswith("--- a")
    assert "# imageyard: set weight" in api.after


def test_measured_wins_over_declared() -> None:
    measured = Site(
        name="inventory",
        ceph_clusters=(CephCluster("ceph", fsid="f1", source="measured"),),
        backends=(Backend("rbd", "rbd", ceph_cluster="ceph", pool="images", source="measured"),),
        computes=(ComputeGroup("c", "rbd", "ceph", source="measured"),),
    )
    declared = Site(
        name="site",
        ceph_clusters=(CephCluster("main", fsid="f1", site="dc1"),),
        backends=(
            Backend("rbd", "rbd", ceph_cluster="main", pool="glance", cost_per_gib_month=0.1),
        ),
        computes=(ComputeGroup("c", "qcow2"),),
    )
    site = merge(measured, declared)
    rbd = site.backends[0]
    assert rbd.pool == "images" and rbd.cost_per_gib_month == 0.1
    assert rbd.ceph_cluster == "main"  # the declared name of the same fsid
    assert site.computes[0].images_type == "rbd"
    assert any("pool" in n for n in site.notes) and any("images_type" in n for n in site.notes)


def test_apply_changes_edits_in_place() -> None:
    text = "[DEFAULT]\na = 1\n\n[x]\nb = 2\n"
    out = apply_changes(
        text,
        (
            Change("f", "DEFAULT", "a", "3", "why", "fact"),
            Change("f", "x", "c", "4", "why", "fact"),
            Change("f", "x", "b", None, "gone", "fact"),
            Change("f", "new", "d", "5", "why", "fact"),
        ),
    )
    assert "a = 3" in out and "a = 1" not in out
    assert "b = 2" not in out and "c = 4" in out
    assert out.rstrip().endswith("[new]\n# imageyard: set d: why [fact]\nd = 5")


def test_drain_commands_respect_format_and_existing_copies() -> None:
    from imageyard.design.reclaim import _move_one
    from imageyard.model.image import Image

    raw = Image("r", disk_format="raw", stores=("fast",))
    both = Image("b", disk_format="raw", stores=("fast", "ceph"))
    qcow = Image("q", disk_format="qcow2", stores=("fast",))
    assert _move_one(raw, "fast", "ceph")[0].startswith("glance image-import r --import-method")
    assert _move_one(both, "fast", "ceph") == [
        "# b already in ceph",
        "glance stores-delete --store fast b",
    ]
    assert not any(c.startswith("glance") for c in _move_one(qcow, "fast", "ceph"))


def test_edge_fixture_keeps_each_site_local() -> None:
    d = fixture("edge-two-clusters").design
    assert [(s.id, s.role, s.ceph_cluster) for s in d.stores] == [
        ("central", "default", "ceph"),
        ("edge", "edge", "edge"),
    ]
    apis = {a.site: a for a in d.apis}
    assert apis["ceph"].default == "central" and apis["ceph"].target == "ceph"
    assert apis["edge"].default == "edge" and apis["edge"].target == ""  # the collected API
    assert apis["edge"].weight("edge") == 100 and apis["edge"].weight("central") == 50
    assert not any(
        c.key == "default_backend" and c.target == "" for c in d.changes
    )  # the edge API's default stays local
    descriptions = {c.section: c.value for c in d.changes if c.key == "store_description"}
    assert descriptions.get("edge", "Edge site local Ceph") == "Edge site local Ceph"
    edge = d.decision("layout.edge")
    assert edge is not None and "nova edge-compute-01 -> edge" in edge.choice
    assert "copy_image policy is admin-only" in edge.why
    never = next(c for c in d.changes if c.key == "never_download_image_if_on_rbd")
    assert never.value == "True" and "fails instead of downloading" in never.risk
    assert any("Pre-place" in s.title for s in d.steps)
    multiple = [c for c in d.changes if c.key == "show_multiple_locations"]
    assert all(c.value == "True" for c in multiple)
