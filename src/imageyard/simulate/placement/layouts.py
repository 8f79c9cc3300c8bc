"""The layouts ``simulate placement`` compares, each priced and timed over the same load.

Concepts: every boot takes the path the layout gives its image at its site, as
``imageyard paths`` names them:

* ``all-ceph``: every image raw in the central RBD store. A central boot is a ``clone``; a
  boot at another site (another cluster, no copy store) is a ``download`` of the raw image
  and an ``rbd import``.
* ``hot-cold``: the ``hot`` most booted images as in all-ceph, the others in the cold store
  as uploaded: each of their boots, anywhere, is a ``download-convert-import``. Every
  threshold from 0 to all images is evaluated (``sweep``); the chosen split is the cheapest
  whose p95 is at most the target (default: all-ceph's p95, which the all-hot split
  equals), else the fastest.
* ``site-replicas``: all-ceph, plus a copy in the RBD store of every other site that boots
  the image: the first boot there is a ``copy-to-store-then-clone`` (Glance's copy-image,
  as Nova's ``images_rbd_glance_store_name`` asks), every later one a ``clone``; the copies
  stay and are paid for at the site price.

Durations: clone = ``clone_seconds``; copy = size / central download + size / import +
clone; download = size / download of the store + size / import; download-convert-import =
size / cold download + size / conversion + size / import. Monthly cost: the GiB each store
holds times its price.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from imageyard.simulate.placement.costs import CostModel
from imageyard.simulate.placement.distribution import Tally, percentile
from imageyard.simulate.placement.load import ImageLoad, Load

GiB = 1 << 30
CLONE, COPY, DOWNLOAD, CONVERT = (
    "clone", "copy-to-store-then-clone", "download", "download-convert-import",
)  # fmt: skip
PATHS = (CLONE, COPY, DOWNLOAD, CONVERT)


@dataclass(frozen=True)
class Durations:
    """The seconds of each path for one image size under a cost model."""

    clone: float
    copy: float
    download: float
    convert: float


def durations(size: int, costs: CostModel) -> Durations:
    """Each path's seconds for ``size`` bytes."""
    clone = costs.clone_seconds
    imported = size / costs.import_bps
    return Durations(
        clone=clone,
        copy=size / costs.ceph.download_bps + imported + clone,
        download=size / costs.ceph.download_bps + imported,
        convert=size / costs.cold.download_bps + size / costs.convert_bps + imported,
    )


@dataclass(frozen=True)
class LayoutResult:
    """One layout: monthly cost, boot-time figures, boots per path, bytes per store."""

    layout: str
    monthly_cost: float
    p50_seconds: float
    p95_seconds: float
    mean_seconds: float
    paths: tuple[tuple[str, int], ...]
    stored: tuple[tuple[str, int], ...]
    hot_images: int | None = None


@dataclass(frozen=True)
class SplitPoint:
    """The hot/cold split with the ``hot`` most booted images in Ceph."""

    hot: int
    monthly_cost: float
    p50_seconds: float
    p95_seconds: float
    mean_seconds: float


def _hot_pairs(img: ImageLoad, d: Durations) -> list[tuple[float, int]]:
    return [(d.clone, img.central), (d.download, img.remote)]


def _result(
    name: str,
    pairs: list[tuple[float, int]],
    paths: dict[str, int],
    stored: dict[str, int],
    costs: CostModel,
    hot: int | None = None,
) -> LayoutResult:
    total = sum(n for _, n in pairs)
    mean = sum(s * n for s, n in pairs) / total if total else 0.0
    cost = sum(b / GiB * getattr(costs, store).gib_month for store, b in stored.items())
    return LayoutResult(
        name, cost, percentile(pairs, 50), percentile(pairs, 95), mean,
        tuple((p, paths.get(p, 0)) for p in PATHS), tuple(sorted(stored.items())), hot,
    )  # fmt: skip


