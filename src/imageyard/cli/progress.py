"""A rich progress display on stderr, one bar per source (nothing when stderr is not a TTY)."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from imageyard.model.gap import SourceStatus


class RichProgress:
    """Implements the collectors' Progress protocol with rich bars on stderr."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console or Console(stderr=True)
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
