"""The Glance calls apply makes: read an image, copy it to a store, delete it from one, patch.

Concepts: ``GlanceOps`` is the seam (a fake in tests, ``HttpGlance`` for a real Glance).
Every call either returns or raises ``StepError`` with the HTTP status and Glance's own
message. The semantics restate Glance's ``glance/api/v2/images.py``: ``import_image`` with
``method: copy-image`` answers 202 and copies in the background (the image must be
``active``: 409 otherwise; an image already in a named store: 400; another import task
holding the image's lock: 409 "Image has active task"); progress shows in
``os_glance_importing_to_stores`` and failures in ``os_glance_failed_import``, both comma
lists (``glance/async_/flows/api_image_import.py``, which clears a store's failure when a
new import to it starts). ``delete_from_store`` answers 204; it refuses the last location
(403), a non-active image (409) and a store without the image (404).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from imageyard.collect.openstack.sdk import IMAGE, connect
from imageyard.errors import ImageyardError

ImageDoc = Mapping[str, Any]
PATCH = "application/openstack-images-v2.1-json-patch"


class Reader(Protocol):
    """A body to upload: ``read()`` blocks and a known length."""

    def read(self, size: int = -1) -> bytes:
        """The next block (empty at the end)."""
        ...

    def __len__(self) -> int:
        """The total size in bytes."""
        ...


class StepError(ImageyardError):
    """A Glance call that failed; ``status`` is the HTTP status when one arrived."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def store_list(doc: ImageDoc, key: str) -> tuple[str, ...]:
    """A comma-list field of an image (``stores``, ``os_glance_importing_to_stores``)."""
    value = doc.get(key) or ""
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(s.strip() for s in items if s and s.strip())


def location_urls(doc: ImageDoc) -> list[str]:
    """The image's location URLs as Glance shows them: ``locations`` then ``direct_url``,
    each once, in that order."""
    locs = doc.get("locations")
    urls = (
        [str(x.get("url", "")) for x in locs if isinstance(x, dict)]
        if isinstance(locs, list)
        else []
    )
    urls += [str(doc["direct_url"])] if doc.get("direct_url") else []
    return list(dict.fromkeys(urls))


class GlanceOps(Protocol):
    """What apply asks of Glance."""

    def get_image(self, image_id: str) -> ImageDoc | None:
        """The image (None when it does not exist)."""
        ...

    def copy_image(self, image_id: str, store: str) -> None:
        """Start Glance's copy-image import of ``image_id`` into ``store``."""
        ...

    def delete_from_store(self, image_id: str, store: str) -> None:
        """Remove the image's data and location from ``store``."""
        ...

    def patch_image(self, image_id: str, ops: list[dict[str, Any]]) -> ImageDoc:
        """Apply JSON-patch ``ops`` to the image."""
        ...

    def find_images(self, query: Mapping[str, str]) -> list[ImageDoc]:
        """Images matching ``query`` (every visibility, hidden ones too)."""
        ...

    def create_image(self, fields: Mapping[str, Any]) -> ImageDoc:
        """Create a queued image."""
        ...

    def upload(self, image_id: str, store: str, data: Reader) -> None:
        """Upload ``data`` (read to its end) as the image's data into ``store``."""
        ...

    def download(self, image_id: str) -> Iterator[bytes]:
        """The image's data in chunks."""
        ...

    def delete_image(self, image_id: str) -> None:
        """Delete an image."""
        ...

    def deactivate(self, image_id: str) -> None:
        """Deactivate an image (its data can no longer be downloaded)."""
        ...

    def members(self, image_id: str) -> list[ImageDoc]:
        """The image's members (``member_id``, ``status``); none for a non-shared image."""
        ...

    def add_member(self, image_id: str, member: str, status: str) -> None:
        """Share the image with a project (and set the member status)."""
        ...


def _message(body: bytes) -> str:
    try:
        doc = json.loads(body)
    except ValueError:
        return " ".join(body.decode("utf-8", "replace").split())[:300]
    if isinstance(doc, dict):
        for value in doc.values():
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return " ".join(value["message"].split())[:300]
    return str(doc)[:300]


