"""Rule on the keys of store sections: options the store's driver does not know.

Concepts: glance_store registers a driver's options (plus ``store_description`` and
``weight``) in each store's section, every driver's options in ``[backend_defaults]``, and
a fixed filesystem set in the reserved ``os_glance_*`` sections. oslo.config ignores any
other key there, so a misspelt or misplaced option has no effect and no warning. The
option lists are those of the target release's glance_store
(``audit.data.glance_store_options``, from the generated per-release tables): an option
a newer glance_store added is unknown to an older target.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from imageyard.audit.data.glance_store_options import (
    RESERVED_STORE_OPTIONS,
    deprecated_aliases,
    driver_options,
    multi_backend_options,
)
from imageyard.audit.release_options import covers, first_major, table_releases
from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules._common import (
    file_unknown,
    option_resource,
    store_resource,
)
from imageyard.model.config import ConfigValue, GlanceApiConfig, StoreConfig
from imageyard.model.finding import Evidence, Outcome, Resource
from imageyard.model.inventory import Inventory


def _known_for(store_type: str, major: int) -> frozenset[str] | None:
    options = driver_options(major).get(store_type)
    if options is None:
        return None
    aliases = deprecated_aliases(major).get(store_type, frozenset())
    return options | aliases | multi_backend_options(major)


def _all_driver_options(major: int) -> frozenset[str]:
    merged: frozenset[str] = frozenset()
    for store_type in driver_options(major):
        merged |= _known_for(store_type, major) or frozenset()
    return merged


def _glance_store(major: int) -> str:
    at = major if covers(major) else first_major()
    return next(r.glance_store for r in table_releases() if r.major == at)


def _sections(glance: GlanceApiConfig) -> Iterator[tuple[str, tuple[ConfigValue, ...], str]]:
    """(what, values, driver type) for each section whose keys glance_store defines."""
    for store in glance.stores:
        if store.section_found:
            yield f"store {store.id} ({store.type})", store.values, store.type
    for reserved in glance.reserved_stores:
        yield f"reserved store {reserved.id}", reserved.values, "<reserved>"
    if glance.backend_defaults:
        yield "[backend_defaults]", glance.backend_defaults, "<any>"


def _allowed(kind: str, major: int) -> frozenset[str] | None:
    if kind == "<reserved>":
        return RESERVED_STORE_OPTIONS
    if kind == "<any>":
        return _all_driver_options(major)
    return _known_for(kind, major)


def _hint(key: str, allowed: frozenset[str]) -> str:
    close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.8)
    return f"; did you mean {close[0]}?" if close else ""


def _unsupported(store: StoreConfig, major: int) -> bool:
    return store.type.strip().lower() not in driver_options(major)


def _legacy_in_multistore(glance: GlanceApiConfig, major: int) -> tuple[ConfigValue, ...]:
    """Driver options left in [glance_store], which multi-store mode does not read."""
    if not glance.is_multistore:
        return ()
    driver = _all_driver_options(major) - multi_backend_options(major)
    return tuple(cv for cv in glance.glance_store_values if cv.key in driver)


@rule(
    id="unknown-store-option",
    title="A store section sets an option its driver does not have",
    severity="low",
    confidence="high",
    category="hygiene",
    remediation="Fix the option's name or move it to the section where it belongs; as "
    "written it is ignored.",
    links=("glance_store glance_store/driver.py", "glance_store glance_store/multi_backend.py"),
)
def unknown_store_option(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """Keys in a store section that the store's driver does not define are ignored.

    The known options per driver come from glance_store's own option definitions; a
    misspelt rbd_store_pool, for instance, silently leaves the store on the default pool.
    In multi-store mode the drivers read their options from each store's section only, so
    driver options left in [glance_store] are ignored too: one finding for the section.
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(unknown_store_option, inv, "glance-api")
        return
    major = ctx.release.major
    for store in glance.stores:
        if store.section_found and _unsupported(store, major):
            yield unknown_store_option.unknown(
                store_resource(store.id),
                f"no option list for driver type {store.type!r} "
                f"(glance_store {_glance_store(major)})",
            )
    for what, values, kind in _sections(glance):
        allowed = _allowed(kind.strip().lower(), major)
        if allowed is None:
            continue
        for cv in values:
            if cv.key not in allowed:
                yield unknown_store_option.finding(
                    option_resource(cv),
                    f"{what}: {cv.key} is not an option of this driver in glance_store "
                    f"{_glance_store(major)} ({ctx.release.name}) and is ignored"
                    f"{_hint(cv.key, allowed)}",
                    Evidence.from_config(cv),
                )
    legacy = _legacy_in_multistore(glance, major)
    if legacy:
        keys = ", ".join(cv.key for cv in legacy)
        yield unknown_store_option.finding(
            Resource("section", "[glance_store]"),
            f"[glance_store] sets driver options ({keys}) but enabled_backends turns on "
            "multi-store mode, where each driver reads them only from its store's section "
            "(or [backend_defaults]); here they are ignored",
            *(Evidence.from_config(cv) for cv in legacy),
        )
