"""convert-to-raw: a raw copy of a non-raw image, with the same metadata, in the target store.

Concepts: the new image carries ``imageyard_converted_from=<old id>``, which makes the
action idempotent: it is done when an active raw image with that marker is in the target
store; a marked image in any other state is this action's own leftover from an interrupted
run and is deleted before trying again. The new image gets the old one's name, container
format, visibility, protection, min disk/RAM, tags, extra properties and members (members
are added before the data, so an active replacement is always complete). The source: when
the image has an rbd location in the cluster apply reaches (``--ceph-conf``), its snapshot
is checked against the image's size and ``os_hash_value`` through librbd and read in
place by ``qemu-nbd``'s rbd driver (``imageyard.apply.rbd_source``): nothing is
downloaded. Otherwise (another store, another cluster, no ``--ceph-conf``, qemu unable to
open it) the source is downloaded in 1 MiB chunks to a temporary file and checked against
its ``os_hash_value`` (qcow2 needs random access, so it cannot be read from a pipe). The
path taken is the step's note (journal and output). A step with a ``source_format``
parameter (an image labelled raw whose data the Ceph header read found to be qcow2 ...)
reads the source as that format, and its note says so. Then ``qemu-nbd`` exports the source
as raw (``imageyard.apply.nbd``) and the raw bytes stream from it into the upload, with a
Content-Length, in blocks of at most 1 MiB while their sha512 is computed: no raw file is
written. Without ``qemu-nbd``, the source is downloaded and ``qemu-img convert -O raw``
writes a sparse raw file beside it, and that is uploaded. Glance's own ``os_hash_value`` of
the new image and its size (the old image's virtual size) must match. Memory stays at a
few chunks whatever the image size; the temporary directory (``TMPDIR``) holds the
downloaded source only, and nothing when the source is read in place.

NOTE: writing the raw image straight into an RBD pool and registering it in Glance without
an upload is not possible for an operator: Glance 33's ``POST /v2/images/{id}/locations``
accepts an ``rbd://`` URL only from a user with the ``service`` role (other users only
http store URLs), and only for a ``queued`` image (``glance/api/v2/images.py``
``add_location``). So the upload path is kept; it streams.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from typing import Any

from imageyard.apply.actions import StepContext
from imageyard.apply.glance import ImageDoc, StepError, store_list
from imageyard.apply.nbd import ExportUnavailable, nbd_export
from imageyard.apply.rbd_source import check_snapshot, choose
from imageyard.model.plan import Action

MARKER = "imageyard_converted_from"
CHUNK = 1 << 20
_CORE = frozenset(
    {
        "id",
        "name",
        "status",
        "visibility",
        "protected",
        "os_hidden",
        "checksum",
        "os_hash_algo",
        "os_hash_value",
        "owner",
        "size",
        "virtual_size",
        "min_ram",
        "min_disk",
        "disk_format",
        "container_format",
        "created_at",
        "updated_at",
        "tags",
        "self",
        "file",
        "schema",
        "direct_url",
        "locations",
        "stores",
    }
)


def _replacements(action: Action, ctx: StepContext) -> list[ImageDoc]:
    return ctx.glance.find_images({MARKER: action.image_id})


def _good(doc: ImageDoc, action: Action) -> bool:
    return (
        doc.get("status") == "active"
        and doc.get("disk_format") == "raw"
        and action.target in store_list(doc, "stores")
    )


def new_fields(old: ImageDoc) -> dict[str, Any]:
    """The create body of the raw replacement of ``old``."""
    fields: dict[str, Any] = {
        k: v
        for k, v in old.items()
        if k not in _CORE and not k.startswith("os_glance") and isinstance(v, str)
    }
    fields.update(
        {
            "name": old.get("name"),
            "disk_format": "raw",
            "container_format": "bare",
            "visibility": old.get("visibility", "shared"),
            "protected": bool(old.get("protected")),
            "min_ram": old.get("min_ram") or 0,
            "min_disk": old.get("min_disk") or 0,
            "tags": list(old.get("tags") or []),
            MARKER: str(old["id"]),
        }
    )
    return fields


def _download(ctx: StepContext, old: ImageDoc, path: str) -> None:
    digest = hashlib.new(str(old.get("os_hash_algo") or "sha512"))
    with open(path, "wb") as fh:
        for chunk in ctx.glance.download(str(old["id"])):
            digest.update(chunk)
            fh.write(chunk)
    want = old.get("os_hash_value")
    if want and digest.hexdigest() != want:
        raise StepError("the downloaded source does not match its os_hash_value")


def _convert(src: str, fmt: str, dest: str) -> None:
    cmd = ["qemu-img", "convert", "-q", "-f", fmt, "-O", "raw", src, dest]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise StepError(f"qemu-img convert: {exc}") from None
    if done.returncode != 0:
        raise StepError(f"qemu-img convert failed: {' '.join(done.stderr.split())[:300]}")


class HashingReader:
    """A file read once, front to back, hashing what is read; ``len()`` is its size.

    NOTE: Glance under uWSGI fails chunked uploads ("unable to receive chunked part", seen
    on the lab), so the body is sent with a Content-Length: requests takes it from
    ``__len__`` and streams ``read()`` in blocks.
    """

    def __init__(self, path: str, digest: Any) -> None:
        self._fh = open(path, "rb")  # noqa: SIM115 (closed by close())
        self._size = os.fstat(self._fh.fileno()).st_size
        self.digest = digest

    def __len__(self) -> int:
        return self._size

    def read(self, size: int = -1) -> bytes:
        chunk = self._fh.read(min(size, CHUNK) if size and size > 0 else CHUNK)
        self.digest.update(chunk)
        return chunk

    def close(self) -> None:
        self._fh.close()


def send_raw(
    ctx: StepContext, image_id: str, store: str, source: tuple[str, str], digest: Any
) -> int:
    """Upload the raw bytes of ``source`` (path, format) as ``image_id``'s data; its size.

    Through ``qemu-nbd`` when it is installed (no raw file), else through a raw file
    written by ``qemu-img convert`` beside the source."""
    path, fmt = source
    if shutil.which("qemu-nbd"):
        with nbd_export(path, fmt, digest) as stream:
            ctx.glance.upload(image_id, store, stream)
            return len(stream)
    raw = path + ".raw"
    _convert(path, fmt, raw)
    reader = HashingReader(raw, digest)
    try:
        ctx.glance.upload(image_id, store, reader)
    finally:
        reader.close()
    return len(reader)


def _in_place(ctx: StepContext, old: ImageDoc) -> tuple[str | None, str]:
    """qemu's name of the source read in place and its URL, or None and why not."""
    if not shutil.which("qemu-nbd"):
        return None, "no qemu-nbd"
    where, loc = choose(old, ctx.ceph)
    if loc is None or ctx.ceph is None:
        return None, where
    try:
        size, digest = ctx.ceph.snapshot_digest(loc, str(old.get("os_hash_algo") or "sha512"))
    except StepError as exc:
        return None, f"cannot read {where}: {exc}"
    check_snapshot(old, size, digest)
    return ctx.ceph.qemu_source(loc), where


