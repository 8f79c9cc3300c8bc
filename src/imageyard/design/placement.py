"""Which file a change is written to: where oslo.config reads it.

Concepts: glance-api reads several files in load order (glance-image-import.conf, then
glance-api.conf, or every ``glance.conf.d/*.conf`` sorted), the last occurrence winning
(``DeploymentConfig.effective``). A change to an option that is set is written to the file
holding the winning occurrence; a removal to every file that sets it (an earlier occurrence
would win once the last is gone); a new option to the last-loaded file of its kind (in a
config directory such as ``glance.conf.d``, import options too, to its last file). Nova and
Cinder changes, another site's glance-api and greenfield designs keep their one file.
"""

from __future__ import annotations

from imageyard.design.model import Change
from imageyard.model.config import ConfigFile, Service, ServiceConfig, oslo_group
from imageyard.model.inventory import Inventory

GLANCE_FILES = {"glance-api.conf": "glance-api", "glance-image-import.conf": "glance-image-import"}


def glance_service(inv: Inventory | None) -> ServiceConfig | None:
    """The collected glance-api's files in load order."""
    if inv is None:
        return None
    return next((s for s in inv.config.services if s.service is Service.GLANCE_API), None)


def loaded_files(inv: Inventory, svc: ServiceConfig) -> list[ConfigFile]:
    by_path = {f.path: f for f in inv.config.files}
    return [by_path[p] for p in svc.files if p in by_path]


def paths_for(inv: Inventory | None, ch: Change) -> tuple[str, ...]:
    """The files ``ch`` is written to; empty: the file's one usual path."""
    svc = glance_service(inv)
    if inv is None or svc is None or ch.target or ch.file not in GLANCE_FILES:
        return ()
    found = inv.config.occurrences(svc, ch.section, ch.key)
    if ch.value is None:
        return tuple(dict.fromkeys(cv.path for cv in found))
    if found:
        return (found[-1].path,)
    files = loaded_files(inv, svc)
    kind = [f.path for f in files if f.kind == GLANCE_FILES[ch.file]]
    api = [f.path for f in files if f.kind == "glance-api"]
    if not kind and len(api) > 1:
        return (api[-1],)  # a config directory: one set of files, the last one wins
    return (kind[-1],) if kind else ()


def effective(inv: Inventory | None, file: str) -> dict[tuple[str, str], str]:
    """(section, key) -> value as glance-api reads it now (every file, in load order)."""
    svc = glance_service(inv)
    if inv is None or svc is None or file not in GLANCE_FILES:
        return {}
    out: dict[tuple[str, str], str] = {}
    for f in loaded_files(inv, svc):
        for v in f.values:
            out[(oslo_group(v.section), v.key)] = v.value
    return out
