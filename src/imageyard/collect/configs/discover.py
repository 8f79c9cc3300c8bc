"""Find the configuration files of a deployment under one directory, by the layouts in use.

Concepts: files are recognised by name wherever they sit (flat, ``etc/<service>/``,
kolla's ``/etc/kolla/<service>/``, TripleO's ``puppet-generated/<service>/etc/...``,
charm and OSA trees), plus the files a service reads after its main one:

* ``nova-compute.conf`` beside ``nova.conf`` (Debian/Ubuntu packages start nova-compute
  with both); devstack's ``nova-cpu.conf`` is the compute's only file, so a ``nova.conf``
  beside it belongs to the control services and is not a compute group;
* openstack-helm's ``backends.conf`` beside ``cinder.conf`` or in its ``conf/`` directory,
  then its ``tmp/pod-shared/internal_tenant.conf`` (the internal tenant ids a job writes),
  which cinder-volume loads last, after the ``etc/cinder/cinder.conf`` of the same pod;
* a ``nova.conf`` or ``cinder.conf`` in a control service's directory (kolla's
  ``nova-api/``, ``nova-conductor/``, ``cinder-scheduler/`` ..., TripleO's
  ``puppet-generated/nova/``) is not a compute group or volume host, and is left out with
  a note;
* ``<project>.conf.d`` and ``<prog>.conf.d`` directories (glance-operator's
  ``glance.conf.d``): every ``*.conf`` in name order, after the main file of the parent
  directory, or on their own when there is none;
* several glance-api main files (one ``glance.conf.d`` per glance-operator API pod, a
  separate internal API's directory) are several glance-api instances, each with its own
  overlays.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict

from imageyard.collect.configs.paths import ConfigPaths, Overlay
from imageyard.errors import ConfigFileError

_MAIN_NAMES = {
    "glance-api.conf": "glance-api",
    "glance-image-import.conf": "glance-image-import",
    "glance-swift.conf": "glance-swift",
    "nova.conf": "nova",
    "nova-cpu.conf": "nova",
    "cinder.conf": "cinder",
    "ceph.conf": "ceph",
}
_CONF_DIRS = {
    "glance.conf.d": "glance-api",
    "glance-api.conf.d": "glance-api",
    "nova.conf.d": "nova",
    "nova-compute.conf.d": "nova",
    "cinder.conf.d": "cinder",
    "cinder-volume.conf.d": "cinder",
}
# oslo.config loads <project>.conf.d before <prog>.conf.d.
_DIR_ORDER = ("glance.conf.d", "glance-api.conf.d", "nova.conf.d", "nova-compute.conf.d")
_MAIN_FOR = {"glance-api": ("glance-api.conf",), "nova": ("nova.conf",), "cinder": ("cinder.conf",)}
_MAX_DEPTH = 8
# openstack-helm's cinder-volume: --config-file cinder.conf, conf/backends.conf, then this.
_HELM_TENANT = "internal_tenant.conf"


def _walk(root: str) -> list[str]:
    """Every file under ``root`` (no symlinked directories), shallowest first."""
    found: list[str] = []
    for top, dirs, files in os.walk(root):
        depth = os.path.relpath(top, root).count(os.sep)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")) if depth < _MAX_DEPTH else []
        found += [os.path.join(top, f) for f in sorted(files)]
    return sorted(found, key=lambda p: (p.count(os.sep), p))


def _kind_of(path: str) -> str | None:
    name = os.path.basename(path)
    parent = os.path.basename(os.path.dirname(path))
    if parent in _CONF_DIRS:
        return None  # an overlay, not a main file
    known = _MAIN_NAMES.get(name)
    if known is not None:
        return known
    return "ceph" if parent == "ceph" and name.endswith(".conf") else None


def _overlay_candidates(path: str) -> tuple[str, str] | None:
    """``(kind, directory whose main file it follows)`` for a file loaded after another."""
    name, folder = os.path.basename(path), os.path.dirname(path)
    parent = os.path.basename(folder)
    if parent in _CONF_DIRS and name.endswith(".conf"):
        return _CONF_DIRS[parent], os.path.dirname(folder)
    if name == "nova-compute.conf":
        return "nova", folder
    if name == "backends.conf":
        return "cinder", os.path.dirname(folder) if parent == "conf" else folder
    if name == _HELM_TENANT and folder.endswith(os.path.join("tmp", "pod-shared")):
        pod = os.path.dirname(os.path.dirname(folder))
        return "cinder", os.path.join(pod, "etc", "cinder")
    return None


def _overlay_key(path: str) -> tuple[int, str]:
    parent = os.path.basename(os.path.dirname(path))
    rank = _DIR_ORDER.index(parent) + 1 if parent in _DIR_ORDER else 0
    if os.path.basename(path) == _HELM_TENANT:
        rank = len(_DIR_ORDER) + 1  # the last --config-file of openstack-helm's cinder-volume
    return rank, path


def _mains_in(folder: str, kind: str, mains: list[str]) -> str | None:
    for name in _MAIN_FOR[kind]:
        candidate = os.path.join(folder, name)
        if candidate in mains:
            return candidate
    return None


def _overlays(files: list[str], by_kind: dict[str, list[str]]) -> list[Overlay]:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in files:
        found = _overlay_candidates(path)
        if found is not None:
            groups[found].append(path)
    out: list[Overlay] = []
    for (kind, folder), paths in sorted(groups.items()):
        ordered = sorted(paths, key=_overlay_key)
        main = _mains_in(folder, kind, by_kind[kind])
        if main is None and kind == "cinder":
            continue  # a backends.conf with no cinder.conf is someone else's file
        if main is None:
            main = ordered.pop(0)
            by_kind[kind].append(main)
        out += [Overlay(kind, main, p) for p in ordered]
    return out


# Service directories (kolla /etc/kolla/<service>/, TripleO puppet-generated/<service>/)
# whose nova.conf or cinder.conf belongs to a control service, not nova-compute or
# cinder-volume.
_CONTROL_DIR = re.compile(
    r"^(nova[-_](api|conductor|super[-_]conductor|scheduler|metadata|novncproxy|"
    r"spicehtml5proxy|serialproxy|vnc[-_]proxy|cell\d*[-_]conductor)"
    r"|cinder[-_](api|scheduler|backup))(\d*)$"
)


def _control_dir(path: str, root: str) -> str | None:
    """The control-service directory ``path`` sits in, if any (None: a compute/volume file)."""
    parts = os.path.relpath(path, root).split(os.sep)[:-1]
    for i, part in enumerate(parts):
        if _CONTROL_DIR.match(part):
            return part
        if i > 0 and parts[i - 1] == "puppet-generated" and part == "nova":
            return part  # TripleO's API containers
    return None


def _drop_control(paths: list[str], root: str, service: str) -> tuple[list[str], list[str]]:
    kept, notes = [], []
    for path in paths:
        where = _control_dir(path, root)
        if where is None:
            kept.append(path)
        else:
            notes.append(f"{path}: not a {service} file (it belongs to {where})")
    return kept, notes


def _devstack_split(nova: list[str]) -> tuple[list[str], list[str]]:
    """Drop a ``nova.conf`` that sits beside ``nova-cpu.conf`` (devstack's control file)."""
    cpu_dirs = {os.path.dirname(p) for p in nova if os.path.basename(p) == "nova-cpu.conf"}
    kept, notes = [], []
    for path in nova:
        if os.path.basename(path) == "nova.conf" and os.path.dirname(path) in cpu_dirs:
            notes.append(
                f"{path}: not a compute group (nova-compute reads nova-cpu.conf beside it)"
            )
        else:
            kept.append(path)
    return kept, notes


def discover(config_dir: str | os.PathLike[str]) -> ConfigPaths:
    """Find the configuration files under ``config_dir`` (see the module docstring)."""
    root = os.path.abspath(os.fspath(config_dir))
    if not os.path.isdir(root):
        raise ConfigFileError(root, "config directory not found (or not a directory)")
    files = _walk(root)
    by_kind: dict[str, list[str]] = defaultdict(list)
    for path in files:
        kind = _kind_of(path)
        if kind is not None:
            by_kind[kind].append(path)
    overlays = _overlays(files, by_kind)
    by_kind["nova"], notes = _devstack_split(by_kind["nova"])
    by_kind["nova"], more = _drop_control(by_kind["nova"], root, "nova-compute")
    by_kind["cinder"], most = _drop_control(by_kind["cinder"], root, "cinder-volume")
    notes += more + most
    singles: dict[str, str | None] = {}
    for kind in ("glance-image-import", "glance-swift"):
        paths = by_kind[kind]
        singles[kind] = paths[0] if paths else None
        notes += [f"{p}: another {kind} file; only {paths[0]} was read" for p in paths[1:]]
    mains = {p for paths in by_kind.values() for p in paths}
    return ConfigPaths(
        glance_api=by_kind["glance-api"][0] if by_kind["glance-api"] else None,
        more_glance_apis=tuple(by_kind["glance-api"][1:]),
        glance_import=singles["glance-image-import"],
        glance_swift=singles["glance-swift"],
        nova=tuple(by_kind["nova"]),
        cinder=tuple(by_kind["cinder"]),
        ceph=tuple(by_kind["ceph"]),
        overlays=tuple(o for o in overlays if o.main in mains),
        searched=root,
        notes=tuple(notes),
    )
