"""No cyclic garbage collection while a large object graph is built.

Concepts: building an inventory of 100,000 images (collected, or decoded from a snapshot)
makes millions of objects and no reference cycles. The cyclic collector, triggered by every
few hundred new objects, would otherwise traverse the growing heap again and again, which
costs more than the building itself. Reference counting still frees everything.
A graph that lives as long as the command (a snapshot read for show, audit or design) is
then ``kept``: moved out of the collector's generations, so the collections that the
analysis triggers later do not traverse it either.

Both are scoped: the outermost ``paused`` block (a command) thaws, on its way out, what
``keep`` froze inside it, so a long-running process (a test suite running many commands)
ends each command with the collector exactly as it found it. ``keep`` freezes nothing when
something was already frozen before the outermost block began: ``gc.unfreeze`` cannot thaw
only a part, and the block must not thaw what it did not freeze.

The console script is not such a process: its command is all it runs (``for_the_process``).
There the outermost block, on its way out, freezes everything alive instead of thawing:
otherwise the first collection after it would traverse every object the command made while
the collector was off (at 100,000 images over half a million, half a second) only to free
what the process's end frees anyway.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

# NOTE: the collector's state is process-wide, so is this: the freeze count at the entry of
# each open ``paused`` block, outermost first.
_open: list[int] = []
_whole_process = False  # set by the console script (``for_the_process``)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Cyclic GC off inside the block; restored (if it was on) afterwards, and what ``keep``
    froze inside the outermost block thawed (in the console script: everything frozen)."""
    was_enabled = gc.isenabled()
    _open.append(gc.get_freeze_count())
    gc.disable()
    try:
        yield
    finally:
        frozen_before = _open.pop()
        if not _open and _whole_process:
            gc.freeze()
        elif not _open and frozen_before == 0:
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def keep() -> None:
    """Every object alive now is left out of later cyclic collections (``gc.freeze``) until
    the outermost ``paused`` block ends; outside any block, or when objects were frozen
    before that block began, nothing is frozen.

    Reference counting still frees them; only the collector stops revisiting them.
    """
    if _open and _open[0] == 0:
        gc.freeze()


def for_the_process() -> None:
    """The process runs one command and ends (the console script): the outermost ``paused``
    block then leaves what it made out of later collections (``gc.freeze``) rather than
    thawing it; the process's end frees it (``leave``)."""
    global _whole_process  # NOTE: set once, by the console script only
    _whole_process = True


def leave() -> None:
    """At the end of a process (the console script, its command done): every object still
    tracked is put out of the collector's reach (``gc.freeze``), so the interpreter's last
    collection does not traverse what the command left in reference cycles (an inventory
    keeps the verdict tables derived from it, which refer back to it: at 100,000 images
    some 1.3 million objects and two seconds). The operating system reclaims the memory;
    every file the commands write is closed before they return."""
    gc.freeze()
