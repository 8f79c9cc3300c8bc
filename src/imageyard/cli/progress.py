"""Progress on stderr (nothing when stderr is not a TTY): one bar per source for ``collect``,
one transient line per step for the offline commands."""

from __future__ import annotations

import os
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from imageyard.model.gap import SourceStatus


class RichProgress:
    """Implements the collectors' Progress protocol with rich bars on stderr."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console or stderr_console()
        self._bars = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            console=self._console,
            transient=False,
            disable=not self._console.is_terminal,
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


def stderr_console() -> Console:
    """The console progress draws on (tests replace it with a forced terminal)."""
    return Console(stderr=True)


class TerminalSteps:
    """Implements ``imageyard.steps.Steps``: one transient line on stderr for the current step
    (a spinner, the label, a bar with a count when the total is known, the time spent).

    Nothing at all is drawn when stderr is not a terminal (a pipe, a file, cron) or with
    ``-q``; the line disappears when the command ends, so only results remain.
    """

    def __init__(self, *, quiet: bool = False, console: Console | None = None) -> None:
        self._console = console or stderr_console()
        self.shown = not quiet and self._console.is_terminal
        self._bars = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self._console,
            transient=True,
            disable=not self.shown,
            # NOTE: stdout goes above the line only when it is this terminal too; a file or
            # a pipe gets it as is (paths writes its output while the line is shown)
            redirect_stdout=os.isatty(1),
        )
        self._task: TaskID | None = None

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
        if self._task is not None:
            self._bars.remove_task(self._task)
        self._task = self._bars.add_task(label, total=total)
        self._bars.refresh()

    def advance(self, amount: int = 1) -> None:
        if self.shown and self._task is not None:
            self._bars.advance(self._task, amount)
