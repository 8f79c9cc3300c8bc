"""Glance's import staging area, found the way glance-api finds it.

Concepts: interoperable import stages an image's data as a file named after the image id
(``glance-direct`` uploads, ``web-download`` and ``copy-image`` downloads); the conversion
plugin writes ``<id>.<output_format>`` and the decompression plugin ``<id>.uc`` beside it.
With ``enabled_backends`` (multi-store) the area is the reserved store
``os_glance_staging_store`` and its directory is that section's ``filesystem_store_datadir``
(glance's ``store_utils.get_dir_separator``; glance_store registers it for the reserved
store with the default ``/var/lib/glance/os_glance_staging_store``); without it (single
store) the area is ``[DEFAULT] node_staging_uri`` (``file://`` plus a path; glance's default
``file:///tmp/staging/``), as ``images.py``'s ``_unstage`` reads it. The directory is listed
like a file store's datadir, as the store ``os_glance_staging_store``; an area that is not
configured, not a ``file://`` URI or not readable here is an incomplete listing with the
cause.
"""

from __future__ import annotations

from imageyard.collect.backends import files
from imageyard.collect.backends.listing import Target, gather
from imageyard.model.config import GlanceApiConfig
from imageyard.model.objects import StoreListing

STORE = "os_glance_staging_store"
LEGACY_DEFAULT = "file:///tmp/staging/"
RESERVED_DEFAULT = f"/var/lib/glance/{STORE}"  # glance_store multi_backend.register_store_opts


def staging_dir(glance: GlanceApiConfig) -> tuple[str | None, str]:
    """The staging directory and the option naming it, or None and why there is none."""
    if glance.is_multistore:
        store = next((s for s in glance.reserved_stores if s.id == STORE), None)
        value = store.get("filesystem_store_datadir") if store is not None else None
        key = f"[{STORE}] filesystem_store_datadir"
        if value is None:
            return RESERVED_DEFAULT, f"{key} (default)"
        if not value.value.strip():
            return None, f"{key} is empty"
        return value.value.strip(), key
    uri = glance.node_staging_uri.value.strip() if glance.node_staging_uri else LEGACY_DEFAULT
    if not uri.startswith("file://"):
        return None, f"[DEFAULT] node_staging_uri {uri!r} is not a file:// URI"
    return uri.removeprefix("file://"), "[DEFAULT] node_staging_uri"


def list_staging(glance: GlanceApiConfig, limit: int) -> StoreListing:
    """The staging directory's listing (incomplete, with the cause, when it cannot be read)."""
    path, why = staging_dir(glance)
    if path is None:
        return Target(STORE, "file", "").failed(why)
    return gather(Target(STORE, "file", path), files.list_datadir(path), limit)
