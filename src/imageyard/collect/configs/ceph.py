"""ceph.conf (one file per cluster): fsid, monitors and keyrings; never the keys."""

from __future__ import annotations

import posixpath

from imageyard.collect.configs._common import Parsed, first
from imageyard.collect.ini import IniDocument
from imageyard.model.config import CephConfig, ConfigValue


def cluster_name(path: str) -> str:
    """Ceph names a cluster after its conf file: ``/etc/ceph/edge1.conf`` is ``edge1``."""
    base = posixpath.basename(path.replace("\\", "/"))
    return base[: -len(".conf")] if base.endswith(".conf") and len(base) > 5 else base


def _clone_formats(doc: IniDocument, sections: tuple[str, ...]) -> tuple[ConfigValue, ...]:
    found = (doc.get(n, "rbd_default_clone_format") for n in sections)
    return tuple(v for v in found if v is not None)


def parse(doc: IniDocument) -> Parsed:
    """Build the ``CephConfig`` view of one cluster's conf file."""
    names = doc.section_names()
    clients = tuple(n for n in names if n == "client" or n.startswith("client."))
    view = CephConfig(
        path=doc.path,
        cluster=cluster_name(doc.path),
        fsid=first(doc, ("global", "fsid")),
        mon_host=first(doc, ("global", "mon_host"), ("client", "mon_host"), ("mon", "mon_host")),
        keyring=first(doc, ("global", "keyring"), ("client", "keyring")),
        sections=names,
        client_sections=clients,
        client_keyrings=tuple(kv for n in clients for kv in doc.get_all(n, "keyring")),
        clone_formats=_clone_formats(doc, ("global", *clients)),
    )
    warnings: tuple[str, ...] = ()
    if view.fsid is None:
        warnings = (f"{doc.path}: no fsid in [global] (needed to match rbd:// locations)",)
    return Parsed(view, warnings)
