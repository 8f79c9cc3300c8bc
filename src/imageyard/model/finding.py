"""Findings: what an audit rule says about one resource, with the evidence behind it.

Concepts:

* ``Severity`` (info < low < medium < high < critical) says how bad the problem is if the
  finding is right; ``Confidence`` (low, medium, high) says how sure the rule is that it
  is right. They are separate axes: "glance-api will not start" is critical and certain,
  "this endpoint looks user-facing" is high but only a guess.
* A ``Resource`` is what the finding is about, written ``kind id``: ``store ceph``,
  ``file /etc/glance/glance-api.conf``, ``option [DEFAULT] location_strategy``,
  ``image <id>``. Mute files match it with globs.
* ``Evidence`` cites where the rule looked: a configuration value (``file:line``) or a
  fact from an API or from Ceph, as text.
* A ``Finding`` is a failed check. Its ``status`` is ``fail`` or, when a mute file entry
  covers it, ``muted`` (the finding is still reported, with the reason). A ``MuteNote``
  also records a mute that has expired and so no longer mutes. Its ``cause`` is the part
  of the message that many resources share (a rule that fails per image says why without
  the image's own id, name or URLs), so a report can group them; empty when the finding is
  its own group.
* An ``Unknown`` is a check that could not be made because its inputs are missing (a
  configuration file not read, a source incomplete). It is never a pass. Its ``cause`` is
  the part of its reason that many resources share, as for a finding.
* A ``ProposedAction`` is a small typed record the planner can turn into a step: a kind
  plus string parameters.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from imageyard.model.config import ConfigValue

_SEVERITY_ORDER = ("info", "low", "medium", "high", "critical")
# NOTE: by the member (a str: hashed and compared as its value), read for every finding sorted
_SEVERITY_RANK = {name: rank for rank, name in enumerate(_SEVERITY_ORDER)}


class Severity(enum.StrEnum):
    """How bad the problem is when the finding is right (ordered)."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for info up to 4 for critical."""
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        """True when this severity is ``other`` or worse."""
        return self.rank >= other.rank


class Confidence(enum.StrEnum):
    """How sure the rule is that the finding is right."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Status(enum.StrEnum):
    """The state of one reported result."""

    FAIL = "fail"
    UNKNOWN = "unknown"
    MUTED = "muted"


@dataclass(frozen=True, order=True)
class Resource:
    """What a result is about: ``kind`` (store, file, option, image ...) and its id."""

    kind: str
    id: str

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


@dataclass(frozen=True)
class Evidence:
    """One citation: a configuration value (``path:line``) or a fact as text."""

    text: str
    path: str | None = None
    line: int | None = None

    @classmethod
    def from_config(cls, cv: ConfigValue) -> Evidence:
        """``[section] key = value`` at the value's ``path:line``."""
        return cls(f"[{cv.section}] {cv.key} = {cv.value}", cv.path, cv.line)

    @classmethod
    def fact(cls, text: str, path: str | None = None) -> Evidence:
        """A fact from an API, from Ceph or about a file as a whole."""
        return cls(text, path)

    @property
    def where(self) -> str:
        """``path:line``, ``path`` or empty."""
        if self.path is None:
            return ""
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class ProposedAction:
    """A change the planner may make to fix a finding: a kind plus string parameters."""

    kind: str
    params: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", tuple(sorted(self.params)))


@dataclass(frozen=True)
class MuteNote:
    """The mute-file entry that covers a finding (``expired`` ones no longer mute)."""

    reason: str
    expires: str
    where: str
    expired: bool = False


# NOTE: a writer's citations of a finding: each with whether its text is the finding's own
Cited = tuple[tuple[Evidence, bool], ...] | None


class Pattern(Protocol):
    """What results of one part write from their own values alone (``own_values``)."""

    def own_written_from(
        self, values: tuple[str, ...]
    ) -> tuple[tuple[str, ...] | None, Cited, list[Any]]:
        """``own_written`` (an unknown's: no names, no citations, its reason and
        ``sort_text``) of the result whose ``own_values`` are ``values``: each of them put
        in as it is (never read, cut or changed), so the same call with marks in their
        place gives every result's text at once."""
        ...


@dataclass(frozen=True)
class Finding:
    """A failed check of one rule on one resource."""

    rule_id: str
    resource: Resource
    message: str
    severity: Severity
    confidence: Confidence
    evidence: tuple[Evidence, ...] = ()
    remediation: str = ""
    action: ProposedAction | None = None
    status: Status = Status.FAIL
    mute: MuteNote | None = field(default=None)
    cause: str = ""
    # NOTE: findings made from one shared part name it here (None: made alone); those that
    # name one part share every field but resource, message, evidence, remediation, action
    shared_by: ClassVar[object | None] = None

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        """Worst first, then by rule and resource."""
        return (-self.severity.rank, self.rule_id, str(self.resource), self.message)

    @property
    def sort_text(self) -> str:
        """The resource's part of ``sort_key`` (``sort_key[2]``)."""
        return str(self.resource)

    def own_strings(self) -> tuple[tuple[str, ...] | None, list[Any]]:
        """Its action's parameter names, sorted (None: no action), and the values that are
        its own among the findings of one shared part: the action's kind and parameter
        values in the order of those names, then message, remediation and ``sort_text``
        (not checked to be strings). A finding written from a shared part gives them at
        once, reading what they have in common once."""
        action = self.action
        tail = [self.message, self.remediation, self.sort_text]
        if action is None:
            return None, tail
        params = dict(action.params)
        names = tuple(sorted(params))
        return names, [action.kind, *(params[n] for n in names), *tail]

    def own_written(
        self,
    ) -> tuple[tuple[str, ...] | None, tuple[tuple[Evidence, bool], ...] | None, list[Any]]:
        """``own_strings`` for a writer, with the citations of a finding whose evidence
        shares all but some texts with others of its shared part: each with whether its
        text is the finding's own (None: the evidence list is, as here), those texts
        following the action's strings (in the order of the citations)."""
        names, strings = self.own_strings()
        return names, None, strings

    def own_values(self) -> tuple[Pattern, tuple[str, ...]] | None:
        """Its pattern and its own values, when every finding of that pattern shares every
        field but what ``own_written_from`` writes from such values (its evidence list
        too, unless it writes the citations' texts); None: written field by field."""
        return None


@dataclass(frozen=True)
class Unknown:
    """A check that could not be made: ``reason`` names what is missing."""

    rule_id: str
    resource: Resource
    reason: str
    evidence: tuple[Evidence, ...] = ()
    status: Status = Status.UNKNOWN
    cause: str = ""
    # NOTE: as a Finding's: unknowns of one part share all but resource, reason, evidence
    shared_by: ClassVar[object | None] = None

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """By rule, resource and reason."""
        return (self.rule_id, str(self.resource), self.reason)

    @property
    def sort_text(self) -> str:
        """The resource's part of ``sort_key`` (``sort_key[1]``)."""
        return str(self.resource)

    def own_values(self) -> tuple[Pattern, tuple[str, ...]] | None:
        """As ``Finding.own_values``: an unknown's own strings are its reason and
        ``sort_text``."""
        return None


Outcome = Finding | Unknown
