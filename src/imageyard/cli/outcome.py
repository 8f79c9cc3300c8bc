"""What a collection run's sources say about its exit code, and its gaps in few lines.

Concepts: a source that ran (it was named in ``--sources`` or its inputs were given) but
collected nothing and is incomplete *failed*. When every source that ran failed, nothing
was collected: that is an error and no snapshot is written. When only some failed, the
snapshot is written with its gaps and the exit code is ``SOURCE_FAILED`` unless the
operator accepted a partial snapshot (``--allow-partial``). Gaps that repeat one cause
(the same unreachable endpoint behind every request) are shown once with a count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from imageyard.errors import ExitCode, ImageyardError
from imageyard.model.gap import Gap, SourceStatus
from imageyard.model.inventory import Inventory

_SKIPPED = "not collected"
_REQUEST = re.compile(r"^GET \S+: ")
_TAIL = "; this page and every later one are unknown"
MAX_CAUSE = 200


def _ran(inventory: Inventory) -> list[SourceStatus]:
    return [s for s in inventory.sources if not s.detail.startswith(_SKIPPED)]


def failed_sources(inventory: Inventory) -> list[SourceStatus]:
    """Sources that ran, are incomplete and collected nothing."""
    return [s for s in _ran(inventory) if not s.complete and s.items == 0]


def cause(gap: Gap) -> str:
    """A gap's error without the request it came from, at most ``MAX_CAUSE`` characters."""
    text = _REQUEST.sub("", gap.error).removesuffix(_TAIL)
    return text if len(text) <= MAX_CAUSE else text[: MAX_CAUSE - 1] + "…"


@dataclass(frozen=True)
class GapGroup:
    """Gaps of one source with one cause."""

    source: str
    cause: str
    scopes: tuple[str, ...]

    def line(self) -> str:
        more = f" (+{len(self.scopes) - 1} more)" if len(self.scopes) > 1 else ""
        return f"{self.source}: {self.scopes[0]}{more}: {self.cause}"


def grouped_gaps(gaps: tuple[Gap, ...]) -> Iterator[GapGroup]:
    """Gaps grouped by (source, cause), in first-seen order."""
    groups: dict[tuple[str, str], list[str]] = {}
    for gap in gaps:
        groups.setdefault((gap.source, cause(gap)), []).append(gap.scope)
    for (source, why), scopes in groups.items():
        yield GapGroup(source, why, tuple(scopes))


def _why(inventory: Inventory, source: str) -> str:
    for group in grouped_gaps(inventory.gaps):
        if group.source == source or group.source.startswith(f"{source}:"):
            return group.cause
    return "no records"


def _failures(inventory: Inventory, failed: list[SourceStatus]) -> str:
    by_cause: dict[str, list[str]] = {}
    for s in failed:
        by_cause.setdefault(_why(inventory, s.source), []).append(s.source)
    return "; ".join(f"{', '.join(names)}: {why}" for why, names in by_cause.items())


def nothing_collected(inventory: Inventory) -> ImageyardError | None:
    """The error to raise when no source that ran collected anything, else None."""
    ran = _ran(inventory)
    failed = failed_sources(inventory)
    if not ran or len(failed) < len(ran):
        return None
    return ImageyardError(
        f"nothing was collected ({_failures(inventory, failed)}); no snapshot written",
        tip="check the paths, endpoints and credentials named above",
    )


def partial_exit(inventory: Inventory, allow_partial: bool) -> tuple[int, str | None]:
    """The exit code of a run whose snapshot was written, and the error line if any."""
    failed = failed_sources(inventory)
    if not failed or allow_partial:
        return int(ExitCode.OK), None
    names = ", ".join(s.source for s in failed)
    return int(ExitCode.SOURCE_FAILED), (
        f"requested source(s) {names} collected nothing ({_failures(inventory, failed)}); "
        "the snapshot was written with the gaps (--allow-partial accepts this)"
    )
