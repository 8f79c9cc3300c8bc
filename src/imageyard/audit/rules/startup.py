"""Rules on values glance-api's own option types or glance_store's driver loading reject.

Concepts: oslo.config converts a value when the service first reads it, with the option's
type; a value the type refuses raises ``ConfigFileValueError`` there. The types here are
oslo.config's own (``oslo_config.types``), built as Glance declares the options:
``enabled_import_methods`` (``glance/common/config.py``) and ``image_import_plugins``
(``glance/async_/flows/api_image_import.py``) are ``List(bounds=True)``, so they must be
written ``[a, b]``; ``enabled_backends`` is a ``Dict`` of ``id:type`` pairs. glance_store
loads each store type as a stevedore entry point of ``glance_store.drivers`` (type names
and the old ``glance.store.<module>.Store`` class paths, matched exactly); a type it cannot
load disables that store with a warning, and glance-api stops when the default store is
one of them (``Store for identifier ... not found``). In the single-store form,
``default_store`` is a scheme that one of the drivers in ``stores`` (default ``file,
http``) must serve (``Store for scheme ... not found``).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules._common import (
    cite,
    file_resource,
    file_unknown,
    option_resource,
    rbd_stores,
    store_resource,
    text,
)
from imageyard.collect.config_stores import (
    DEFAULT_CEPH_CONF,
    legacy_store_names,
    legacy_store_types,
)
from imageyard.model.config import ConfigValue, GlanceApiConfig, NovaConfig, StoreType
from imageyard.model.finding import Outcome, Resource, Severity
from imageyard.model.inventory import Inventory
from imageyard.model.store import Store, StoreSource

GLANCE_CONFIG = "glance glance/common/config.py"
IMPORT_FLOW = "glance glance/async_/flows/api_image_import.py"
WSGI_APP = "glance glance/common/wsgi_app.py"
IMPORT_METHODS = ("glance-direct", "web-download", "copy-image", "glance-download")

if TYPE_CHECKING:
    from oslo_config import types

# NOTE: oslo_config.types is imported where a value is checked, not with this module: it
# pulls in rfc3986 and netaddr (about 50 ms), which no other command needs


def _list_type(choices: tuple[str, ...] | None) -> types.List:
    from oslo_config import types

    item = (
        types.String(choices=list(choices), quotes=True) if choices else types.String(quotes=True)
    )
    return types.List(item_type=item, bounds=True)


def type_error(cv: ConfigValue | None, check: types.ConfigType) -> str | None:
    """oslo.config's own complaint about ``cv`` under type ``check``; None when it converts."""
    if cv is None or cv.redacted:
        return None
    try:
        check(cv.value)
    except ValueError as exc:
        return str(exc)
    return None


# (section, key, choices, severity, what happens when oslo.config cannot convert it)
_BOUNDED_LISTS = (
    (
        "DEFAULT",
        "enabled_import_methods",
        IMPORT_METHODS,
        Severity.CRITICAL,
        "glance-api reads it at start when its staging directory does not exist yet (and "
        "stops), and on every image create (which then fails)",
    ),
    (
        "image_import_opts",
        "image_import_plugins",
        None,
        Severity.HIGH,
        "every interoperable image import fails when its task flow is built",
    ),
)


def _glance_value(glance: GlanceApiConfig, key: str) -> ConfigValue | None:
    if key == "enabled_import_methods":
        return glance.enabled_import_methods
    return glance.image_import_plugins


