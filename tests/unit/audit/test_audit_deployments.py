"""The whole rule set over the 13 deployment fixtures in tests/fixtures/configs/."""

from __future__ import annotations

import pytest
from audit_support import CONFIG_FIXTURES, audit, collect_dir

from imageyard.audit.engine import AuditResult
from imageyard.audit.releases import parse_release
from imageyard.audit.rule import AuditContext

NAMES = sorted(p.name for p in CONFIG_FIXTURES.iterdir() if p.is_dir())


def _run(name: str, release: str | None = None) -> AuditResult:
    return audit(collect_dir(CONFIG_FIXTURES / name), ctx=AuditContext(parse_release(release)))


def _hits(result: AuditResult, rule_id: str) -> set[str]:
    return {str(f.resource) for f in result.findings if f.rule_id == rule_id}


@pytest.mark.parametrize("name", NAMES)
def test_every_deployment_audits_and_every_rule_decides(name: str) -> None:
    result = _run(name)
    assert len(result.rules) == len({o.meta.id for o in result.rules})
    for outcome in result.rules:
        assert outcome.verdict.value in {"pass", "fail", "unknown", "muted"}


def test_legacy_single_store_gets_deprecated_options() -> None:
    result = _run("legacy-single-store")
    assert _hits(result, "deprecated-option") == {
        "option [glance_store] stores",
        "option [glance_store] default_store",
    }
    assert not _hits(result, "default-backend-not-enabled")


def test_sqlite_cache_old_gets_removed_and_deprecated() -> None:
    result = _run("sqlite-cache-old")
    assert _hits(result, "removed-option") == {
        "option [DEFAULT] location_strategy",
        "option [store_type_location_strategy] store_type_preference",
        "option [DEFAULT] cache_prefetcher_interval",
        "option [DEFAULT] bind_host",  # the eventlet server options went in Glance 33
        "option [DEFAULT] bind_port",
    }
    assert "option [DEFAULT] image_cache_driver" in _hits(result, "deprecated-option")


def test_sqlite_cache_old_on_caracal_is_deprecated_not_removed() -> None:
    result = _run("sqlite-cache-old", "2024.1")
    assert "option [DEFAULT] location_strategy" in _hits(result, "deprecated-option")
    assert _hits(result, "removed-option") == {"option [DEFAULT] cache_prefetcher_interval"}


def test_lab_has_no_default_backend_or_startup_findings() -> None:
    result = _run("lab")
    startup = {
        f.rule_id
        for f in result.findings
        if f.rule_id
        in {
            "default-backend-not-enabled",
            "reserved-store-id-enabled",
            "cache-without-self-reference-url",
            "unknown-store-option",
            "store-weights-tied",
        }
    }
    assert startup == set()


def test_osa_hides_locations_from_its_rbd_store() -> None:
    found = _hits(_run("osa"), "rbd-store-without-direct-url")
    assert found == {f"file {CONFIG_FIXTURES / 'osa' / 'etc/glance/glance-api.conf'}"}


def test_edge_compute_is_in_the_edge_store_cluster() -> None:
    result = _run("edge-two-clusters")
    assert not _hits(result, "nova-rbd-cluster-mismatch")
    assert not [u for u in result.unknowns if u.rule_id == "nova-rbd-cluster-mismatch"]


def test_swift_s3_archive_public_endpoint_shows_locations() -> None:
    result = _run("swift-s3-archive")
    found = [f for f in result.findings if f.rule_id == "locations-exposed-user-facing"]
    assert len(found) == 1 and found[0].confidence.value == "medium"


def test_tripleo_dcn_tie_decides_no_clone() -> None:
    # Every consumer sees every location (show_multiple_locations) and has exactly one
    # rbd store in its own cluster, so the tied weights never change the copy it clones.
    result = _run("tripleo-dcn")
    assert not _hits(result, "store-weights-tied")
    assert not [u for u in result.unknowns if u.rule_id == "store-weights-tied"]


def test_weights_rule_is_skipped_before_bobcat() -> None:
    result = _run("tripleo-dcn", "2023.1")
    outcome = next(o for o in result.rules if o.meta.id == "store-weights-tied")
    assert outcome.verdict.value == "skipped"
