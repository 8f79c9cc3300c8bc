"""Every option name design emits must exist in the target release.

Concepts: glance-api.conf and glance-image-import.conf changes are checked against the
generated per-release option tables through ``audit.release_gates.has_option``: a store's
own section (any section named in ``enabled_backends``) against its driver's options, the
reserved ``os_glance_*`` stores against the filesystem set, every other section against the
options Glance and glance_store define in that release. nova.conf and cinder.conf changes
are checked against the short cited table in ``data/consumer_options.py``.
``unknown_options`` returns what fails, so a test (and the CLI, as a guard) can refuse to
print a config with an invented option, or one the target release does not have.
"""

from __future__ import annotations

from imageyard.audit.release_gates import has_option
from imageyard.audit.releases import LATEST_RELEASED
from imageyard.design.data.consumer_options import CINDER_OPTIONS, NOVA_OPTIONS
from imageyard.design.model import Change, StorePlan

API, IMPORT = "glance-api.conf", "glance-image-import.conf"
GLANCE_FILES = frozenset({API, IMPORT})


def _glance_ok(ch: Change, stores: dict[str, StorePlan], major: int) -> bool:
    store = stores.get(ch.section) if ch.file == "glance-api.conf" else None
    kind = store.type if store is not None else None
    if has_option(major, ch.file, ch.section, ch.key, kind):
        return True
    # NOTE: glance-api loads glance-image-import.conf and glance-api.conf into one config,
    # so an import option may be written (and win) in glance-api.conf.
    return ch.file == API and kind is None and has_option(major, IMPORT, ch.section, ch.key)


def _consumer_ok(ch: Change, backends: frozenset[str]) -> bool:
    if ch.file == "nova.conf":
        return (ch.section, ch.key) in NOVA_OPTIONS
    section = "<backend>" if ch.section in backends else ch.section
    return (section, ch.key) in CINDER_OPTIONS


def unknown_options(
    changes: tuple[Change, ...],
    stores: tuple[StorePlan, ...],
    cinder_backends: frozenset[str] = frozenset(),
    release: int | None = None,
) -> tuple[Change, ...]:
    """The changes whose option does not exist where they would be written in Glance
    ``release`` (None: the latest released)."""
    major = LATEST_RELEASED if release is None else release
    by_id = {s.id: s for s in stores}
    bad = []
    for ch in changes:
        if ch.value is None:
            continue  # removing an option never needs it to exist
        if ch.file in GLANCE_FILES:
            ok = _glance_ok(ch, by_id, major)
        else:
            ok = _consumer_ok(ch, cinder_backends)
        if not ok:
            bad.append(ch)
    return tuple(bad)


def store_option_exists(major: int, kind: str, key: str) -> bool:
    """A store section of driver ``kind`` can hold ``key`` in Glance ``major``."""
    return has_option(major, "glance-api.conf", "<store>", key, kind)
