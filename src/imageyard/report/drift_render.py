"""``imageyard diff`` output: the drift document as JSON, Markdown or a plain-text table.

Concepts: every format prints the same sections of ``drift.document`` in the same order:
images added, removed, moved and changed; bytes per store; new and fixed findings; clone share per
consumer; reclaimable bytes. Empty sections say ``none``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from imageyard.report.facts import human_bytes
from imageyard.terminal import one_line

Section = tuple[str, list[str], list[list[str]]]  # title, header, rows


def _gib(n: int) -> str:
    return human_bytes(n)


def _share(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


def _image_sections(doc: dict[str, Any]) -> Iterator[Section]:
    img = doc["images"]
    head = ["image", "name", "stores", "bytes"]
    for kind in ("added", "removed"):
        rows = [[i["id"], i["name"], ",".join(i["stores"]), str(i["bytes"])] for i in img[kind]]
        yield f"Images {kind}", head, rows
    moved = [[m["id"], m["name"], ",".join(m["left"]) or "-", ",".join(m["joined"]) or "-"]
             for m in img["moved"]]  # fmt: skip
    yield "Images moved", ["image", "name", "left", "joined"], moved
    changed = [[c["id"], c["name"], "; ".join(f"{f} {_value(old)} -> {_value(new)}"
                                               for f, (old, new) in c["fields"].items())]
               for c in img["changed"]]  # fmt: skip
    yield "Images changed", ["image", "name", "change"], changed


def _value(v: Any) -> str:
    return "-" if v is None else str(v).lower() if isinstance(v, bool) else str(v)


def sections(doc: dict[str, Any]) -> list[Section]:
    """The document's sections as rows of text."""
    out = list(_image_sections(doc))
    stores = [[s["store"], str(s["old_images"]), str(s["new_images"]), _gib(s["old_bytes"]),
               _gib(s["new_bytes"]), f"{s['delta_bytes']:+d}"] for s in doc["stores"]]  # fmt: skip
    out.append(
        (
            "Bytes per store",
            ["store", "old images", "new images", "old bytes", "new bytes", "delta bytes"],
            stores,
        )
    )
    head = ["rule", "severity", "resource"]
    for kind in ("new", "fixed"):
        rows = [[f["rule_id"], f["severity"], f["resource"]] for f in doc["findings"][kind]]
        out.append((f"Findings {kind}", head, rows))
    clones = [[c["consumer"], _share(c["old"]), _share(c["new"])] for c in doc["clone_share"]]
    out.append(("Clone share", ["consumer", "old", "new"], clones))
    rec = doc["reclaimable_bytes"]
    out.append(("Reclaimable", ["old", "new"], [[_gib(rec["old"]), _gib(rec["new"])]]))
    return out


def _md_cell(text: str) -> str:
    return one_line(text).replace("|", "\\|")


def render_markdown(doc: dict[str, Any]) -> str:
    """Markdown: a heading and a table per section."""
    lines = [f"# Drift {doc['old_generated_at']} → {doc['new_generated_at']}", ""]
    for title, head, rows in sections(doc):
        lines += [f"## {title}", ""]
        if not rows:
            lines += ["none", ""]
            continue
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
        lines.append("")
    return "\n".join(lines)


def _aligned(head: list[str], rows: list[list[str]]) -> list[str]:
    rows = [[one_line(c) for c in r] for r in rows]  # a value's newline forges no line
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in [head, *rows]]  # fmt: skip


def render_table(doc: dict[str, Any]) -> str:
    """Plain text: a title and aligned columns per section."""
    lines = [f"drift {doc['old_generated_at']} -> {doc['new_generated_at']}", ""]
    for title, head, rows in sections(doc):
        lines.append(f"{title}:")
        lines += ["  " + line for line in _aligned(head, rows)] if rows else ["  none"]
        lines.append("")
    return "\n".join(lines)


def render_json(doc: dict[str, Any]) -> str:
    """JSON (sorted keys)."""
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


FORMATS: dict[str, Callable[[dict[str, Any]], str]] = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
}
