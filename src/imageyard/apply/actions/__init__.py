"""Action kinds: one module per kind, one registry (``ACTIONS``) from kind name to handler.

Concepts: a handler answers two questions against live Glance and does one thing:
``is_done`` (the action's effect is already there: resume and idempotency rest on it) and
``run`` (do it, then wait until Glance shows the effect or a failure; raises
``StepError``; it may return a note on how it was done, kept in the journal and output).
The engine decides *whether* to run (preconditions, limits, dry-run); a handler never
checks those itself. A handler whose resource is not a Glance image
(``rbd-trash-move``, ``delete-object``) also has ``observe``, giving the live state and its
fingerprint.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from imageyard.apply.ceph import RbdOps
from imageyard.apply.glance import GlanceOps, ImageDoc
from imageyard.apply.objects import ObjectOps
from imageyard.apply.rbd_source import CephSource
from imageyard.model.plan import Action


@dataclass(frozen=True)
class StepContext:
    """What a handler needs besides the action: Glance, and how to wait for it."""

    glance: GlanceOps
    rbd: RbdOps | None = None
    objects: ObjectOps | None = None
    ceph: CephSource | None = None
    poll: float = 0.5
    timeout: float = 1800.0
    sleep: Callable[[float], None] = field(default=lambda s: None, repr=False)
    clock: Callable[[], float] = field(default=lambda: 0.0, repr=False)
    wall: Callable[[], float] = field(default=time.time, repr=False)  # epoch seconds


class ActionKind(Protocol):
    """One kind of action."""

    def is_done(self, action: Action, live: ImageDoc, ctx: StepContext) -> bool:
        """True when the action's effect is already in place."""
        ...

    def run(self, action: Action, live: ImageDoc, ctx: StepContext) -> str | None:
        """Do the action and wait for Glance to show its effect; ``StepError`` otherwise.
        A note on how it was done, or None."""
        ...


def registry() -> dict[str, ActionKind]:
    """Every action kind by name (imported on first use)."""
    from imageyard.apply.actions import (
        convert,
        flatten,
        location,
        objects,
        rbd,
        replacement,
        restore,
        stores,
        trash,
    )

    return {
        "copy-image": stores.CopyImage(),
        "delete-from-store": stores.DeleteFromStore(),
        "retire-image": stores.RetireImage(),
        "convert-to-raw": convert.ConvertToRaw(),
        "copy-converted": replacement.CopyConverted(),
        "rbd-trash-move": rbd.RbdTrashMove(),
        "delete-object": objects.DeleteObject(),
        "rbd-trash-purge": trash.RbdTrashPurge(),
        "rbd-trash-restore": restore.RbdTrashRestore(),
        "rbd-flatten": flatten.RbdFlatten(),
        "delete-location": location.DeleteLocation(),
    }
