"""Perform a predicted path for real under a scratch name, time each step, clean up always.

The scratch RBD image is ``iyprobe-<random>`` in the consumer's pool; files go to a private
temporary directory. Both are removed when the probe ends, fails or is interrupted: SIGTERM
is turned into the same ``KeyboardInterrupt`` as SIGINT, and the removal runs in ``finally``.
Once the disk is made the probe reads what it is, the observed outcome: a clone has an RBD
parent (``pool/image@snap``), an imported disk none.
Nothing in Glance changes, except the copy-image of the copy-to-store path when
``allow_copy`` is set (the copy stays, as after a real boot).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from imageyard.audit.cow import BootPath, Consumer, Verdict
from imageyard.model.image import Image
from imageyard.model.location import RbdLocation, parse_location
from imageyard.simulate.probe import ops

DOWNLOADS = (BootPath.DOWNLOAD, BootPath.DOWNLOAD_CONVERT)


@dataclass(frozen=True)
class Step:
    """One timed step and the bytes it moved."""

    name: str
    seconds: float
    bytes: int = 0


@dataclass(frozen=True)
class ProbeTarget:
    """Where the steps run: the consumer's Ceph access and Glance's endpoint."""

    ceph_conf: str
    user: str | None
    pool: str | None
    glance_endpoint: str
    token: str | None = None
    allow_copy: bool = False
    hold_after: str | None = None


@dataclass(frozen=True)
class ProbeResult:
    """What was predicted, what was performed, the steps and what was cleaned up."""

    image: Image
    consumer: Consumer
    verdict: Verdict
    performed: bool
    steps: tuple[Step, ...]
    note: str = ""
    scratch: str = ""
    parent: str | None = None

    @property
    def total_seconds(self) -> float:
        """The disk-ready time: every step's seconds."""
        return sum(s.seconds for s in self.steps)


@dataclass
class _Scratch:
    name: str = field(default_factory=lambda: f"iyprobe-{uuid.uuid4().hex[:12]}")
    removed: bool = False
    steps: list[Step] = field(default_factory=list)
    parent: str | None = None


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def probe(image: Image, consumer: Consumer, verdict: Verdict, target: ProbeTarget) -> ProbeResult:
    """Perform ``verdict``'s path for ``image`` on ``consumer``."""
    path = verdict.path
    if path is BootPath.COPY_TO_STORE and not target.allow_copy:
        note = "copy-image would add a location to the image: pass --allow-copy-image to run it"
        return ProbeResult(image, consumer, verdict, False, (), note)
    if path not in (BootPath.CLONE, BootPath.COPY_TO_STORE, *DOWNLOADS):
        return ProbeResult(image, consumer, verdict, False, (), verdict.first_reason)
    scratch = _Scratch()
    with _sigterm_interrupts(), tempfile.TemporaryDirectory(prefix="iyprobe-") as tmp:
        _perform(image, consumer, verdict, target, scratch, Path(tmp))
    steps = tuple(scratch.steps)
    return ProbeResult(image, consumer, verdict, True, steps, "", scratch.name, scratch.parent)


def _perform(
    image: Image,
    consumer: Consumer,
    verdict: Verdict,
    target: ProbeTarget,
    scratch: _Scratch,
    tmp: Path,
) -> None:
    if verdict.path in DOWNLOADS:
        _download_path(image, consumer, verdict, target, scratch, tmp)
        return
    with _connected(scratch, target) as handle:
        url = verdict.location
        if verdict.path is BootPath.COPY_TO_STORE:
            store = verdict.store or ""
            _timed(scratch, target, "copy-image", lambda: _copy(image, store, target))
            url = _rbd_location(image, consumer, target)
        src = _source(url)
        pool = target.pool or ""
        _timed(scratch, target, "clone", lambda: _clone(handle, src, pool, scratch.name))
        scratch.parent = ops.parent(handle, pool, scratch.name)
        _held(target, "clone", f"{pool}/{scratch.name}")


def _download_path(
    image: Image,
    consumer: Consumer,
    verdict: Verdict,
    target: ProbeTarget,
    scratch: _Scratch,
    tmp: Path,
) -> None:
    data = tmp / "image"
    fetch = lambda: ops.download(target.glance_endpoint, target.token, image.id, str(data))  # noqa: E731
    _timed(scratch, target, "download", fetch)
    if verdict.path is BootPath.DOWNLOAD_CONVERT:
        raw = tmp / "image.raw"
        fmt = image.disk_format or "raw"
        _timed(scratch, target, "convert", lambda: ops.convert(str(data), fmt, str(raw)))
        data.unlink()
        data = raw
    if not consumer.rbd:
        return
    with _connected(scratch, target) as handle:
        pool, conf, user = target.pool or "", target.ceph_conf, target.user
        imp = lambda: ops.rbd_import(str(data), pool, scratch.name, conf, user)  # noqa: E731
        _timed(scratch, target, "rbd-import", imp)
        scratch.parent = ops.parent(handle, pool, scratch.name)
        _held(target, "rbd-import", f"{pool}/{scratch.name}")


def _copy(image: Image, store: str, target: ProbeTarget) -> int:
    ops.copy_image(target.glance_endpoint, target.token, image.id, store)
    return 0


def _clone(handle: Any, src: tuple[str, str, str], pool: str, name: str) -> int:
    ops.clone(handle, src, pool, name)
    return 0


def _rbd_location(image: Image, consumer: Consumer, target: ProbeTarget) -> str:
    for url in ops.image_locations(target.glance_endpoint, target.token, image.id):
        parsed = parse_location(url)
        if isinstance(parsed, RbdLocation) and parsed.fsid == consumer.fsid:
            return url
    raise ops.ProbeError(f"after copy-image, image {image.id} has no location in the cluster")


def _source(url: str | None) -> tuple[str, str, str]:
    parsed = parse_location(url or "")
    if not isinstance(parsed, RbdLocation) or not parsed.cloneable_form:
        raise ops.ProbeError(f"not a cloneable rbd location: {url}")
    return parsed.pool, parsed.image, parsed.snapshot


def _timed(scratch: _Scratch, target: ProbeTarget, name: str, step: Callable[[], int]) -> None:
    start = time.perf_counter()
    moved = step()
    scratch.steps.append(Step(name, time.perf_counter() - start, moved))
    if name not in ("clone", "rbd-import"):
        _held(target, name, f"{target.pool}/{scratch.name}")


def _held(target: ProbeTarget, name: str, scratch: str) -> None:
    """After step ``name``, wait while ``--hold-after`` names it (the lab tests' seam):
    SIGUSR1 resumes the probe, SIGINT or SIGTERM interrupts it."""
    if target.hold_after != name:
        return
    resumed: list[int] = []
    previous = signal.signal(signal.SIGUSR1, lambda signum, frame: resumed.append(signum))
    try:
        print(f"imageyard: holding after {name} (scratch {scratch})", file=sys.stderr, flush=True)
        while not resumed:
            time.sleep(0.05)
    finally:
        signal.signal(signal.SIGUSR1, previous)


@contextlib.contextmanager
def _connected(scratch: _Scratch, target: ProbeTarget) -> Iterator[Any]:
    """The consumer's cluster; the scratch image is removed before it is closed, always."""
    with ops.cluster(target.ceph_conf, target.user) as handle:
        try:
            yield handle
        finally:
            scratch.removed = ops.remove(handle, target.pool or "", scratch.name)
