"""What changed between two snapshots: images, bytes per store, findings, clone share, reclaim.

Concepts: ``drift(old, new)`` compares two ``Results``. An image is *added* or *removed* by
id, *moved* when it is in both with a different set of stores (the stores it left and
the ones it joined), and *changed* when it is in both with a different disk format,
status, visibility or hidden flag (each such field, old and new: a converted image's
original hidden, a deactivated one). A finding (audit or reclaim, unmuted) is keyed by
rule and resource: *new* when only the new snapshot has it, *fixed* when only the old one
did. Bytes per store, clone share per consumer and reclaimable bytes are the figures of
``facts`` side by side. ``document`` is the JSON form; table and Markdown read the same document.
"""

from __future__ import annotations

from typing import Any

from imageyard.model.finding import Finding, Status
from imageyard.model.image import Image
from imageyard.report.facts import Facts, Tally, facts
from imageyard.report.results import Results

DIFF_SCHEMA = "imageyard-diff/1"


def _fails(results: Results) -> dict[tuple[str, str], Finding]:
    audit = results.audit.findings if results.audit is not None else ()
    found = audit + results.reclaim.findings
    return {(f.rule_id, str(f.resource)): f for f in found if f.status is Status.FAIL}


def _finding(f: Finding) -> dict[str, str]:
    return {"rule_id": f.rule_id, "resource": str(f.resource), "severity": f.severity.value,
            "message": f.message}  # fmt: skip


def _images(old: Results, new: Results) -> dict[str, list[dict[str, Any]]]:
    before = {i.id: i for i in old.inventory.images}
    after = {i.id: i for i in new.inventory.images}
    moved = []
    for image_id in sorted(before.keys() & after.keys()):
        was, now = set(before[image_id].stores), set(after[image_id].stores)
        if was != now:
            moved.append({"id": image_id, "name": after[image_id].name or "",
                          "left": sorted(was - now), "joined": sorted(now - was)})  # fmt: skip

    changed = [c for i in sorted(before.keys() & after.keys())
               if (c := _field_changes(before[i], after[i])) is not None]  # fmt: skip

    def brief(ids: set[str], where: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"id": i, "name": where[i].name or "", "stores": list(where[i].stores),
                 "bytes": where[i].size or 0} for i in sorted(ids)]  # fmt: skip

    return {
        "added": brief(after.keys() - before.keys(), after),
        "removed": brief(before.keys() - after.keys(), before),
        "moved": moved,
        "changed": changed,
    }


CHANGE_FIELDS = ("disk_format", "status", "visibility", "os_hidden")


def _field_changes(was: Image, now: Image) -> dict[str, Any] | None:
    """The id, name and each of ``CHANGE_FIELDS`` that differs (old and new value)."""
    fields = {f: [getattr(was, f), getattr(now, f)] for f in CHANGE_FIELDS
              if getattr(was, f) != getattr(now, f)}  # fmt: skip
    return {"id": now.id, "name": now.name or "", "fields": fields} if fields else None


def _stores(a: Facts, b: Facts) -> list[dict[str, Any]]:
    empty = Tally((), 0, 0)
    was = {t.key[0]: t for t in a.by_store}
    now = {t.key[0]: t for t in b.by_store}
    rows = []
    for store in sorted(was.keys() | now.keys()):
        old, new = was.get(store, empty), now.get(store, empty)
        rows.append(
            {
                "store": store,
                "old_images": old.images,
                "new_images": new.images,
                "old_bytes": old.bytes,
                "new_bytes": new.bytes,
                "delta_bytes": new.bytes - old.bytes,
            }
        )
    return rows


def _clones(a: Facts, b: Facts) -> list[dict[str, Any]]:
    was = {c.consumer: c for c in a.clone_shares}
    now = {c.consumer: c for c in b.clone_shares}
    return [
        {"consumer": name,
         "old": round(was[name].share, 4) if name in was else None,
         "new": round(now[name].share, 4) if name in now else None}
        for name in sorted(was.keys() | now.keys())
    ]  # fmt: skip


def document(old: Results, new: Results) -> dict[str, Any]:
    """The drift as JSON-ready data, in a fixed order."""
    a, b = facts(old), facts(new)
    was, now = _fails(old), _fails(new)
    return {
        "schema": DIFF_SCHEMA,
        "old_generated_at": a.generated_at,
        "new_generated_at": b.generated_at,
        "images": _images(old, new),
        "stores": _stores(a, b),
        "findings": {
            "new": [_finding(now[k]) for k in sorted(now.keys() - was.keys())],
            "fixed": [_finding(was[k]) for k in sorted(was.keys() - now.keys())],
        },
        "clone_share": _clones(a, b),
        "reclaimable_bytes": {"old": a.reclaimable_bytes, "new": b.reclaimable_bytes},
    }


def changed(doc: dict[str, Any]) -> bool:
    """True when the document lists any image, finding or byte change."""
    images = doc["images"]
    moves = images["added"] or images["removed"] or images["moved"] or images["changed"]
    found = doc["findings"]["new"] or doc["findings"]["fixed"]
    return bool(moves or found or any(s["delta_bytes"] for s in doc["stores"]))