class HttpGlance:
    """``GlanceOps`` over openstacksdk's image proxy (a keystoneauth adapter)."""

    def __init__(
        self,
        cloud: str | None = None,
        *,
        endpoint: str | None = None,
        token: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        if endpoint:
            root = endpoint.rstrip("/")
            auth: dict[str, Any] = {"auth_type": "none"}
            if token:
                auth = {"auth_type": "admin_token", "auth": {"token": token, "endpoint": root}}
            conn = connect(
                endpoint_overrides={IMAGE: root}, load_config=False, timeout=timeout, **auth
            )
        else:
            conn = connect(cloud, timeout=timeout)
        self._conn = conn
        self._proxy: Any = None

    def _call(self, method: str, path: str, ok: tuple[int, ...], **kw: Any) -> Any:
        try:
            if self._proxy is None:  # the first use discovers the endpoint's v2 API
                self._proxy = getattr(self._conn, IMAGE)
            resp = self._proxy.request(path, method, raise_exc=False, **kw)
        except Exception as exc:  # keystoneauth/requests failures: one line
            raise StepError(f"{method} {path}: {type(exc).__name__}: {exc}") from None
        if resp.status_code not in ok:
            raise StepError(
                f"{method} {path}: HTTP {resp.status_code}: {_message(resp.content)}",
                resp.status_code,
            )
        return resp

    def get_image(self, image_id: str) -> ImageDoc | None:
        try:
            doc: ImageDoc = self._call("GET", f"/images/{image_id}", (200,)).json()
        except StepError as exc:
            if exc.status == 404:
                return None
            raise
        return doc

    def copy_image(self, image_id: str, store: str) -> None:
        body = {
            "method": {"name": "copy-image"},
            "stores": [store],
            "all_stores_must_succeed": False,
        }
        self._call("POST", f"/images/{image_id}/import", (202,), json=body)

    def delete_from_store(self, image_id: str, store: str) -> None:
        self._call("DELETE", f"/stores/{store}/{image_id}", (204,))

    def patch_image(self, image_id: str, ops: list[dict[str, Any]]) -> ImageDoc:
        resp = self._call(
            "PATCH",
            f"/images/{image_id}",
            (200,),
            data=json.dumps(ops),
            headers={"Content-Type": PATCH},
        )
        doc: ImageDoc = resp.json()
        return doc

    def find_images(self, query: Mapping[str, str]) -> list[ImageDoc]:
        found: list[ImageDoc] = []
        for hidden in ("false", "true"):
            params = {**query, "visibility": "all", "member_status": "all", "os_hidden": hidden}
            found += self._call("GET", "/images", (200,), params=params).json()["images"]
        return found

    def create_image(self, fields: Mapping[str, Any]) -> ImageDoc:
        doc: ImageDoc = self._call("POST", "/images", (201,), json=dict(fields)).json()
        return doc

    def upload(self, image_id: str, store: str, data: Reader) -> None:
        headers = {"Content-Type": "application/octet-stream", "X-Image-Meta-Store": store}
        self._call("PUT", f"/images/{image_id}/file", (204,), data=data, headers=headers)

    def download(self, image_id: str) -> Iterator[bytes]:
        resp = self._call("GET", f"/images/{image_id}/file", (200,), stream=True)
        return iter(resp.iter_content(chunk_size=1 << 20))

    def delete_image(self, image_id: str) -> None:
        try:
            self._call("DELETE", f"/images/{image_id}", (204,))
        except StepError as exc:
            if exc.status != 404:
                raise

    def deactivate(self, image_id: str) -> None:
        self._call("POST", f"/images/{image_id}/actions/deactivate", (204,))

    def members(self, image_id: str) -> list[ImageDoc]:
        try:
            doc = self._call("GET", f"/images/{image_id}/members", (200,)).json()
        except StepError as exc:
            if exc.status in (403, 404):  # not a shared image: no members to read
                return []
            raise
        return list(doc.get("members", []))

    def add_member(self, image_id: str, member: str, status: str) -> None:
        try:
            self._call("POST", f"/images/{image_id}/members", (200,), json={"member": member})
        except StepError as exc:
            if exc.status != 409:  # already a member
                raise
        if status != "pending":
            self._call(
                "PUT", f"/images/{image_id}/members/{member}", (200,), json={"status": status}
            )
