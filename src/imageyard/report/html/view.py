"""The HTML report's view-model: every figure, chart and row already computed and sorted.

Concepts: ``page(results, now, memo)`` returns a ``Page`` that the template only loops
over. Summary cards and SVG charts come from ``facts``; the findings (audit and reclaim,
unmuted and muted) and the images (stores, path per consumer; their locations and pins
apart, as ``details``, read when a row is opened) are rows of plain values embedded in
the page, where a small script pages, sorts and filters them. Repeated words (severity,
rule, status, origin, boot path) are indices into the small tables of ``head``. The rows
are embedded as blocks of at most ``BLOCK`` rows (``data``), each its own ``<script>``
element holding the block's JSON compressed (``embed``), so a catalog of 100,000 images
is a file of a few MB, written (and scrubbed) block by block, never as one text. Every
text in a row passes ``secrets.scrub`` one string at a time, before it is compressed.
``now`` is given (the report's own clock), never read here.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from imageyard import secrets
from imageyard.audit.cow.trace import BootPath
from imageyard.model.finding import Severity, Status
from imageyard.report.design_memo import Memo
from imageyard.report.facts import Facts, facts, human_bytes
from imageyard.report.html import charts, embed
from imageyard.report.html.charts import Bar, bars, stacked
from imageyard.report.results import Results
from imageyard.report.simulation import Simulation
from imageyard.simulate.placement import plot as placement_plot
from imageyard.simulate.placement.result_file import PlacementSummary

SIZE_BINS = ((2**20 * 100, "< 100 MiB"), (2**30, "100 MiB – 1 GiB"), (2**30 * 10, "1 – 10 GiB"),
             (2**30 * 100, "10 – 100 GiB"), (None, "≥ 100 GiB"))  # fmt: skip
BLOCK = 20_000  # rows per embedded block (a compressed stream each: fewer inflate faster)
_SEVERITIES = [s.value for s in sorted(Severity, key=lambda s: -s.rank)]
# NOTE: an enum member's .value is a descriptor call; a dict lookup is several times faster
_RANKS = {s: s.rank for s in Severity}
# the small tables a row's repeated words index (severity by rank)
_TABLES: dict[str, list[str]] = {
    "severities": sorted((s.value for s in Severity), key=lambda v: Severity(v).rank),
    "statuses": [s.value for s in Status],
    "origins": ["audit", "reclaim"],
    "paths": [p.value for p in BootPath],
}
_INDEX: dict[Any, int] = {m: n for e in (Status, BootPath) for n, m in enumerate(e)}


@dataclass(frozen=True)
class Card:
    """One summary figure."""

    label: str
    value: str
    detail: str = ""


@dataclass(frozen=True)
class Chart:
    """One chart: its id, title and SVG text."""

    id: str
    title: str
    svg: str


@dataclass(frozen=True)
class Page:
    """Everything the template shows."""

    title: str
    generated_at: str
    snapshot_at: str
    cards: tuple[Card, ...]
    charts: tuple[Chart, ...]
    consumers: tuple[str, ...]
    severities: tuple[str, ...]
    gaps: tuple[str, ...]
    memo: str | None  # a Markdown memo, shown as text
    design: Memo | None  # design's JSON result, shown section by section
    head: str  # the tables rows index, as JSON safe inside <script>
    data: tuple[str, ...]  # the findings' and images' blocks (``embed``), in order


def _cards(f: Facts) -> tuple[Card, ...]:
    shares = ", ".join(f"{c.consumer} {c.share * 100:.0f}%" for c in f.clone_shares)
    pct = sorted({f"{c.share * 100:.0f}%" for c in f.clone_shares}, key=lambda p: float(p[:-1]))
    sev: Counter[str] = Counter()
    for _, severity, count in f.findings or ():
        sev[severity] += count
    by_sev = ", ".join(f"{sev[s]} {s}" for s in _SEVERITIES if sev[s]) or "none"
    total = sum(n for _, _, n in f.findings or ())
    return (
        Card("Images", str(f.images), human_bytes(f.bytes)),
        Card("Stores", str(len(f.by_store)),
             ", ".join(f"{t.key[0]} {human_bytes(t.bytes)}" for t in f.by_store)),
        Card("Clone share", " – ".join(pct[:: max(len(pct) - 1, 1)]) or "-", shares),
        Card("Reclaimable", human_bytes(f.reclaimable_bytes), f"{len(f.reclaimable)} classes"),
        Card("Findings", "not audited" if f.findings is None else str(total), by_sev),
    )  # fmt: skip


def _size_bins(results: Results) -> list[Bar]:
    counts = [0] * len(SIZE_BINS)
    for image in results.inventory.images:
        size = image.size or 0
        counts[next(n for n, (top, _) in enumerate(SIZE_BINS) if top is None or size < top)] += 1
    return [Bar(label, c, f"{c} images") for (_, label), c in zip(SIZE_BINS, counts, strict=True)]


def _paths_chart(results: Results) -> str:
    parts = [p for p in BootPath]
    rows = [(s.consumer.name, [dict(s.by_path).get(p, 0) for p in parts])
            for s in sorted(results.paths.summaries, key=lambda s: s.consumer.name)]  # fmt: skip
    return stacked("Boot paths per consumer", rows, [p.value for p in parts])


def _charts(f: Facts, results: Results) -> tuple[Chart, ...]:
    store = [Bar(t.key[0], t.bytes, human_bytes(t.bytes)) for t in f.by_store]
    fmts: Counter[str] = Counter()
    for t in f.by_format:
        fmts[t.key[0]] += t.bytes
    fmt = [Bar(k, v, human_bytes(v)) for k, v in sorted(fmts.items())]
    rec = [Bar(c, b, human_bytes(b)) for c, b in f.reclaimable]
    return (
        Chart("bytes-store", "Bytes per store", bars("Bytes per store", store)),
        Chart("bytes-format", "Bytes per disk format", bars("Bytes per disk format", fmt)),
        Chart("reclaim", "Reclaimable bytes by class", bars("Reclaimable bytes by class", rec)),
        Chart("sizes", "Image size distribution", bars("Image sizes", _size_bins(results))),
        Chart("paths", "Boot paths per consumer", _paths_chart(results)),
    )


_UNITS: dict[str, Callable[[int], str]] = {
    "image_cache_max_size": human_bytes,
    "image_volume_cache_max_size_gb": lambda n: f"{n} GB",
    "remove_unused_original_minimum_age_seconds": lambda n: f"{n} s",
}


def _sim_chart(c: Simulation) -> Chart:
    if isinstance(c, PlacementSummary):
        return _placement_chart(c)
    label = _UNITS.get(c.option, str)
    title = f"Cache hit rate against {c.option or 'size'} ({c.model})"
    line = charts.Curve(c.points, c.target, c.smallest, label)
    return Chart(f"cache-{c.model}", secrets.scrub(title), charts.curve(secrets.scrub(title), line))


def _placement_chart(p: PlacementSummary) -> Chart:
    title = f"Monthly cost against p95 boot time ({p.events} boots, {len(p.sites)} sites)"
    return Chart("placement", secrets.scrub(title), placement_plot.svg(p.figure()))


class _Scrubbed(dict[str, str]):
    """``secrets.scrub`` of texts that repeat (stores, formats), each scrubbed once."""

    def __missing__(self, text: str) -> str:
        self[text] = secrets.scrub(text)
        return self[text]


def _findings(results: Results) -> tuple[list[str], list[list[Any]]]:
    """The rule ids, sorted, and rows ``[rank, rule, resource, message, status, origin]``,
    worst first, where rule (so the indices sort as the ids), status and origin are
    indices."""
    audit = results.audit.findings if results.audit is not None else ()
    found = [(f, 0) for f in audit] + [(f, 1) for f in results.reclaim.findings]
    rule_ids = sorted({f.rule_id for f, _ in found})
    rules = {r: n for n, r in enumerate(rule_ids)}
    scrub = secrets.scrub
    rows: list[list[Any]] = [
        [_RANKS[f.severity], rules[f.rule_id], scrub(str(f.resource)), scrub(f.message),
         _INDEX[f.status], origin] for f, origin in found
    ]  # fmt: skip
    rows.sort(key=lambda r: (-r[0], r[1], r[2], r[3]))
    return rule_ids, rows


def _image_rows(results: Results) -> tuple[list[list[Any]], list[list[Any]]]:
    """Rows ``[id, name, status, format, size, stores, paths]``, by name (paths: indices,
    one per consumer), and each row's detail ``[locations, pins]``, in the same order."""
    paths: defaultdict[str, list[int]] = defaultdict(list)
    for row in results.paths.rows():  # consumer then image order: one list per image
        paths[row.image.id].append(_INDEX[row.verdict.path])
    pins: defaultdict[str, list[str]] = defaultdict(list)
    for pin in results.reclaim.pins:
        pins[pin.image_id].append(secrets.scrub(f"{pin.spec} ({len(pin.direct)} clones)"))
    words, scrub = _Scrubbed(), secrets.scrub
    rows, details = [], []
    for i in sorted(results.inventory.images, key=lambda i: (i.name or "", i.id)):
        rows.append([scrub(i.id), scrub(i.name or ""), words[i.status], words[i.disk_format or ""],
                     i.size or 0, [words[s] for s in i.stores], paths[i.id]])  # fmt: skip
        # NOTE: a Location's URL is stripped of credentials when it is built (model.location)
        locs = [scrub(f"{loc.store or '?'} {loc.url}") for loc in i.locations]
        details.append([locs, pins[i.id]])
    return rows, details


