"""The site description: what the operator declares about a cloud, as frozen values.

Concepts: a ``Site`` is the design input. It comes from a site YAML (greenfield, see
``docs/site-schema.json``), from an inventory snapshot (brownfield, ``situation.py``), or
both merged; every record carries ``source`` (``declared`` or ``measured``) so the memo can
say which numbers were measured. Backends are Glance stores (``id``/``type``) with optional
capacity (GiB), cost (per GiB-month) and throughput (MiB/s). ``role`` is ``hot``,
``general`` or ``archive``. Ceph clusters are named; computes and Cinder backends name the
cluster they use. ``load_site`` reads YAML and reports the first problem as one line,
``file:line: message`` (exit code 5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from imageyard import yamlsafe
from imageyard.errors import ConfigFileError
from imageyard.files import MiB, read_text

MAX_SITE_BYTES = 4 * MiB
# Declared sizes, counts, costs and rates: anything beyond is a typo, not a site.
MAX_NUMBER = 1e12
_STORE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
MIN_NUMBER = 1e-9

DECLARED = "declared"
MEASURED = "measured"
STORE_TYPES = ("rbd", "file", "swift", "s3", "cinder", "http")
ROLES = ("hot", "general", "archive")
PAIN_POINTS = ("slow_first_boot", "duplication", "store_imbalance")


@dataclass(frozen=True)
class Backend:
    """One Glance store, existing or proposed."""

    id: str
    type: str
    role: str = "general"
    site: str | None = None
    ceph_cluster: str | None = None
    pool: str | None = None
    data_dir: str | None = None
    capacity_gib: float | None = None
    cost_per_gib_month: float | None = None
    throughput_mib_s: float | None = None
    image_count: int | None = None  # None: the Glance catalog was not (fully) collected
    stored_bytes: int = 0
    options: tuple[tuple[str, str], ...] = ()  # existing section options (measured)
    is_default: bool = False  # the current default_backend (measured)
    source: str = DECLARED


@dataclass(frozen=True)
class CephCluster:
    """One Ceph cluster: a name, its fsid and conf file, the site it serves."""

    name: str
    fsid: str | None = None
    conf: str | None = None
    site: str | None = None
    images_pool: str = "images"
    user: str = "glance"
    source: str = DECLARED


@dataclass(frozen=True)
class ComputeGroup:
    """Computes sharing one nova.conf: the image backend and the Ceph cluster they use."""

    name: str
    images_type: str = "default"
    ceph_cluster: str | None = None
    site: str | None = None
    aggregate: str | None = None
    source: str = DECLARED

    @property
    def uses_rbd(self) -> bool:
        return self.images_type == "rbd"


@dataclass(frozen=True)
class CinderBackend:
    """One Cinder volume backend."""

    name: str
    rbd: bool = False
    ceph_cluster: str | None = None
    site: str | None = None
    source: str = DECLARED


@dataclass(frozen=True)
class SiteZone:
    """A site or availability zone: ``central`` or ``edge``."""

    name: str
    role: str = "central"
    availability_zone: str | None = None


@dataclass(frozen=True)
class Catalog:
    """Catalog size and format mix (shares of image count, summing to about 1)."""

    images: int = 0
    total_gib: float = 0.0
    virtual_gib: float | None = None
    formats: tuple[tuple[str, float], ...] = ()
    source: str = DECLARED

    def share(self, fmt: str) -> float:
        return next((s for f, s in self.formats if f == fmt), 0.0)


@dataclass(frozen=True)
class BootPattern:
    """How images are booted: rate per image, and how concentrated boots are."""

    boots_per_image_per_day: float = 0.0
    top_images: int = 0
    top_share: float = 0.0
    hot_image_ids: tuple[str, ...] = ()
    hot_set_gib: float | None = None
    source: str = DECLARED


@dataclass(frozen=True)
class Site:
    """Everything the design reasons about."""

    name: str = "site"
    release: str | None = None
    zones: tuple[SiteZone, ...] = ()
    backends: tuple[Backend, ...] = ()
    ceph_clusters: tuple[CephCluster, ...] = ()
    computes: tuple[ComputeGroup, ...] = ()
    cinder: tuple[CinderBackend, ...] = ()
    catalog: Catalog = field(default_factory=Catalog)
    boot: BootPattern = field(default_factory=BootPattern)
    pain_points: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def cluster(self, name: str | None) -> CephCluster | None:
        return next((c for c in self.ceph_clusters if c.name == name), None)

    def zone(self, name: str | None) -> SiteZone | None:
        return next((z for z in self.zones if z.name == name), None)


# ---------------------------------------------------------------- YAML loading


class _Mapping(dict[str, yaml.Node]):
    """A mapping's keys and values, and the node it came from (for a missing key's line)."""

    node: yaml.Node | None = None


class _Reader:
    """Walks a composed YAML node tree, raising ``file:line`` errors."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, node: yaml.Node | None, message: str) -> ConfigFileError:
        line = node.start_mark.line + 1 if node is not None else None
        return ConfigFileError(self.path, message, line=line)

    def mapping(self, node: yaml.Node, what: str, keys: tuple[str, ...]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping")
        out = _Mapping()
        out.node = node
        for knode, vnode in node.value:
            key = str(knode.value)
            if key not in keys:
                raise self.fail(knode, f"{what}: unknown key {key!r} (known: {', '.join(keys)})")
            if key in out:
                raise self.fail(knode, f"{what}: key {key!r} given twice")
            out[key] = vnode
        return out

    def seq(self, node: yaml.Node | None, what: str) -> list[yaml.Node]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list")
        return list(node.value)

    def scalar(self, node: yaml.Node | None, what: str) -> Any:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"{what} must be a single value")
        return yaml.safe_load(yaml.serialize(node))

    def text(
        self,
        m: dict[str, yaml.Node],
        key: str,
        what: str,
        *,
        required: bool = False,
        choices: tuple[str, ...] = (),
    ) -> str | None:
        node = m.get(key)
        value = self.scalar(node, f"{what}.{key}")
        if value is None:
            if required:
                raise self.fail(getattr(m, "node", None), f"{what}: {key} is required")
            return None
        text = str(value)
        if choices and text not in choices:
            raise self.fail(node, f"{what}.{key}: {text!r} is not one of {', '.join(choices)}")
        return text

    def number(self, m: dict[str, yaml.Node], key: str, what: str) -> float | None:
        node = m.get(key)
        value = self.scalar(node, f"{what}.{key}")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise self.fail(node, f"{what}.{key}: {value!r} is not a non-negative number")
        if value > MAX_NUMBER or 0 < value < MIN_NUMBER:
            raise self.fail(
                node, f"{what}.{key}: {value!r} is out of range ({MIN_NUMBER:g} to {MAX_NUMBER:g})"
            )
        return float(value)


