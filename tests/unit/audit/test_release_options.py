"""The generated per-release option table: known upstream facts, derived changes, and a
rebuild of the committed file by the generator giving the same bytes."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from imageyard.audit import release_options as ro

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "src/imageyard/audit/data/release_options.json"


def _tool() -> ModuleType:
    path = ROOT / "tools/gen_release_options.py"
    spec = importlib.util.spec_from_file_location("gen_release_options", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_table_covers_ussuri_to_2026_2_with_final_releases() -> None:
    rows = {r.major: r for r in ro.table_releases()}
    assert sorted(rows) == list(range(20, 34))
    assert (rows[21].series, rows[21].glance, rows[21].glance_store) == (
        "victoria",
        "21.1.0",
        "2.3.1",
    )
    assert (rows[33].name, rows[33].glance, rows[33].glance_store) == (
        "Hibiscus",
        "33.0.0",
        "5.7.0",
    )


def test_removed_options_known_from_upstream() -> None:
    v2 = ro.lifecycle("glance-api.conf", "DEFAULT", "enable_v2_api")
    registry = ro.lifecycle("glance-api.conf", "DEFAULT", "registry_host")
    rbac = ro.lifecycle("glance-api.conf", "DEFAULT", "enforce_secure_rbac")
    strategy = ro.lifecycle("glance-api.conf", "DEFAULT", "location_strategy")
    assert v2 is not None and v2.removed == 21
    assert registry is not None and registry.removed == 21
    assert rbac is not None and (rbac.added, rbac.deprecated, rbac.removed) == (22, 22, 26)
    assert strategy is not None and (strategy.deprecated, strategy.removed) == (28, 29)
    assert ro.exists(20, "glance-api.conf", "DEFAULT", "enable_v2_api") is True
    assert ro.exists(21, "glance-api.conf", "DEFAULT", "enable_v2_api") is False


def test_deprecations_and_default_changes() -> None:
    sml = ro.lifecycle("glance-api.conf", "DEFAULT", "show_multiple_locations")
    stores = ro.lifecycle("glance-api.conf", "glance_store", "stores")
    driver = ro.lifecycle("glance-api.conf", "DEFAULT", "image_cache_driver")
    assert sml is not None and sml.since == "Newton" and sml.removed is None
    assert sml.deprecated_at(33) and not sml.removed_at(33)
    assert stores is not None and stores.since == "Rocky"
    assert driver is not None and driver.default_changes == ((28, "sqlite", "centralized_db"),)


def test_multi_store_options_present_in_every_covered_release() -> None:
    for major in range(20, 34):
        assert ro.exists(major, "glance-api.conf", "DEFAULT", "enabled_backends")
        assert "rbd" in ro.drivers_at(major)
    weight = ro.lifecycle("store:*", "glance_store", "weight")
    assert weight is not None and weight.added == 27
    assert ro.exists(19, "glance-api.conf", "DEFAULT", "enabled_backends") is None


def test_store_option_aliases_are_kept() -> None:
    form = ro.form_at(33, "store:cinder", "glance_store", "cinder_os_region_name")
    assert form is not None and ("glance_store", "os_region_name") in form.aliases


def test_changes_per_release_are_derived_from_presence() -> None:
    victoria = ro.changes(21)
    assert ("glance-api.conf", "DEFAULT", "enable_v2_api") in victoria.removed
    caracal = ro.changes(28)
    assert ("glance-api.conf", "DEFAULT", "location_strategy") in caracal.deprecated
    assert ("glance-api.conf", "DEFAULT", "image_cache_driver") in caracal.default_changed
    assert ("glance-api.conf", "DEFAULT", "location_strategy") not in caracal.removed


def test_options_at_matches_forms() -> None:
    api = ro.options_at(33, "glance-api.conf")
    assert "enabled_backends" in api["DEFAULT"]
    assert "default_backend" in api["glance_store"]
    assert "enable_v2_api" not in api["DEFAULT"]
    assert "rbd_store_pool" in ro.options_at(33, "store:rbd")["glance_store"]


def test_generator_rebuilds_the_committed_file_identically() -> None:
    tool = _tool()
    text = DATA.read_text()
    table = json.loads(text)
    assert tool.render(tool.build(tool.expand(table))) == text


def test_generator_build_moves_an_option_form_when_a_release_changes() -> None:
    tool = _tool()
    raws = tool.expand(json.loads(DATA.read_text()))
    raws[33]["glance"]["glance-api.conf"] = [
        o for o in raws[33]["glance"]["glance-api.conf"] if o["name"] != "show_image_direct_url"
    ]
    rebuilt = tool.build(raws)
    entry = [o for o in rebuilt["options"] if o["name"] == "show_image_direct_url"]
    assert len(entry) == 1 and 33 not in entry[0]["releases"] and 32 in entry[0]["releases"]
