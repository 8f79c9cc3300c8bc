"""Audit rules: a small pure function plus its metadata, given by the ``@rule`` decorator.

Concepts:

* A rule is a plain function ``(inv: Inventory, ctx: AuditContext) -> Iterable[Outcome]``
  yielding a ``Finding`` for each resource that fails and an ``Unknown`` for each check it
  could not make. Yielding nothing means every resource it looked at passed.
* ``@rule(id=..., title=..., severity=..., ...)`` wraps the function in a ``Rule`` whose
  ``meta`` holds the metadata. The metadata is checked when the decorator runs (stable
  kebab-case id, a known severity, confidence and category, a release gate that parses,
  a docstring and a remediation), so a broken rule fails at import, not in the field.
* The function's docstring is the rule's summary (first paragraph) and description; the
  operator-facing page with an example lives in ``docs/rules/<id>.md``.
* Decorating registers nothing: ``audit.registry`` lists every rule explicitly.
* ``releases`` gates a rule on the target Glance major: ``"all"``, ``">=28"``, ``"<29"``
  or ``">=25,<29"``. The engine skips a rule whose gate excludes the target.
* ``AuditContext`` carries the target release and rule settings, so rules stay pure.
* A rule with one result per image may also give ``count=``: a function returning how many
  findings and unknowns the rule yields (``tally`` of its results), without making them.
  A caller that reads only a rule's counts (``run_audit(keep=...)``, as design does) is
  answered by it when no mute applies.
* A rule that reads a setting declares it: ``options=(RuleOption("max_age_days", "int",
  "180", "..."),)``; ``rule.option(ctx, key)`` gives the value set for it
  (``<rule-id>.<key>``) or the declared default. ``audit.rule_options`` checks what an
  operator sets (``imageyard audit --rule-option RULE.KEY=VALUE``) against the declarations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from imageyard.audit.releases import Release, default_release
from imageyard.model.finding import (
    Confidence,
    Evidence,
    Finding,
    Outcome,
    ProposedAction,
    Resource,
    Severity,
    Unknown,
)
from imageyard.model.inventory import Inventory

_ID = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+")
_GATE = re.compile(r"(>=|<)(\d{2})")

CATEGORIES = (
    "startup",  # glance-api, nova-compute or cinder-volume refuses to start
    "cow",  # copy-on-write clones from Glance images are lost
    "multistore",  # store layout, weights, copies between stores
    "cache",  # Glance image cache and Cinder image-volume cache
    "security",  # exposure of backend locations and similar
    "lifecycle",  # removed and deprecated options
    "hygiene",  # typos and options that are silently ignored
    "images",  # per-image checks (formats, locations)
)


def _empty_settings() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class AuditContext:
    """What every rule may read besides the inventory: target release and settings."""

    release: Release = field(default_factory=default_release)
    release_origin: str = ""  # where the target came from (flag, inferred, assumed)
    settings: Mapping[str, str] = field(default_factory=_empty_settings)

    def setting(self, rule_id: str, key: str, default: str) -> str:
        """The setting ``<rule_id>.<key>``, or ``default``."""
        return self.settings.get(f"{rule_id}.{key}", default)


@dataclass(frozen=True)
class ReleaseGate:
    """The Glance majors a rule applies to: ``low <= major < high`` (None: open)."""

    low: int | None = None
    high: int | None = None

    def admits(self, major: int) -> bool:
        """True when the rule applies to Glance ``major``."""
        above = self.low is None or major >= self.low
        below = self.high is None or major < self.high
        return above and below

    def __str__(self) -> str:
        parts = [f">={self.low}"] if self.low is not None else []
        parts += [f"<{self.high}"] if self.high is not None else []
        return ",".join(parts) or "all"


def parse_gate(text: str) -> ReleaseGate:
    """``all``, ``>=28``, ``<29`` or ``>=25,<29``; ValueError otherwise."""
    if text.strip() == "all":
        return ReleaseGate()
    bounds: dict[str, int] = {}
    for part in text.split(","):
        match = _GATE.fullmatch(part.strip())
        if match is None or match.group(1) in bounds:
            raise ValueError(f"bad release gate {text!r}")
        bounds[match.group(1)] = int(match.group(2))
    return ReleaseGate(bounds.get(">="), bounds.get("<"))


OPTION_KINDS = ("int", "list")  # a whole number >= 0; comma-separated names


@dataclass(frozen=True)
class RuleOption:
    """One setting a rule reads: its key, kind, default (as text) and what it means."""

    key: str
    kind: str
    default: str
    help: str

    def problem(self, value: str) -> str | None:
        """Why ``value`` is not a valid value of this option (None: it is)."""
        if self.kind == "int" and not value.strip().isdigit():
            return "not a whole number >= 0"
        if self.kind == "list" and not [v for v in value.split(",") if v.strip()]:
            return "an empty list"
        return None


@dataclass(frozen=True)
class RuleMeta:
    """Everything about a rule except its logic."""

    id: str
    title: str
    severity: Severity
    confidence: Confidence
    category: str
    releases: ReleaseGate
    remediation: str
    links: tuple[str, ...]
    summary: str
    description: str
    options: tuple[RuleOption, ...] = ()

    def declared(self, key: str) -> RuleOption | None:
        """The option ``key`` of this rule, or None when it has none of that name."""
        return next((o for o in self.options if o.key == key), None)


Check = Callable[[Inventory, AuditContext], Iterable[Outcome]]
Counts = tuple[int, int]  # how many findings and how many unknowns
Count = Callable[[Inventory, AuditContext], Counts]


def tally(results: Iterable[Outcome]) -> Counts:
    """How many of ``results`` are findings and how many unknowns."""
    found = unknown = 0
    for result in results:
        if isinstance(result, Unknown):
            unknown += 1
        elif isinstance(result, Finding):
            found += 1
    return found, unknown


@dataclass(frozen=True)
class Rule:
    """A rule function with its metadata; calling it runs the check."""

    meta: RuleMeta
    check: Check
    count: Count | None = None  # tally(check(inv, ctx)), without making the results

    def __call__(self, inv: Inventory, ctx: AuditContext) -> Iterable[Outcome]:
        return self.check(inv, ctx)

    @property
    def id(self) -> str:
        return self.meta.id

    def option(self, ctx: AuditContext, key: str) -> str:
        """The value set for this rule's option ``key``, else its declared default."""
        declared = self.meta.declared(key)
        if declared is None:
            raise KeyError(f"rule {self.meta.id} declares no option {key!r}")
        return ctx.setting(self.meta.id, key, declared.default)

    def finding(
        self,
        resource: Resource,
        message: str,
        *evidence: Evidence,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        action: ProposedAction | None = None,
        remediation: str | None = None,
        cause: str = "",
    ) -> Finding:
        """A Finding of this rule with its defaults (severity, confidence, remediation);
        ``cause``: what the finding shares with others of its rule (see ``Finding``)."""
        return Finding(
            rule_id=self.meta.id,
            resource=resource,
            message=message,
            severity=severity or self.meta.severity,
            confidence=confidence or self.meta.confidence,
            evidence=evidence,
            remediation=self.meta.remediation if remediation is None else remediation,
            action=action,
            cause=cause,
        )

    def unknown(
        self, resource: Resource, reason: str, *evidence: Evidence, cause: str = ""
    ) -> Unknown:
        """An Unknown of this rule (``cause`` as for ``finding``)."""
        return Unknown(self.meta.id, resource, reason, evidence, cause=cause)


