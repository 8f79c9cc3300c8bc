"""Section (c), the configuration: every option to set or remove, and why.

Concepts: the store plan, the format policy and the cache plan become ``Change`` records,
one per option, per file (glance-api.conf, glance-image-import.conf, nova.conf per compute
group, cinder.conf per backend). A change equal to the current value is dropped, so a
design of an already-right cloud has an empty diff. Only options of the target release
are emitted (``options.py`` checks every name). The endpoint that gets
``show_image_direct_url`` is the internal one: the memo says to run a separate user-facing
glance-api with both show options off (OSSN-0090).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from imageyard.audit.data.glance_store_options import DRIVER_OPTIONS
from imageyard.design import gating
from imageyard.design.cachetune import CachePlan
from imageyard.design.layout import local_store
from imageyard.design.model import ApiPlan, Change, StorePlan
from imageyard.design.options import store_option_exists
from imageyard.design.placement import consumer_service, glance_service, loaded_files
from imageyard.design.site import Site
from imageyard.model.config import ConfigValue, GlanceApiConfig, as_list
from imageyard.model.inventory import Inventory

API = "glance-api.conf"
IMPORT = "glance-image-import.conf"
NOVA = "nova.conf"
CINDER = "cinder.conf"
KINDS = {API: "glance-api", IMPORT: "glance-image-import", NOVA: "nova", CINDER: "cinder"}
STANDARD_FLAVORS = ("", "keystone", "keystone+caching", "keystone+cachemanagement")
LOCATION_STRATEGY_REMOVED = 29
WEIGHT_RELEASE = 27
CACHE_API_RELEASE = 25  # v2 cache API without the cachemanage filter
CENTRAL_DB_RELEASE = 28
STORE_NAME_RISK = (
    "a boot by a non-admin user of an image not yet in this store fails "
    "(ImageNotAuthorized, no download fallback) while Glance's copy_image policy is "
    'admin-only: relax it (e.g. "copy_image": "role:admin or \'public\':%(visibility)s") '
    "or pre-place images with copy-image (section e)"
)
NEVER_DOWNLOAD_RISK = (
    "a boot of an image with no cloneable copy in this cluster fails instead of downloading: "
    "pre-place images in every site's store with copy-image (section e), or leave it False"
)


@dataclass(frozen=True)
class Context:
    """What the change builders read."""

    site: Site
    stores: tuple[StorePlan, ...]
    cache: CachePlan
    release: int
    inv: Inventory | None
    refused: bool = False  # the store layout is refused (a store type not understood)
    apis: tuple[ApiPlan, ...] = ()  # one per site (several Ceph sites); else the one API

    def api_plans(self) -> tuple[ApiPlan, ...]:
        if self.apis:
            return self.apis
        default = next((s for s in self.stores if s.is_default), None)
        weights = tuple((s.id, s.weight) for s in self.stores if s.weight is not None)
        ids = tuple(s.id for s in self.stores)
        return (ApiPlan("", default.id if default else "", ids, weights),)


def current(
    inv: Inventory | None, file: str, target: str = ""
) -> dict[tuple[str, str], ConfigValue]:
    """The effective current values of one file kind: (section, key) -> last occurrence
    (for glance-api, over every file of that kind it loads; for a compute group or a
    cinder-volume, over every file it loads; in load order)."""
    if inv is None:
        return {}
    files = [f for f in inv.config.files if f.kind == KINDS[file]]
    svc = consumer_service(inv, file, target) or (
        None if target or file not in (API, IMPORT) else glance_service(inv)
    )
    if svc is not None:
        files = [f for f in loaded_files(inv, svc) if f.kind == KINDS[file]]  # last one wins
    elif target:
        files = [f for f in files if f.path == target]
    else:
        files = files[:1]
    out: dict[tuple[str, str], ConfigValue] = {}
    for f in files:
        for v in f.values:
            out[(v.section, v.key)] = v
    return out


def _set(
    file: str, section: str, key: str, value: str, why: str, fact: str, target: str = ""
) -> Change:
    return Change(file, section, key, value, why, fact, target)


def _driver_options(ctx: Context, p: StorePlan, api: ApiPlan) -> tuple[tuple[str, str], ...]:
    """A new store's options; for another site's new file, the store's measured options."""
    if p.new:
        return p.options
    if not api.target:
        return ()
    b = next((x for x in ctx.site.backends if x.id == p.id), None)
    keys = DRIVER_OPTIONS.get(p.type, frozenset())
    return tuple(
        (k, v)
        for k, v in (b.options if b else ())
        if k in keys and store_option_exists(ctx.release, p.type, k)
    )


