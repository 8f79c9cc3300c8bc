"""Gold outputs of the example designs: what each renderer prints, file by file.

Run ``.venv/bin/python tests/unit/design/gold.py`` to rewrite them after an intended change;
``test_design_gold.py`` fails on any difference.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from design_support import EXAMPLE_NAMES, GOLD, RENDERS, example

from imageyard.design import json_out, memo
from imageyard.design.render import renderer


def outputs(name: str) -> dict[str, str]:
    """file name -> text, for one example."""
    run = example(name)
    out = {
        "memo.md": memo.render(run.design, run.diffs),
        "design.json": json_out.render(run.design, run.diffs),
    }
    for render in RENDERS:
        out[f"render-{render}.txt"] = renderer(render)(run.design, run.diffs)
    return out


def main() -> None:
    for name in EXAMPLE_NAMES:
        folder = GOLD / name
        folder.mkdir(parents=True, exist_ok=True)
        for fname, text in outputs(name).items():
            (folder / fname).write_text(text, encoding="utf-8")
    print(f"wrote {GOLD}")


if __name__ == "__main__":
    main()