def _docstring_parts(fn: Callable[..., object]) -> tuple[str, str]:
    doc = (fn.__doc__ or "").strip()
    if not doc:
        raise TypeError(f"rule {fn.__name__} has no docstring (its summary)")
    summary = " ".join(doc.split("\n\n", 1)[0].split())
    return summary, doc


def _checked_meta(fn: Callable[..., object], **kw: object) -> RuleMeta:
    rule_id = str(kw["id"])
    if not _ID.fullmatch(rule_id):
        raise ValueError(f"rule id {rule_id!r} is not kebab-case (a-z, 0-9, dashes)")
    if kw["category"] not in CATEGORIES:
        raise ValueError(f"rule {rule_id}: unknown category {kw['category']!r}")
    if not str(kw["remediation"]).strip() or not str(kw["title"]).strip():
        raise ValueError(f"rule {rule_id}: title and remediation are required")
    summary, doc = _docstring_parts(fn)
    links, options = kw["links"], kw["options"]
    assert isinstance(links, tuple) and isinstance(options, tuple)
    for option in options:
        if option.kind not in OPTION_KINDS or option.problem(option.default) is not None:
            raise ValueError(f"rule {rule_id}: option {option.key!r} is badly declared")
    return RuleMeta(
        id=rule_id,
        title=str(kw["title"]),
        severity=Severity(str(kw["severity"])),
        confidence=Confidence(str(kw["confidence"])),
        category=str(kw["category"]),
        releases=parse_gate(str(kw["releases"])),
        remediation=" ".join(str(kw["remediation"]).split()),
        links=tuple(str(link) for link in links),
        summary=summary,
        description=doc,
        options=options,
    )


def rule(
    *,
    id: str,
    title: str,
    severity: Severity | str,
    confidence: Confidence | str,
    category: str,
    remediation: str,
    releases: str = "all",
    links: tuple[str, ...] = (),
    options: tuple[RuleOption, ...] = (),
    count: Count | None = None,
) -> Callable[[Check], Rule]:
    """Attach validated metadata to a rule function (see the module docstring); ``count``
    gives the rule's counts without its results."""

    def wrap(fn: Check) -> Rule:
        meta = _checked_meta(
            fn,
            id=id,
            title=title,
            severity=severity,
            confidence=confidence,
            category=category,
            remediation=remediation,
            releases=releases,
            links=links,
            options=options,
        )
        return Rule(meta, fn, count)

    return wrap
