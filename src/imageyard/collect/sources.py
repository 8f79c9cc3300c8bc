"""Which sources one ``collect`` run reads, and the collectors that read them.

Concepts: ``SOURCES`` lists every source in reading order (config first, so the live ones
can use what it found: the ceph.conf files, the Glance stores). A ``CollectRequest`` says
what the operator asked for; ``auto`` picks each source whose inputs are present (config
files for ``config``; credentials for ``glance``, ``nova``, ``cinder`` and ``keystone``
(its projects, for image owners that no longer exist); any ceph.conf
for ``ceph``). ``backends`` (the contents of the file, S3 and Swift stores' datadirs,
buckets and containers, with the stores' own credentials) runs only when named in
``--sources``: ``auto`` never dials a backend because a config file mentions it. A source
left out is still recorded, as an incomplete ``SourceStatus`` saying why, so no later stage
mistakes "not collected" for "nothing there".
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from imageyard.collect.base import Collector, Progress
from imageyard.collect.ceph.client import DEFAULT_TIMEOUT as CEPH_TIMEOUT
from imageyard.collect.configs import ConfigPaths
from imageyard.collect.openstack.http import RetryPolicy
from imageyard.collect.openstack.probe import Timeouts
from imageyard.errors import UsageError
from imageyard.model.gap import Gap, SourceStatus
from imageyard.model.inventory import Inventory

SOURCES = ("config", "glance", "ceph", "nova", "cinder", "keystone", "backends")


GLANCE_CONNECTIONS = 6  # the default most image-list requests at once


@dataclass(frozen=True)
class CollectRequest:
    """Everything ``imageyard collect`` was told (after flag and environment parsing)."""

    sources: tuple[str, ...] | None = None  # None: auto
    discovered: ConfigPaths = field(default_factory=ConfigPaths)
    explicit: ConfigPaths = field(default_factory=ConfigPaths)
    os_cloud: str | None = None
    glance_endpoint: str | None = None
    glance_nodes: tuple[str, ...] = ()
    glance_members: bool = False  # one request per shared image
    glance_connections: int = GLANCE_CONNECTIONS  # image-list requests at once (1: sequential)
    glance_db: str | None = None  # a SQLAlchemy URL: the images from Glance's database
    timeouts: Timeouts = field(default_factory=Timeouts)
    glance_token: str | None = None  # OS_AUTH_TOKEN, sent to an OS_IMAGE_URL endpoint
    ceph_user: str | None = None
    ceph_pools: tuple[str, ...] | None = None
    rbd_watchers: bool = False
    ceph_timeout: float = CEPH_TIMEOUT  # connect and each monitor/OSD operation (whole seconds)
    backend_limit: int | None = None  # objects kept per listing (None: the default)

    def has_config(self) -> bool:
        return bool(self.discovered.searched or self.explicit.items())

    def has_cloud(self, environ: Mapping[str, str]) -> bool:
        return bool(self.os_cloud or environ.get("OS_CLOUD") or environ.get("OS_AUTH_URL"))


@dataclass(frozen=True)
class Skipped:
    """A source not read this run; it still leaves an incomplete SourceStatus."""

    name: str
    reason: str

    def collect(self, inventory: Inventory, progress: Progress) -> Inventory:
        status = SourceStatus(self.name, complete=False, detail=f"not collected: {self.reason}")
        return replace(inventory, sources=(*inventory.sources, status))


def _why_not(
    name: str, request: CollectRequest, environ: Mapping[str, str], *, asked: bool = False
) -> str | None:
    """None when ``name`` can run (``asked``: named in --sources), else the reason it cannot."""
    if name == "config":
        return None if request.has_config() else "no --config-dir or --*-conf given"
    if name == "glance":
        ok = request.glance_endpoint or request.glance_db or request.has_cloud(environ)
        return None if ok else "no --glance-endpoint, --glance-db, --os-cloud or OS_* credentials"
    if name == "backends":
        if not asked:
            return "not requested (--sources ...,backends)"
        return None if request.has_config() else "no glance-api.conf given (--config-dir)"
    if name == "ceph":
        if asked:
            return (
                None if request.has_config() else "no ceph.conf given (--config-dir, --ceph-conf)"
            )
        ok = bool(request.ceph_user or request.explicit.ceph)
        return None if ok else "no --ceph-user or --ceph-conf given"
    return None if request.has_cloud(environ) else "no --os-cloud or OS_* credentials"


def selected(request: CollectRequest, environ: Mapping[str, str]) -> dict[str, str | None]:
    """Every source mapped to None (read it) or the reason it is skipped."""
    if request.sources is not None:
        unknown = sorted(set(request.sources) - set(SOURCES))
        if unknown:
            raise UsageError(
                f"unknown source(s): {', '.join(unknown)}; known: {', '.join(SOURCES)}"
            )
        for name in request.sources:
            reason = _why_not(name, request, environ, asked=True)
            if reason is not None:
                raise UsageError(f"cannot collect {name}: {reason}")
        return {n: None if n in request.sources else "not requested (--sources)" for n in SOURCES}
    plan = {n: _why_not(n, request, environ) for n in SOURCES}
    if all(reason is not None for reason in plan.values()):
        raise UsageError(
            "nothing to collect: give --config-dir DIR, a --*-conf FILE or live-source options",
        )
    return plan


def _config(request: CollectRequest) -> Collector:
    from imageyard.collect.config_source import ConfigCollector

    return ConfigCollector(request.discovered, request.explicit)


@dataclass(frozen=True)
class Unreachable:
    """A live source whose endpoint did not answer a probe: one gap, nothing retried."""

    name: str
    scope: str
    cause: str

    def collect(self, inventory: Inventory, progress: Progress) -> Inventory:
        status = SourceStatus(self.name, complete=False, detail=f"unreachable: {self.cause}")
        return replace(
            inventory,
            sources=(*inventory.sources, status),
            gaps=(*inventory.gaps, Gap(self.name, self.scope, self.cause)),
        )


@dataclass(frozen=True)
class WithGaps:
    """A collector plus gaps found before it ran (cache nodes that did not answer)."""

    inner: Collector
    gaps: tuple[Gap, ...]

    @property
    def name(self) -> str:
        return self.inner.name

    def collect(self, inventory: Inventory, progress: Progress) -> Inventory:
        done = self.inner.collect(inventory, progress)
        return replace(done, gaps=(*done.gaps, *self.gaps))


def _glance(request: CollectRequest) -> Collector:
    from imageyard.collect.glance import GlanceCollector, glance_http
    from imageyard.collect.glance.database import GlanceDatabase, check_url
    from imageyard.collect.openstack.probe import probe

    database = None
    if request.glance_db:
        check_url(request.glance_db)
        database = GlanceDatabase(request.glance_db)
    if request.glance_endpoint:
        cause = probe(request.glance_endpoint, request.timeouts)
        if cause is not None:
            return Unreachable("glance", "endpoint", cause)
    causes = {url: probe(url, request.timeouts) for url in request.glance_nodes}
    api = request.glance_endpoint or request.has_cloud(os.environ)
    http = None
    if api or database is None:
        http = glance_http(
            request.os_cloud,
            endpoint=request.glance_endpoint,
            token=request.glance_token,
            policy=RetryPolicy(timeout=request.timeouts.pair),
            timeout=request.timeouts.read,
        )
    collector = GlanceCollector(
        http,
        node_urls=tuple(url for url, cause in causes.items() if cause is None),
        fetch_members=request.glance_members,
        connections=request.glance_connections,
        database=database,
    )
    gaps = tuple(Gap("glance", f"cache of {url}", c) for url, c in causes.items() if c)
    return WithGaps(collector, gaps) if gaps else collector


def _ceph(request: CollectRequest) -> Collector:
    from imageyard.collect.ceph import CephCollector

    return CephCollector(
        pools=request.ceph_pools,
        watchers=request.rbd_watchers,
        user=request.ceph_user,
        timeout=request.ceph_timeout,
    )


def _backends(request: CollectRequest) -> Collector:
    from imageyard.collect.backends import BackendsCollector

    if request.backend_limit is None:
        return BackendsCollector(timeouts=request.timeouts)
    return BackendsCollector(timeouts=request.timeouts, limit=request.backend_limit)


def _cloud(request: CollectRequest) -> object:
    """The cloud's Connection; authentication and discovery bounded by ``--read-timeout``."""
    from imageyard.collect.openstack import connect

    return connect(request.os_cloud, timeout=request.timeouts.read)


