"""An in-memory Glance for the apply engine, answering as Glance 33 did in the lab.

What it restates (observed against the lab's Glance and read in glance/api/v2/images.py):
copy-image answers 202 and the copy shows in ``os_glance_importing_to_stores`` first, then
in ``stores`` (here after ``copy_polls`` reads of the image), and the task's lock
``os_glance_import_task`` goes one read after that, with a last save of the image that
brings back a location deleted from a store meanwhile (seen on the lab); a copy to a store
that holds the image is 400, of a non-active image 409, and while another import runs 409
"Image has active task"; delete-from-store is 204, 403 for the last location, 404 for a
store without the image, 409 for a non-active image; ``stores`` and the ``os_glance_*``
lists are comma strings.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from imageyard.apply.glance import ImageDoc, Reader, StepError
from imageyard.model.image import Image


def _split(value: str) -> list[str]:
    return [s for s in value.split(",") if s]


def doc_of(image: Image) -> dict[str, Any]:
    """The Glance JSON of a model image."""
    return {
        "id": image.id,
        "name": image.name,
        "status": image.status,
        "disk_format": image.disk_format,
        "container_format": "bare",
        "size": image.size,
        "virtual_size": image.virtual_size,
        "os_hash_algo": "sha512",
        "os_hash_value": image.os_hash_value,
        "stores": ",".join(image.stores),
        "os_hidden": image.os_hidden,
        "visibility": image.visibility,
        "protected": image.protected,
        "tags": list(image.tags),
        "min_ram": 0,
        "min_disk": 0,
        "os_glance_importing_to_stores": "",
        "os_glance_failed_import": "",
    }


class FakeGlance:
    """``GlanceOps`` in memory; ``calls`` lists every mutating call."""

    def __init__(self, images: Iterable[Image], copy_polls: int = 1) -> None:
        self.images: dict[str, dict[str, Any]] = {i.id: doc_of(i) for i in images}
        self.data: dict[str, bytes] = {}
        self.members_of: dict[str, list[dict[str, str]]] = {}
        self.copy_polls = copy_polls
        self.pending: dict[tuple[str, str], int] = {}
        self.fail_stores: set[str] = set()
        self.calls: list[tuple[str, str, str]] = []
        self.undone: list[tuple[str, str]] = []

    def _progress(self, doc: dict[str, Any]) -> None:
        for (image_id, store), left in list(self.pending.items()):
            if image_id != doc["id"]:
                continue
            if left > 0:
                self.pending[(image_id, store)] = left - 1
                continue
            if left < 0:  # landed one read ago: the task drops its lock now
                del self.pending[(image_id, store)]
                doc.pop("os_glance_import_task", None)
                for lost in [r for r in self.undone if r[0] == image_id]:
                    self.undone.remove(lost)  # the task's last save brings the location back
                    doc["stores"] = ",".join([*_split(doc["stores"]), lost[1]])
                continue
            self.pending[(image_id, store)] = -1
            importing = [s for s in _split(doc["os_glance_importing_to_stores"]) if s != store]
            doc["os_glance_importing_to_stores"] = ",".join(importing)
            key = "os_glance_failed_import" if store in self.fail_stores else "stores"
            doc[key] = ",".join([*_split(doc[key]), store])

    def get_image(self, image_id: str) -> ImageDoc | None:
        doc = self.images.get(image_id)
        if doc is None:
            return None
        self._progress(doc)
        return dict(doc)

    def copy_image(self, image_id: str, store: str) -> None:
        doc = self.images[image_id]
        if doc["status"] != "active":
            raise StepError("HTTP 409: Only images with status active can be targeted", 409)
        if doc["os_glance_importing_to_stores"] or doc.get("os_glance_import_task"):
            raise StepError("HTTP 409: Image has active task", 409)
        if store in _split(doc["stores"]):
            raise StepError(f"HTTP 400: Image is already present at store '{store}'", 400)
        self.calls.append(("copy", image_id, store))
        doc["os_glance_importing_to_stores"] = store
        doc["os_glance_import_task"] = f"task-{image_id}-{store}"
        doc["os_glance_failed_import"] = ",".join(
            s for s in _split(doc["os_glance_failed_import"]) if s != store
        )
        self.pending[(image_id, store)] = self.copy_polls

    def delete_from_store(self, image_id: str, store: str) -> None:
        doc = self.images[image_id]
        stores = _split(doc["stores"])
        if doc["status"] != "active":
            raise StepError("HTTP 409: not active", 409)
        if store not in stores:
            raise StepError(f"HTTP 404: Image {image_id} is not stored in store {store}.", 404)
        if len(stores) == 1:
            raise StepError("HTTP 403: Cannot delete image data from the only store", 403)
        self.calls.append(("delete-from-store", image_id, store))
        if doc.get("os_glance_import_task"):
            self.undone.append((image_id, store))
        doc["stores"] = ",".join(s for s in stores if s != store)

    def patch_image(self, image_id: str, ops: list[dict[str, Any]]) -> ImageDoc:
        self.calls.append(("patch", image_id, str(ops)))
        for op in ops:
            self.images[image_id][op["path"].lstrip("/")] = op["value"]
        return dict(self.images[image_id])

    def deactivate(self, image_id: str) -> None:
        self.calls.append(("deactivate", image_id, ""))
        self.images[image_id]["status"] = "deactivated"

    def find_images(self, query: Mapping[str, str]) -> list[ImageDoc]:
        return [
            dict(d) for d in self.images.values() if all(d.get(k) == v for k, v in query.items())
        ]

    def create_image(self, fields: Mapping[str, Any]) -> ImageDoc:
        image_id = str(uuid.uuid4())
        self.calls.append(("create", image_id, str(fields.get("name"))))
        doc = {
            "os_glance_importing_to_stores": "",
            "os_glance_failed_import": "",
            "stores": "",
            "size": None,
            "os_hash_value": None,
            "os_hidden": False,
            **dict(fields),
            "id": image_id,
            "status": "queued",
        }
        self.images[image_id] = doc
        return dict(doc)

    def upload(self, image_id: str, store: str, data: Reader) -> None:
        body = b"".join(iter(lambda: data.read(65536), b""))
        assert len(body) == len(data)
        self.calls.append(("upload", image_id, store))
        doc = self.images[image_id]
        self.data[image_id] = body
        doc.update(
            status="active",
            stores=store,
            size=len(body),
            os_hash_value=hashlib.sha512(body).hexdigest(),
            os_hash_algo="sha512",
        )

    def download(self, image_id: str) -> Iterator[bytes]:
        body = self.data[image_id]
        return iter([body[i : i + 65536] for i in range(0, len(body), 65536)])

    def delete_image(self, image_id: str) -> None:
        self.calls.append(("delete-image", image_id, ""))
        self.images.pop(image_id, None)

    def members(self, image_id: str) -> list[ImageDoc]:
        return [dict(m) for m in self.members_of.get(image_id, [])]

    def add_member(self, image_id: str, member: str, status: str) -> None:
        self.members_of.setdefault(image_id, []).append({"member_id": member, "status": status})