def _weight_label(ctx: Context, p: StorePlan, api: ApiPlan) -> str:
    if ctx.apis and p.id == api.default:
        return f"{api.site}'s own store"
    if ctx.apis and p.is_default:
        return "the central store"
    return f"{p.role} store"


def _store_section(ctx: Context, p: StorePlan, api: ApiPlan) -> list[Change]:
    t = api.target
    out = [
        _set(
            API,
            p.id,
            "store_description",
            p.description,
            f"what users see in GET /v2/info/stores ({p.role})",
            "store-weight",
            t,
        )
    ]
    weight = api.weight(p.id)
    if weight is not None and ctx.release >= WEIGHT_RELEASE:
        out.append(
            _set(
                API,
                p.id,
                "weight",
                str(weight),
                f"{_weight_label(ctx, p, api)}: sort order of locations",
                "store-weight",
                t,
            )
        )
    why = f"rbd store for cluster {p.ceph_cluster}" if p.type == "rbd" else f"{p.type} store"
    out += [
        _set(API, p.id, k, v, why, "cow-clone-rules", t) for k, v in _driver_options(ctx, p, api)
    ]
    return out


def legacy_api(inv: Inventory | None) -> GlanceApiConfig | None:
    """The collected glance-api.conf when it is still in single-store form."""
    api = inv.config.glance_api if inv is not None else None
    if api is None or api.is_multistore:
        return None
    return api


def _migrate(ctx: Context) -> list[Change]:
    """Single -> multi-store: every driver option of [glance_store] moves to its store's
    section (there it keeps the url_prefix the legacy locations resolve to); the rest of them
    would be ignored and is removed."""
    api = legacy_api(ctx.inv)
    if api is None or ctx.release < gating.MULTISTORE:
        return []
    kept = {s.type: s.id for s in ctx.stores if not s.new}
    out: list[Change] = []
    for v in api.glance_store_values:
        owner = next((t for t, keys in DRIVER_OPTIONS.items() if v.key in keys), None)
        if owner is None:
            continue
        if owner in kept:
            out.append(
                _set(
                    API,
                    kept[owner],
                    v.key,
                    v.value,
                    f"moved from [glance_store] ({v.where}): multi-store reads it only here",
                    "legacy-location-store",
                )
            )
        why = "moved to its store's section" if owner in kept else "its store is not enabled"
        out.append(Change(API, "glance_store", v.key, None, why, "multistore-sections"))
    return out


def _api_stores(ctx: Context, api: ApiPlan) -> list[Change]:
    by_id = {s.id: s for s in ctx.stores}
    mine = [by_id[i] for i in api.stores]
    where = f" at {api.site}" if ctx.apis else ""
    out = [
        _set(
            API,
            "DEFAULT",
            "enabled_backends",
            ", ".join(f"{s.id}:{s.type}" for s in mine),
            f"the stores of section (a) this API{where} serves",
            "cow-clone-rules",
            api.target,
        )
    ]
    if api.default:
        local = f": {api.site}'s own store, uploads there stay local" if ctx.apis else ""
        out.append(
            _set(
                API,
                "glance_store",
                "default_backend",
                api.default,
                f"uploads and imports without a store go to the default{local}",
                "default-backend",
                api.target,
            )
        )
    for p in mine:
        out += _store_section(ctx, p, api)
    return out


def _single_store(ctx: Context) -> list[Change]:
    """Before multi-store: driver types in [glance_store] stores, options in [glance_store]."""
    default = next((s for s in ctx.stores if s.is_default), None)
    why = f"Glance {ctx.release} has no multi-store"
    out = [
        _set(
            API,
            "glance_store",
            "stores",
            ", ".join(s.type for s in ctx.stores),
            f"{why}: one store per driver type",
            "release-gating",
        )
    ]
    if default is not None:
        out.append(_set(API, "glance_store", "default_store", default.type, why, "release-gating"))
    for p in ctx.stores:
        out += [
            _set(API, "glance_store", k, v, f"{p.type} store ({why})", "release-gating")
            for k, v in p.options
        ]
    return out


