"""Cluster facts a clone decision needs, from two monitor commands: parsers shared by clients.

Concepts: ``osd dump`` carries ``require_min_compat_client`` (librbd makes v2 clones by
default only from ``mimic`` on); ``auth get <entity>`` returns the entity's caps *and its
key*: ``parse_auth_get`` keeps the caps and drops the key at once, so no secret ever leaves
this module. Both take the JSON text the monitor returns (``--format json``).
"""

from __future__ import annotations

import json
from typing import Any, Protocol, runtime_checkable

from imageyard.collect.ceph.client import CephError
from imageyard.model.ceph import CephxCaps


def _json(text: str | bytes, what: str) -> Any:
    try:
        return json.loads(text or "null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CephError(f"{what}: not JSON ({exc.__class__.__name__})") from None


def parse_min_compat(text: str | bytes) -> str:
    """``require_min_compat_client`` from ``osd dump --format json``."""
    dump = _json(text, "osd dump")
    value = dump.get("require_min_compat_client") if isinstance(dump, dict) else None
    if not isinstance(value, str) or not value:
        raise CephError("osd dump: no require_min_compat_client")
    return value


def parse_auth_get(text: str | bytes, entity: str) -> CephxCaps:
    """The caps of ``entity`` from ``auth get --format json`` (the key is discarded)."""
    listed = _json(text, f"auth get {entity}")
    entry = next(
        (e for e in listed or () if isinstance(e, dict) and e.get("entity") == entity), None
    )
    if entry is None:
        raise CephError(f"auth get {entity}: entity not in the answer")
    caps = entry.get("caps") or {}
    return CephxCaps(entity=entity, mon=str(caps.get("mon", "")), osd=str(caps.get("osd", "")))


@runtime_checkable
class ClusterFacts(Protocol):
    """An optional client ability: the monitor facts above."""

    def min_compat_client(self) -> str:
        """``require_min_compat_client`` of the OSD map; raises CephError."""
        ...

    def cephx_caps(self, entity: str) -> CephxCaps:
        """The caps of ``entity``; raises CephError (EACCES when the user may not read them)."""
        ...