def _gaps(results: Results) -> tuple[str, ...]:
    return tuple(secrets.scrub(f"{g.source}: {g.scope}: {g.error}") for g in results.inventory.gaps)


def page(
    results: Results,
    now: datetime.datetime,
    memo: Memo | str | None = None,
    simulation: tuple[Simulation, ...] = (),
) -> Page:
    """The view-model of the report of ``results`` made at ``now``, with the design ``memo``
    (design's result, or a Markdown memo's text), the cache simulation's hit rate curves
    (one chart per model) and the placement comparison's cost against p95 chart when given."""
    # NOTE: the image rows walk every path row once, and that walk tallies the paths'
    # summaries that facts and the charts read: walked first, the rows are decided once
    images, details = _image_rows(results)
    f = facts(results)
    consumers = tuple(s.consumer.name for s in results.paths.summaries)
    rule_ids, findings = _findings(results)
    counts = {"findings": len(findings), "images": len(images)}
    head = {**_TABLES, "rules": rule_ids, "consumers": list(consumers), "counts": counts,
            "block": BLOCK}  # fmt: skip
    data = [*embed.blocks("findings", findings, BLOCK), *embed.blocks("images", images, BLOCK)]
    return Page(
        title="imageyard report",
        generated_at=now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        snapshot_at=results.inventory.generated_at,
        cards=_cards(f),
        charts=_charts(f, results) + tuple(_sim_chart(c) for c in simulation),
        consumers=consumers,
        severities=tuple(_SEVERITIES),
        gaps=_gaps(results),
        memo=secrets.scrub(memo) if isinstance(memo, str) else None,
        design=memo if isinstance(memo, Memo) else None,
        head=embed.safe_json(head),
        data=(*data, *embed.blocks("details", details, BLOCK)),
    )
