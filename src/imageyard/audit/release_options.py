"""Which Glance and glance_store options exist in which release, from generated data.

Concepts: ``data/release_options.json`` is written by ``tools/gen_release_options.py`` from
the upstream sources of the final glance and glance_store release of each series (Ussuri,
the baseline, to 2026.2). Each entry is one *form* of an option (its type, default and
deprecation) with the Glance majors that ship it. A *scope* is where the option is
written: ``glance-api.conf`` or ``glance-image-import.conf`` (with its group), or
``store:<driver>`` for a glance_store driver option, which multi-store registers in every
store's own section (and single-store in ``[glance_store]``); ``store:*`` holds the options
every store section has (``store_description``, ``weight``).

From the forms this module derives, per option, the release that added, deprecated and
removed it and each default change (``lifecycle``), and per release what changed
(``changes``). A major older than the table's first release is *not covered*: lookups say
so (None) instead of guessing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

OptionKey = tuple[str, str, str]  # (scope, group, name)


@dataclass(frozen=True)
class OptionForm:
    """One form of an option (type, default, deprecation) and the majors that ship it."""

    scope: str
    group: str
    name: str
    type: str
    default: Any
    deprecated_for_removal: bool
    reason: str | None
    since: str | None
    aliases: tuple[tuple[str, str], ...]
    releases: frozenset[int]

    @property
    def key(self) -> OptionKey:
        return (self.scope, self.group, self.name)


@dataclass(frozen=True)
class TableRelease:
    """One release row: Glance major, series, versions the options came from, API versions."""

    major: int
    series: str
    name: str
    glance: str
    glance_store: str
    api_current: tuple[str, ...]


@dataclass(frozen=True)
class Lifecycle:
    """When one option was added, deprecated for removal and removed; its default changes."""

    key: OptionKey
    added: int | None  # None: present since the table's first release
    deprecated: int | None  # the first release that deprecated it for removal
    removed: int | None
    since: str | None  # the deprecation's own "since" text (a series name)
    reason: str | None
    default_changes: tuple[tuple[int, Any, Any], ...]  # (major, old, new)
    deprecated_majors: frozenset[int] = frozenset()  # upstream may take a deprecation back

    def removed_at(self, major: int) -> bool:
        return self.removed is not None and major >= self.removed

    def deprecated_at(self, major: int) -> bool:
        return major in self.deprecated_majors

    def deprecated_since(self, major: int) -> int | None:
        """The first release of the deprecation in force at ``major``."""
        if major not in self.deprecated_majors:
            return None
        majors = [r.major for r in table_releases()]
        index = majors.index(major)
        while index > 0 and majors[index - 1] in self.deprecated_majors:
            index -= 1
        return majors[index]


@dataclass(frozen=True)
class ReleaseChanges:
    """What one release changed compared with the one before it."""

    major: int
    added: tuple[OptionKey, ...]
    deprecated: tuple[OptionKey, ...]
    removed: tuple[OptionKey, ...]
    default_changed: tuple[OptionKey, ...]


def _form(entry: dict[str, Any]) -> OptionForm:
    return OptionForm(
        scope=entry["scope"],
        group=entry["group"],
        name=entry["name"],
        type=entry["type"],
        default=entry["default"],
        deprecated_for_removal=entry["deprecated_for_removal"],
        reason=entry["reason"],
        since=entry["since"],
        aliases=tuple((g, n) for g, n in entry["aliases"]),
        releases=frozenset(entry["releases"]),
    )


@cache
def _document() -> dict[str, Any]:
    text = files("imageyard.audit.data").joinpath("release_options.json").read_text()
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def forms() -> tuple[OptionForm, ...]:
    """Every option form in the generated table."""
    return tuple(_form(e) for e in _document()["options"])


@cache
def table_releases() -> tuple[TableRelease, ...]:
    """The releases the table covers, oldest first."""
    rows = _document()["releases"]
    return tuple(
        TableRelease(
            r["major"],
            r["series"],
            r["name"],
            r["glance"],
            r["glance_store"],
            tuple(r["api_current"]),
        )
        for r in rows
    )


def first_major() -> int:
    return table_releases()[0].major


def latest_major() -> int:
    return table_releases()[-1].major


def covers(major: int) -> bool:
    """Whether the table has the options of Glance ``major``."""
    return any(r.major == major for r in table_releases())


@cache
def _by_key() -> dict[OptionKey, tuple[OptionForm, ...]]:
    out: dict[OptionKey, list[OptionForm]] = {}
    for form in forms():
        out.setdefault(form.key, []).append(form)
    return {k: tuple(sorted(v, key=lambda f: min(f.releases))) for k, v in out.items()}


def form_at(major: int, scope: str, group: str, name: str) -> OptionForm | None:
    """The option's form in Glance ``major`` (None: it does not exist there)."""
    for form in _by_key().get((scope, group, name), ()):
        if major in form.releases:
            return form
    return None