def _glance_stores(ctx: Context) -> list[Change]:
    if ctx.refused:
        return []
    if ctx.release < gating.MULTISTORE:
        return _single_store(ctx)
    out: list[Change] = []
    for api in ctx.api_plans():
        out += _api_stores(ctx, api)
    return out + _migrate(ctx)


def _reserved(ctx: Context) -> list[Change]:
    if ctx.release < gating.RESERVED_STORES:
        return []
    out = []
    for api in ctx.api_plans():
        cur = current(ctx.inv, API, api.target)
        for store, path in (
            ("os_glance_staging_store", "/var/lib/glance/staging"),
            ("os_glance_tasks_store", "/var/lib/glance/tasks"),
        ):
            if (store, "filesystem_store_datadir") not in cur:
                out.append(
                    _set(
                        API,
                        store,
                        "filesystem_store_datadir",
                        path,
                        "reserved store for import staging/tasks; keep apart from file stores",
                        "reserved-stores",
                        api.target,
                    )
                )
    return out


def _show_multiple(ctx: Context, target: str) -> Change:
    clusters = {s.ceph_cluster for s in ctx.stores if s.type == "rbd"}
    several = len(clusters) > 1
    why = (
        f"{len(clusters)} Ceph clusters: Nova reads rbd locations only from 'locations' "
        "(this option) or direct_url, which names the top-weighted copy alone; a compute "
        "whose local copy is not on top would see no cloneable location"
        if several
        else "one Ceph cluster: Nova's direct_url names the default store's copy, so the "
        "full location list need not be exposed"
    )
    return _set(
        API,
        "DEFAULT",
        "show_multiple_locations",
        str(several),
        why,
        "nova-read-path" if several else "show-multiple-locations",
        target,
    )


def _locations(ctx: Context) -> list[Change]:
    clone = any(s.type == "rbd" for s in ctx.stores)
    methods = as_list(current(ctx.inv, API).get(("DEFAULT", "enabled_import_methods")))
    out = []
    for api in ctx.api_plans():
        out.append(
            _set(
                API,
                "DEFAULT",
                "show_image_direct_url",
                str(clone),
                "internal endpoint only: Nova/Cinder need the rbd location to clone"
                if clone
                else "no consumer clones: do not expose locations",
                "ossn-0090",
                api.target,
            )
        )
        if clone:
            out.append(_show_multiple(ctx, api.target))
        else:
            out.append(
                _set(
                    API,
                    "DEFAULT",
                    "show_multiple_locations",
                    "False",
                    "no consumer clones: do not expose locations",
                    "ossn-0090",
                    api.target,
                )
            )
        if (
            methods
            and "copy-image" not in methods
            and len(ctx.stores) > 1
            and ctx.release >= gating.COPY_IMAGE
        ):
            out.append(
                _set(
                    API,
                    "DEFAULT",
                    "enabled_import_methods",
                    "[" + ",".join((*methods, "copy-image")) + "]",
                    "copy-image moves images between stores (sections a, e)",
                    "copy-image-method",
                    api.target,
                )
            )
    return out


def _removals(ctx: Context) -> list[Change]:
    cur = current(ctx.inv, API)
    out = []
    if ctx.release >= LOCATION_STRATEGY_REMOVED:
        for section, key in (
            ("DEFAULT", "location_strategy"),
            ("store_type_location_strategy", "store_type_preference"),
        ):
            if (section, key) in cur:
                out.append(
                    Change(
                        API,
                        section,
                        key,
                        None,
                        "removed in Glance 29; weight replaces it",
                        "location-strategy-removed",
                    )
                )
    for key in ("stores", "default_store"):
        if ("glance_store", key) in cur and not ctx.refused and ctx.release >= gating.MULTISTORE:
            out.append(
                Change(
                    API,
                    "glance_store",
                    key,
                    None,
                    "single-store option, replaced by enabled_backends/default_backend",
                    "default-backend",
                )
            )
    return out


