"""The options each glance_store driver reads from a store's section, per Glance release.

Concepts: in multi-store mode glance_store registers, for every ``id:type`` of
``enabled_backends``, that driver's options plus the multi-backend options
(``store_description``, ``weight``) in the ``[id]`` section, and every driver's options in
``[backend_defaults]``. oslo.config ignores any other key there without a word, so a
misspelt option is silently lost. The reserved ``os_glance_*`` stores get a fixed set of
filesystem options.

Derived from the generated per-release tables (``audit.release_options``, written by
``tools/gen_release_options.py`` from each release's glance_store): ``driver_options``,
``deprecated_aliases`` and ``multi_backend_options`` answer for a Glance major, and the
module constants hold the newest release's answer. A major older than the tables gets the
oldest release's lists.
"""

from __future__ import annotations

from functools import cache

from imageyard.audit import release_options as ro
from imageyard.audit.release_gates import RESERVED_STORE_OPTIONS

__all__ = [
    "DEPRECATED_ALIASES",
    "DRIVER_OPTIONS",
    "GLANCE_STORE_VERSION",
    "MULTI_BACKEND_OPTIONS",
    "RESERVED_STORE_OPTIONS",
    "deprecated_aliases",
    "driver_options",
    "multi_backend_options",
]


def _covered(major: int) -> int:
    return major if ro.covers(major) else ro.first_major()


@cache
def driver_options(major: int) -> dict[str, frozenset[str]]:
    """Driver type -> the option names its store sections take in Glance ``major``."""
    at = _covered(major)
    return {
        d: frozenset(ro.options_at(at, f"store:{d}").get("glance_store", frozenset()))
        for d in sorted(ro.drivers_at(at))
    }


@cache
def deprecated_aliases(major: int) -> dict[str, frozenset[str]]:
    """Driver type -> old option names oslo.config still accepts (``deprecated_name``)."""
    at = _covered(major)
    return {
        d: frozenset(
            name
            for f in ro.forms()
            if f.scope == f"store:{d}" and at in f.releases
            for _, name in f.aliases
        )
        for d in driver_options(major)
    }


def multi_backend_options(major: int) -> frozenset[str]:
    """What every store section takes besides its driver's options."""
    return frozenset(ro.options_at(_covered(major), "store:*").get("glance_store", frozenset()))


GLANCE_STORE_VERSION = ro.table_releases()[-1].glance_store
DRIVER_OPTIONS: dict[str, frozenset[str]] = driver_options(ro.latest_major())
DEPRECATED_ALIASES: dict[str, frozenset[str]] = deprecated_aliases(ro.latest_major())
MULTI_BACKEND_OPTIONS: frozenset[str] = multi_backend_options(ro.latest_major())