_BACKEND_KEYS = (
    "id",
    "type",
    "role",
    "site",
    "ceph_cluster",
    "pool",
    "data_dir",
    "capacity_gib",
    "cost_per_gib_month",
    "throughput_mib_s",
)


def _backend(r: _Reader, node: yaml.Node) -> Backend:
    m = r.mapping(node, "backends[]", _BACKEND_KEYS)
    w = "backend"
    store_id = r.text(m, "id", w, required=True) or ""
    if store_id.startswith("os_glance_"):
        raise r.fail(m["id"], f"backend id {store_id!r}: the os_glance_ prefix is reserved")
    if not _STORE_ID.fullmatch(store_id):
        raise r.fail(
            m["id"],
            f"backend id {store_id!r}: use letters, digits, '_', '-' or '.' (a config "
            "section name; ':', ',' and spaces separate enabled_backends entries)",
        )
    return Backend(
        id=store_id,
        type=r.text(m, "type", w, required=True, choices=STORE_TYPES) or "",
        role=r.text(m, "role", w, choices=ROLES) or "general",
        site=r.text(m, "site", w),
        ceph_cluster=r.text(m, "ceph_cluster", w),
        pool=r.text(m, "pool", w),
        data_dir=r.text(m, "data_dir", w),
        capacity_gib=r.number(m, "capacity_gib", w),
        cost_per_gib_month=r.number(m, "cost_per_gib_month", w),
        throughput_mib_s=r.number(m, "throughput_mib_s", w),
    )


