"""Every option name design emits exists in the target glance/glance_store release."""

from __future__ import annotations

import pytest
from design_support import CONFIG_FIXTURES, EXAMPLE_NAMES, EXAMPLES, example, fixture

from imageyard.design import run_design
from imageyard.design.model import Change, StorePlan
from imageyard.design.options import unknown_options
from imageyard.design.site import load_site


def _cinder_sections(changes: tuple[Change, ...]) -> frozenset[str]:
    return frozenset(
        c.section for c in changes if c.file == "cinder.conf" and c.section != "DEFAULT"
    )


FIXTURES = tuple(sorted(p.name for p in CONFIG_FIXTURES.iterdir() if p.is_dir()))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_options_exist(name: str) -> None:
    d = example(name).design
    backends = _cinder_sections(d.changes)
    assert not unknown_options(d.changes, d.stores, backends)
    assert d.changes


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_options_exist(name: str) -> None:
    run = fixture(name)  # build_design raises on an unknown option
    changes = run.design.changes
    assert not unknown_options(changes, run.design.stores, _cinder_sections(changes))


def test_invented_options_are_caught() -> None:
    store = StorePlan("ceph", "rbd", "default", 100, "")
    bad = (
        Change("glance-api.conf", "DEFAULT", "enable_image_conversion", "True", "", "x"),
        Change(
            "glance-image-import.conf",
            "image_conversion",
            "image_conversion_format",
            "raw",
            "",
            "x",
        ),
        Change("glance-api.conf", "ceph", "rbd_store_pol", "images", "", "x"),
        Change("nova.conf", "libvirt", "images_rbd_glance_store", "ceph", "", "x"),
    )
    assert unknown_options(bad, (store,)) == bad


def test_real_options_pass() -> None:
    store = StorePlan("ceph", "rbd", "default", 100, "")
    good = (
        Change("glance-api.conf", "DEFAULT", "show_image_direct_url", "True", "", "x"),
        Change("glance-api.conf", "ceph", "rbd_store_pool", "images", "", "x"),
        Change("glance-api.conf", "ceph", "weight", "100", "", "x"),
        Change("glance-api.conf", "glance_store", "default_backend", "ceph", "", "x"),
        Change("glance-image-import.conf", "image_conversion", "output_format", "raw", "", "x"),
    )
    assert not unknown_options(good, (store,))


def test_options_are_checked_for_the_target_release() -> None:
    store = StorePlan("ceph", "rbd", "default", 100, "")
    weight = Change("glance-api.conf", "ceph", "weight", "100", "", "x")
    v2 = Change("glance-api.conf", "DEFAULT", "enable_v2_api", "True", "", "x")
    strategy = Change("glance-api.conf", "DEFAULT", "location_strategy", "store_type", "", "x")
    assert unknown_options((weight,), (store,), release=26) == (weight,)
    assert not unknown_options((weight,), (store,), release=27)
    assert not unknown_options((v2,), (store,), release=20)
    assert unknown_options((v2,), (store,), release=21) == (v2,)
    assert not unknown_options((strategy,), (store,), release=28)
    assert unknown_options((strategy,), (store,), release=29) == (strategy,)


def test_reserved_stores_only_from_train() -> None:
    staging = Change(
        "glance-api.conf", "os_glance_staging_store", "filesystem_store_datadir", "/s", "", "x"
    )
    assert not unknown_options((staging,), (), release=19)
    assert unknown_options((staging,), (), release=18) == (staging,)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_covered_release_gets_only_its_options(name: str) -> None:

    from imageyard.audit import release_options
    from imageyard.audit.releases import by_major

    site = load_site(EXAMPLES / f"{name}.yaml")
    for major in range(release_options.first_major(), release_options.latest_major() + 1):
        d = run_design(site, None, by_major(major), with_audit=False).design  # raises if not
        assert not unknown_options(d.changes, d.stores, _cinder_sections(d.changes), major)
        if major < 27:
            assert not any(c.key == "weight" for c in d.changes)


def test_release_table_catches_an_option_too_new() -> None:
    store = StorePlan("ceph", "rbd", "default", None, "")
    change = Change("glance-api.conf", "ceph", "weight", "100", "w", "store-weight")
    assert unknown_options((change,), (store,), release=26) == (change,)
    assert unknown_options((change,), (store,), release=27) == ()
