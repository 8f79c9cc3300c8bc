"""Which file a change is written to: where oslo.config reads it.

Concepts: every service reads its files in load order, the last occurrence winning
(``DeploymentConfig.effective``): glance-api reads glance-image-import.conf, then
glance-api.conf, or every ``glance.conf.d/*.conf`` sorted; a compute group its nova.conf and
then, say, nova-compute.conf; a cinder-volume its cinder.conf, then ``conf/backends.conf``
and further files. A change to an option that is set is written to the file holding the
winning occurrence; a removal to every file that sets it (an earlier occurrence would win
once the last is gone); a new option, for glance-api, to the last-loaded file of its kind
(in a config directory such as ``glance.conf.d``, import options too, to its last file), for
Nova and Cinder to the last-loaded file that has its section (else the group's main file).
``place`` records the result in each change (``paths``, and ``file`` named after the kind
of the file that wins), so the JSON and the diff come from one change list. Another site's
glance-api and greenfield designs keep their one usual file (no ``paths``).
"""

from __future__ import annotations

from dataclasses import replace

from imageyard.design.model import Change
from imageyard.model.config import ConfigFile, Service, ServiceConfig, oslo_group
from imageyard.model.inventory import Inventory

GLANCE_FILES = {"glance-api.conf": "glance-api", "glance-image-import.conf": "glance-image-import"}
CONSUMERS = {"nova.conf": Service.NOVA_COMPUTE, "cinder.conf": Service.CINDER_VOLUME}
FILE_OF_KIND = {
    "glance-api": "glance-api.conf",
    "glance-image-import": "glance-image-import.conf",
    "nova": "nova.conf",
    "cinder": "cinder.conf",
}


def glance_service(inv: Inventory | None) -> ServiceConfig | None:
    """The collected glance-api's files in load order."""
    if inv is None:
        return None
    return next((s for s in inv.config.services if s.service is Service.GLANCE_API), None)


def consumer_service(inv: Inventory | None, file: str, target: str) -> ServiceConfig | None:
    """The compute group or cinder-volume whose main file (or any file) is ``target``."""
    kind = CONSUMERS.get(file)
    if inv is None or kind is None or not target:
        return None
    found = inv.config.service_configs(kind)
    return next((s for s in found if target == s.name), None) or next(
        (s for s in found if target in s.files), None
    )


def service_for(inv: Inventory | None, ch: Change) -> ServiceConfig | None:
    """The service instance that reads the file ``ch`` edits (None: a file of its own)."""
    if ch.file in GLANCE_FILES:
        return None if ch.target else glance_service(inv)
    return consumer_service(inv, ch.file, ch.target)


def loaded_files(inv: Inventory, svc: ServiceConfig) -> list[ConfigFile]:
    by_path = {f.path: f for f in inv.config.files}
    return [by_path[p] for p in svc.files if p in by_path]


def _new_glance(files: list[ConfigFile], ch: Change) -> tuple[str, ...]:
    kind = [f.path for f in files if f.kind == GLANCE_FILES[ch.file]]
    api = [f.path for f in files if f.kind == "glance-api"]
    if not kind and len(api) > 1:
        return (api[-1],)  # a config directory: one set of files, the last one wins
    return (kind[-1],) if kind else ()


def _new_consumer(files: list[ConfigFile], ch: Change) -> tuple[str, ...]:
    group = oslo_group(ch.section)
    having = [f.path for f in files if any(oslo_group(v.section) == group for v in f.values)]
    main = [f.path for f in files[:1]]
    return (having[-1],) if having else tuple(main)


def paths_for(inv: Inventory | None, ch: Change) -> tuple[str, ...]:
    """The files ``ch`` is written to; empty: the file's one usual path."""
    svc = service_for(inv, ch)
    if inv is None or svc is None:
        return ()
    found = inv.config.occurrences(svc, ch.section, ch.key)
    if ch.value is None:
        return tuple(dict.fromkeys(cv.path for cv in found))
    if found:
        return (found[-1].path,)
    files = loaded_files(inv, svc)
    return _new_glance(files, ch) if ch.file in GLANCE_FILES else _new_consumer(files, ch)


def place(inv: Inventory | None, changes: tuple[Change, ...]) -> tuple[Change, ...]:
    """Each change with the files it is written to and the name of the file that wins; a
    consumer's change is addressed to its service instance (the group's main file)."""
    kinds = {f.path: f.kind for f in inv.config.files} if inv is not None else {}
    out = []
    for ch in changes:
        paths = paths_for(inv, ch)
        svc = service_for(inv, ch)
        file = FILE_OF_KIND.get(kinds.get(paths[-1], ""), ch.file) if paths else ch.file
        target = svc.name or ch.target if svc is not None and ch.file in CONSUMERS else ch.target
        out.append(replace(ch, file=file, paths=paths, target=target))
    return tuple(out)


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
