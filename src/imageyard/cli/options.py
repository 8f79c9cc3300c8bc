"""Options that ``imageyard audit`` and ``imageyard design`` declare alike, and their output."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from imageyard.errors import ImageyardError

FC = TypeVar("FC", bound=Callable[..., Any] | click.Command)


def release_option(default: str) -> Callable[[FC], FC]:
    """``--release R``, the target Glance release (None: ``default``, as the help says)."""
    return click.option(
        "--release",
        default=None,
        metavar="R",
        help=f"Target Glance release: 2025.1, epoxy or 30 [default: {default}].",
    )


def output_option(what: str = "") -> Callable[[FC], FC]:
    """``-o/--output``, where to write ``what`` (``-``, the default, is stdout)."""
    where = f"Where to write {what}" if what else "Where to write"
    return click.option(
        "-o",
        "--output",
        "out",
        default="-",
        show_default=True,
        help=f"{where} ('-' for stdout).",
    )


def write_output(text: str, out: str, what: str) -> None:
    """Write ``text`` to ``out`` (``-``: stdout); a failure names ``what`` could not be written."""
    if out == "-":
        sys.stdout.write(text)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ImageyardError(f"{out}: cannot write {what} ({exc.strerror})") from None
