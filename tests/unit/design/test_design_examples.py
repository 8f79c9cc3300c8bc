"""Each example site has its own right answer; these are its key decisions."""

from __future__ import annotations

import pytest
from design_support import EXAMPLE_NAMES, example

from imageyard.design.model import Design


def _value(d: Design, file: str, key: str, target: str = "") -> str | None:
    found = [
        c
        for c in d.changes
        if c.file == file and c.key == key and (not target or c.target == target)
    ]
    assert found, f"no change to {file} {key}"
    return found[-1].value


def _choice(d: Design, key: str) -> str:
    decision = d.decision(key)
    assert decision is not None, key
    return decision.choice


def test_there_are_at_least_five_examples() -> None:
    assert len(EXAMPLE_NAMES) >= 5


def test_all_ceph() -> None:
    d = example("all-ceph").design
    assert [(s.id, s.role, s.weight) for s in d.stores] == [("rbd", "default", 100)]
    assert _value(d, "glance-api.conf", "default_backend") == "rbd"
    assert _value(d, "glance-api.conf", "show_image_direct_url") == "True"
    assert _value(d, "glance-api.conf", "show_multiple_locations") == "False"
    assert _value(d, "glance-image-import.conf", "output_format") == "raw"
    assert _choice(d, "cache.glance_api") == "disabled"
    assert _value(d, "glance-api.conf", "flavor") == "keystone"
    assert _choice(d, "cache.cinder") == "not needed"
    assert _value(d, "nova.conf", "images_rbd_glance_store_name") == "rbd"
    assert _choice(d, "format.convert") == "about 100 qcow2 images, +900 GiB"
    assert not any(c.key == "never_download_image_if_on_rbd" for c in d.changes)


def test_ceph_for_nova_not_cinder() -> None:
    d = example("ceph-nova-only").design
    assert d.default_store is not None and d.default_store.id == "images"
    assert _choice(d, "cache.glance_api").startswith("enabled")
    # declared hot set 64 GiB x 1.25 = 80 GiB
    assert _value(d, "glance-api.conf", "image_cache_max_size") == str(80 * 1024**3)
    assert _value(d, "cinder.conf", "image_volume_cache_enabled") == "True"
    assert _value(d, "cinder.conf", "image_volume_cache_max_size_gb") == "80"
    assert _value(d, "cinder.conf", "image_volume_cache_max_count") == "8"
    assert _choice(d, "cache.cleaning").startswith("cron per node: glance-cache-pruner")


def test_no_ceph() -> None:
    d = example("no-ceph").design
    assert d.default_store is not None and d.default_store.id == "nfs"
    assert {s.id: s.role for s in d.stores} == {"nfs": "default", "swift": "archive"}
    assert _choice(d, "format.raw") == "not required"
    assert _choice(d, "format.image_conversion") == "off"
    assert not d.changes_for("glance-image-import.conf")
    assert _value(d, "glance-api.conf", "show_image_direct_url") == "False"
    assert _choice(d, "cache.glance_api").startswith("enabled")
    # 0.25 boots/day: keep unused _base files 8 days
    assert _value(d, "nova.conf", "remove_unused_original_minimum_age_seconds") == "691200"
    assert "general, gpu" in _choice(d, "cache.precache")
    assert d.decision("config.endpoints") is None


def test_two_ceph_clusters_with_edge() -> None:
    d = example("edge-two-ceph").design
    assert [(s.id, s.role, s.weight) for s in d.stores] == [
        ("central", "default", 100),
        ("edge1", "edge", 50),
    ]
    # the central API defaults to the central store, the edge API to its local one
    assert {a.site: (a.default, a.stores[0]) for a in d.apis} == {
        "central": ("central", "central"),
        "edge1": ("edge1", "edge1"),
    }
    edge = next(s for s in d.stores if s.id == "edge1")
    assert edge.new and dict(edge.options)["rbd_store_ceph_conf"] == "/etc/ceph/edge1.conf"
    assert _value(d, "glance-api.conf", "show_multiple_locations") == "True"
    assert _value(d, "nova.conf", "images_rbd_glance_store_name", "edge1-computes") == "edge1"
    assert _value(d, "nova.conf", "images_rbd_glance_store_name", "central-computes") == "central"
    assert _value(d, "nova.conf", "never_download_image_if_on_rbd") == "True"
    decision = d.decision("layout.edge")
    assert decision is not None and "copy-image-boot-failure" in decision.facts
    assert _choice(d, "cache.glance_api") == "disabled"
    # edge pre-placement: a copy-image into every edge store, never into the central one
    (place,) = [s for s in d.steps if s.title.startswith("Pre-place")]
    copies = [c for c in place.commands if "--import-method copy-image" in c]
    assert copies and all("--stores edge1" in c for c in copies)
    assert place.fact == "copy-image-boot-failure"


def test_swift_archive_plus_hot_ceph() -> None:
    d = example("swift-archive-ceph").design
    assert {s.id: (s.role, s.weight) for s in d.stores} == {
        "hot": ("default", 100),
        "archive": ("archive", 10),
    }
    assert "archive" in _choice(d, "format.qcow2")
    cost = d.decision("layout.cost")
    assert cost is not None and "1800/month" in cost.why  # 30000 GiB x 0.06
    assert _choice(d, "cache.glance_api") == "disabled"
    assert _value(d, "glance-image-import.conf", "image_import_plugins") == "[image_conversion]"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_decision_cites_known_facts(name: str) -> None:
    from imageyard.design.facts import FACTS

    d = example(name).design
    for decision in d.decisions:
        assert decision.facts, decision.key
        assert set(decision.facts) <= set(FACTS), decision.key
    assert {c.fact for c in d.changes} <= set(FACTS)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_section_is_present(name: str) -> None:
    d = example(name).design
    assert {x.section for x in d.decisions} == {
        "layout",
        "format",
        "config",
        "cache",
        "reclaim",
        "hygiene",
    }
