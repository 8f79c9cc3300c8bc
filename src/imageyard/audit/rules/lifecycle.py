"""Rules on removed and deprecated glance-api options, judged for the target release.

Concepts: ``OPTION_LIFECYCLE`` lists, per option (and, for the sqlite cache driver, per
value), the Glance major that deprecated it and the one that removed it. For the target
release an option is *removed* (Glance ignores it: the behaviour it asked for is gone) or
*deprecated* (it still works, for now). Options are looked up in every glance-api file read,
as written, so an option the parsed view does not model is still found.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules._common import file_unknown, is_true, option_resource
from imageyard.model.config import ConfigValue
from imageyard.model.finding import Evidence, Outcome
from imageyard.model.inventory import Inventory


@dataclass(frozen=True)
class OptionLifecycle:
    """When one glance-api option (or one value of it) was deprecated and removed."""

    section: str
    key: str
    replacement: str
    source: str
    deprecated: int | None = None
    removed: int | None = None
    value: str | None = None  # only this value is affected (None: any value)
    only_when_true: bool = False  # a BoolOpt that matters only when switched on
    replacement_since: int | None = None  # the replacement exists from this major on
    interim: str = ""  # the advice before ``replacement_since``

    def matches(self, cv: ConfigValue) -> bool:
        if cv.section != self.section or cv.key != self.key:
            return False
        if self.only_when_true:
            return is_true(cv)
        return self.value is None or cv.value.strip().lower() == self.value

    def advice(self, major: int) -> str:
        """What to do instead, as far as Glance ``major`` offers it."""
        if self.replacement_since is not None and major < self.replacement_since:
            return self.interim
        return self.replacement

    def removed_in(self, major: int) -> bool:
        return self.removed is not None and major >= self.removed

    def deprecated_in(self, major: int) -> bool:
        started = self.deprecated is not None and major >= self.deprecated
        return started and not self.removed_in(major)


_NOTES = "glance releasenotes/notes/"
OPTION_LIFECYCLE: tuple[OptionLifecycle, ...] = (
    OptionLifecycle(
        "DEFAULT",
        "location_strategy",
        "store weight in each store's section",
        _NOTES + "removed-location-strategy-functionality-b1b562e68608a6f8.yaml",
        deprecated=28,
        removed=29,
    ),
    OptionLifecycle(
        "store_type_location_strategy",
        "store_type_preference",
        "store weight in each store's section",
        _NOTES + "removed-location-strategy-functionality-b1b562e68608a6f8.yaml",
        deprecated=28,
        removed=29,
    ),
    OptionLifecycle(
        "DEFAULT",
        "cache_prefetcher_interval",
        "PUT /v2/cache/{image_id} (immediate caching)",
        _NOTES + "immediate-caching-image-e38055575c361d32.yaml",
        removed=25,
    ),
    OptionLifecycle(
        "DEFAULT",
        "image_cache_driver",
        "image_cache_driver = centralized_db",
        "glance glance/image_cache/drivers/sqlite.py",
        deprecated=28,
        value="sqlite",
    ),
    OptionLifecycle(
        "DEFAULT",
        "image_cache_sqlite_db",
        "image_cache_driver = centralized_db",
        "glance glance/image_cache/drivers/sqlite.py",
        deprecated=28,
    ),
    OptionLifecycle(
        "glance_store",
        "stores",
        "[DEFAULT] enabled_backends",
        "glance_store glance_store/backend.py",
        deprecated=17,
    ),
    OptionLifecycle(
        "glance_store",
        "default_store",
        "[glance_store] default_backend",
        "glance_store glance_store/backend.py",
        deprecated=17,
    ),
    OptionLifecycle(
        "DEFAULT",
        "show_multiple_locations",
        "keep it only on an internal glance-api for Nova, which reads locations from the "
        "image GET; Cinder 27 and later read them through the service-only locations API "
        "(Glance 29) when cinder.conf has a [glance] auth section",
        "glance api-ref/source/v2/images-images-v2.inc",
        deprecated=13,
        only_when_true=True,
        replacement_since=29,
        interim="keep it only on an internal glance-api for Nova and Cinder, which read "
        "locations from the image GET",
    ),
)


def _glance_values(inv: Inventory) -> tuple[ConfigValue, ...]:
    """The effective (last) occurrence of every option in the glance-api files."""
    last: dict[tuple[str, str, str], ConfigValue] = {}
    for f in inv.config.files:
        if f.kind == "glance-api":
            last.update(((f.path, cv.section, cv.key), cv) for cv in f.values)
    return tuple(last.values())


def _hits(inv: Inventory) -> list[tuple[OptionLifecycle, tuple[ConfigValue, ...]]]:
    """Each matching option once, with every glance-api file that sets it (in file order)."""
    grouped: dict[tuple[int, str, str], list[ConfigValue]] = {}
    for cv in _glance_values(inv):
        for index, entry in enumerate(OPTION_LIFECYCLE):
            if entry.matches(cv):
                grouped.setdefault((index, cv.section, cv.key), []).append(cv)
    return [(OPTION_LIFECYCLE[i], tuple(cvs)) for (i, _, _), cvs in grouped.items()]


def _where(values: tuple[ConfigValue, ...]) -> str:
    files = {cv.path for cv in values}
    return f" (set in {len(files)} glance-api files)" if len(files) > 1 else ""


def _what(entry: OptionLifecycle, cv: ConfigValue) -> str:
    shown = f"[{cv.section}] {cv.key}"
    return f"{shown} = {entry.value}" if entry.value is not None else shown


def _advice(entry: OptionLifecycle, major: int) -> str:
    advice = entry.advice(major)
    return advice if entry.replacement_since is not None else f"use {advice}"


@rule(
    id="removed-option",
    title="glance-api.conf sets an option the target release has removed",
    severity="medium",
    confidence="high",
    category="lifecycle",
    remediation="Delete the option and configure its replacement (named in the finding); "
    "the removed option is ignored, so the behaviour it asked for is gone.",
    links=(_NOTES + "removed-location-strategy-functionality-b1b562e68608a6f8.yaml",),
)
def removed_option(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """An option removed in or before the target release is silently ignored.

    For example location_strategy and store_type_preference were removed in Glance 29
    (replaced by store weight) and cache_prefetcher_interval in Glance 25.
    """
    if inv.config.glance_api is None:
        yield file_unknown(removed_option, inv, "glance-api")
        return
    major = ctx.release.major
    for entry, values in _hits(inv):
        if entry.removed_in(major):
            cv = values[0]
            yield removed_option.finding(
                option_resource(cv),
                f"{_what(entry, cv)}{_where(values)} was removed in Glance {entry.removed} and "
                f"is ignored by {ctx.release.name}; {_advice(entry, major)}",
                *(Evidence.from_config(v) for v in values),
                Evidence.fact(f"source: {entry.source}"),
            )


@rule(
    id="deprecated-option",
    title="glance-api.conf sets an option deprecated in the target release",
    severity="low",
    confidence="high",
    category="lifecycle",
    remediation="Move to the replacement named in the finding before the option is removed.",
    links=("glance_store glance_store/backend.py", "glance glance/image_cache/drivers/sqlite.py"),
)
def deprecated_option(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """An option (or value) deprecated in the target release still works but will go.

    For example the sqlite image cache driver (deprecated since Glance 28) and the legacy
    single-store options [glance_store] stores and default_store (deprecated since Rocky).
    """
    if inv.config.glance_api is None:
        yield file_unknown(deprecated_option, inv, "glance-api")
        return
    major = ctx.release.major
    for entry, values in _hits(inv):
        if entry.deprecated_in(major):
            cv = values[0]
            yield deprecated_option.finding(
                option_resource(cv),
                f"{_what(entry, cv)}{_where(values)} is deprecated since Glance "
                f"{entry.deprecated}; {_advice(entry, major)}",
                *(Evidence.from_config(v) for v in values),
                Evidence.fact(f"source: {entry.source}"),
            )
