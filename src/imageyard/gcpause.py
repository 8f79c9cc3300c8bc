"""No cyclic garbage collection while a large object graph is built.

Concepts: building an inventory of 100,000 images (collected, or decoded from a snapshot)
makes millions of objects and no reference cycles. The cyclic collector, triggered by every
few hundred new objects, would otherwise traverse the growing heap again and again, which
costs more than the building itself. Reference counting still frees everything.
A graph that lives as long as the command (a snapshot read for show, audit or design) is
then ``kept``: moved out of the collector's generations, so the collections that the
analysis triggers later do not traverse it either.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Cyclic GC off inside the block; restored (if it was on) afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def keep() -> None:
    """Every object alive now is left out of later cyclic collections (``gc.freeze``).

    Reference counting still frees them; only the collector stops revisiting them.
    """
    gc.freeze()
