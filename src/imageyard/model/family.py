"""Image families: the images that are versions of one another.

Concepts: a family is the images with the same ``os_distro`` and ``os_version`` when both
are set, else the same name stem: the name without a trailing build stamp (a date such as
``20240101`` or ``2024-01-01``, a number of six digits or more, or ``-vN``/``-rN``/``-buildN``).
Retention keeps the newest of each family; the hidden-image rule asks whether a family is
still visible to users.
"""

from __future__ import annotations

import re

from imageyard.model.image import Image

_STAMP = re.compile(
    r"[-_. ](\d{8}(?:\d{4,6})?|\d{4}-\d{2}-\d{2}|\d{6,}|v\d+|r\d+|build\d+)$", re.IGNORECASE
)


def family_of(image: Image) -> str:
    """``distro:version`` when both properties are set, else the name stem."""
    distro, version = image.get_property("os_distro"), image.get_property("os_version")
    if distro and version:
        return f"{distro}:{version}"
    name = (image.name or image.id).strip()
    while (match := _STAMP.search(name)) is not None and match.start() > 0:
        name = name[: match.start()]
    return name