def exists(major: int, scope: str, group: str, name: str) -> bool | None:
    """Whether the option exists in ``major``; None when the table does not cover it."""
    if not covers(major):
        return None
    return form_at(major, scope, group, name) is not None


@cache
def options_at(major: int, scope: str) -> dict[str, frozenset[str]]:
    """Group -> option names of ``scope`` in Glance ``major`` (empty if not covered)."""
    out: dict[str, set[str]] = {}
    for form in forms():
        if form.scope == scope and major in form.releases:
            out.setdefault(form.group, set()).add(form.name)
    return {g: frozenset(n) for g, n in out.items()}


def drivers_at(major: int) -> frozenset[str]:
    """The glance_store driver types of Glance ``major``'s glance_store."""
    return frozenset(
        f.scope.split(":", 1)[1]
        for f in forms()
        if f.scope.startswith("store:") and f.scope != "store:*" and major in f.releases
    )


def known_keys() -> frozenset[OptionKey]:
    return frozenset(_by_key())


def _majors() -> tuple[int, ...]:
    return tuple(r.major for r in table_releases())


def _present(key: OptionKey) -> list[int]:
    return sorted({m for f in _by_key().get(key, ()) for m in f.releases})


def _removed(present: list[int]) -> int | None:
    majors = _majors()
    last = present[-1]
    return None if last == majors[-1] else majors[majors.index(last) + 1]


def _defaults(key: OptionKey) -> tuple[tuple[int, Any, Any], ...]:
    changes, previous = [], None
    for major in _present(key):
        form = form_at(major, *key)
        assert form is not None
        if previous is not None and form.default != previous.default:
            changes.append((major, previous.default, form.default))
        previous = form
    return tuple(changes)


@cache
def lifecycle(scope: str, group: str, name: str) -> Lifecycle | None:
    """The option's lifecycle across the table (None: never in the table)."""
    key = (scope, group, name)
    present = _present(key)
    if not present:
        return None
    deprecated = [m for m in present if (f := form_at(m, *key)) and f.deprecated_for_removal]
    last_form = form_at(deprecated[-1] if deprecated else present[-1], *key)
    return Lifecycle(
        key=key,
        added=None if present[0] == first_major() else present[0],
        deprecated=deprecated[0] if deprecated else None,
        removed=_removed(present),
        since=last_form.since if last_form else None,
        reason=last_form.reason if last_form else None,
        default_changes=_defaults(key),
        deprecated_majors=frozenset(deprecated),
    )


def changes(major: int) -> ReleaseChanges:
    """Options added, deprecated, removed and with a new default in Glance ``major``."""
    cycles = [c for k in sorted(known_keys()) if (c := lifecycle(*k)) is not None]
    return ReleaseChanges(
        major=major,
        added=tuple(c.key for c in cycles if c.added == major),
        deprecated=tuple(c.key for c in cycles if c.deprecated_since(major) == major),
        removed=tuple(c.key for c in cycles if c.removed == major),
        default_changed=tuple(
            c.key for c in cycles if any(m == major for m, _, _ in c.default_changes)
        ),
    )
