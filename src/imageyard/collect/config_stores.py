"""Glance stores as the configuration declares them, with each rbd store's Ceph fsid.

Concepts: in multi-store mode every ``id:type`` of ``enabled_backends`` is a store whose
options live in ``[id]`` (falling back to ``[backend_defaults]``); in the legacy single-store
form ``[glance_store] stores`` lists driver entry points (default ``file, http``; class
paths such as ``glance.store.rbd.Store`` included) and ``default_store`` names a *scheme*
(default ``file``) that one of them must serve; the options live in ``[glance_store]``.
An rbd store's cluster is the ceph.conf named by ``rbd_store_ceph_conf`` (empty means
librados' default, ``/etc/ceph/ceph.conf``); its fsid comes from that file.

``find_ceph`` matches that path to a ceph.conf that was read: by real path, else by cluster
name (the file name). Deployment tools copy one cluster's ceph.conf into several service
directories (kolla's ``/etc/kolla/<service>/ceph.conf``): copies with the same fsid are one
cluster; a copy beside the referencing service's own file is preferred; two files with the
same cluster name and different fsids are an ambiguity, reported as such.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace

from imageyard.model.config import (
    CephConfig,
    ConfigValue,
    DeploymentConfig,
    GlanceApiConfig,
    StoreType,
    as_int,
    pick,
)
from imageyard.model.gap import Gap
from imageyard.model.store import Store, StoreSource

DEFAULT_CEPH_CONF = "/etc/ceph/ceph.conf"
RBD_DEFAULT_POOL = "images"
SWIFT_DEFAULT_CONTAINER = "glance"
FILE_DEFAULT_DATADIR = "/var/lib/glance/images"
LEGACY_DEFAULT_STORES = ("file", "http")


def _text(cv: ConfigValue | None) -> str | None:
    return cv.value.strip() if cv is not None else None


def ceph_conf_path(value: ConfigValue | None) -> str:
    """The ceph.conf a client option points at (librados' default when unset or empty)."""
    text = _text(value)
    return text if text else DEFAULT_CEPH_CONF


def cluster_name(path: str) -> str:
    """Ceph's cluster name for a conf path: the file name without ``.conf``."""
    base = os.path.basename(path)
    return base[: -len(".conf")] if base.endswith(".conf") else base


@dataclass(frozen=True)
class CephMatch:
    """The ceph.conf a client option resolves to, or why none does (``reason``)."""

    ceph: CephConfig | None
    reason: str = ""

    @property
    def fsid(self) -> str | None:
        """The cluster's fsid, lower-cased; None when unknown."""
        text = _text(self.ceph.fsid) if self.ceph is not None else None
        return text.lower() if text else None

    @property
    def why_no_fsid(self) -> str:
        """Why the fsid is unknown ("" when it is known)."""
        if self.ceph is None:
            return self.reason
        return "" if self.fsid else f"{self.ceph.path} was read, but sets no fsid"


def _fsid_of(ceph: CephConfig) -> str:
    return (_text(ceph.fsid) or "").lower()


def _near(candidates: list[CephConfig], near: str | None) -> CephConfig | None:
    """The candidate in the referencing file's directory tree (kolla's per-service dirs)."""
    if near is None:
        return None
    base = os.path.dirname(os.path.realpath(near))
    for ceph in candidates:
        if os.path.realpath(ceph.path).startswith(base + os.sep):
            return ceph
    return None


def find_ceph(config: DeploymentConfig, path: str, near: str | None = None) -> CephMatch:
    """Resolve ``path`` (a ceph.conf a service names) to a file that was read."""
    real = os.path.realpath(path)
    for ceph in config.ceph:
        if ceph.path and os.path.realpath(ceph.path) == real:
            return CephMatch(ceph)
    name = cluster_name(path)
    named = [c for c in config.ceph if c.cluster == name]
    if not named:
        read = ", ".join(c.path for c in config.ceph) or "none"
        return CephMatch(None, f"{path}: no ceph.conf for cluster {name!r} was read ({read})")
    close = _near(named, near)
    if close is not None:
        return CephMatch(close)
    fsids = {_fsid_of(c) for c in named}
    if len(fsids) == 1:
        return CephMatch(named[0])  # copies of one cluster's file
    files = ", ".join(f"{c.path} (fsid {_fsid_of(c) or 'unset'})" for c in named)
    return CephMatch(None, f"{path}: {len(named)} different files claim cluster {name!r}: {files}")


def resolve_ceph(config: DeploymentConfig, path: str, near: str | None = None) -> CephConfig | None:
    """The parsed ceph.conf that ``path`` refers to, if it was read (see ``find_ceph``)."""
    return find_ceph(config, path, near).ceph


Lookup = Callable[[str], ConfigValue | None]


def _multistore_lookup(glance: GlanceApiConfig, store_id: str) -> Lookup:
    return lambda key: glance.store_option(store_id, key)


def _legacy_lookup(glance: GlanceApiConfig) -> Lookup:
    return lambda key: pick(glance.glance_store_values, key)


def _store(
    store_id: str,
    store_type: StoreType,
    get: Lookup,
    *,
    multistore: bool,
    default_id: str | None,
    config: DeploymentConfig,
) -> tuple[Store, tuple[Gap, ...]]:
    store = Store(
        id=store_id,
        type=store_type,
        source=StoreSource.CONFIG,
        description=_text(get("store_description")) or "",
        weight=as_int(get("weight"), 0) if multistore else None,
        is_default=store_id == default_id,
        read_only=store_type is StoreType.HTTP,
    )
    gaps: tuple[Gap, ...] = ()
    if store_type is StoreType.RBD:
        conf = ceph_conf_path(get("rbd_store_ceph_conf"))
        glance = config.glance_api
        match = find_ceph(config, conf, glance.path if glance is not None else None)
        fsid = _text(match.ceph.fsid) if match.ceph is not None else None
        if not fsid:
            gaps = (Gap("config", f"store {store_id}", f"fsid unknown: {match.why_no_fsid}"),)
        store = replace(
            store,
            rbd_pool=_text(get("rbd_store_pool")) or RBD_DEFAULT_POOL,
            rbd_fsid=fsid,
            properties=(("ceph_conf", conf),),
        )
    elif store_type is StoreType.FILE:
        datadir = _text(get("filesystem_store_datadir")) or FILE_DEFAULT_DATADIR
        store = replace(store, file_data_dir=datadir)
    elif store_type is StoreType.S3:
        store = replace(
            store,
            s3_host=_text(get("s3_store_host")),
            s3_bucket=_text(get("s3_store_bucket")),
        )
    elif store_type is StoreType.SWIFT:
        container = _text(get("swift_store_container")) or SWIFT_DEFAULT_CONTAINER
        store = replace(store, swift_container=container)
    return store, gaps


def legacy_store_names(glance: GlanceApiConfig) -> tuple[str, ...]:
    """``[glance_store] stores`` as oslo.config's ``ListOpt`` reads it (default file, http)."""
    cv = glance.legacy_stores
    if cv is None:
        return LEGACY_DEFAULT_STORES
    # NOTE: imported here, not with the module: oslo_config.types pulls in rfc3986 and
    # netaddr (about 50 ms) that only this legacy form needs
    from oslo_config import types

    try:
        return tuple(str(n).strip() for n in types.List()(cv.value) if str(n).strip())
    except ValueError:
        return ()


def legacy_store_types(glance: GlanceApiConfig) -> tuple[StoreType, ...]:
    """The drivers ``[glance_store] stores`` loads, once each.

    An entry point stevedore cannot load is left out: glance_store disables it.
    """
    found = (StoreType.from_entry_point(n) for n in legacy_store_names(glance))
    return tuple(dict.fromkeys(t for t in found if t is not StoreType.UNKNOWN))


def stores_from_config(config: DeploymentConfig) -> tuple[tuple[Store, ...], tuple[Gap, ...]]:
    """The stores glance-api.conf enables, in the order it lists them, plus what is unknown."""
    glance = config.glance_api
    if glance is None:
        return (), ()
    stores: list[Store] = []
    gaps: list[Gap] = []
    if glance.is_multistore:
        default_id = _text(glance.default_backend)
        for ref in glance.backends:
            get = _multistore_lookup(glance, ref.id)
            store, found = _store(
                ref.id, ref.store_type, get, multistore=True, default_id=default_id, config=config
            )
            stores.append(store)
            gaps += found
    else:
        # NOTE: single-store ids are the driver names ("rbd", "file"), as Glance reports them.
        default_id = StoreType.from_scheme(_text(glance.legacy_default_store) or "file").value
        get = _legacy_lookup(glance)
        for store_type in legacy_store_types(glance):
            store, found = _store(
                store_type.value,
                store_type,
                get,
                multistore=False,
                default_id=default_id,
                config=config,
            )
            stores.append(store)
            gaps += found
    return tuple(stores), tuple(gaps)
