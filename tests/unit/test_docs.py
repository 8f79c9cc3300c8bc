"""Docs that must stay true: the README's --help blocks and the exit-code table."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from imageyard.errors import ExitCode

ROOT = Path(__file__).resolve().parents[2]


def _tool() -> object:
    spec = importlib.util.spec_from_file_location(
        "update_help", ROOT / "tools" / "update_readme_help.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_help_blocks_are_current() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "<!-- help:collect:start -->" in readme
    rendered = _tool().render(readme)  # type: ignore[attr-defined]
    assert rendered == readme, (
        "README --help is stale: run .venv/bin/python tools/update_readme_help.py"
    )


def test_every_exit_code_is_documented() -> None:
    for doc in (ROOT / "README.md", ROOT / "docs" / "exit-codes.md"):
        text = doc.read_text()
        documented = {int(m) for m in re.findall(r"^\| (\d+) \|", text, re.M)}
        assert documented == {int(c) for c in ExitCode}, doc.name
