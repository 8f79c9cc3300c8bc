"""The target release inferred from a snapshot's Glance API version document."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from audit_support import collect_dir

from imageyard.audit.release_infer import choose_release, infer_release
from imageyard.model.api_version import ApiVersion
from imageyard.model.inventory import Inventory


def _versions(current: str) -> tuple[ApiVersion, ...]:
    return (ApiVersion(f"v{current}", "CURRENT"), ApiVersion("v2.0", "SUPPORTED"))


@pytest.mark.parametrize(
    ("current", "major"),
    [("2.18", 33), ("2.17", 29), ("2.16", 24), ("2.11", 21), ("2.12", 22), ("2.10", 20)],
)
def test_api_version_maps_to_the_earliest_release_reporting_it(current: str, major: int) -> None:
    choice = infer_release(Inventory(glance_versions=_versions(current)))
    assert choice is not None and choice.release.major == major
    assert choice.origin == "inferred" and f"CURRENT v{current}" in choice.detail


def test_ambiguous_version_says_the_range() -> None:
    choice = infer_release(Inventory(glance_versions=_versions("2.17")))
    assert choice is not None and "Glance 29..33" in choice.detail and "earliest" in choice.detail


def test_newer_api_than_the_tables_is_the_newest_release() -> None:
    choice = infer_release(Inventory(glance_versions=_versions("2.19")))
    assert choice is not None and choice.release.major == 33


def test_config_option_raises_the_floor(tmp_path: Path) -> None:
    (tmp_path / "glance-api.conf").write_text(
        "[DEFAULT]\nenabled_backends = ceph:rbd\n[glance_store]\ndefault_backend = ceph\n"
        "[ceph]\nrbd_store_pool = images\nweight = 10\n"
    )
    inv = replace(collect_dir(tmp_path), glance_versions=_versions("2.16"))
    choice = infer_release(inv)
    assert choice is not None and choice.release.major == 27
    assert "[ceph] weight exists from Glance 27" in choice.detail


def test_flag_and_site_win_and_nothing_read_is_assumed() -> None:
    inv = Inventory(glance_versions=_versions("2.17"))
    assert choose_release("30", inv).origin == "flag"
    assert choose_release(None, inv, "2024.1").release.major == 28
    assumed = choose_release(None, Inventory())
    assert (assumed.origin, assumed.release.major) == ("assumed", 33)
    assert "no Glance API version read" in assumed.detail


def test_api_older_than_the_tables_is_said() -> None:
    choice = choose_release(None, Inventory(glance_versions=_versions("2.7")))
    assert choice.origin == "assumed" and "older than the tables" in choice.detail
