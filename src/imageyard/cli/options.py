"""Options every command declares alike: the snapshot it reads, where it writes, the release.

One grammar for every command: a snapshot is given positionally or with ``--inventory``
(both accepted, not both different), results go to ``-o/--output`` (``-`` is stdout;
``--out`` is kept as a hidden alias), and ``write_output`` writes them as
``imageyard.files.write_text`` does, refusing to overwrite an input. ``HUMAN`` names the
formats written for people (control characters shown); ``echo`` writes one line to stderr
the same way.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from imageyard import gcpause
from imageyard.files import write_text
from imageyard.secrets import Scrubbed
from imageyard.terminal import one_line

F = TypeVar("F", bound=Callable[..., Any])
HUMAN = frozenset({"table", "markdown", "text", "html"})


def echo(line: str, *, err: bool = True) -> None:
    """``line`` to stderr (``err=False``: stdout), its control characters (a catalog
    value's) shown, never sent."""
    click.echo(one_line(line), err=err)


def say(line: str) -> None:
    """``echo`` to stdout: a line of a command's running account (apply's actions)."""
    echo(line, err=False)


def release_option(default: str) -> Callable[[F], F]:
    """``--release R``, the target Glance release (None: ``default``, as the help says)."""
    return click.option(
        "--release",
        default=None,
        metavar="R",
        help=f"Target Glance release: 2025.1, epoxy or 30 [default: {default}].",
    )


def _merge(name: str, first: Any, second: Any) -> Any:
    if first is not None and second is not None and first != second:
        raise click.UsageError(f"{name} given twice with different values")
    return first if first is not None else second


def output_option(what: str = "", default: str = "-") -> Callable[[F], F]:
    """``-o/--output`` (hidden alias ``--out``), passed to the command as ``out``."""
    where = f"Where to write {what}" if what else "Where to write"

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, out: str | None, out_alias: str | None, **kwargs: Any) -> Any:
            chosen = _merge("--output", out, out_alias)
            return func(*args, out=default if chosen is None else chosen, **kwargs)

        hidden = click.option("--out", "out_alias", default=None, hidden=True)(wrapper)
        return click.option(
            "-o",
            "--output",
            "out",
            default=None,
            metavar="FILE",
            help=f"{where} ('-' for stdout).  [default: {default}]",
        )(hidden)  # type: ignore[return-value]

    return decorate


def inventory_input(help_text: str) -> Callable[[F], F]:
    """``[INVENTORY]`` or ``--inventory FILE`` (either), passed as ``inventory: Path | None``.

    The command runs with the cyclic collector paused (``gcpause``): what it builds from a
    snapshot (findings, verdicts, report documents) is large and mostly acyclic, and
    reference counting frees it; what is left in cycles the console script leaves to the
    process's end (``gcpause.leave``).
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(
            *args: Any, inventory: str | None, inventory_arg: str | None, **kwargs: Any
        ) -> Any:
            chosen = _merge("the inventory", inventory_arg, inventory)
            with gcpause.paused():
                return func(*args, inventory=None if chosen is None else Path(chosen), **kwargs)

        option = click.option("--inventory", metavar="FILE", default=None, help=help_text)
        argument = click.argument("inventory_arg", metavar="[INVENTORY]", required=False)
        return argument(option(wrapper))  # type: ignore[return-value]

    return decorate


def format_option(
    choices: Iterable[str], default: str, help_text: str = "Output format.", *, envvar: bool = False
) -> Callable[[F], F]:
    """``-f/--format``, passed as ``fmt`` (``envvar``: also read from ``IMAGEYARD_FORMAT``)."""
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        envvar="IMAGEYARD_FORMAT" if envvar else None,
        help=help_text,
    )


def fail_on_option(severities: Iterable[str], default: str, what: str) -> Callable[[F], F]:
    """``--fail-on SEVERITY|none``: exit 3 when an unmuted ``what`` is that severe or worse."""
    return click.option(
        "--fail-on",
        type=click.Choice([*severities, "none"]),
        default=default,
        show_default=True,
        help=f"Exit 3 when an unmuted {what} has this severity or worse.",
    )


def mute_option(keys: str) -> Callable[[F], F]:
    """``--mute FILE``, passed as ``mute_file``; ``keys`` names what an entry holds."""
    return click.option(
        "--mute",
        "mute_file",
        type=click.Path(path_type=Path),
        help=f"YAML mute file: {keys}.",
    )


def quiet_option(what: str = "") -> Callable[[F], F]:
    """``-q/--quiet``: no ``what`` and no progress on stderr, nor library noise (errors stay)."""
    shown = f"{what} or progress" if what else "progress"
    return click.option(
        "-q",
        "--quiet",
        is_flag=True,
        help=f"No {shown} on stderr, nor library log lines or warnings.",
    )


def write_output(
    text: str | Iterable[str | Scrubbed],
    out: str,
    what: str,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    *,
    human: bool = False,
) -> None:
    """Write ``text`` (or its chunks, each a whole unit such as a report block) to ``out``
    (``-``: stdout), never over one of ``inputs``; ``human``: a format for people (a table,
    Markdown, a memo), whose control characters are shown, never sent raw."""
    write_text(text, out, what, inputs, human=human)


def rule_option_option() -> Callable[[F], F]:
    """``--rule-option RULE.KEY=VALUE``, repeatable: a rule's option for the audit rules run."""
    return click.option(
        "--rule-option",
        "rule_options",
        multiple=True,
        metavar="RULE.KEY=VALUE",
        help="Set a rule's option ('imageyard audit --list-rules' shows them), e.g. "
        "community-image-sprawl.max_age_days=90; repeatable.",
    )