def _flavor(ctx: Context) -> list[Change]:
    cur = current(ctx.inv, API).get(("paste_deploy", "flavor"))
    if ctx.inv is not None and cur is None:
        return []  # no flavor set: the deployment's pipeline is not a keystone one we know
    flavor = cur.value.strip() if cur is not None else ""
    if flavor not in STANDARD_FLAVORS:
        return []  # a custom pipeline: imageyard cannot see whether it has the cache filter
    want = "keystone+caching" if ctx.cache.glance_cache else "keystone"
    if ctx.cache.glance_cache and ctx.release < CACHE_API_RELEASE:
        want = "keystone+cachemanagement"
    why = (
        "adds the cache filter"
        if ctx.cache.glance_cache
        else "no cache filter: every consumer clones"
    )
    fact = "cache-paste-flavor" if ctx.cache.glance_cache else "cache-useless-with-rbd"
    return [_set(API, "paste_deploy", "flavor", want, why, fact)]


def _glance_cache(ctx: Context) -> list[Change]:
    if not ctx.cache.glance_cache:
        return []
    cur = current(ctx.inv, API)
    out = [
        _set(
            API,
            "DEFAULT",
            "image_cache_max_size",
            str(ctx.cache.max_size_bytes),
            _sized_why(ctx, "image_cache_max_size", "hot working set plus headroom")
            + " (a prune target, not a cap)",
            "cache-max-size",
        )
    ]
    if ("DEFAULT", "image_cache_dir") not in cur:
        out.append(
            _set(
                API,
                "DEFAULT",
                "image_cache_dir",
                "/var/lib/glance/image-cache",
                "caching is active only with a cache directory",
                "cache-paste-flavor",
            )
        )
    if ctx.release >= CENTRAL_DB_RELEASE and ("DEFAULT", "worker_self_reference_url") not in cur:
        out.append(
            _set(
                API,
                "DEFAULT",
                "worker_self_reference_url",
                "<this node's own URL, e.g. http://ctl1:9292>",
                "the centralized_db cache driver records each node by it; per node",
                "cache-centralized-db",
            )
        )
    return out


def _import_conf(ctx: Context) -> list[Change]:
    default = next((s for s in ctx.stores if s.is_default), None)
    if default is None or default.type != "rbd" or ctx.release < gating.IMPORT_CONVERSION:
        return []
    key = ("image_import_opts", "image_import_plugins")
    plugins = list(as_list(current(ctx.inv, API).get(key) or current(ctx.inv, IMPORT).get(key)))
    if "image_conversion" not in plugins:
        plugins.append("image_conversion")
    return [
        _set(
            IMPORT,
            "image_import_opts",
            "image_import_plugins",
            "[" + ",".join(plugins) + "]",
            "convert imports to raw for the Ceph default "
            "(imports only: not uploads, not copy-image)",
            "image-conversion",
        ),
        _set(
            IMPORT,
            "image_conversion",
            "output_format",
            "raw",
            "Nova/Cinder clone only raw images",
            "cow-clone-rules",
        ),
    ]


def _where_effective(ctx: Context, changes: list[Change]) -> list[Change]:
    """An import option glance-api.conf also sets is edited there: it is loaded last and wins."""
    api = current(ctx.inv, API)
    return [
        replace(c, file=API, why=f"{c.why}; glance-api.conf sets it too and wins")
        if c.file == IMPORT and (c.section, c.key) in api
        else c
        for c in changes
    ]


def _nova_target(ctx: Context, name: str) -> str:
    if ctx.inv is None:
        return name
    for n in ctx.inv.config.nova:
        if (n.host.value if n.host is not None else n.path) == name:
            return n.path
    return name


def _nova(ctx: Context) -> list[Change]:
    out: list[Change] = []
    multi = len({s.ceph_cluster for s in ctx.stores if s.type == "rbd"}) > 1
    for c in ctx.site.computes:
        target = _nova_target(ctx, c.name)
        if c.uses_rbd:
            store = local_store(ctx.site, ctx.stores, c.ceph_cluster)
            if store is not None and ctx.release >= gating.NOVA_STORE_NAME:
                out.append(
                    Change(
                        NOVA,
                        "libvirt",
                        "images_rbd_glance_store_name",
                        store,
                        f"{store} is this group's local store: copy a non-cloneable image "
                        "there, then clone",
                        "nova-store-name",
                        target,
                        risk=STORE_NAME_RISK,
                    )
                )
            if multi and ctx.release >= gating.NEVER_DOWNLOAD:
                out.append(
                    Change(
                        NOVA,
                        "workarounds",
                        "never_download_image_if_on_rbd",
                        "True",
                        "refuse flat per-host copies from another cluster",
                        "never-download",
                        target,
                        risk=NEVER_DOWNLOAD_RISK,
                    )
                )
        elif ctx.cache.nova_min_age:
            out.append(
                _set(
                    NOVA,
                    "image_cache",
                    "remove_unused_original_minimum_age_seconds",
                    str(ctx.cache.nova_min_age),
                    _sized_why(
                        ctx,
                        "remove_unused_original_minimum_age_seconds",
                        "keep hot images in _base between boots",
                    ),
                    "nova-image-cache",
                    target,
                )
            )
    return out


