"""Whether a cephx user's OSD caps let it open or create RBD images in a pool.

Concepts: an OSD cap string is a list of grants separated by ``,`` or ``;``; each grant is
``allow <spec> [pool=P] [namespace=N] [object_prefix O] [tag ...]`` or ``profile <name>
[pool=P] [namespace=N]`` (ceph ``src/osd/OSDCap.cc``). Opening an RBD image read-only reads
its header objects *and* calls class methods on them, so it needs ``r`` plus ``x`` or
``class-read`` (checked on the lab: ``allow r pool=images`` alone gets EPERM); creating a
clone also needs ``w``. ``profile rbd`` grants both, ``profile rbd-read-only`` only reading.
A grant limited to an object prefix, a non-default namespace or an application tag does not
cover the image objects of the pool's default namespace. ``pool_access`` answers
``Access.YES``/``NO``, or ``UNSURE`` for a grant it cannot interpret (another profile, a tag
match that might name the pool), never a guess.
"""

from __future__ import annotations

import enum
import functools
import re

_SPLIT = re.compile(r"[,;]")
_POOL = re.compile(r"\bpool(?:\s*=\s*|\s+)(\S+)")
_NAMESPACE = re.compile(r"\bnamespace(?:\s*=\s*|\s+)(\S*)")


class Access(enum.StrEnum):
    """Whether the caps grant what is asked."""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


def _covers_pool(grant: str, pool: str) -> bool:
    found = _POOL.search(grant)
    if found is not None and found.group(1).strip("'\"") not in (pool, "*"):
        return False
    namespace = _NAMESPACE.search(grant)
    return namespace is None or namespace.group(1).strip("'\"") in ("", "*")


def _rights(grant: str) -> set[str] | None:
    """What one grant allows on a pool it covers: ``r``/``w``/``x``; None when unsure."""
    words = grant.split()
    if not words:
        return set()
    if words[0] == "profile":
        name = words[1] if len(words) > 1 else ""
        return {"rbd": {"r", "w", "x"}, "rbd-read-only": {"r", "x"}}.get(name)
    if words[0] != "allow" or len(words) < 2:
        return None
    if "object_prefix" in words or "tag" in words:
        return set()  # only some objects, or pools by application tag: not the image objects
    return _spec(words[1:])


def _spec(words: list[str]) -> set[str]:
    rights: set[str] = set()
    for word in words:
        if "=" in word or word in ("pool", "namespace"):
            break
        if word == "*":
            return {"r", "w", "x"}
        if word in ("class-read", "class-write"):
            rights.add("x" if word == "class-read" else "cw")
        elif set(word) <= set("rwx"):
            rights |= set(word)
    return rights


@functools.lru_cache(maxsize=1024)
def pool_access(osd_caps: str, pool: str, *, write: bool = False) -> Access:
    """Whether ``osd_caps`` let a client open (``write``: create) RBD images in ``pool``."""
    need = {"r", "w", "x"} if write else {"r", "x"}
    have: set[str] = set()
    unsure = False
    for grant in (g.strip() for g in _SPLIT.split(osd_caps)):
        if not grant or not _covers_pool(grant, pool):
            continue
        rights = _rights(grant)
        if rights is None:
            unsure = True
        else:
            have |= rights
    if need <= have:
        return Access.YES
    return Access.UNSURE if unsure else Access.NO
