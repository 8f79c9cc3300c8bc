"""The config source: configuration files into the inventory (files, parsed views, stores).

Concepts: files come from ``--config-dir`` discovery or from explicit per-file flags. Besides
the files found, every ceph.conf that glance-api.conf, nova.conf or cinder.conf point at is
read too when it exists on this machine and was not read already, so an rbd store's fsid is
known when imageyard runs on a controller with ``--config-dir /etc``. A ceph.conf that is
referenced but neither found nor resolvable becomes a gap of the store or consumer using it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from imageyard.collect.base import Progress
from imageyard.collect.config_stores import ceph_conf_path, resolve_ceph, stores_from_config
from imageyard.collect.configs import KINDS, ConfigPaths, Overlay, collect_configs
from imageyard.collect.ini import load_ini
from imageyard.model.config import ConfigValue, DeploymentConfig, StoreType
from imageyard.model.gap import SourceStatus
from imageyard.model.inventory import Inventory

SOURCE = "config"


def referenced_ceph_confs(config: DeploymentConfig) -> tuple[ConfigValue | None, ...]:
    """Every option that names a ceph.conf (None: an rbd user that relies on the default)."""
    refs: list[ConfigValue | None] = []
    for glance in config.glance_api_instances():
        for ref in glance.backends:
            if ref.store_type is StoreType.RBD:
                refs.append(glance.store_option(ref.id, "rbd_store_ceph_conf"))
    for nova in config.nova:
        if nova.images_type is not None and nova.images_type.value.strip() == "rbd":
            refs.append(nova.images_rbd_ceph_conf)
    for cinder in config.cinder:
        refs += [b.rbd_ceph_conf for b in cinder.backends if b.is_rbd]
    return tuple(refs)


def _overlays(discovered: ConfigPaths, explicit: ConfigPaths) -> tuple[Overlay, ...]:
    """Each kind's overlays from where its main files come from (explicit first)."""
    given = {kind for kind, _ in explicit.mains()}
    kept = tuple(o for o in discovered.overlays if o.kind not in given)
    return kept + explicit.overlays


def merge_paths(discovered: ConfigPaths, explicit: ConfigPaths) -> ConfigPaths:
    """Discovered paths, each kind overridden by the explicit paths given for it."""
    return ConfigPaths(
        overlays=_overlays(discovered, explicit),
        glance_api=explicit.glance_api or discovered.glance_api,
        more_glance_apis=discovered.more_glance_apis if explicit.glance_api is None else (),
        glance_import=explicit.glance_import or discovered.glance_import,
        glance_swift=explicit.glance_swift or discovered.glance_swift,
        nova=explicit.nova or discovered.nova,
        cinder=explicit.cinder or discovered.cinder,
        ceph=explicit.ceph or discovered.ceph,
        searched=discovered.searched,
        notes=discovered.notes,
    )


def _extra_ceph_paths(config: DeploymentConfig) -> tuple[str, ...]:
    wanted: list[str] = []
    for ref in referenced_ceph_confs(config):
        path = ceph_conf_path(ref)
        if resolve_ceph(config, path) is None and os.path.isfile(path) and path not in wanted:
            wanted.append(path)
    return tuple(wanted)


def check_explicit(paths: ConfigPaths) -> None:
    """Raise ConfigFileError for the first file named on the command line that is unusable."""
    for kind, path in paths.items():
        load_ini(path, dialect=KINDS[kind].dialect)


@dataclass(frozen=True)
class ConfigCollector:
    """Reads configuration files.

    ``explicit`` files (named on the command line) must exist and parse, or ConfigFileError
    is raised; the ``discovered`` ones become gaps when they cannot be read.
    """

    discovered: ConfigPaths
    explicit: ConfigPaths = field(default_factory=ConfigPaths)
    name: str = SOURCE

    def collect(self, inventory: Inventory, progress: Progress) -> Inventory:
        check_explicit(self.explicit)
        paths = merge_paths(self.discovered, self.explicit)
        progress.start(self.name, total=len(paths.items()))
        only_explicit = self.discovered.searched is None
        config, gaps = collect_configs(paths, explicit=only_explicit)
        extra = _extra_ceph_paths(config)
        if extra:
            more, more_gaps = collect_configs(ConfigPaths(ceph=extra), explicit=False)
            config = replace(
                config,
                files=config.files + more.files,
                ceph=config.ceph + more.ceph,
                warnings=config.warnings + more.warnings,
            )
            # the referenced files stand in for a ceph.conf that discovery did not find
            gaps = tuple(g for g in gaps if (g.source, g.scope) != ("config:ceph", "file"))
            gaps += tuple(g for g in more_gaps if g.scope != "file")
        stores, store_gaps = stores_from_config(config)
        all_gaps = gaps + store_gaps
        status = SourceStatus(
            source=self.name,
            complete=not all_gaps,
            items=len(config.files),
            detail=f"{len(config.files)} files, {len(stores)} stores",
        )
        progress.advance(self.name, len(config.files))
        progress.done(self.name, status)
        return replace(
            inventory,
            config=config,
            stores=inventory.stores + stores,
            sources=(*inventory.sources, status),
            gaps=inventory.gaps + all_gaps,
        )
