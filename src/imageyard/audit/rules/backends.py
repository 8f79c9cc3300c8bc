"""Rules on ``enabled_backends`` itself: the default store, reserved ids, http stores.

Concepts: in multi-store mode ``[DEFAULT] enabled_backends`` lists ``id:type`` pairs and
``[glance_store] default_backend`` names the store new images go to. glance_store refuses
to start without a valid default, Glance refuses ``os_glance_*`` ids (they name its own
staging and tasks stores), and only one read-only http store is supported. A deployment
in the legacy single-store form has none of these options and passes.
"""

from __future__ import annotations

from collections.abc import Iterator

from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules._common import (
    cite,
    file_resource,
    file_unknown,
    store_resource,
)
from imageyard.model.config import StoreType
from imageyard.model.finding import Outcome, Resource
from imageyard.model.inventory import Inventory

MULTISTORES = "glance doc/source/admin/multistores.rst"


@rule(
    id="default-backend-not-enabled",
    title="default_backend does not name an enabled store",
    severity="critical",
    confidence="high",
    category="startup",
    remediation="Set [glance_store] default_backend to one of the store ids listed in "
    "[DEFAULT] enabled_backends.",
    links=("glance_store/multi_backend.py", MULTISTORES),
)
def default_backend_not_enabled(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """With enabled_backends set, default_backend must be set to one of its store ids.

    glance_store raises "'default_backend' config option is not set." when the option is
    unset or names a store that is not enabled, and glance-api does not start.
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(default_backend_not_enabled, inv, "glance-api")
        return
    if not glance.is_multistore:
        return
    ids = [b.id for b in glance.backends]
    chosen = glance.default_backend.value.strip() if glance.default_backend else ""
    if chosen in ids:
        return
    problem = f"names {chosen!r}, which is not enabled" if chosen else "is not set"
    yield default_backend_not_enabled.finding(
        file_resource(glance.path),
        f"{glance.path}: [glance_store] default_backend {problem} "
        f"(enabled stores: {', '.join(ids) or 'none'}); glance-api will not start",
        *cite(glance.default_backend, glance.enabled_backends),
    )


@rule(
    id="reserved-store-id-enabled",
    title="A reserved os_glance_* store id is listed in enabled_backends",
    severity="critical",
    confidence="high",
    category="startup",
    remediation="Remove the os_glance_* entries from enabled_backends; configure the staging "
    "and tasks stores only through their own sections' filesystem_store_datadir.",
    links=(MULTISTORES,),
)
def reserved_store_id_enabled(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """Store ids starting with os_glance_ are reserved for Glance's own stores.

    Glance refuses to start when enabled_backends defines one; os_glance_staging_store and
    os_glance_tasks_store are configured through their sections only.
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(reserved_store_id_enabled, inv, "glance-api")
        return
    for ref in glance.backends:
        if ref.id.startswith("os_glance_"):
            yield reserved_store_id_enabled.finding(
                store_resource(ref.id),
                f"store {ref.id} in enabled_backends uses the reserved os_glance_ prefix; "
                "glance-api will not start",
                *cite(ref.source),
            )


@rule(
    id="multiple-http-stores",
    title="More than one http store",
    severity="medium",
    confidence="high",
    category="multistore",
    remediation="Keep a single http store in enabled_backends; images served over http need "
    "no second read-only store.",
    links=(MULTISTORES,),
)
def multiple_http_stores(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """Only one http store is supported in a multi-store deployment.

    The http driver is read-only and Glance documents support for a single one; nothing
    in the code enforces it, so a second one is accepted and misbehaves.
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(multiple_http_stores, inv, "glance-api")
        return
    http = [b for b in glance.backends if b.store_type is StoreType.HTTP]
    if len(http) < 2:
        return
    names = ", ".join(b.id for b in http)
    yield multiple_http_stores.finding(
        Resource("stores", names),
        f"{len(http)} http stores ({names}); only one is supported",
        *cite(*(ref.source for ref in http)),
    )