def all_ceph(load: Load, costs: CostModel) -> LayoutResult:
    """Every image in the central RBD store."""
    pairs: list[tuple[float, int]] = []
    for img in load.images:
        pairs += _hot_pairs(img, durations(img.size, costs))
    paths = {
        CLONE: _sum(i.central for i in load.images),
        DOWNLOAD: _sum(i.remote for i in load.images),
    }
    return _result("all-ceph", pairs, paths, {"ceph": _sum(i.size for i in load.images)}, costs)


def site_replicas(load: Load, costs: CostModel) -> LayoutResult:
    """The central store, and a copy at each other site made by the first boot there."""
    pairs: list[tuple[float, int]] = []
    for img in load.images:
        d = durations(img.size, costs)
        pairs += [(d.clone, img.boots - img.remote_sites), (d.copy, img.remote_sites)]
    copies = _sum(i.remote_sites for i in load.images)
    paths = {CLONE: load.events - copies, COPY: copies}
    stored = {
        "ceph": _sum(i.size for i in load.images),
        "site": _sum(i.size * i.remote_sites for i in load.images),
    }
    return _result("site-replicas", pairs, paths, stored, costs)


def _sum(values: Iterable[int]) -> int:
    return sum(values)


def by_popularity(load: Load) -> list[ImageLoad]:
    """The images, most booted first (then by name, then by code)."""
    return sorted(load.images, key=lambda i: (-i.boots, i.name, i.image))


def sweep(load: Load, costs: CostModel) -> list[SplitPoint]:
    """Every hot/cold split, from no image hot to all of them, in ``O(n log n)``."""
    order = by_popularity(load)
    times = [durations(i.size, costs) for i in order]
    tally = Tally(v for d in times for v in (d.clone, d.download, d.convert))
    for img, d in zip(order, times, strict=True):
        tally.add(d.convert, img.boots)
    hot_bytes, cold_bytes = 0, _sum(i.size for i in order)
    points = [_point(0, tally, hot_bytes, cold_bytes, costs)]
    for n, (img, d) in enumerate(zip(order, times, strict=True), start=1):
        tally.add(d.convert, -img.boots)
        tally.add(d.clone, img.central)
        tally.add(d.download, img.remote)
        hot_bytes, cold_bytes = hot_bytes + img.size, cold_bytes - img.size
        points.append(_point(n, tally, hot_bytes, cold_bytes, costs))
    return points


def _point(n: int, tally: Tally, hot: int, cold: int, costs: CostModel) -> SplitPoint:
    cost = hot / GiB * costs.ceph.gib_month + cold / GiB * costs.cold.gib_month
    mean = tally.seconds / tally.total if tally.total else 0.0
    return SplitPoint(n, cost, tally.percentile(50), tally.percentile(95), mean)


def choose(points: list[SplitPoint], target_p95: float) -> tuple[SplitPoint, bool]:
    """The cheapest split with p95 at most ``target_p95`` (True), else the fastest (False).

    Costs are compared to 1e-9 (sums of the same bytes in another order differ in the last
    bits); on a tie the split with fewer hot images wins."""
    meeting = [p for p in points if p.p95_seconds <= target_p95]
    if meeting:
        return min(meeting, key=lambda p: (round(p.monthly_cost, 9), p.hot)), True
    return min(points, key=lambda p: (p.p95_seconds, round(p.monthly_cost, 9), p.hot)), False


def hot_cold(load: Load, costs: CostModel, hot: int) -> LayoutResult:
    """The split with the ``hot`` most booted images in Ceph, evaluated directly."""
    order = by_popularity(load)
    pairs: list[tuple[float, int]] = []
    paths = {CLONE: 0, DOWNLOAD: 0, CONVERT: 0}
    stored = {"ceph": 0, "cold": 0}
    for n, img in enumerate(order):
        d = durations(img.size, costs)
        if n < hot:
            pairs += _hot_pairs(img, d)
            paths[CLONE] += img.central
            paths[DOWNLOAD] += img.remote
            stored["ceph"] += img.size
        else:
            pairs.append((d.convert, img.boots))
            paths[CONVERT] += img.boots
            stored["cold"] += img.size
    return _result("hot-cold", pairs, paths, stored, costs, hot)