def _sized_why(ctx: Context, option: str, estimate: str) -> str:
    """Why a cache size: the cache simulation's search when it gave it, else ``estimate``."""
    if option in ctx.cache.simulated:
        return "smallest reaching the simulated target hit rate"
    return estimate


def _cinder_target(ctx: Context) -> str:
    if ctx.inv is None or not ctx.inv.config.cinder:
        return ""
    return ctx.inv.config.cinder[0].path


def _cinder(ctx: Context) -> list[Change]:
    target = _cinder_target(ctx)
    out: list[Change] = []
    for name in ctx.cache.cinder_cache:
        why = "second volume from a non-cloneable image becomes a clone"
        out.append(
            _set(
                CINDER,
                name,
                "image_volume_cache_enabled",
                "True",
                why,
                "cinder-image-cache",
                target,
            )
        )
        if ctx.cache.cinder_max_gb:  # 0 would mean unlimited: set only what was computed
            out.append(
                _set(
                    CINDER,
                    name,
                    "image_volume_cache_max_size_gb",
                    str(ctx.cache.cinder_max_gb),
                    _sized_why(
                        ctx, "image_volume_cache_max_size_gb", "hot working set plus headroom"
                    ),
                    "cinder-image-cache",
                    target,
                )
            )
        if ctx.cache.cinder_max_count:
            out.append(
                _set(
                    CINDER,
                    name,
                    "image_volume_cache_max_count",
                    str(ctx.cache.cinder_max_count),
                    "one entry per hot image",
                    "cinder-image-cache",
                    target,
                )
            )
    cur = current(ctx.inv, CINDER, target)
    if out:
        for key in ("cinder_internal_tenant_project_id", "cinder_internal_tenant_user_id"):
            if ("DEFAULT", key) not in cur:
                out.append(
                    _set(
                        CINDER,
                        "DEFAULT",
                        key,
                        "<the internal project's or user's id>",
                        "the cache owner; without it the cache is not used",
                        "cinder-image-cache",
                        target,
                    )
                )
    return out


def _is_noop(ch: Change, ctx: Context) -> bool:
    cur = current(ctx.inv, ch.file, ch.target).get((ch.section, ch.key))
    if ch.value is None:
        return cur is None
    if cur is None:
        return False
    if ch.key == "enabled_backends":  # a DictOpt: order does not matter
        return sorted(_norm(cur.value).split(",")) == sorted(_norm(ch.value).split(","))
    return _norm(cur.value) == _norm(ch.value)


def _norm(text: str) -> str:
    return "".join(text.split()).lower().strip("[]")


_PLACEHOLDER = re.compile(r"<[^<>]+>")


def is_placeholder(ch: Change) -> bool:
    """A value only the operator can give (a node URL, a project id): never written."""
    return ch.value is not None and _PLACEHOLDER.search(ch.value) is not None


def manual_items(changes: tuple[Change, ...]) -> tuple[str, ...]:
    """What the operator must add by hand, one line each."""
    return tuple(
        f"{c.file}{f' ({c.target})' if c.target else ''} [{c.section}] {c.key} = {c.value}: {c.why}"
        for c in changes
        if is_placeholder(c)
    )


def build_changes(ctx: Context) -> tuple[Change, ...]:
    """Every option change of the design, minus those already in place."""
    found = (
        _glance_stores(ctx)
        + _reserved(ctx)
        + _locations(ctx)
        + _removals(ctx)
        + _flavor(ctx)
        + _glance_cache(ctx)
        + _where_effective(ctx, _import_conf(ctx))
        + _nova(ctx)
        + _cinder(ctx)
    )
    return tuple(ch for ch in found if not _is_noop(ch, ctx))
