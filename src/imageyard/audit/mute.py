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
``file:line`` (exit 5).
"""

from __future__ import annotations

import datetime
import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from imageyard import yamlsafe
from imageyard.errors import InputError
from imageyard.files import MiB, read_text
from imageyard.model.finding import Finding, MuteNote, Status

MAX_MUTE_BYTES = 4 * MiB
_KEYS = frozenset({"rule", "resource", "reason", "expires"})
_REQUIRED = ("rule", "reason", "expires")


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


def _fail(path: str, node: yaml.Node | None, reason: str) -> MuteFileError:
    line = node.start_mark.line + 1 if node is not None else 1
    return MuteFileError(
        f"{path}:{line}: {reason}",
        tip="each entry needs rule, reason and expires (YYYY-MM-DD); resource is a glob",
    )


def _scalar(path: str, node: yaml.Node, key: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise _fail(path, node, f"{key} must be a non-empty string")
    return str(node.value).strip()


def _date(path: str, node: yaml.Node) -> datetime.date:
    text = _scalar(path, node, "expires")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise _fail(path, node, f"expires {text!r} is not a date (YYYY-MM-DD)") from None


def _entry(path: str, node: yaml.Node) -> Mute:
    if not isinstance(node, yaml.MappingNode):
        raise _fail(path, node, "a mute entry must be a mapping")
    fields: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in _KEYS:
            raise _fail(path, key_node, f"unknown key {key!r} (known: {', '.join(sorted(_KEYS))})")
        if key in fields:
            raise _fail(path, key_node, f"key {key!r} given twice in one entry")
        fields[key] = value_node
    for key in _REQUIRED:
        if key not in fields:
            raise _fail(path, node, f"entry lacks {key!r}")
    resource = fields.get("resource")
    return Mute(
        rule=_scalar(path, fields["rule"], "rule"),
        resource=_scalar(path, resource, "resource") if resource is not None else "*",
        reason=_scalar(path, fields["reason"], "reason"),
        expires=_date(path, fields["expires"]),
        where=f"{path}:{node.start_mark.line + 1}",
    )


def _entries_node(path: str, root: yaml.Node | None) -> list[yaml.Node]:
    if root is None:
        return []
    if isinstance(root, yaml.MappingNode):
        pairs = {str(k.value): v for k, v in root.value}
        if set(pairs) != {"mutes"}:
            raise _fail(path, root, "expected a list of entries or a single 'mutes:' key")
        root = pairs["mutes"]
    if isinstance(root, yaml.ScalarNode) and root.tag.endswith(":null"):
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise _fail(path, root, "expected a list of mute entries")
    return list(root.value)


def parse_mutes(text: str, *, origin: str) -> tuple[Mute, ...]:
    """The entries of mute-file ``text``; ``origin`` names the file in errors."""
    try:
        root = yamlsafe.compose(text)
    except yamlsafe.YamlLimitError as exc:
        raise MuteFileError(f"{origin}:{exc.line}: {exc.reason}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or " ".join(str(exc).split())[:200]
        raise MuteFileError(f"{origin}:{line}: not valid YAML ({problem})") from None
    return tuple(_entry(origin, node) for node in _entries_node(origin, root))


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