def _cluster(r: _Reader, node: yaml.Node) -> CephCluster:
    m = r.mapping(node, "ceph_clusters[]", ("name", "fsid", "conf", "site", "images_pool", "user"))
    w = "ceph_cluster"
    return CephCluster(
        name=r.text(m, "name", w, required=True) or "",
        fsid=r.text(m, "fsid", w),
        conf=r.text(m, "conf", w),
        site=r.text(m, "site", w),
        images_pool=r.text(m, "images_pool", w) or "images",
        user=r.text(m, "user", w) or "glance",
    )


def _compute(r: _Reader, node: yaml.Node) -> ComputeGroup:
    m = r.mapping(node, "nova[]", ("name", "images_type", "ceph_cluster", "site", "aggregate"))
    w = "nova"
    return ComputeGroup(
        name=r.text(m, "name", w, required=True) or "",
        images_type=r.text(
            m, "images_type", w, choices=("rbd", "qcow2", "raw", "flat", "lvm", "default")
        )
        or "default",
        ceph_cluster=r.text(m, "ceph_cluster", w),
        site=r.text(m, "site", w),
        aggregate=r.text(m, "aggregate", w),
    )


def _cinder(r: _Reader, node: yaml.Node) -> CinderBackend:
    m = r.mapping(node, "cinder[]", ("name", "driver", "ceph_cluster", "site"))
    w = "cinder"
    driver = r.text(m, "driver", w, choices=("rbd", "other")) or "other"
    return CinderBackend(
        name=r.text(m, "name", w, required=True) or "",
        rbd=driver == "rbd",
        ceph_cluster=r.text(m, "ceph_cluster", w),
        site=r.text(m, "site", w),
    )


def _zone(r: _Reader, node: yaml.Node) -> SiteZone:
    m = r.mapping(node, "sites[]", ("name", "role", "availability_zone"))
    return SiteZone(
        name=r.text(m, "name", "site", required=True) or "",
        role=r.text(m, "role", "site", choices=("central", "edge")) or "central",
        availability_zone=r.text(m, "availability_zone", "site"),
    )


def _catalog(r: _Reader, node: yaml.Node | None) -> Catalog:
    if node is None:
        return Catalog()
    m = r.mapping(node, "catalog", ("images", "total_gib", "virtual_gib", "formats"))
    formats: list[tuple[str, float]] = []
    fnode = m.get("formats")
    if fnode is not None:
        for key, share in r.mapping(
            fnode, "catalog.formats", ("raw", "qcow2", "iso", "vmdk", "vhd", "vhdx", "other")
        ).items():
            value = r.number({key: share}, key, "catalog.formats") or 0.0
            formats.append((key, value))
    return Catalog(
        images=int(r.number(m, "images", "catalog") or 0),
        total_gib=r.number(m, "total_gib", "catalog") or 0.0,
        virtual_gib=r.number(m, "virtual_gib", "catalog"),
        formats=tuple(formats),
    )


def _boot(r: _Reader, node: yaml.Node | None) -> BootPattern:
    if node is None:
        return BootPattern()
    m = r.mapping(
        node, "boot", ("boots_per_image_per_day", "top_images", "top_share", "hot_set_gib")
    )
    share = r.number(m, "top_share", "boot") or 0.0
    if share > 1:
        raise r.fail(m["top_share"], "boot.top_share is a fraction between 0 and 1")
    return BootPattern(
        boots_per_image_per_day=r.number(m, "boots_per_image_per_day", "boot") or 0.0,
        top_images=int(r.number(m, "top_images", "boot") or 0),
        top_share=share,
        hot_set_gib=r.number(m, "hot_set_gib", "boot"),
    )


