"""Rules on removed and deprecated Glance options, judged for the target release.

Concepts: whether an option is removed (Glance ignores it: the behaviour it asked for is
gone) or deprecated (it still works, for now) in the target release comes from the
per-release option tables generated from upstream (``audit.option_status``), for every
option of glance-api.conf and glance-image-import.conf, including store sections and old
option names. ``OPTION_LIFECYCLE`` adds what the tables cannot say: the advice and source
for well-known options, a deprecated *value* (the sqlite cache driver), and BoolOpts that
only matter when switched on. Options are looked up in every file read, as written, so an
option the parsed view does not model is still found.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from imageyard.audit.option_status import status
from imageyard.audit.release_options import covers, first_major
from imageyard.audit.releases import GLANCE_RELEASES
from imageyard.audit.rule import AuditContext, Rule, rule
from imageyard.audit.rules._common import file_unknown, is_true, option_resource
from imageyard.model.config import ConfigValue
from imageyard.model.finding import Evidence, Outcome, Resource, Unknown
from imageyard.model.inventory import Inventory


@dataclass(frozen=True)
class OptionLifecycle:
    """Curated advice for one option; with ``value``, a deprecation of that value only.

    ``deprecated``/``removed`` apply to value entries; for a whole option the tables say
    when it was deprecated or removed.
    """

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
    ),
    OptionLifecycle(
        "store_type_location_strategy",
        "store_type_preference",
        "store weight in each store's section",
        _NOTES + "removed-location-strategy-functionality-b1b562e68608a6f8.yaml",
    ),
    OptionLifecycle(
        "DEFAULT",
        "cache_prefetcher_interval",
        "PUT /v2/cache/{image_id} (immediate caching)",
        _NOTES + "immediate-caching-image-e38055575c361d32.yaml",
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
    ),
    OptionLifecycle(
        "glance_store",
        "stores",
        "[DEFAULT] enabled_backends",
        "glance_store glance_store/backend.py",
    ),
    OptionLifecycle(
        "glance_store",
        "default_store",
        "[glance_store] default_backend",
        "glance_store glance_store/backend.py",
    ),
    OptionLifecycle(
        "DEFAULT",
        "show_multiple_locations",
        "keep it only on an internal glance-api for Nova, which reads locations from the "
        "image GET; Cinder 27 and later read them through the service-only locations API "
        "(Glance 29) when cinder.conf has a [glance] auth section",
        "glance api-ref/source/v2/images-images-v2.inc",
        only_when_true=True,
        replacement_since=29,
        interim="keep it only on an internal glance-api for Nova and Cinder, which read "
        "locations from the image GET",
    ),
)


_CURATED_KEYS = frozenset((e.section, e.key) for e in OPTION_LIFECYCLE if e.only_when_true)


@dataclass(frozen=True)
class Hit:
    """A removed or deprecated option (or value) in the target release."""

    state: str  # removed | deprecated
    section: str
    key: str
    major: int  # the release that removed or deprecated it
    since: str | None
    advice: str
    source: str
    value: str | None = None
    renamed: bool = False


_TABLES = "the per-release option tables generated from upstream glance and glance_store"
_FILES = ("glance-api", "glance-image-import")


def _glance_values(inv: Inventory) -> tuple[tuple[str, ConfigValue], ...]:
    """The effective (last) occurrence of every option in the glance files, with the kind."""
    last: dict[tuple[str, str, str], tuple[str, ConfigValue]] = {}
    for f in inv.config.files:
        if f.kind in _FILES:
            last.update(((f.path, cv.section, cv.key), (f.kind, cv)) for cv in f.values)
    return tuple(last.values())


def _store_types(inv: Inventory) -> dict[str, str]:
    glance = inv.config.glance_api
    stores = glance.stores if glance is not None else ()
    return {s.id: s.type.strip().lower() for s in stores if s.section_found}


def _curated(cv: ConfigValue, value: bool) -> OptionLifecycle | None:
    for entry in OPTION_LIFECYCLE:
        if (entry.value is not None) == value and entry.matches(cv):
            return entry
    return None


def _value_hit(cv: ConfigValue, major: int) -> Hit | None:
    entry = _curated(cv, value=True)
    if entry is None or not (entry.removed_in(major) or entry.deprecated_in(major)):
        return None
    state = "removed" if entry.removed_in(major) else "deprecated"
    when = entry.removed if entry.removed_in(major) else entry.deprecated
    assert when is not None
    advice = _advice(entry, major)
    return Hit(state, cv.section, cv.key, when, None, advice, entry.source, value=entry.value)


def _table_hit(kind: str, cv: ConfigValue, major: int, stores: dict[str, str]) -> Hit | None:
    store_type = stores.get(cv.section) if kind == "glance-api" else None
    found = status(major, kind, cv.section, cv.key, store_type)
    if found is None:
        return None
    entry = _curated(cv, value=False)
    if entry is None and (cv.section, cv.key) in _CURATED_KEYS:
        return None  # a curated BoolOpt that is switched off
    advice = _advice(entry, major) if entry is not None else found.replacement
    source = entry.source if entry is not None else _TABLES
    return Hit(
        found.state,
        cv.section,
        cv.key,
        found.major,
        found.since,
        advice,
        source,
        renamed=found.renamed,
    )


def _hits(inv: Inventory, major: int) -> list[tuple[Hit, tuple[ConfigValue, ...]]]:
    """Each removed or deprecated option once, with every file that sets it (file order)."""
    stores = _store_types(inv)
    grouped: dict[Hit, list[ConfigValue]] = {}
    for kind, cv in _glance_values(inv):
        hit = _value_hit(cv, major) or _table_hit(kind, cv, major, stores)
        if hit is not None:
            grouped.setdefault(hit, []).append(cv)
    return [(hit, tuple(cvs)) for hit, cvs in grouped.items()]


def _where(values: tuple[ConfigValue, ...]) -> str:
    files = {cv.path for cv in values}
    return f" (set in {len(files)} glance-api files)" if len(files) > 1 else ""


def _what(hit: Hit) -> str:
    shown = f"[{hit.section}] {hit.key}"
    if hit.value is not None:
        return f"{shown} = {hit.value}"
    return f"{shown} (an old name)" if hit.renamed else shown


def _release(major: int) -> str:
    for release in GLANCE_RELEASES:
        if release.major == major:
            return f"Glance {major} ({release.name})"
    return f"Glance {major}"


def _deprecated_when(hit: Hit) -> str:
    if hit.major > first_major():
        marked = f", marked since {hit.since}" if hit.since else ""
        return f"since {_release(hit.major)}{marked}"
    return f"since {hit.since}" if hit.since else f"since {_release(hit.major)} or earlier"


def _not_covered(check: Rule, ctx: AuditContext) -> Unknown:
    return check.unknown(
        Resource("release", str(ctx.release.major)),
        f"the option tables start at Glance {first_major()}; {ctx.release} is older",
    )


def _advice(entry: OptionLifecycle, major: int) -> str:
    """The curated advice for the target release."""
    advice = entry.advice(major)
    return advice if entry.replacement_since is not None else f"use {advice}"


@rule(
    id="removed-option",
    title="A Glance config file sets an option the target release has removed",
    severity="medium",
    confidence="high",
    category="lifecycle",
    remediation="Delete the option and configure its replacement (named in the finding); "
    "the removed option is ignored, so the behaviour it asked for is gone.",
    links=(_NOTES + "removed-location-strategy-functionality-b1b562e68608a6f8.yaml",),
)
def removed_option(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """An option removed in or before the target release is silently ignored.

    For example enable_v2_api and registry_host were removed in Glance 21, location_strategy
    and store_type_preference in Glance 29 (replaced by store weight), the eventlet server
    options (bind_host, workers, ...) in Glance 33.
    """
    if inv.config.glance_api is None:
        yield file_unknown(removed_option, inv, "glance-api")
        return
    if not covers(ctx.release.major):
        yield _not_covered(removed_option, ctx)
        return
    for hit, values in _hits(inv, ctx.release.major):
        if hit.state == "removed":
            yield removed_option.finding(
                option_resource(values[0]),
                f"{_what(hit)}{_where(values)} was removed in {_release(hit.major)} and "
                f"is ignored by {ctx.release.name}; {hit.advice}",
                *(Evidence.from_config(v) for v in values),
                Evidence.fact(f"source: {hit.source}"),
            )


@rule(
    id="deprecated-option",
    title="A Glance config file sets an option deprecated in the target release",
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
    if not covers(ctx.release.major):
        yield _not_covered(deprecated_option, ctx)
        return
    for hit, values in _hits(inv, ctx.release.major):
        if hit.state == "deprecated":
            yield deprecated_option.finding(
                option_resource(values[0]),
                f"{_what(hit)}{_where(values)} is deprecated {_deprecated_when(hit)}; {hit.advice}",
                *(Evidence.from_config(v) for v in values),
                Evidence.fact(f"source: {hit.source}"),
            )
