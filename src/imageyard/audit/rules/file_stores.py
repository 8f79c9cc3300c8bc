"""Rules on filesystem directories: file stores and Glance's staging and tasks areas.

Concepts: every ``file`` store keeps image data in its ``filesystem_store_datadir``
(default ``/var/lib/glance/images``). Glance also writes to a staging area (the reserved
``os_glance_staging_store``, formerly ``[DEFAULT] node_staging_uri``) and a tasks area
(``os_glance_tasks_store``, formerly ``[task] work_dir``). Glance documents that these
must all be distinct; nothing enforces it, and a shared directory mixes half-imported
data, task scratch files and real images under one store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules._common import (
    cite,
    file_unknown,
    inside,
    norm_dir,
    option_resource,
    store_resource,
)
from imageyard.model.config import ConfigValue, GlanceApiConfig
from imageyard.model.finding import Evidence, Outcome
from imageyard.model.inventory import Inventory
from imageyard.model.store import Store, StoreType

MULTISTORES = "glance doc/source/admin/multistores.rst"


def _file_stores(inv: Inventory) -> tuple[Store, ...]:
    seen: dict[str, Store] = {}
    for store in inv.stores:
        if store.type is StoreType.FILE and store.file_data_dir and not store.is_reserved:
            seen.setdefault(store.id, store)
    return tuple(seen.values())


def _work_dirs(glance: GlanceApiConfig) -> tuple[ConfigValue, ...]:
    """The options naming a staging or tasks directory."""
    found = [s.filesystem_store_datadir for s in glance.reserved_stores]
    found += [glance.node_staging_uri, glance.task_work_dir]
    return tuple(cv for cv in found if cv is not None and norm_dir(cv.value))


@rule(
    id="staging-dir-inside-file-store",
    title="Staging or tasks directory inside a file store's data directory",
    severity="high",
    confidence="high",
    category="multistore",
    remediation="Give os_glance_staging_store and os_glance_tasks_store (or node_staging_uri "
    "and [task] work_dir) their own directories, outside every file store's "
    "filesystem_store_datadir.",
    links=(MULTISTORES,),
)
def staging_dir_inside_file_store(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """The staging and tasks directories must differ from every file store's directory.

    Glance's reserved stores hold staged uploads and task scratch data; placed in (or
    under) a file store's data directory they mix with the images of that store.
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(staging_dir_inside_file_store, inv, "glance-api")
        return
    stores = _file_stores(inv)
    for cv in _work_dirs(glance):
        work = norm_dir(cv.value)
        for store in stores:
            datadir = norm_dir(store.file_data_dir or "")
            if inside(work, datadir):
                yield staging_dir_inside_file_store.finding(
                    option_resource(cv),
                    f"[{cv.section}] {cv.key} ({work}) is inside the data directory of "
                    f"file store {store.id} ({datadir})",
                    *cite(cv),
                    Evidence.fact(f"store {store.id} filesystem_store_datadir = {datadir}"),
                )


@rule(
    id="shared-file-store-datadir",
    title="Two file stores share a filesystem_store_datadir",
    severity="high",
    confidence="high",
    category="multistore",
    remediation="Give every file store its own filesystem_store_datadir; move the images of "
    "one of them (copy-image, then delete from the old store) before changing it.",
    links=(MULTISTORES,),
)
def shared_file_store_datadir(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """Every file store needs its own filesystem_store_datadir.

    Two stores on one directory see each other's files: deleting an image from one store
    deletes the data the other store's location points at.
    """
    if inv.config.glance_api is None:
        yield file_unknown(shared_file_store_datadir, inv, "glance-api")
        return
    groups: dict[str, list[Store]] = defaultdict(list)
    for store in _file_stores(inv):
        groups[norm_dir(store.file_data_dir or "")].append(store)
    for datadir, members in groups.items():
        if len(members) < 2:
            continue
        names = ", ".join(s.id for s in members)
        for store in members:
            others = ", ".join(s.id for s in members if s is not store)
            yield shared_file_store_datadir.finding(
                store_resource(store.id),
                f"file store {store.id} shares its data directory {datadir} with {others}",
                Evidence.fact(f"stores {names} all use filesystem_store_datadir = {datadir}"),
            )
