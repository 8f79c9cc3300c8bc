"""Every option name design emits exists in the installed glance/glance_store release."""

from __future__ import annotations

import pytest
from design_support import CONFIG_FIXTURES, EXAMPLE_NAMES, example, fixture

from imageyard.audit.data.glance_store_options import (
    GLANCE_STORE_VERSION as AUDIT_GLANCE_STORE_VERSION,
)
from imageyard.design.data.glance_options import GLANCE_FILE_OPTIONS, GLANCE_STORE_VERSION
from imageyard.design.model import Change, StorePlan
from imageyard.design.options import unknown_options


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


def test_option_tables_come_from_one_glance_store() -> None:
    assert GLANCE_STORE_VERSION == AUDIT_GLANCE_STORE_VERSION
    assert "location_strategy" not in GLANCE_FILE_OPTIONS["glance-api.conf"]["DEFAULT"]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_covered_release_gets_only_its_options(name: str) -> None:
    from design_support import EXAMPLES

    from imageyard.audit import release_options
    from imageyard.audit.releases import by_major
    from imageyard.design import run_design
    from imageyard.design.site import load_site

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
