"""The site description: what the operator declares about a cloud, as frozen values.

Concepts: a ``Site`` is the design input. It comes from a site YAML (greenfield, see
``docs/site-schema.json``), from an inventory snapshot (brownfield, ``situation.py``), or
both merged; every record carries ``source`` (``declared`` or ``measured``) so the memo can
say which numbers were measured. Backends are Glance stores (``id``/``type``) with optional
capacity (GiB), cost (per GiB-month) and throughput (MiB/s). ``role`` is ``hot``,
``general`` or ``archive``. Ceph clusters are named; computes and Cinder backends name the
cluster they use. ``load_site`` reads YAML and checks it against the site schema
(``imageyard/design/data/site-schema.json``, of which ``docs/site-schema.json`` is a copy) with
``jsonschema``, then the references between items; every problem is named as
``file:line: message``, all of them on one line (exit code 5).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imageyard.files import MiB, read_text

if TYPE_CHECKING:
    from imageyard.yamlschema import JsonPath, Located

MAX_SITE_BYTES = 4 * MiB

DECLARED = "declared"
MEASURED = "measured"
ASSUMED = "assumed"
SCHEMA: dict[str, Any] = json.loads(
    resources.files("imageyard.design.data").joinpath("site-schema.json").read_text("utf-8")
)
_BACKEND = SCHEMA["properties"]["backends"]["items"]["properties"]
STORE_TYPES: tuple[str, ...] = tuple(_BACKEND["type"]["enum"])
ROLES: tuple[str, ...] = tuple(_BACKEND["role"]["enum"])
PAIN_POINTS: tuple[str, ...] = tuple(SCHEMA["properties"]["pain_points"]["items"]["enum"])


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
    hosts: tuple[str, ...] = ()  # Nova compute hosts at this site


@dataclass(frozen=True)
class Catalog:
    """Catalog size and format mix (shares of image count, summing to about 1)."""

    images: int = 0
    total_gib: float = 0.0
    virtual_gib: float | None = None
    formats: tuple[tuple[str, float], ...] = ()
    source: str = ASSUMED  # neither declared nor measured

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
    source: str = ASSUMED  # neither declared nor measured


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


@functools.cache
def _checker() -> Any:
    """The schema's validator (``yamlschema``, imported when a site file is read: a design
    from an inventory alone reads none)."""
    from imageyard import yamlschema

    return yamlschema.validator(SCHEMA)


_TOP_KEYS = tuple(SCHEMA["properties"])
_BACKEND_KEYS = tuple(_BACKEND)
Doc = dict[str, Any]


def _backend(d: Doc) -> Backend:
    return Backend(
        id=d["id"],
        type=d["type"],
        role=d.get("role", "general"),
        site=d.get("site"),
        ceph_cluster=d.get("ceph_cluster"),
        pool=d.get("pool"),
        data_dir=d.get("data_dir"),
        capacity_gib=_float(d.get("capacity_gib")),
        cost_per_gib_month=_float(d.get("cost_per_gib_month")),
        throughput_mib_s=_float(d.get("throughput_mib_s")),
    )


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _cluster(d: Doc) -> CephCluster:
    return CephCluster(
        name=d["name"],
        fsid=d.get("fsid"),
        conf=d.get("conf"),
        site=d.get("site"),
        images_pool=d.get("images_pool") or "images",
        user=d.get("user") or "glance",
    )


def _compute(d: Doc) -> ComputeGroup:
    return ComputeGroup(
        name=d["name"],
        images_type=d.get("images_type", "default"),
        ceph_cluster=d.get("ceph_cluster"),
        site=d.get("site"),
        aggregate=d.get("aggregate"),
    )


def _cinder(d: Doc) -> CinderBackend:
    return CinderBackend(
        name=d["name"],
        rbd=d.get("driver") == "rbd",
        ceph_cluster=d.get("ceph_cluster"),
        site=d.get("site"),
    )


def _zone(d: Doc) -> SiteZone:
    return SiteZone(
        name=d["name"],
        role=d.get("role", "central"),
        availability_zone=d.get("availability_zone"),
        hosts=tuple(d.get("hosts", ())),
    )


def _catalog(d: Doc) -> Catalog:
    return Catalog(
        images=int(d.get("images", 0)),
        total_gib=float(d.get("total_gib", 0.0)),
        virtual_gib=_float(d.get("virtual_gib")),
        formats=tuple((k, float(v)) for k, v in d.get("formats", {}).items()),
        source=DECLARED if d else ASSUMED,
    )


def _boot(d: Doc) -> BootPattern:
    return BootPattern(
        boots_per_image_per_day=float(d.get("boots_per_image_per_day", 0.0)),
        top_images=int(d.get("top_images", 0)),
        top_share=float(d.get("top_share", 0.0)),
        hot_set_gib=_float(d.get("hot_set_gib")),
        source=DECLARED if d else ASSUMED,
    )


def _dangling(site: Site) -> Iterator[tuple[JsonPath, str]]:
    """Every ceph_cluster reference that names no declared cluster."""
    names = {c.name for c in site.ceph_clusters}
    refs: list[tuple[str, int, str | None, str]] = [
        ("backends", i, b.ceph_cluster, f"backend {b.id}") for i, b in enumerate(site.backends)
    ]
    refs += [("nova", i, c.ceph_cluster, f"nova {c.name}") for i, c in enumerate(site.computes)]
    refs += [("cinder", i, c.ceph_cluster, f"cinder {c.name}") for i, c in enumerate(site.cinder)]
    for key, index, ref, who in refs:
        if ref is not None and ref not in names:
            yield (key, index), f"{who}: ceph_cluster {ref!r} is not in ceph_clusters"


def _twice(site: Site) -> Iterator[tuple[JsonPath, str]]:
    """Every id or name given a second time, and a second Ceph cluster at one site."""
    for what, key, ids in (
        ("backend id", "backends", [b.id for b in site.backends]),
        ("ceph_cluster name", "ceph_clusters", [c.name for c in site.ceph_clusters]),
        ("nova name", "nova", [c.name for c in site.computes]),
        ("cinder name", "cinder", [c.name for c in site.cinder]),
    ):
        for i, x in enumerate(ids):
            if x in ids[:i]:
                yield (key, i), f"{what} {x!r} appears twice"
    sites = [c.site or c.name for c in site.ceph_clusters]  # no site: the cluster is its own
    for i, x in enumerate(sites):
        if x in sites[:i]:
            first = site.ceph_clusters[sites.index(x)].name
            yield (
                ("ceph_clusters", i),
                f"ceph_cluster {site.ceph_clusters[i].name} is at site {x!r}, like {first}: "
                "a site has one Glance API and one default store, so one Ceph cluster",
            )


def _check_refs(site: Site, doc: Located, path: str) -> None:
    """Dangling references and names given twice, each at its item's line."""
    from imageyard import yamlschema

    problems = [
        yamlschema.Problem(doc.line(at), message)
        for at, message in [*_dangling(site), *_twice(site)]
    ]
    if problems:
        raise yamlschema.fail(path, sorted(problems))


def parse_site(text: str, path: str) -> Site:
    """Parse site YAML ``text`` (``path`` names it in errors): the schema
    (``docs/site-schema.json``, via ``jsonschema``), then the cross-references."""
    from imageyard import yamlschema

    doc = yamlschema.check(text, path, SCHEMA, _checker())
    d: Doc = doc.value
    site = Site(
        name=d.get("name") or Path(path).stem,
        release=d.get("release"),
        zones=tuple(_zone(x) for x in d.get("sites", [])),
        backends=tuple(_backend(x) for x in d.get("backends", [])),
        ceph_clusters=tuple(_cluster(x) for x in d.get("ceph_clusters", [])),
        computes=tuple(_compute(x) for x in d.get("nova", [])),
        cinder=tuple(_cinder(x) for x in d.get("cinder", [])),
        catalog=_catalog(d.get("catalog", {})),
        boot=_boot(d.get("boot", {})),
        pain_points=tuple(d.get("pain_points", [])),
    )
    _check_refs(site, doc, path)
    return site


def load_site(path: Path) -> Site:
    """Read and parse a site YAML file."""
    text = read_text(path, "site description", MAX_SITE_BYTES)
    return parse_site(text, str(path))
