"""The ``imageyard`` command: a root click group that only wires library calls.

Each subcommand lives in its own module and returns an ``ExitCode``. Errors from the
library (``ImageyardError``) become one line on stderr and their exit code; anything else
is a bug and leaves a crash log.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import os
import platform
import sys
import tempfile
import traceback
import warnings
from collections.abc import Iterator, MutableMapping, Sequence
from typing import Any

import click

from imageyard import __version__, gcpause, secrets
from imageyard.errors import ExitCode, ImageyardError
from imageyard.terminal import one_line, register_stand_in

# NOTE: each subcommand's module is imported when that command is asked for (or listed
# by --help), so `imageyard show` does not import what collect or apply need (openstacksdk,
# boto3, rados ...): name -> (module under imageyard.cli, attribute).
_COMMANDS = {
    "collect": ("collect", "command"),
    "show": ("show", "command"),
    "audit": ("audit", "command"),
    "paths": ("paths", "command"),
    "design": ("design", "command"),
    "plan": ("plan", "command"),
    "apply": ("apply", "command"),
    "reclaim": ("reclaim", "command"),
    "simulate": ("simulate", "group"),
    "report": ("report", "command"),
    "diff": ("diff", "command"),
    "metrics": ("metrics", "command"),
    "probe": ("probe", "group"),
}


class _LazyGroup(click.Group):
    """A group whose subcommands (``_COMMANDS``) are imported on first use; ``commands``
    imports them all."""

    _loaded: MutableMapping[str, click.Command]

    @property
    def commands(self) -> MutableMapping[str, click.Command]:
        for name in _COMMANDS:
            self._load(name)
        return self._loaded

    @commands.setter
    def commands(self, value: MutableMapping[str, click.Command]) -> None:
        self._loaded = value

    def _load(self, name: str) -> None:
        if name in _COMMANDS and name not in self._loaded:
            module, attribute = _COMMANDS[name]
            found = getattr(importlib.import_module(f"imageyard.cli.{module}"), attribute)
            self._loaded[name] = found

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load(cmd_name)
        return self._loaded.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self._loaded, *_COMMANDS})


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="imageyard")
def cli() -> None:
    """imageyard: answers about Glance image storage, computed from the real cloud.

    Collect an inventory (configs, Glance, Ceph, Nova/Cinder usage) into one snapshot; every
    later stage reads that snapshot offline.
    """


def _crash_log(exc: BaseException, argv: Sequence[str]) -> str:
    fd, path = tempfile.mkstemp(prefix="imageyard-crash-", suffix=".log")
    report = (
        f"imageyard {__version__}\npython {sys.version}\nplatform {platform.platform()}\n"
        f"argv {list(argv)!r}\n\n" + "".join(traceback.format_exception(exc))
    )
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.scrub(report))
    return path


@contextlib.contextmanager
def _redacting(argv: Sequence[str]) -> Iterator[None]:
    """One ``Redactor`` for this run; stdout and stderr scrubbed while it lasts."""
    redactor = secrets.Redactor()
    redactor.remember_environment(os.environ)
    redactor.remember_argv(argv)
    previous = secrets.current()
    secrets.install(redactor)
    out, err = sys.stdout, sys.stderr
    sys.stdout = secrets.ScrubbingStream(out)
    sys.stderr = secrets.ScrubbingStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
        secrets.install(previous)


def _one_line(text: str) -> str:
    return one_line(" ".join(text.split()))


def _help_hint(exc: click.UsageError) -> str:
    path = exc.ctx.command_path if exc.ctx is not None else "imageyard"
    return f" (see '{path} --help')"


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code (used by ``main`` and by tests).

    Everything it prints, writes or logs passes through one ``imageyard.secrets`` policy.
    """
    args = list(argv) if argv is not None else sys.argv[1:]
    with _library_noise(quiet="-q" in args or "--quiet" in args), _redacting(args):
        return _run(args)


# Libraries whose log lines would otherwise reach stderr (Python's last-resort handler).
_LIBRARY_LOGGERS = (
    "keystoneauth",
    "keystoneauth1",
    "openstack",
    "urllib3",
    "requests",
    "stevedore",
    "botocore",
    "boto3",
    "s3transfer",
    "swiftclient",
    "oslo_config",
)


@contextlib.contextmanager
def _library_noise(*, quiet: bool) -> Iterator[None]:
    """Library log lines: errors only; with ``-q`` none at all, and no library warnings.

    imageyard reports every cause itself (gaps, one error line), so with ``-q`` any log
    record (whatever library logs it) and any Python warning is dropped for the run; the
    levels, handlers and warning filters are restored afterwards.
    """
    levels = {name: logging.getLogger(name).level for name in _LIBRARY_LOGGERS}
    disabled = logging.root.manager.disable
    for name in _LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    if quiet:
        logging.disable(logging.CRITICAL)  # every logger, whatever handlers it has
    try:
        with warnings.catch_warnings():
            if quiet:
                warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(disabled)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _run(args: list[str]) -> int:
    try:
        rv: Any = cli.main(args=args, prog_name="imageyard", standalone_mode=False)
    except ImageyardError as exc:
        click.echo(f"imageyard: error: {one_line(exc.message)}", err=True)
        if exc.tip:
            click.echo(f"imageyard: tip: {one_line(exc.tip)}", err=True)
        return int(exc.exit_code)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.UsageError as exc:
        click.echo(
            f"imageyard: error: {_one_line(exc.format_message())}{_help_hint(exc)}", err=True
        )
        return int(ExitCode.USAGE)
    except click.ClickException as exc:
        click.echo(f"imageyard: error: {_one_line(exc.format_message())}", err=True)
        return int(exc.exit_code)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("imageyard: interrupted", err=True)
        return int(ExitCode.INTERRUPTED)
    except Exception as exc:  # a bug: leave a report, print one line
        path = _crash_log(exc, args)
        click.echo(
            one_line(f"imageyard: internal error: {type(exc).__name__}: {exc} (crash log: {path})"),
            err=True,
        )
        return int(ExitCode.INTERNAL)
    return int(rv) if isinstance(rv, int) else int(ExitCode.OK)


def _escape_unencodable() -> None:
    """A character stdout's encoding cannot hold (an image name's on an ``en_US.ISO-8859-1``
    or ASCII locale, a file name's undecodable byte) is written as its escape (``\\u241b``,
    as stderr does by default) instead of ending the command half-written; a table's borders
    are drawn in ASCII instead (``terminal.register_stand_in``), so the table stays one."""
    stream = sys.stdout
    if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
        stream.reconfigure(errors=register_stand_in())


def main() -> None:
    """Console-script entry point."""
    gcpause.for_the_process()
    _escape_unencodable()
    gcpause.leave(run())
