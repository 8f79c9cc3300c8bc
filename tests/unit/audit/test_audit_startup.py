"""Startup rules: severities, messages and the file:line of the effective value."""

from __future__ import annotations

from audit_support import AUDIT_FIXTURES, audit, collect_dir

from imageyard.model.finding import Severity


def _run(rule_id: str, case: str) -> dict[str, tuple[Severity, str, list[str]]]:
    base = AUDIT_FIXTURES / rule_id / case
    result = audit(collect_dir(base), rule_id)
    return {
        str(f.resource): (
            f.severity,
            f.message,
            [f"{e.path.replace(f'{base}/', '')}:{e.line}" for e in f.evidence if e.line],
        )
        for f in result.findings
    }


def test_import_methods_without_brackets_is_critical_plugins_high() -> None:
    found = _run("option-list-without-brackets", "fail-no-brackets")
    methods = found["option [DEFAULT] enabled_import_methods"]
    assert methods[0] is Severity.CRITICAL
    assert 'Value should start with "["' in methods[1]
    assert methods[2] == ["glance-api.conf:4"]
    plugins = found["option [image_import_opts] image_import_plugins"]
    assert plugins[0] is Severity.HIGH and plugins[2] == ["glance-api.conf:10"]


def test_unknown_import_method_is_named() -> None:
    (found,) = _run("option-list-without-brackets", "fail-unknown-method").values()
    assert "found 'copy_image'" in found[1]


def test_unknown_type_of_the_default_store_stops_glance_others_are_disabled() -> None:
    (default,) = _run("store-type-unknown", "fail-default-misspelled").values()
    assert default[0] is Severity.CRITICAL and "will not start" in default[1]
    assert default[2] == ["glance-api.conf:3", "glance-api.conf:6"]
    (other,) = _run("store-type-unknown", "fail-store-disabled").values()
    assert other[0] is Severity.HIGH and "disables it" in other[1]


def test_default_store_without_its_driver() -> None:
    (found,) = _run("default-store-not-loaded", "fail-stores-unset").values()
    assert "loaded: file, http" in found[1]
    assert found[2] == ["glance-api.conf:3"]
    (bad,) = _run("default-store-not-loaded", "fail-unknown-scheme").values()
    assert "is not one of glance_store's schemes" in bad[1]


def test_rbd_stores_on_one_pool_cite_both_pools() -> None:
    (found,) = _run("rbd-stores-share-pool", "fail-same-pool").values()
    assert found[0] is Severity.CRITICAL
    assert "cluster 4a1b2c3d-0000-4000-8000-00000000c0de" in found[1]
    assert found[2] == ["glance-api.conf:10", "glance-api.conf:14"]


def test_nova_images_type_outside_the_choices() -> None:
    (found,) = _run("nova-option-rejected", "fail-images-type-spelling").values()
    assert found[0] is Severity.CRITICAL
    assert "found 'RBD'" in found[1] and "nova-compute" in found[1]
    assert found[2] == ["nova.conf:7"]
