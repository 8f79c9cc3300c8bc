"""Mute files: accepted findings, each with a reason and an expiry date.

Concepts: a mute file is YAML, a list of entries (or a mapping with a ``mutes:`` list)::

    mutes:
      - rule: locations-exposed-user-facing
        resource: "file */glance-api.conf"     # a glob over "kind id"; optional ("*")
        reason: internal-only endpoint, firewalled (CHG-1234)
        expires: 2026-12-31

An entry mutes the findings of ``rule`` (a glob too) whose resource matches. A muted
finding is still reported, marked ``muted`` with the reason. From the day after
``expires`` the entry stops muting: the finding fails again and carries a note saying
which mute expired. A file that is not such a list is refused with one line naming
``file:line`` (exit 5). The YAML is read by ``mutefile`` (imported with the first file).
"""

from __future__ import annotations

import datetime
import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from imageyard.errors import InputError
from imageyard.files import MiB, read_text
from imageyard.model.finding import Finding, MuteNote, Status

MAX_MUTE_BYTES = 4 * MiB


class MuteFileError(InputError):
    """A mute file that cannot be read or is not a list of valid entries."""

    slug = "mute-file"


@dataclass(frozen=True)
class Mute:
    """One mute-file entry."""

    rule: str
    resource: str
    reason: str
    expires: datetime.date
    where: str

    def matches(self, finding: Finding) -> bool:
        """True when this entry covers ``finding`` (whether or not it has expired)."""
        rule_ok = fnmatch.fnmatchcase(finding.rule_id, self.rule)
        return rule_ok and fnmatch.fnmatchcase(str(finding.resource), self.resource)

    def expired(self, today: datetime.date) -> bool:
        """True from the day after ``expires``."""
        return today > self.expires

    def note(self, today: datetime.date) -> MuteNote:
        """What a finding covered by this entry records about it."""
        return MuteNote(self.reason, self.expires.isoformat(), self.where, self.expired(today))


def parse_mutes(text: str, *, origin: str) -> tuple[Mute, ...]:
    """The entries of mute-file ``text``; ``origin`` names the file in errors."""
    from imageyard.audit import mutefile  # NOTE: YAML is imported only when a file is read

    return mutefile.parse(text, origin=origin)


def read_mutes(path: str | Path) -> tuple[Mute, ...]:
    """Read and parse a mute file; unreadable or malformed files raise MuteFileError."""
    text = read_text(path, "mute file", MAX_MUTE_BYTES, MuteFileError)
    return parse_mutes(text, origin=str(path))


def apply_mutes(
    findings: Iterable[Finding], mutes: tuple[Mute, ...], today: datetime.date
) -> tuple[Finding, ...]:
    """Mark each finding covered by an active entry ``muted``; note expired entries."""
    out: list[Finding] = []
    for finding in findings:
        covering = [m for m in mutes if m.matches(finding)]
        active = [m for m in covering if not m.expired(today)]
        if active:
            out.append(replace(finding, status=Status.MUTED, mute=active[0].note(today)))
        elif covering:
            out.append(replace(finding, mute=covering[0].note(today)))
        else:
            out.append(finding)
    return tuple(out)


def expired_mutes(mutes: tuple[Mute, ...], today: datetime.date) -> tuple[Mute, ...]:
    """The entries that no longer mute anything."""
    return tuple(m for m in mutes if m.expired(today))
