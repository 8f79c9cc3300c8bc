"""Designs that keep every image readable: single -> multi-store, edits where oslo reads them,
stores retired only when the catalog shows them empty, unknown store types refused."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from design_support import fixture

from imageyard.audit.releases import parse_release
from imageyard.collect.ini import parse_ini
from imageyard.design import run_design
from imageyard.design.diff import apply_changes
from imageyard.design.model import Change
from imageyard.design.site import Backend, CephCluster, ComputeGroup, Site
from imageyard.model.config import StoreType


def _after(name: str, file: str = "glance-api.conf") -> str:
    return next(d.after for d in fixture(name).diffs if d.file == file)


def _value(text: str, section: str, key: str) -> str | None:
    found = parse_ini(text, "rendered").get(section, key)
    return found.value if found is not None else None


def test_single_store_options_move_into_the_store_section() -> None:
    run = fixture("legacy-single-store")
    text = _after("legacy-single-store")
    assert _value(text, "DEFAULT", "enabled_backends") == "rbd:rbd"
    assert _value(text, "glance_store", "default_backend") == "rbd"
    for key, value in (
        ("rbd_store_pool", "images"),
        ("rbd_store_user", "glance"),
        ("rbd_store_ceph_conf", "/etc/ceph/ceph.conf"),
        ("rbd_store_chunk_size", "8"),
    ):
        assert _value(text, "rbd", key) == value
        assert _value(text, "glance_store", key) is None
    for key in ("stores", "default_store"):
        assert _value(text, "glance_store", key) is None
    migration = run.design.decision("layout.migration")
    assert migration is not None and "legacy-location-store" in migration.facts


def test_multistore_config_gets_no_migration() -> None:
    assert fixture("kolla-multistore").design.decision("layout.migration") is None


def test_multi_line_value_is_replaced_whole() -> None:
    text = "[DEFAULT]\nenabled_backends =\n    fast:file,\n    ceph:rbd\nother = 1\n"
    out = apply_changes(
        text, (Change("f", "DEFAULT", "enabled_backends", "ceph:rbd", "why", "fact"),)
    )
    assert _value(out, "DEFAULT", "enabled_backends") == "ceph:rbd"
    assert "fast:file" not in out and _value(out, "DEFAULT", "other") == "1"


def test_multi_line_value_is_written_with_continuations() -> None:
    out = apply_changes("", (Change("f", "x", "k", "[a,\nb]", "why", "fact"),))
    assert _value(out, "x", "k") == "[a,\nb]"


def test_repeated_section_edits_the_winning_occurrence() -> None:
    text = "[ceph]\nrbd_store_pool = a\n\n[other]\nx = 1\n\n[ceph]\nrbd_store_pool = b\n"
    out = apply_changes(
        text,
        (
            Change("f", "ceph", "rbd_store_pool", "c", "why", "fact"),
            Change("f", "ceph", "weight", "5", "why", "fact"),
        ),
    )
    assert _value(out, "ceph", "rbd_store_pool") == "c"
    assert out.index("weight = 5") > out.index("rbd_store_pool = c")
    assert "rbd_store_pool = a" in out  # the overridden copy is left as it was


def test_removal_removes_every_occurrence() -> None:
    text = "[DEFAULT]\nx = 1\n\n[DEFAULT]\nx = 2\n"
    out = apply_changes(text, (Change("f", "DEFAULT", "x", None, "gone", "fact"),))
    assert _value(out, "DEFAULT", "x") is None


def test_duplicated_sections_diff_matches_the_change_list() -> None:
    run = fixture("duplicated-sections")
    text = next(d.after for d in run.diffs if d.file == "glance-api.conf")
    for ch in run.design.changes_for("glance-api.conf"):
        assert _value(text, ch.section, ch.key) == ch.value, ch


def test_class_path_store_names_are_their_drivers() -> None:
    assert StoreType.parse("glance.store.rbd.Store") is StoreType.RBD
    assert StoreType.parse("glance.store.filesystem.Store") is StoreType.FILE
    assert StoreType.parse("glance.store.vmware_datastore.Store") is StoreType.VMWARE
    assert StoreType.parse("glance.store.nope.Store") is StoreType.UNKNOWN


def _site(*backends: Backend) -> Site:
    return Site(
        name="t",
        ceph_clusters=(CephCluster("ceph", fsid="f1"),),
        backends=backends,
        computes=(ComputeGroup("c", "rbd", "ceph"),),
    )


def test_unknown_store_type_refuses_the_layout() -> None:
    site = _site(
        Backend("ceph", "rbd", ceph_cluster="ceph", pool="images", is_default=True),
        Backend("odd", "unknown"),
    )
    d = run_design(site, None, parse_release(None), with_audit=False).design
    refused = d.decision("layout.refused")
    assert refused is not None and refused.warning and "odd" in refused.why
    keys = {(c.section, c.key) for c in d.changes}
    assert ("DEFAULT", "enabled_backends") not in keys
    assert ("glance_store", "default_backend") not in keys
    assert not any(c.section in ("ceph", "odd") for c in d.changes)
    assert all("unknown" not in (c.value or "") for c in d.changes)
    assert any("Store layout not written" in line for line in d.summary)


def test_file_store_with_uncounted_images_is_kept() -> None:
    ceph = Backend("ceph", "rbd", ceph_cluster="ceph", pool="images", is_default=True)
    local = Backend("local", "file", data_dir="/var/lib/glance/images", source="measured")
    d = run_design(_site(ceph, local), None, parse_release(None), with_audit=False).design
    assert [(s.id, s.role) for s in d.stores] == [("ceph", "default"), ("local", "review")]
    retire = d.decision("layout.retire")
    assert retire is not None and "not collected" in retire.why
    assert "no image" not in retire.choice


def test_file_store_counted_empty_is_dropped() -> None:
    ceph = Backend("ceph", "rbd", ceph_cluster="ceph", pool="images", is_default=True)
    local = replace(Backend("local", "file", source="measured"), image_count=0)
    d = run_design(_site(ceph, local), None, parse_release(None), with_audit=False).design
    assert [s.id for s in d.stores] == ["ceph"]
    retire = d.decision("layout.retire")
    assert retire is not None and "drop local" in retire.choice


def test_queens_gets_a_single_store_design_and_an_upgrade_note() -> None:
    from design_support import EXAMPLES

    from imageyard.design.site import load_site

    site = load_site(EXAMPLES / "edge-two-ceph.yaml")
    d = run_design(site, None, parse_release("queens"), with_audit=False).design
    assert [s.id for s in d.stores] == ["central"]
    keys = {(c.section, c.key) for c in d.changes}
    assert ("glance_store", "stores") in keys and ("glance_store", "default_store") in keys
    multi = {"enabled_backends", "default_backend", "store_description", "weight"}
    assert not any(c.key in multi or c.section.startswith("os_glance_") for c in d.changes)
    assert not any(c.file == "nova.conf" for c in d.changes)  # both options are newer
    note = d.decision("layout.release")
    assert note is not None and note.warning and "edge1" in note.choice


def test_multistore_config_at_an_older_target_is_refused() -> None:
    run = fixture("kolla-multistore", release="queens")
    note = run.design.decision("layout.release")
    assert note is not None and note.choice.startswith("refused")
    assert not any(c.key in ("enabled_backends", "stores") for c in run.design.changes)


def test_no_placeholder_reaches_a_file() -> None:
    from design_support import EXAMPLE_NAMES, example

    runs = [example(n) for n in EXAMPLE_NAMES] + [fixture("legacy-single-store")]
    for run in runs:
        for diff in run.diffs:
            assert "<" not in diff.after.replace("# imageyard", ""), diff.file
    hand = example("no-ceph").design.manual
    assert any("cinder_internal_tenant_project_id" in m for m in hand)


def test_config_directory_edits_the_file_that_wins() -> None:
    run = fixture("glance-operator")
    after = {Path(d.path).name: d.after for d in run.diffs if d.file == "glance-api.conf"}
    # enabled_import_methods is set only in 00-config.conf: edited there
    assert "copy-image" in (
        _value(after["00-config.conf"], "DEFAULT", "enabled_import_methods") or ""
    )
    # show_multiple_locations is set nowhere: added to the file loaded last
    assert _value(after["02-config.conf"], "DEFAULT", "show_multiple_locations") == "False"
    assert "show_multiple_locations" not in after["00-config.conf"]
    # the import options go into the config directory too (no glance-image-import.conf read)
    assert _value(after["02-config.conf"], "image_import_opts", "image_import_plugins")
    assert not any(d.file == "glance-image-import.conf" for d in run.diffs)
