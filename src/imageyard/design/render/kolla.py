"""``--render kolla``: globals.yml variables plus files under /etc/kolla/config/.

Concepts: kolla-ansible enables Glance backends with ``glance_backend_ceph``/``_file``/``_s3``
and describes every rbd store in ``glance_ceph_backends`` (name, cluster, pool, user; it
writes ``rbd_store_ceph_conf = /etc/ceph/<cluster>.conf`` and copies that cluster's conf and
keyring), so the override files leave those rbd options to it. Everything else goes into INI
files that kolla merges over its own: ``/etc/kolla/config/glance/glance-api.conf`` for every
glance-api host, ``/etc/kolla/config/glance/<host>/glance-api.conf`` for one host (another
site's API), likewise for nova.conf and cinder.conf. glance-image-import.conf is not merged
but copied whole, and only when ``glance_enable_interoperable_image_import`` is on. Every
variable and path used is in ``data/deploy_tools.py`` (extracted from kolla-ansible).
"""

from __future__ import annotations

from imageyard.design.diff import FileDiff
from imageyard.design.model import Change, Design, StorePlan
from imageyard.design.render.common import by_hand, cannot, fragment, removals, targets

TOOL = "kolla-ansible"
API, IMPORT = "glance-api.conf", "glance-image-import.conf"
_SWITCH = {"rbd": "glance_backend_ceph", "file": "glance_backend_file", "s3": "glance_backend_s3"}
_RBD_KEYS = ("rbd_store_ceph_conf", "rbd_store_pool", "rbd_store_user")
_ROOT = "/etc/kolla/config"


def _yes(on: bool) -> str:
    return '"yes"' if on else '"no"'


def _user(s: StorePlan) -> str:
    """The store's cephx user; kolla's own default variable when the design does not know it."""
    return s.user or "{{ ceph_glance_user }}"


def _ceph_backends(design: Design) -> list[str]:
    rbd = [s for s in design.stores if s.type == "rbd"]
    if not rbd:
        return []
    lines = ["# the default store first: kolla makes glance_ceph_backends[0] default_backend"]
    lines.append("glance_ceph_backends:")
    for s in sorted(rbd, key=lambda s: not s.is_default):
        lines += [
            f"  - name: {s.id}",
            "    type: rbd",
            f"    cluster: {s.ceph_cluster or 'ceph'}",
            f"    pool: {s.pool or 'images'}",
            f'    user: "{_user(s)}"',
            "    enabled: true",
        ]
    return lines


def _globals(design: Design) -> list[str]:
    types = {s.type for s in design.stores}
    lines = [f"# ---- {'/etc/kolla/globals.yml'}"]
    lines += [f"{var}: {_yes(t in types)}" for t, var in _SWITCH.items()]
    cache = design.decision("cache.glance_api")
    on = cache is not None and cache.choice.startswith("enabled")
    lines.append(f"enable_glance_image_cache: {_yes(on)}")
    size = next((c.value for c in design.changes if c.key == "image_cache_max_size"), None)
    if on and size:
        lines.append(f'glance_cache_max_size: "{size}"')
    if design.changes_for(IMPORT):
        lines.append("glance_enable_interoperable_image_import: " + _yes(True))
    return lines + _ceph_backends(design)


def _kolla_owned(design: Design, c: Change) -> bool:
    """rbd driver options kolla writes itself from glance_ceph_backends."""
    rbd = {s.id for s in design.stores if s.type == "rbd"}
    return c.file == API and c.section in rbd and c.key in _RBD_KEYS


def _path(file: str, target: str) -> str:
    service = file.split(".")[0].split("-")[0]
    if not target:
        return f"{_ROOT}/glance/{file}" if file == API else f"{_ROOT}/{file}"
    if file == API:
        return f"{_ROOT}/glance/<each glance-api host at {target}>/{file}"
    name = target.rsplit("/", 1)[-1]
    return f"{_ROOT}/{service}/<each host of {name}>/{file}"


def _files(design: Design) -> list[str]:
    out: list[str] = []
    for file in (API, "nova.conf", "cinder.conf"):
        found = targets(design, file)
        for target in found:
            mine = tuple(
                c
                for c in design.changes_for(file)
                if c.target == target and not _kolla_owned(design, c)
            )
            if len(found) == 1 and file != API:
                target = ""
            if any(c.value is not None for c in mine):
                out += ["", f"# ---- {_path(file, target)}", fragment(mine).rstrip()]
    return out


def _import_file(diffs: tuple[FileDiff, ...]) -> list[str]:
    found = next((d for d in diffs if d.file == IMPORT), None)
    if found is None:
        return []
    return [
        "",
        f"# ---- {_ROOT}/glance/{IMPORT} (copied whole, not merged)",
        found.after.rstrip(),
    ]


def render(design: Design, diffs: tuple[FileDiff, ...]) -> str:
    out = _globals(design) + _files(design) + _import_file(diffs)
    missing = removals(design) + by_hand(design)
    missing += [
        f"the {s.type} store {s.id}: kolla has no backend switch for it"
        for s in design.stores
        if s.type not in _SWITCH and s.type != "http"
    ]
    missing.append(
        "kolla also enables an http store (and a cinder store with enable_cinder) in its "
        "own enabled_backends; the override above replaces that list"
    )
    return "\n".join(out) + "\n\n" + cannot(missing)
