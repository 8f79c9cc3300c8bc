"""Prometheus text exposition of a snapshot's figures, for node-exporter's textfile collector.

Concepts: every family is a gauge named ``imageyard_<what>_<unit>`` with base units
(bytes, seconds, a ratio), labels from a small fixed vocabulary (store, disk format,
visibility, consumer, rule, severity, class, source) and never an image id or name, so a
catalog of any size gives the same few series. ``render(facts)`` prints the families in a
fixed order, each with ``# HELP`` and ``# TYPE`` once, series sorted by label.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from imageyard.reclaim.context import parse_time
from imageyard.report.facts import Facts
from imageyard.report.results import Results

Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Family:
    """One metric family: name, help text and its series."""

    name: str
    help: str
    series: tuple[tuple[Labels, float], ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _value(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _series(name: str, labels: Labels, value: float) -> str:
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
    return f"{name}{{{inner}}} {_value(value)}" if inner else f"{name} {_value(value)}"


def _lines(family: Family) -> Iterator[str]:
    yield f"# HELP {family.name} {family.help}"
    yield f"# TYPE {family.name} gauge"
    for labels, value in sorted(family.series):
        yield _series(family.name, labels, value)


def _catalog(f: Facts) -> list[Family]:
    fmt = [((("disk_format", t.key[0]), ("visibility", t.key[1])), t) for t in f.by_format]
    store = [((("store", t.key[0]),), t) for t in f.by_store]
    return [
        Family("imageyard_images", "Glance images by disk format and visibility.",
               tuple((k, float(t.images)) for k, t in fmt)),
        Family("imageyard_image_bytes", "Bytes of Glance images by disk format and visibility.",
               tuple((k, float(t.bytes)) for k, t in fmt)),
        Family("imageyard_store_images", "Glance images with data in a store.",
               tuple((k, float(t.images)) for k, t in store)),
        Family("imageyard_store_bytes", "Bytes of Glance images with data in a store.",
               tuple((k, float(t.bytes)) for k, t in store)),
    ]  # fmt: skip


def _consumers(f: Facts) -> list[Family]:
    rows = [((("consumer", c.consumer), ("kind", c.kind)), c) for c in f.clone_shares]
    return [
        Family("imageyard_consumer_bootable_images", "Active images a consumer can boot from.",
               tuple((k, float(c.bootable)) for k, c in rows)),
        Family("imageyard_consumer_clone_images", "Bootable images a consumer clones.",
               tuple((k, float(c.clones)) for k, c in rows)),
        Family("imageyard_consumer_clone_ratio", "Share of bootable images a consumer clones.",
               tuple((k, c.share) for k, c in rows)),
    ]  # fmt: skip


def _findings(f: Facts) -> list[Family]:
    if f.findings is None:
        return []
    series = tuple(((("rule", r), ("severity", s)), float(n)) for r, s, n in f.findings)
    return [Family("imageyard_findings", "Unmuted audit and reclaim findings.", series)]


def _reclaim(f: Facts) -> list[Family]:
    series = tuple(((("class", c),), float(b)) for c, b in f.reclaimable)
    return [Family("imageyard_reclaimable_bytes", "Bytes reclaim would free, per class.", series)]


def _sources(f: Facts) -> list[Family]:
    rows = [((("source", s.source),), s) for s in f.sources]
    return [
        Family("imageyard_collection_duration_seconds", "Seconds a source took to collect.",
               tuple((k, s.seconds) for k, s in rows)),
        Family("imageyard_collection_complete", "1 when a source collected everything, else 0.",
               tuple((k, float(s.complete)) for k, s in rows)),
        Family("imageyard_collection_items", "Records a source collected.",
               tuple((k, float(s.items)) for k, s in rows)),
        Family("imageyard_collection_gaps", "Gaps (what a source could not read).",
               tuple((k, float(s.gaps)) for k, s in rows)),
    ]  # fmt: skip


def _snapshot(f: Facts) -> list[Family]:
    when = parse_time(f.generated_at)
    if when is None:
        return []
    stamp = (((), float(int(when.timestamp()))),)
    return [
        Family("imageyard_snapshot_timestamp_seconds", "When the snapshot was collected.", stamp)
    ]


def families(f: Facts) -> list[Family]:
    """Every family, in print order."""
    return _catalog(f) + _consumers(f) + _findings(f) + _reclaim(f) + _sources(f) + _snapshot(f)


def render(f: Facts) -> str:
    """The exposition text (ends with a newline)."""
    return "".join(line + "\n" for family in families(f) for line in _lines(family))


def render_results(results: Results) -> str:
    """``render`` of the results' figures."""
    from imageyard.report.facts import facts

    return render(facts(results))
