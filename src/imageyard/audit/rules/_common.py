"""Pieces common to the config rules: inputs that may be missing, resources, Ceph fsids.

Concepts: a rule first asks for the configuration it needs (``glance_api``, ``nova``,
``cinder``); when that file was not read, ``missing`` says why, from the gap the collector
recorded (``config:<kind>``), so the rule can report an Unknown naming what is missing
instead of passing. ``cluster_of`` resolves the ceph.conf a client option points at to the
fsid of the cluster, or says why it cannot.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from imageyard.audit.rule import Rule
from imageyard.collect.config_stores import ceph_conf_path, find_ceph
from imageyard.model.config import ConfigValue, GlanceApiConfig, StoreConfig, as_bool
from imageyard.model.finding import Evidence, Resource, Unknown
from imageyard.model.inventory import Inventory
from imageyard.model.store import Store, StoreType

_FILE_NAMES = {
    "glance-api": "glance-api.conf",
    "glance-image-import": "glance-image-import.conf",
    "nova": "nova.conf",
    "cinder": "cinder.conf",
    "ceph": "ceph.conf",
}


def missing(inv: Inventory, kind: str) -> str:
    """Why no ``kind`` configuration is in ``inv`` (from its gap, if one was recorded)."""
    name = _FILE_NAMES.get(kind, kind)
    gaps = inv.gaps_for(f"config:{kind}")
    if gaps:
        return f"{name} was not read ({gaps[0].error})"
    return f"{name} was not read"


def unread_glance_api(inv: Inventory) -> str | None:
    """The first glance-api file discovery found but did not read, if any.

    Several glance-api services (a user-facing and an internal one, one per site, one per
    operator API pod) mean the one read may not be the one a consumer or a user talks to.
    """
    for warning in inv.config.warnings:
        if "another glance-api file" in warning:
            return warning.split(": another glance-api file", 1)[0]
    return None


def wanted(kind: str) -> Resource:
    """The resource an Unknown names when a whole file is missing."""
    return Resource("file", _FILE_NAMES.get(kind, kind))


def file_unknown(check: Rule, inv: Inventory, kind: str) -> Unknown:
    """``check`` cannot run: the ``kind`` configuration file is not in ``inv``."""
    return check.unknown(wanted(kind), missing(inv, kind))


def file_resource(path: str) -> Resource:
    """``file <path>``."""
    return Resource("file", path)


def store_resource(store_id: str) -> Resource:
    """``store <id>``."""
    return Resource("store", store_id)


def option_resource(cv: ConfigValue) -> Resource:
    """``option [section] key``."""
    return Resource("option", f"[{cv.section}] {cv.key}")


def cite(*values: ConfigValue | None) -> tuple[Evidence, ...]:
    """Evidence for every value that is set."""
    return tuple(Evidence.from_config(cv) for cv in values if cv is not None)


def is_true(cv: ConfigValue | None, default: bool = False) -> bool:
    """A BoolOpt's value; an unparseable value counts as the default."""
    value = as_bool(cv, default)
    return default if value is None else value


def text(cv: ConfigValue | None) -> str:
    """The stripped value, or empty."""
    return cv.value.strip() if cv is not None else ""


def norm_dir(path: str) -> str:
    """A directory path without ``file://`` or trailing slashes, normalised."""
    raw = path.strip()
    raw = raw[len("file://") :] if raw.startswith("file://") else raw
    return os.path.normpath(raw) if raw else ""


def inside(child: str, parent: str) -> bool:
    """True when directory ``child`` is ``parent`` or below it."""
    return child == parent or child.startswith(parent.rstrip("/") + "/")


def glance_stores(glance: GlanceApiConfig) -> tuple[StoreConfig, ...]:
    """The enabled stores of a multi-store configuration, reserved ids excluded."""
    return tuple(s for s in glance.stores if not s.id.startswith("os_glance_"))


def rbd_stores(inv: Inventory) -> tuple[Store, ...]:
    """The rbd stores of the inventory (one record per id)."""
    seen: dict[str, Store] = {}
    for store in inv.stores:
        if store.type is StoreType.RBD and store.id not in seen:
            seen[store.id] = store
    return tuple(seen.values())


@dataclass(frozen=True)
class Cluster:
    """The Ceph cluster a client option points at: its conf path and fsid (None: unknown)."""

    conf: str
    fsid: str | None
    why_unknown: str = ""


def cluster_of(inv: Inventory, conf_option: ConfigValue | None, near: str | None = None) -> Cluster:
    """Resolve the ceph.conf named by ``conf_option`` (librados' default when unset).

    ``near`` is the referencing service's file; a copy of the cluster's ceph.conf in the
    same directory tree wins (see ``find_ceph``).
    """
    conf = ceph_conf_path(conf_option)
    where = near or (conf_option.path if conf_option is not None else None)
    match = find_ceph(inv.config, conf, where)
    return Cluster(conf, match.fsid, match.why_no_fsid)
