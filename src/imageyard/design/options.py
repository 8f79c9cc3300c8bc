"""Every option name design emits must exist in the target release.

Concepts: glance-api.conf store sections (any section named in ``enabled_backends``, plus
the reserved ``os_glance_*`` stores) are checked against the glance_store driver tables of
``audit/data``; every other glance section against the option table extracted from the
installed Glance (``data/glance_options.py``); nova.conf and cinder.conf against the short
cited table in ``data/consumer_options.py``. When the per-release option table
(``audit/release_options.py``) covers the target release, glance options are checked
against that release instead. ``unknown_options`` returns what fails, so a
test (and the CLI, as a guard) can refuse to print a config with an invented option.
"""

from __future__ import annotations

from imageyard.audit import release_options
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


def _in_release(ch: Change, stores: dict[str, StorePlan], major: int) -> bool:
    """The option exists in Glance ``major`` per the per-release option table."""
    if ch.section in stores or ch.section.startswith("os_glance_"):
        kind = stores[ch.section].type if ch.section in stores else "file"
        return bool(
            release_options.exists(major, f"store:{kind}", "glance_store", ch.key)
            or release_options.exists(major, "store:*", "glance_store", ch.key)
        )
    if ch.section == "glance_store" and release_options.exists(major, ch.file, ch.section, ch.key):
        return True
    if ch.section == "glance_store":  # single-store: driver options live here
        drivers = release_options.drivers_at(major)
        return any(
            release_options.exists(major, f"store:{d}", "glance_store", ch.key) for d in drivers
        )
    return bool(release_options.exists(major, ch.file, ch.section, ch.key))


def unknown_options(
    changes: tuple[Change, ...],
    stores: tuple[StorePlan, ...],
    cinder_backends: frozenset[str] = frozenset(),
    release: int | None = None,
) -> tuple[Change, ...]:
    """The changes whose option does not exist where they would be written (in ``release``
    when the per-release table covers it, else in the installed Glance's table)."""
    by_id = {s.id: s for s in stores}
    covered = release is not None and release_options.covers(release)
    bad = []
    for ch in changes:
        if ch.value is None:
            continue  # removing an option never needs it to exist
        if ch.file in GLANCE_FILE_OPTIONS and covered and release is not None:
            ok = _in_release(ch, by_id, release)
        elif ch.file in GLANCE_FILE_OPTIONS:
            ok = _glance_ok(ch, by_id)
        else:
            ok = _consumer_ok(ch, cinder_backends)
        if not ok:
            bad.append(ch)
    return tuple(bad)


def store_option_exists(major: int, kind: str, key: str) -> bool:
    """A driver option of ``kind`` exists in Glance ``major`` (True when not covered)."""
    if not release_options.covers(major):
        return True
    return bool(
        release_options.exists(major, f"store:{kind}", "glance_store", key)
        or release_options.exists(major, "store:*", "glance_store", key)
    )
