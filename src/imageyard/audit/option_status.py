"""Whether one option as written is removed or deprecated in a target Glance release.

Concepts: ``status`` places a ``[section] key`` of glance-api.conf or
glance-image-import.conf in the generated per-release tables (``release_options``): a
store's own section (or ``[backend_defaults]``, or single-store ``[glance_store]``) is
looked up among the glance_store driver options, every other section among Glance's own.
A key that is an old name of an option (oslo.config ``deprecated_name``/``deprecated_opts``)
is deprecated while the option still accepts it and removed once it does not. The
replacement is the curated one below where upstream's reason does not name it plainly,
else the first sentence of upstream's deprecation reason (the audit rules add their own
advice for the best-known options).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from imageyard.audit import release_options as ro

_WSGI = "the WSGI server's own settings (uWSGI or mod_wsgi): Glance runs only under WSGI"
_REGISTRY = "nothing: the Glance registry service is gone"

REPLACEMENTS: dict[tuple[str, str], str] = {
    ("DEFAULT", "enable_v2_api"): "nothing: the v2 API is always on",
    ("DEFAULT", "enforce_secure_rbac"): "[oslo_policy] enforce_new_defaults and enforce_scope",
    **{("DEFAULT", k): _REGISTRY for k in ("registry_host", "registry_port")},
    **{
        ("DEFAULT", k): _WSGI
        for k in (
            "bind_host",
            "bind_port",
            "backlog",
            "workers",
            "tcp_keepidle",
            "client_socket_timeout",
            "http_keepalive",
            "max_header_line",
        )
    },
}

_FILES = {"glance-api": "glance-api.conf", "glance-image-import": "glance-image-import.conf"}


@dataclass(frozen=True)
class OptionStatus:
    """A removed or deprecated option (or old name of one) in the target release."""

    state: Literal["removed", "deprecated"]
    key: ro.OptionKey  # the option as upstream names it now (or last did)
    renamed: bool  # the key written is an old name of ``key``
    major: int  # the release that removed or deprecated it
    since: str | None
    replacement: str  # advice: "use ..." or upstream's own words


def _candidates(kind: str, section: str, key: str, store_type: str | None) -> list[ro.OptionKey]:
    file = _FILES[kind]
    if store_type is not None:
        return [(f"store:{store_type}", "glance_store", key), ("store:*", "glance_store", key)]
    drivers = sorted({f.scope for f in ro.forms() if f.scope.startswith("store:")})
    if section == "backend_defaults":
        return [(d, "glance_store", key) for d in drivers if d != "store:*"]
    own = [(file, section, key)]
    if section == "glance_store" and file == "glance-api.conf":
        own += [(d, "glance_store", key) for d in drivers if d != "store:*"]
    return own


@cache
def _aliases() -> dict[tuple[str, str, str], list[ro.OptionForm]]:
    """(scope, group, old name) -> the forms that accept that old name."""
    out: dict[tuple[str, str, str], list[ro.OptionForm]] = {}
    for form in ro.forms():
        for group, name in form.aliases:
            out.setdefault((form.scope, group, name), []).append(form)
    return out


def _replacement(key: ro.OptionKey, reason: str | None) -> str:
    """What to do instead: ``use ...`` (curated), else upstream's own first sentence."""
    curated = REPLACEMENTS.get((key[1], key[2]))
    if curated is not None:
        return f"use {curated}"
    if not reason:
        return "upstream names no replacement"
    sentence = " ".join(reason.split()).split(". ")[0].rstrip(".")
    return f"upstream: {sentence}"


def _direct(major: int, key: ro.OptionKey) -> OptionStatus | None:
    cycle = ro.lifecycle(*key)
    if cycle is None:
        return None
    if cycle.removed_at(major):
        assert cycle.removed is not None
        why = _replacement(key, cycle.reason)
        return OptionStatus("removed", key, False, cycle.removed, cycle.since, why)
    form = ro.form_at(major, *key)
    since = cycle.deprecated_since(major)
    if form is None or since is None:
        return None
    why = _replacement(key, form.reason)
    return OptionStatus("deprecated", key, False, since, form.since, why)


def _renamed(major: int, old: ro.OptionKey) -> OptionStatus | None:
    forms = _aliases().get(old, [])
    if not forms:
        return None
    target = forms[-1]
    now = f"use {target.name}, its current name"
    if any(major in f.releases for f in forms):
        return OptionStatus("deprecated", target.key, True, min(forms[0].releases), None, now)
    last = max(m for f in forms for m in f.releases)
    if major > last:
        later = [r.major for r in ro.table_releases() if r.major > last]
        return OptionStatus("removed", target.key, True, later[0], None, now)
    return None


def status(
    major: int, kind: str, section: str, key: str, store_type: str | None = None
) -> OptionStatus | None:
    """The option's state in Glance ``major``; None when current (or unknown to the tables).

    ``kind`` is the config file kind (``glance-api`` or ``glance-image-import``);
    ``store_type`` the driver when ``section`` is a store's own section.
    """
    if kind not in _FILES or not ro.covers(major):
        return None
    candidates = _candidates(kind, section, key, store_type)
    for candidate in candidates:
        if ro.exists(major, *candidate):
            return _direct(major, candidate)  # deprecated, or current
    for candidate in candidates:
        found = _direct(major, candidate) or _renamed(major, candidate)
        if found is not None:
            return found
    return None
