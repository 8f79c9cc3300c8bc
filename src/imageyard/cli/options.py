"""Options that ``imageyard audit`` and ``imageyard design`` declare alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

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
