"""Where the sample configuration trees live, and a short form of ``file:line``."""

from __future__ import annotations

from pathlib import Path

from imageyard.model.config import ConfigValue

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "configs"


def at(cv: ConfigValue | None) -> str:
    """``dir/file:line`` relative to the fixtures root (``-`` when unset)."""
    if cv is None:
        return "-"
    return f"{Path(cv.path).relative_to(FIXTURES).as_posix()}:{cv.line}"


def val(cv: ConfigValue | None) -> str | None:
    return None if cv is None else cv.value