@rule(
    id="option-list-without-brackets",
    title="A bracketed list option is written without [ ] or with an unknown item",
    severity="critical",
    confidence="high",
    category="startup",
    remediation="Write the list in brackets, e.g. enabled_import_methods = "
    "[glance-direct, web-download, copy-image], using only the allowed items.",
    links=(GLANCE_CONFIG, IMPORT_FLOW, WSGI_APP, "oslo.config oslo_config/types.py List"),
)
def option_list_without_brackets(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """enabled_import_methods and image_import_plugins must be written [a, b].

    Glance declares them as oslo.config lists with ``bounds=True``: a value without the
    brackets, or an import method outside glance-direct, web-download, copy-image and
    glance-download, raises ConfigFileValueError when glance-api reads it. For
    enabled_import_methods that is at start (when the staging directory is missing) and on
    every image create; for image_import_plugins, on every import.
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(option_list_without_brackets, inv, "glance-api")
        return
    for section, key, choices, severity, effect in _BOUNDED_LISTS:
        cv = _glance_value(glance, key)
        problem = type_error(cv, _list_type(choices))
        if cv is None or problem is None:
            continue
        yield option_list_without_brackets.finding(
            option_resource(cv),
            f"{cv.where}: [{section}] {key} = {cv.value!r} is rejected by oslo.config "
            f"({problem}); {effect}",
            *cite(cv),
            severity=severity,
        )


def _unloadable(glance: GlanceApiConfig) -> Iterator[tuple[str, str, ConfigValue | None]]:
    """``(store id, type as written, option)`` for every store type stevedore cannot load."""
    if glance.is_multistore:
        for ref in glance.backends:
            if ref.store_type is StoreType.UNKNOWN:
                yield ref.id, ref.type, ref.source
        return
    for name in legacy_store_names(glance):
        if StoreType.from_entry_point(name) is StoreType.UNKNOWN:
            yield name, name, glance.legacy_stores


@rule(
    id="store-type-unknown",
    title="A store type glance_store cannot load",
    severity="critical",
    confidence="high",
    category="startup",
    remediation="Use one of glance_store's driver names (file, http, swift, rbd, cinder, "
    "vmware, s3) or its class path (glance.store.rbd.Store ...), spelled exactly.",
    links=("glance_store setup.cfg [entry_points]", "glance_store/multi_backend.py"),
)
def store_type_unknown(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """Every store type must be a glance_store.drivers entry point, spelled exactly.

    enabled_backends must parse as id:type pairs (else glance-api stops at start). A type
    stevedore cannot load disables that store: glance-api stops when it is the default
    store (critical), and otherwise starts without it, so its images cannot be read (high).
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(store_type_unknown, inv, "glance-api")
        return
    from oslo_config import types

    backends = glance.enabled_backends
    problem = type_error(backends, types.Dict())
    if backends is not None and problem is not None:
        yield store_type_unknown.finding(
            option_resource(backends),
            f"{backends.where}: [DEFAULT] enabled_backends = {backends.value!r} is rejected by "
            f"oslo.config ({problem}); glance-api will not start",
            *cite(backends),
        )
        return
    default = text(glance.default_backend)
    for store_id, written, source in _unloadable(glance):
        fatal = glance.is_multistore and store_id == default
        effect = (
            "it is the default store, so glance-api will not start"
            if fatal
            else "glance_store disables it: glance-api starts without it and its images "
            "cannot be read"
        )
        yield store_type_unknown.finding(
            store_resource(store_id),
            f"store {store_id}: type {written!r} is not a glance_store driver; {effect}",
            *cite(source, glance.default_backend if fatal else None),
            severity=None if fatal else Severity.HIGH,
        )


@rule(
    id="default-store-not-loaded",
    title="Single-store default_store is not served by the loaded stores",
    severity="critical",
    confidence="high",
    category="startup",
    remediation="List the driver serving default_store in [glance_store] stores (e.g. "
    "stores = rbd, http with default_store = rbd), or move to enabled_backends.",
    links=("glance_store/backend.py verify_default_store", WSGI_APP),
)
def default_store_not_loaded(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """Without enabled_backends, default_store must be a scheme one loaded driver serves.

    [glance_store] stores defaults to file, http; default_store (default file) must be one
    of glance_store's scheme choices and served by one of those drivers, or glance-api
    stops with "Store for scheme ... not found".
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(default_store_not_loaded, inv, "glance-api")
        return
    if glance.is_multistore:
        return
    scheme = text(glance.legacy_default_store) or "file"
    wanted = StoreType.from_scheme(scheme)
    loaded = legacy_store_types(glance)
    if wanted is not StoreType.UNKNOWN and wanted in loaded:
        return
    names = ", ".join(t.value for t in loaded) or "none"
    why = (
        "is not one of glance_store's schemes"
        if wanted is StoreType.UNKNOWN
        else f"needs the {wanted.value} driver, which stores does not load (loaded: {names})"
    )
    yield default_store_not_loaded.finding(
        option_resource(glance.legacy_default_store)
        if glance.legacy_default_store
        else store_resource(scheme),
        f"[glance_store] default_store {scheme!r} {why}; glance-api will not start",
        *cite(glance.legacy_default_store, glance.legacy_stores),
    )


def _rbd_key(store: Store) -> str:
    """The cluster an rbd store writes to: its fsid, else its ceph.conf path."""
    if store.rbd_fsid:
        return store.rbd_fsid.lower()
    return f"conf {os.path.realpath(store.get_property('ceph_conf') or DEFAULT_CEPH_CONF)}"


@rule(
    id="rbd-stores-share-pool",
    title="Two rbd stores write to the same pool of the same cluster",
    severity="critical",
    confidence="high",
    category="multistore",
    remediation="Give every rbd store its own pool (rbd_store_pool), or keep one store for "
    "that pool.",
    links=("glance_store glance_store/_drivers/rbd.py", "glance doc/source/admin/multistores.rst"),
)
def rbd_stores_share_pool(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """No two rbd stores may point at the same cluster and pool.

    glance_store names an image's RBD volume after the image id, so two stores on one pool
    hold one volume: copying an image into the second store fails (the volume exists), and
    deleting the image from one store deletes the data the other store's location points at.
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(rbd_stores_share_pool, inv, "glance-api")
        return
    groups: dict[tuple[str, str], list[Store]] = defaultdict(list)
    for store in rbd_stores(inv):
        if store.source is StoreSource.CONFIG and store.rbd_pool:
            groups[(_rbd_key(store), store.rbd_pool)].append(store)
    for (cluster, pool), stores in groups.items():
        if len(stores) < 2:
            continue
        ids = ", ".join(s.id for s in stores)
        where = f"cluster {cluster}" if not cluster.startswith("conf ") else cluster[5:]
        yield rbd_stores_share_pool.finding(
            Resource("stores", ids),
            f"stores {ids} all write to pool {pool} of {where}: an image copied into both "
            "has one RBD volume, and deleting it from one store destroys the other's copy",
            *cite(*(glance.store_option(s.id, "rbd_store_pool") for s in stores)),
        )


NOVA_IMAGES_TYPES = ("raw", "flat", "qcow2", "lvm", "rbd", "ploop", "default")


def _nova_checks(nova: NovaConfig) -> Iterator[tuple[ConfigValue | None, types.ConfigType]]:
    """The image options nova-compute's libvirt driver reads when it starts, with their types."""
    from oslo_config import types

    yield nova.images_type, types.String(choices=list(NOVA_IMAGES_TYPES))
    yield nova.use_cow_images, types.Boolean()
    if text(nova.images_type) in ("rbd", "lvm"):
        yield nova.force_raw_images, types.Boolean()


@rule(
    id="nova-option-rejected",
    title="nova-compute cannot convert an image option it reads at start",
    severity="critical",
    confidence="high",
    category="startup",
    remediation="Write [libvirt] images_type as one of raw, flat, qcow2, lvm, rbd, ploop, "
    "default, and use_cow_images / force_raw_images as true or false.",
    links=("nova nova/conf/libvirt.py images_type", "nova nova/virt/libvirt/driver.py"),
)
def nova_option_rejected(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """The image options the libvirt driver reads at start must convert to their types.

    LibvirtDriver's constructor reads [libvirt] images_type (a choice), use_cow_images and,
    for rbd and lvm, force_raw_images (booleans); oslo.config raises ConfigFileValueError
    for a value its type refuses, and nova-compute does not start.
    """
    if not inv.config.nova:
        yield file_unknown(nova_option_rejected, inv, "nova")
        return
    for nova in inv.config.nova:
        for cv, check in _nova_checks(nova):
            problem = type_error(cv, check)
            if cv is None or problem is None:
                continue
            yield nova_option_rejected.finding(
                file_resource(nova.path),
                f"{cv.where}: [{cv.section}] {cv.key} = {cv.value!r} is rejected by "
                f"oslo.config ({problem}); nova-compute ({nova.path}) will not start",
                *cite(cv),
            )
