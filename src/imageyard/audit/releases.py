"""Glance releases: the target an audit is judged against (``--release``).

Concepts: rules about removed or deprecated options, and rules whose facts only hold from
some release on, gate on the Glance major version of the target (``30`` is 2025.1 Epoxy).
The operator names the target as a Glance major (``30``, ``30.0.2``), a series
(``2025.1``) or a code name (``epoxy``). Without ``--release`` the audit judges against
the latest released Glance known here; a rule gated on a release compares majors only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from imageyard.errors import UsageError


@dataclass(frozen=True, order=True)
class Release:
    """One Glance release: its major version, series and code name."""

    major: int
    series: str
    name: str

    def __str__(self) -> str:
        return f"{self.series} {self.name} (Glance {self.major})"


# Glance majors per series (glance tags; openstack/releases deliverables).
GLANCE_RELEASES: tuple[Release, ...] = (
    Release(13, "newton", "Newton"),
    Release(14, "ocata", "Ocata"),
    Release(15, "pike", "Pike"),
    Release(16, "queens", "Queens"),
    Release(17, "rocky", "Rocky"),
    Release(18, "stein", "Stein"),
    Release(19, "train", "Train"),
    Release(20, "ussuri", "Ussuri"),
    Release(21, "victoria", "Victoria"),
    Release(22, "wallaby", "Wallaby"),
    Release(23, "xena", "Xena"),
    Release(24, "yoga", "Yoga"),
    Release(25, "zed", "Zed"),
    Release(26, "2023.1", "Antelope"),
    Release(27, "2023.2", "Bobcat"),
    Release(28, "2024.1", "Caracal"),
    Release(29, "2024.2", "Dalmatian"),
    Release(30, "2025.1", "Epoxy"),
    Release(31, "2025.2", "Flamingo"),
    Release(32, "2026.1", "Gazpacho"),
    Release(33, "2026.2", "Hibiscus"),
)

LATEST_RELEASED = 33
_MAJOR = re.compile(r"(\d{2})(?:\.\d+){0,2}")


def by_major(major: int) -> Release:
    """The release with Glance major ``major`` (KeyError-free: raises UsageError)."""
    for release in GLANCE_RELEASES:
        if release.major == major:
            return release
    raise UsageError(
        f"unknown Glance release {major}",
        tip=f"known: {GLANCE_RELEASES[0].major}..{GLANCE_RELEASES[-1].major}",
    )


def default_release() -> Release:
    """The latest released Glance known to this imageyard."""
    return by_major(LATEST_RELEASED)


def parse_release(text: str | None) -> Release:
    """``30``, ``30.0.2``, ``2025.1`` or ``epoxy`` as a Release; None gives the default."""
    if text is None:
        return default_release()
    word = text.strip().lower()
    for release in GLANCE_RELEASES:
        if word in (release.series, release.name.lower()):
            return release
    match = _MAJOR.fullmatch(word)
    if match is None:
        raise UsageError(
            f"--release {text!r} is not a Glance release",
            tip="give a series (2025.1), a code name (epoxy) or a Glance major (30)",
        )
    return by_major(int(match.group(1)))