def _usage(request: CollectRequest) -> tuple[Collector, Collector]:
    from imageyard.collect.usage import DEFAULT_RETRY, usage_collectors

    policy = replace(DEFAULT_RETRY, timeout=request.timeouts.pair)
    return usage_collectors(_cloud(request), policy)


def _keystone(request: CollectRequest) -> Collector:
    from imageyard.collect.keystone import KeystoneCollector
    from imageyard.collect.openstack import IDENTITY, SdkJsonHttp

    policy = RetryPolicy(timeout=request.timeouts.pair)
    return KeystoneCollector(SdkJsonHttp(_cloud(request), IDENTITY, policy=policy))


BUILDERS: dict[str, Callable[[CollectRequest], Collector]] = {
    "config": _config,
    "glance": _glance,
    "ceph": _ceph,
    "keystone": _keystone,
    "backends": _backends,
}


def _uses_cloud(name: str, request: CollectRequest) -> bool:
    """True when source ``name`` reads the cloud through Keystone."""
    if name == "glance":  # with --glance-db alone, no API at all
        return not request.glance_endpoint and not (
            request.glance_db and not request.has_cloud(os.environ)
        )
    return name in ("nova", "cinder", "keystone")


def _probe_keystone(request: CollectRequest) -> str | None:
    """The cause when the cloud's Keystone does not answer, else None."""
    from imageyard.collect.openstack import connect
    from imageyard.collect.openstack.probe import probe

    auth = connect(request.os_cloud, timeout=request.timeouts.read).config.config.get("auth") or {}
    url = auth.get("auth_url")
    cause = probe(str(url), request.timeouts) if url else None
    return None if cause is None else f"Keystone {cause}"


def build_collectors(
    request: CollectRequest, environ: Mapping[str, str] | None = None
) -> list[Collector]:
    """The collectors for this run, in SOURCES order (skipped sources included)."""
    plan = selected(request, os.environ if environ is None else environ)
    keystone_down: str | None = None
    if any(reason is None and _uses_cloud(name, request) for name, reason in plan.items()):
        from imageyard.collect.openstack import check_credentials

        keystone_down = _probe_keystone(request)
        if keystone_down is None:
            # refused credentials: one line, not gaps
            check_credentials(request.os_cloud, timeout=request.timeouts.read)
    usage: tuple[Collector, Collector] | None = None
    collectors: list[Collector] = []
    for name in SOURCES:
        reason = plan[name]
        if reason is not None:
            collectors.append(Skipped(name, reason))
        elif keystone_down is not None and _uses_cloud(name, request):
            collectors.append(Unreachable(name, "keystone", keystone_down))
        elif name in BUILDERS:
            collectors.append(BUILDERS[name](request))
        else:
            usage = usage or _usage(request)
            collectors.append(usage[0] if name == "nova" else usage[1])
    return collectors
