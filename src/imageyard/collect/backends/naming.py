"""Which names in a store's backend are Glance's own.

Concepts: glance_store names what it writes after the image id, a UUID: the file store
writes ``<datadir>/<image_id>`` (``filesystem.py``), the S3 store the key ``<image_id>``
(``s3.py``), the Swift store the object ``<image_id>``, or, for an image above
``swift_store_large_object_size``, a manifest ``<image_id>`` plus segments
``<image_id>-00001``, ``-00002``... (``swift/store.py``, ``"%s-%05d"``). Anything else in
the same directory, container or bucket belongs to someone else: it is *foreign*.
"""

from __future__ import annotations

import re

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_IMAGE = re.compile(_UUID)
_SWIFT = re.compile(rf"{_UUID}(-[0-9]{{5,}})?")


def is_glance_name(kind: str, name: str) -> bool:
    """True when ``name`` is shaped like what glance_store writes into a ``kind`` store."""
    pattern = _SWIFT if kind == "swift" else _IMAGE
    return pattern.fullmatch(name) is not None


def image_id_of(kind: str, name: str) -> str | None:
    """The image id a Glance-shaped name belongs to (a segment's manifest id), else None."""
    if not is_glance_name(kind, name):
        return None
    return name[:36].lower()
