"""Progress through the steps of an offline command (read, audit, paths, design, write).

Concepts: a ``Steps`` is told when a step begins (a label, and how many units it has when
known) and when units of it are done. The library takes one as an optional argument and
never prints; the CLI passes one that draws a transient line on stderr when stderr is a
terminal (``imageyard.cli.progress.TerminalSteps``). ``NO_STEPS`` does nothing.
"""

from __future__ import annotations

from typing import Protocol


class Steps(Protocol):
    """Receives the steps of a command, in order."""

    def begin(self, label: str, total: int | None = None) -> None:
        """A new step starts (the previous one is over)."""

    def advance(self, amount: int = 1) -> None:
        """``amount`` units of the current step are done."""


class NoSteps:
    """A ``Steps`` that shows nothing."""

    def begin(self, label: str, total: int | None = None) -> None:
        return None

    def advance(self, amount: int = 1) -> None:
        return None


NO_STEPS: Steps = NoSteps()
