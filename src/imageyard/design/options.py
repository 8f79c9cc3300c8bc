"""Every option name design emits must exist in the target release.

Concepts: glance-api.conf store sections (any section named in ``enabled_backends``, plus
the reserved ``os_glance_*`` stores) are checked against the glance_store driver tables of
``audit/data``; every other glance section against the option table extracted from the
installed Glance (``data/glance_options.py``); nova.conf and cinder.conf against the short
cited table in ``data/consumer_options.py``. ``unknown_options`` returns what fails, so a
test (and the CLI, as a guard) can refuse to print a config with an invented option.
"""

from __future__ import annotations

from imageyard.audit.data.glance_store_options import DRIVER_OPTIONS, MULTI_BACKEND_OPTIONS
from imageyard.design.data.consumer_options import CINDER_OPTIONS, NOVA_OPTIONS
from imageyard.design.data.glance_options import GLANCE_FILE_OPTIONS
from imageyard.design.model import Change, StorePlan

RESERVED_STORE_OPTIONS = frozenset({"filesystem_store_datadir"})
# NOTE: deprecated since Rocky, still registered by glance_store (single-store mode).
LEGACY_STORE_OPTIONS = frozenset({"stores", "default_store"})


def _store_ok(store: StorePlan, key: str) -> bool:
    return key in MULTI_BACKEND_OPTIONS or key in DRIVER_OPTIONS.get(store.type, frozenset())


def _single_store_ok(key: str) -> bool:
    """Single-store mode: the store list, its default and every driver's options."""
    return key in LEGACY_STORE_OPTIONS or any(key in keys for keys in DRIVER_OPTIONS.values())


def _glance_ok(ch: Change, stores: dict[str, StorePlan]) -> bool:
    if ch.section in stores:
        return _store_ok(stores[ch.section], ch.key)
    if ch.section.startswith("os_glance_"):
        return ch.key in RESERVED_STORE_OPTIONS
    if ch.section == "glance_store" and _single_store_ok(ch.key):
        return True
    table = GLANCE_FILE_OPTIONS[ch.file]
    return ch.key in table.get(ch.section, frozenset())


def _consumer_ok(ch: Change, backends: frozenset[str]) -> bool:
    if ch.file == "nova.conf":
        return (ch.section, ch.key) in NOVA_OPTIONS
    section = "<backend>" if ch.section in backends else ch.section
    return (section, ch.key) in CINDER_OPTIONS


def unknown_options(
    changes: tuple[Change, ...],
    stores: tuple[StorePlan, ...],
    cinder_backends: frozenset[str] = frozenset(),
) -> tuple[Change, ...]:
    """The changes whose option does not exist where they would be written."""
    by_id = {s.id: s for s in stores}
    bad = []
    for ch in changes:
        if ch.value is None:
            continue  # removing an option never needs it to exist
        if ch.file in GLANCE_FILE_OPTIONS:
            ok = _glance_ok(ch, by_id)
        else:
            ok = _consumer_ok(ch, cinder_backends)
        if not ok:
            bad.append(ch)
    return tuple(bad)
