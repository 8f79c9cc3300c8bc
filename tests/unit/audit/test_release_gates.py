"""The gating API: which options and store modes a target Glance release has."""

from __future__ import annotations

import pytest

from imageyard.audit.release_gates import has_option, multi_store


@pytest.mark.parametrize(
    ("major", "mode"),
    [
        (16, "absent"),
        (17, "experimental"),
        (18, "experimental"),
        (19, "supported"),
        (33, "supported"),
    ],
)
def test_multi_store_by_release(major: int, mode: str) -> None:
    assert multi_store(major) == mode


def test_store_sections_use_the_driver_tables() -> None:
    assert has_option(33, "glance-api.conf", "ceph", "rbd_store_pool", "rbd")
    assert not has_option(33, "glance-api.conf", "ceph", "rbd_store_pol", "rbd")
    assert not has_option(33, "glance-api.conf", "ceph", "swift_store_container", "rbd")
    assert has_option(33, "glance-api.conf", "ceph", "store_description", "rbd")
    assert not has_option(26, "glance-api.conf", "ceph", "weight", "rbd")


def test_backend_defaults_and_single_store_section_take_any_driver_option() -> None:
    assert has_option(33, "glance-api.conf", "backend_defaults", "rbd_store_chunk_size")
    assert has_option(33, "glance-api.conf", "glance_store", "rbd_store_pool")
    assert has_option(33, "glance-api.conf", "glance_store", "default_backend")
    assert not has_option(33, "glance-api.conf", "backend_defaults", "default_backend")


def test_uncovered_old_release_admits_only_options_every_covered_release_has() -> None:
    assert has_option(16, "glance-api.conf", "DEFAULT", "show_image_direct_url")
    assert not has_option(16, "glance-api.conf", "DEFAULT", "enforce_secure_rbac")
    assert not has_option(16, "glance-api.conf", "DEFAULT", "enable_v2_api")


def test_import_file_options_follow_the_release() -> None:
    assert has_option(33, "glance-image-import.conf", "image_conversion", "output_format")
    assert not has_option(33, "glance-image-import.conf", "image_conversion", "bogus")
