"""Progress on stderr (nothing when stderr is not a TTY): one bar per source for ``collect``,
one transient line per step for the offline commands.

rich is imported only when something may be drawn: an offline command whose stderr is not
a terminal (a pipe, a file, cron) or that runs with ``-q`` does not load it.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import TYPE_CHECKING

from imageyard.model.gap import SourceStatus
from imageyard.terminal import one_line

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

# NOTE: the variables with which rich may treat a stream that is not a TTY as a terminal
_FORCING = ("FORCE_COLOR", "TTY_COMPATIBLE")


class RichProgress:
    """Implements the collectors' Progress protocol with rich bars on stderr."""

    def __init__(self, console: Console | None = None) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._console = console or stderr_console()
        self._bars = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            console=self._console,
            transient=False,
            disable=self._console is None or not self._console.is_terminal,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self._bars.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bars.stop()

    def start(self, source: str, total: int | None = None) -> None:
        self._tasks[source] = self._bars.add_task(source, total=total, note="")

    def advance(self, source: str, amount: int = 1) -> None:
        if source in self._tasks:
            self._bars.advance(self._tasks[source], amount)

    def done(self, source: str, status: SourceStatus) -> None:
        task = self._tasks.get(source)
        if task is None:
            return
        note = "complete" if status.complete else "[red]incomplete[/]"
        self._bars.update(task, total=status.items or 1, completed=status.items or 1, note=note)


def stderr_console() -> Console | None:
    """The console progress draws on (tests replace it with a forced terminal); None when
    rich would surely not draw on stderr: it is not a TTY and nothing in the environment
    forces a terminal."""
    if not _tty(sys.stderr) and not any(name in os.environ for name in _FORCING):
        return None
    from rich.console import Console

    return Console(stderr=True)


def _tty(stream: object) -> bool:
    """What rich asks a console's file: ``isatty()`` (False without one, or once closed)."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except ValueError:
        return False


class TerminalSteps:
    """Implements ``imageyard.steps.Steps``: one transient line on stderr for the current step
    (a spinner, the label, a bar with a count when the total is known, the time spent).

    Nothing at all is drawn when stderr is not a terminal (a pipe, a file, cron) or with
    ``-q``; the line disappears when the command ends, so only results remain.
    """

    def __init__(self, *, quiet: bool = False, console: Console | None = None) -> None:
        self._task: TaskID | None = None
        self._console = None if quiet else console or stderr_console()
        self.shown = self._console is not None and self._console.is_terminal
        if self.shown:
            self._bars = self._line()

    def _line(self) -> Progress:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        return Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self._console,
            transient=True,
            # NOTE: stdout goes above the line only when it is this terminal too; a file or
            # a pipe gets it as is (paths writes its output while the line is shown)
            redirect_stdout=os.isatty(1),
        )

    def __enter__(self) -> TerminalSteps:
        if self.shown:
            self._bars.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.shown:
            self._bars.stop()

    def begin(self, label: str, total: int | None = None) -> None:
        if not self.shown:
            return
        from rich.markup import escape

        if self._task is not None:
            self._bars.remove_task(self._task)
        # NOTE: the label names the user's files: shown as text, never read as markup
        self._task = self._bars.add_task(escape(one_line(label)), total=total)
        self._bars.refresh()

    def advance(self, amount: int = 1) -> None:
        if self.shown and self._task is not None:
            self._bars.advance(self._task, amount)
