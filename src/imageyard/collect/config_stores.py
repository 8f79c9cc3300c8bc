"""Glance stores as the configuration declares them, with each rbd store's Ceph fsid.

Concepts: in multi-store mode every ``id:type`` of ``enabled_backends`` is a store whose
options live in ``[id]`` (falling back to ``[backend_defaults]``); in the legacy single-store
form ``[glance_store] stores``/``default_store`` name driver types and the options live in
``[glance_store]``. An rbd store's cluster is the ceph.conf named by ``rbd_store_ceph_conf``
(empty means librados' default, ``/etc/ceph/ceph.conf``); its fsid comes from that file.
The file is matched to one that was read by its real path, else by cluster name when that
name is unique, so a config directory copied off the controllers still resolves.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace

from imageyard.model.config import (
    CephConfig,
    ConfigValue,
    DeploymentConfig,
    GlanceApiConfig,
    StoreType,
    as_int,
    as_list,
    pick,
)
from imageyard.model.gap import Gap
from imageyard.model.store import Store, StoreSource

DEFAULT_CEPH_CONF = "/etc/ceph/ceph.conf"
RBD_DEFAULT_POOL = "images"
SWIFT_DEFAULT_CONTAINER = "glance"
FILE_DEFAULT_DATADIR = "/var/lib/glance/images"


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


def resolve_ceph(config: DeploymentConfig, path: str) -> CephConfig | None:
    """The parsed ceph.conf that ``path`` refers to, if it was read."""
    real = os.path.realpath(path)
    for ceph in config.ceph:
        if ceph.path and os.path.realpath(ceph.path) == real:
            return ceph
    named = [c for c in config.ceph if c.cluster == cluster_name(path)]
    return named[0] if len(named) == 1 else None


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
        ceph = resolve_ceph(config, conf)
        fsid = _text(ceph.fsid) if ceph is not None else None
        if ceph is None:
            gaps = (Gap("config", f"store {store_id}", f"{conf} was not read: fsid unknown"),)
        elif fsid is None:
            gaps = (Gap("config", f"store {store_id}", f"{ceph.path} sets no fsid"),)
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
        default_id = StoreType.parse(_text(glance.legacy_default_store) or "file").value
        get = _legacy_lookup(glance)
        for name in as_list(glance.legacy_stores) or (default_id,):
            store_type = StoreType.parse(name)
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
