"""The target release when ``--release`` is not given: inferred from the snapshot.

Concepts: Glance's version document names one API version CURRENT, and the generated
tables record, per release, the versions ``glance/api/versions.py`` can report as CURRENT
(some depend on whether multi-store or the cache is configured). The releases reporting the
collected CURRENT version are the candidates; options set in glance-api.conf that only
exist from some release on (``enforce_secure_rbac``, store ``weight``) raise the lower
bound. The earliest remaining candidate is chosen, so advice never uses an option the
deployed release may lack. Without a version document the target is the latest released
Glance, and ``ReleaseChoice.origin`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from imageyard.audit import release_options as ro
from imageyard.audit.releases import Release, by_major, default_release, parse_release
from imageyard.model.api_version import current_version
from imageyard.model.config import ConfigValue
from imageyard.model.inventory import Inventory


@dataclass(frozen=True)
class ReleaseChoice:
    """The target release and where it came from (shown with every result)."""

    release: Release
    origin: str  # "flag" | "site" | "inferred" | "assumed"
    detail: str


def _candidates(number: str) -> list[int]:
    found = [r.major for r in ro.table_releases() if number in r.api_current]
    if found:
        return found
    newest = ro.table_releases()[-1]
    if _key(number) > max(_key(v) for v in newest.api_current):
        return [newest.major]  # newer than any release the tables know
    return []


def _key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split(".") if p.isdigit())


def _store_types(inv: Inventory) -> dict[str, str]:
    glance = inv.config.glance_api
    stores = glance.stores if glance is not None else ()
    return {s.id: s.type.strip().lower() for s in stores if s.section_found}


def _keys(cv: ConfigValue, stores: dict[str, str]) -> list[ro.OptionKey]:
    kind = stores.get(cv.section)
    if kind is not None:
        return [(f"store:{kind}", "glance_store", cv.key), ("store:*", "glance_store", cv.key)]
    return [("glance-api.conf", cv.section, cv.key)]


def _added(keys: list[ro.OptionKey]) -> int | None:
    cycles = [c for k in keys if (c := ro.lifecycle(*k)) is not None]
    if not cycles or any(c.added is None for c in cycles):
        return None
    return min(c.added for c in cycles if c.added is not None)


def config_floor(inv: Inventory) -> tuple[int, str] | None:
    """The newest release an option set in glance-api.conf needs, and that option."""
    stores, best = _store_types(inv), None
    for f in inv.config.files:
        for cv in f.values if f.kind == "glance-api" else ():
            added = _added(_keys(cv, stores))
            if added is not None and (best is None or added > best[0]):
                best = (added, f"[{cv.section}] {cv.key}")
    return best


def _span(majors: list[int]) -> str:
    return f"Glance {majors[0]}" if len(majors) == 1 else f"Glance {majors[0]}..{majors[-1]}"


def infer_release(inv: Inventory) -> ReleaseChoice | None:
    """The release the snapshot's Glance API reports, or None without a version document."""
    current = current_version(inv.glance_versions)
    if current is None:
        return None
    majors = _candidates(current.number)
    if not majors:
        return None
    floor = config_floor(inv)
    kept = [m for m in majors if floor is None or m >= floor[0]] or majors
    why = f"inferred from the Glance API (CURRENT {current.id}: {_span(majors)})"
    if floor is not None and kept != majors:
        why += f" and glance-api.conf ({floor[1]} exists from Glance {floor[0]})"
    chosen = by_major(kept[0])
    if len(kept) > 1:
        why += f"; judged as {chosen.major}, the earliest it can be (--release to set it)"
    return ReleaseChoice(chosen, "inferred", why)


def choose_release(
    flag: str | None, inv: Inventory | None, site_release: str | None = None
) -> ReleaseChoice:
    """``--release`` if given, else the site file's, else inferred, else the latest."""
    if flag is not None:
        return ReleaseChoice(parse_release(flag), "flag", f"--release {flag}")
    if site_release is not None:
        return ReleaseChoice(parse_release(site_release), "site", "the site file's release")
    inferred = infer_release(inv) if inv is not None else None
    if inferred is not None:
        return inferred
    latest = default_release()
    current = current_version(inv.glance_versions) if inv is not None else None
    why = "no Glance API version read"
    if current is not None:
        why = f"the Glance API's CURRENT {current.id} is older than the tables (Ussuri)"
    return ReleaseChoice(latest, "assumed", f"assumed the latest released ({why})")
