"""Where every datum of a design comes from: measured, declared or assumed.

Concepts: a *datum* is one fact or number a decision cites (``Decision.evidence``) or the
design rests on (``Design.inputs``, a store's ``source``). It is *measured* when it was read
from the inventory snapshot (config files, the Glance catalog, Ceph, Nova/Cinder usage),
*declared* when the site description says so, and *assumed* when neither gives it and the
design goes on with a stated default or leaves it open (an image count not collected, no
boot data). Each evidence line starts with its source (``declared: rbd capacity_gib
50000``); ``datum`` builds one and refuses any other source, ``source_of`` reads it back.
"""

from __future__ import annotations

MEASURED = "measured"
DECLARED = "declared"
ASSUMED = "assumed"
SOURCES = (MEASURED, DECLARED, ASSUMED)


def datum(source: str, text: str) -> str:
    """One evidence line: ``source: text``."""
    if source not in SOURCES:
        raise ValueError(f"unknown provenance {source!r}")
    return f"{source}: {text}"


def source_of(line: str) -> str | None:
    """The source a datum line starts with, or None when it has none of the three."""
    head = line.partition(":")[0]
    return head if head in SOURCES else None


def about(subject: str, line: str) -> str:
    """``line`` (a datum) said of ``subject``, its source kept first."""
    source = source_of(line)
    if source is None:
        raise ValueError(f"not a datum: {line!r}")
    return datum(source, f"{subject}: {line.partition(':')[2].strip()}")
