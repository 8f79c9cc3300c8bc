"""The API versions a Glance endpoint reports (``GET /versions``).

Concepts: Glance lists every v2 minor version it serves with a status; the ``CURRENT`` one is
the newest, and which one that is depends on the release (and, in some releases, on whether
multi-store or the image cache is configured). ``audit.release_infer`` maps it to the
releases that report it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ApiVersion:
    """One entry of Glance's version document: ``v2.17``, ``CURRENT``."""

    id: str
    status: str

    @property
    def number(self) -> str:
        """``2.17`` for ``v2.17``."""
        return self.id.lstrip("vV")


def current_version(versions: tuple[ApiVersion, ...]) -> ApiVersion | None:
    """The version marked CURRENT (the highest one if several are)."""
    current = [v for v in versions if v.status.upper() == "CURRENT"]
    if not current:
        return None
    return max(current, key=lambda v: _key(v.number))


def _key(number: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in number.split("."))
    except ValueError:
        return (0,)
