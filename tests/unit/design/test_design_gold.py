"""The memo, JSON and every renderer match their gold files (update: gold.py)."""

from __future__ import annotations

import pytest
from design_support import EXAMPLE_NAMES, GOLD

from gold import outputs


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_gold(name: str) -> None:
    for fname, text in outputs(name).items():
        path = GOLD / name / fname
        assert path.is_file(), f"{path} missing: run .venv/bin/python tests/unit/design/gold.py"
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} differs: review, then run .venv/bin/python tests/unit/design/gold.py"
        )
