"""What a target Glance release can be told to do: the gating API for audit and design.

Concepts: ``has_option`` answers whether an option can be written where a change would put
it, for Glance major ``major``, from the generated per-release tables
(``release_options``): glance-api.conf and glance-image-import.conf sections, a store's own
section (the driver's options plus ``store_description``/``weight``), ``[backend_defaults]``
and the reserved ``os_glance_*`` stores. For a major older than the tables (before Ussuri)
only options present in every covered release are admitted, since nothing newer can be
assumed. ``multi_store`` says whether the release has multi-store (``enabled_backends``):
experimental in Rocky and Stein (API 2.8 EXPERIMENTAL), supported from Train (2.8
SUPPORTED), per glance ``glance/api/versions.py`` at tags 17.0.0..19.0.0 and the release
note ``experimental-multi-store-d2c26f9dbb9c835b.yaml``. The reserved ``os_glance_staging_store``
and ``os_glance_tasks_store`` exist from Train (``RESERVED_STORES`` in
``glance/common/wsgi.py`` at 19.0.0; release note
``rethinking-filesystem-access-120bc46064b3d40a.yaml``). A design for a release without
supported multi-store must give single-store advice or an upgrade note.
"""

from __future__ import annotations

from typing import Literal

from imageyard.audit import release_options as ro

MULTI_STORE_EXPERIMENTAL = 17  # Rocky
MULTI_STORE_SUPPORTED = 19  # Train
RESERVED_STORES_SINCE = 19  # Train: glance/common/wsgi.py RESERVED_STORES at 19.0.0

# what glance_store's register_store_opts gives the reserved os_glance_* stores
RESERVED_STORE_OPTIONS = frozenset(
    {
        "filesystem_store_datadir",
        "filesystem_store_datadirs",
        "filesystem_store_metadata_file",
        "filesystem_store_file_perm",
        "filesystem_store_chunk_size",
        "filesystem_thin_provisioning",
    }
)


def multi_store(major: int) -> Literal["supported", "experimental", "absent"]:
    """Whether Glance ``major`` supports multi-store (``enabled_backends``)."""
    if major >= MULTI_STORE_SUPPORTED:
        return "supported"
    if major >= MULTI_STORE_EXPERIMENTAL:
        return "experimental"
    return "absent"


def _admitted(major: int, scope: str, group: str, name: str) -> bool:
    if ro.covers(major):
        return bool(ro.exists(major, scope, group, name))
    cycle = ro.lifecycle(scope, group, name)
    return cycle is not None and cycle.added is None and cycle.removed is None


def _store_option(major: int, store_type: str, key: str) -> bool:
    return _admitted(major, f"store:{store_type}", "glance_store", key) or _admitted(
        major, "store:*", "glance_store", key
    )


def _any_driver(major: int, key: str) -> bool:
    drivers = ro.drivers_at(major if ro.covers(major) else ro.first_major())
    return any(_store_option(major, d, key) for d in drivers)


def has_option(
    major: int, file: str, section: str, key: str, store_type: str | None = None
) -> bool:
    """Whether ``[section] key`` exists in ``file`` for Glance ``major``.

    ``store_type`` names the driver when ``section`` is a store's own section (an id of
    ``enabled_backends``). Only glance-api.conf and glance-image-import.conf are known.
    """
    if store_type is not None:
        return _store_option(major, store_type, key)
    if file == "glance-api.conf" and section == "backend_defaults":
        return _any_driver(major, key)
    if file == "glance-api.conf" and section.startswith("os_glance_"):
        return key in RESERVED_STORE_OPTIONS and major >= RESERVED_STORES_SINCE
    if file == "glance-api.conf" and section == "glance_store" and _any_driver(major, key):
        return True  # single-store: every driver's options live in [glance_store]
    return _admitted(major, file, section, key)
