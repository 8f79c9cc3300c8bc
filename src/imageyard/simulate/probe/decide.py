"""Which consumer and image a probe is about, and the path ``paths`` predicts for them."""

from __future__ import annotations

import os

from imageyard.audit.cow import Consumer, Verdict, boot_path, consumers
from imageyard.errors import UsageError
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory


def _same_path(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def find_consumer(inv: Inventory, kind: str, conf: str, backend: str | None = None) -> Consumer:
    """The snapshot's consumer read from ``conf`` (a nova.conf, or a cinder.conf's backend)."""
    mine = [c for c in consumers(inv) if c.kind.value == kind]
    found = [c for c in mine if c.config_path and _same_path(c.config_path, conf)]
    if backend is not None:
        found = [c for c in found if c.name == f"cinder:{backend}"]
    if len(found) == 1:
        return found[0]
    known = ", ".join(f"{c.name} ({c.config_path})" for c in mine) or "none"
    if not found:
        raise UsageError(f"the snapshot has no {kind} consumer read from {conf} (known: {known})")
    names = ", ".join(c.name for c in found)
    raise UsageError(f"{conf} has several {kind} consumers ({names}): name one with --backend")


def find_image(inv: Inventory, ref: str) -> Image:
    """The image with id ``ref``, else the only one named ``ref``."""
    image = inv.image(ref)
    if image is not None:
        return image
    named = [i for i in inv.images if i.name == ref]
    if len(named) == 1:
        return named[0]
    if not named:
        raise UsageError(f"no image {ref!r} in the snapshot (give its id or a unique name)")
    raise UsageError(f"{len(named)} images are named {ref!r}: give the id")


def predict(inv: Inventory, image: Image, consumer: Consumer) -> Verdict:
    """The verdict ``imageyard paths`` shows for ``image`` on ``consumer``."""
    return boot_path(image, consumer, inv)
