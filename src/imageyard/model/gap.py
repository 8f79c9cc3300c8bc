"""Gaps: what a collector could not see, recorded as data rather than silence.

Concepts: a ``Gap`` names the source (``glance-api``, ``ceph``, ``config:nova`` ...), the
scope it affects (``pool images``, ``image <id> locations``, ``file /etc/nova/nova.conf``)
and the error seen. A ``SourceStatus`` says, per source, whether what was collected is
complete. Later stages treat anything inside a gap's scope as unknown, never as fine.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Gap:
    """Something a collector tried to read and could not."""

    source: str
    scope: str
    error: str


@dataclass(frozen=True)
class SourceStatus:
    """Per-source bookkeeping of one collection run."""

    source: str
    complete: bool
    items: int = 0
    seconds: float = 0.0
    detail: str = ""
