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
what the process's end frees anyway. A command there may also ``hold`` what it made (the
inventory, the result) until the process ends, which then ends without freeing it one object
at a time (``leave``): the operating system takes the memory back at once.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
import threading
from collections.abc import Iterator
from typing import NoReturn

# NOTE: the collector's state is process-wide, so is this: the freeze count at the entry of
# each open ``paused`` block, outermost first.
_open: list[int] = []
_whole_process = False  # set by the console script (``for_the_process``)
_held: list[object] = []  # what the console script's command ``hold``s until the process ends


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


def hold(*objects: object) -> None:
    """In the console script (``for_the_process``), keep ``objects`` alive until the process
    ends, so that returning from the command does not free them object by object (at
    100,000 images an inventory and an audit result are some three million objects, a
    seventh of a second); elsewhere (a test suite running many commands) nothing."""
    if _whole_process:
        _held.extend(objects)


def _flushed() -> bool:
    """stdout and stderr flushed (False when one cannot be)."""
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return False
    return True


def leave(code: int) -> NoReturn:
    """End the process (the console script, its command done) with exit code ``code``.

    Every object still tracked is first put out of the collector's reach (``gc.freeze``),
    so the interpreter's last collection does not traverse what the command left in
    reference cycles (an inventory keeps the verdict tables derived from it, which refer
    back to it: at 100,000 images some 1.3 million objects and two seconds). When the
    command ``hold``s what it made, the process then ends at once (``os._exit``) after
    running the exit handlers and flushing stdout and stderr, rather than freeing it all
    object by object: the operating system reclaims the memory, and every file the
    commands write is closed before they return. Otherwise (nothing held, a thread still
    running, a stream that cannot be flushed: the interpreter then reports it as usual,
    or a profiler or tracer such as cProfile or coverage that writes its data at the
    ordinary exit) it exits the ordinary way.
    """
    gc.freeze()
    watched = sys.getprofile() is not None or sys.gettrace() is not None
    if _held and threading.active_count() == 1 and not watched:
        atexit._run_exitfuncs()  # NOTE: as the ordinary exit does first; run once, then cleared
        if _flushed():
            os._exit(code)
    sys.exit(code)