def send_source(
    ctx: StepContext, old: ImageDoc, target: tuple[str, str], digest: Any, fmt: str = ""
) -> tuple[int, str]:
    """Upload the raw bytes of ``old`` (read as ``fmt``, else as its ``disk_format``) as
    image ``target[0]`` into store ``target[1]``: the size sent and how the source was read
    (in place, or downloaded and why)."""
    fmt = fmt or str(old["disk_format"])
    source, where = _in_place(ctx, old)
    if source is not None:
        try:
            with nbd_export(source, fmt, digest) as stream:
                ctx.glance.upload(*target, stream)
                return len(stream), f"source read in place from {where}"
        except ExportUnavailable as exc:
            where = str(exc)
    with tempfile.TemporaryDirectory(prefix="imageyard-convert-") as tmp:
        src = os.path.join(tmp, "source")
        _download(ctx, old, src)
        return send_raw(ctx, *target, (src, fmt), digest), f"source downloaded ({where})"


class ConvertToRaw:
    """Make the raw replacement of a non-raw image in the target store."""

    def is_done(self, action: Action, live: ImageDoc, ctx: StepContext) -> bool:
        return any(_good(doc, action) for doc in _replacements(action, ctx))

    def _clean(self, action: Action, ctx: StepContext) -> None:
        for doc in _replacements(action, ctx):
            if not _good(doc, action):
                if doc.get("protected"):
                    ctx.glance.patch_image(
                        str(doc["id"]), [{"op": "replace", "path": "/protected", "value": False}]
                    )
                ctx.glance.delete_image(str(doc["id"]))

    def run(self, action: Action, live: ImageDoc, ctx: StepContext) -> str:
        self._clean(action, ctx)
        new = ctx.glance.create_image(new_fields(live))
        for member in ctx.glance.members(str(live["id"])):
            ctx.glance.add_member(str(new["id"]), member["member_id"], member["status"])
        digest = hashlib.sha512()
        fmt = action.param("source_format") or ""
        size, how = send_source(ctx, live, (str(new["id"]), action.target), digest, fmt)
        done = ctx.glance.get_image(str(new["id"])) or {}
        if done.get("size") != size or done.get("os_hash_value") != digest.hexdigest():
            raise StepError("the raw image's size or hash in Glance differs from what was sent")
        if not _good(done, action):
            raise StepError(f"the raw image {new['id']} is not active in {action.target}")
        if fmt and fmt != live.get("disk_format"):
            how += f"; read as {fmt}, not as its label {live.get('disk_format')}"
        return how