_TOP_KEYS = (
    "name",
    "release",
    "sites",
    "backends",
    "ceph_clusters",
    "nova",
    "cinder",
    "catalog",
    "boot",
    "pain_points",
)


def _pain_points(r: _Reader, node: yaml.Node | None) -> tuple[str, ...]:
    out = []
    for item in r.seq(node, "pain_points"):
        value = str(r.scalar(item, "pain_points[]"))
        if value not in PAIN_POINTS:
            raise r.fail(item, f"pain_points: {value!r} is not one of {', '.join(PAIN_POINTS)}")
        out.append(value)
    return tuple(out)


def _check_refs(r: _Reader, site: Site, items: dict[str, list[yaml.Node]]) -> None:
    """Every ceph_cluster reference resolves and no name is given twice (at the item's line)."""
    names = {c.name for c in site.ceph_clusters}
    refs = [
        (b.ceph_cluster, f"backend {b.id}", n)
        for b, n in zip(site.backends, items["backends"], strict=True)
    ]
    refs += [
        (c.ceph_cluster, f"nova {c.name}", n)
        for c, n in zip(site.computes, items["nova"], strict=True)
    ]
    refs += [
        (c.ceph_cluster, f"cinder {c.name}", n)
        for c, n in zip(site.cinder, items["cinder"], strict=True)
    ]
    for ref, who, node in refs:
        if ref is not None and ref not in names:
            raise r.fail(node, f"{who}: ceph_cluster {ref!r} is not in ceph_clusters")
    sites = [c.site for c in site.ceph_clusters]
    shared = next((i for i, x in enumerate(sites) if x is not None and x in sites[:i]), None)
    if shared is not None:
        first = site.ceph_clusters[sites.index(sites[shared])].name
        raise r.fail(
            items["ceph_clusters"][shared],
            f"ceph_cluster {site.ceph_clusters[shared].name} is at site {sites[shared]!r}, "
            f"like {first}: a site has one Glance API and one default store, so one Ceph cluster",
        )
    for what, key, ids in (
        ("backend id", "backends", [b.id for b in site.backends]),
        ("ceph_cluster name", "ceph_clusters", [c.name for c in site.ceph_clusters]),
        ("nova name", "nova", [c.name for c in site.computes]),
        ("cinder name", "cinder", [c.name for c in site.cinder]),
    ):
        again = next((i for i, x in enumerate(ids) if x in ids[:i]), None)
        if again is not None:
            raise r.fail(items[key][again], f"{what} {ids[again]!r} appears twice")


def parse_site(text: str, path: str) -> Site:
    """Parse site YAML ``text`` (``path`` names it in errors)."""
    r = _Reader(path)
    try:
        root = yamlsafe.compose(text)
    except yamlsafe.YamlLimitError as exc:
        raise ConfigFileError(path, exc.reason, line=exc.line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConfigFileError(
            path, f"not valid YAML ({getattr(exc, 'problem', exc)})", line=line
        ) from None
    if root is None:
        raise ConfigFileError(path, "the site description is empty")
    m = r.mapping(root, "site description", _TOP_KEYS)
    items = {
        k: r.seq(m.get(k), k) for k in ("sites", "backends", "ceph_clusters", "nova", "cinder")
    }
    site = Site(
        name=r.text(m, "name", "site") or Path(path).stem,
        release=r.text(m, "release", "site"),
        zones=tuple(_zone(r, n) for n in items["sites"]),
        backends=tuple(_backend(r, n) for n in items["backends"]),
        ceph_clusters=tuple(_cluster(r, n) for n in items["ceph_clusters"]),
        computes=tuple(_compute(r, n) for n in items["nova"]),
        cinder=tuple(_cinder(r, n) for n in items["cinder"]),
        catalog=_catalog(r, m.get("catalog")),
        boot=_boot(r, m.get("boot")),
        pain_points=_pain_points(r, m.get("pain_points")),
    )
    _check_refs(r, site, items)
    return site


def load_site(path: Path) -> Site:
    """Read and parse a site YAML file."""
    text = read_text(path, "site description", MAX_SITE_BYTES)
    return parse_site(text, str(path))
