"""``--render ini``: the unified diff of every file, against the current files."""

from __future__ import annotations

from imageyard.design.diff import FileDiff
from imageyard.design.model import Design

TOOL = "plain INI files"


def render(design: Design, diffs: tuple[FileDiff, ...]) -> str:
    hand = "".join(f"# add by hand (not written): {m}\n" for m in design.manual)
    if not diffs:
        return "# imageyard design: no configuration changes\n" + hand
    parts = []
    for d in diffs:
        label = f" ({d.target})" if d.target and d.target != d.path else ""
        parts.append(f"# ---- {d.file}{label}\n{d.unified()}")
    return "\n".join(parts) + ("\n" + hand if hand else "")
