"""Common pieces of the per-file parsers: the result type and value checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from imageyard.collect.ini import IniDocument
from imageyard.model.config import (
    CephConfig,
    CinderConfig,
    ConfigValue,
    GlanceApiConfig,
    GlanceImportConfig,
    NovaConfig,
    ValueKind,
    value_problem,
)

ParsedView = GlanceApiConfig | GlanceImportConfig | NovaConfig | CinderConfig | CephConfig | None


@dataclass(frozen=True)
class Parsed:
    """A parser's view of one file plus the problems it noticed in values."""

    view: ParsedView
    warnings: tuple[str, ...] = ()


def first(doc: IniDocument, *places: tuple[str, str]) -> ConfigValue | None:
    """The value at the first ``(section, key)`` set; the current name before old ones."""
    for section, key in places:
        found = doc.get(section, key)
        if found is not None:
            return found
    return None


def problems(checks: Iterable[tuple[ConfigValue | None, ValueKind]]) -> tuple[str, ...]:
    """Sentences for every value that does not parse as its oslo type."""
    found = (value_problem(cv, kind) for cv, kind in checks)
    return tuple(p for p in found if p is not None)


def choice_problem(cv: ConfigValue | None, choices: tuple[str, ...]) -> tuple[str, ...]:
    """A sentence when ``cv`` is set to something outside ``choices``."""
    if cv is None or cv.value.strip() in choices:
        return ()
    allowed = ", ".join(choices)
    return (f"{cv.where}: [{cv.section}] {cv.key} = {cv.value!r} is not one of {allowed}",)
