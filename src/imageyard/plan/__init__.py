"""The plan stage: ``make_plan(inventory, policy)`` -> ``Plan``; plan files; ``plan show``."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from typing import TYPE_CHECKING

from imageyard.errors import InputError
from imageyard.files import read_json
from imageyard.plan.economics import CostModel
from imageyard.plan.policy import PlanPolicy

if TYPE_CHECKING:
    from imageyard.design.site import Site
    from imageyard.model.inventory import Inventory
    from imageyard.model.plan import Plan
    from imageyard.simulate.trace import Trace

# NOTE: the planner's modules are imported by the functions that use them: the design
# imports this package for the retention selection alone (``plan.retention``)

MAX_PLAN_BYTES = 256 * 1024 * 1024


def file_fingerprint(path: str | os.PathLike[str]) -> str:
    """``sha256:`` of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def make_plan(
    inv: Inventory,
    policy: PlanPolicy,
    *,
    inventory: str = "",
    inventory_fingerprint: str = "",
    prices: dict[str, float] | None = None,
    now: dt.datetime | None = None,
    site: Site | None = None,
    model: CostModel | None = None,
    trace: Trace | None = None,
) -> Plan:
    """The plan ``policy`` asks for on ``inv`` (with ``site``: edge pre-placement too;
    ``model``: prices and capacities, merged with ``prices``; ``trace``: a boot trace for
    placement by policy)."""
    from imageyard.model.plan import Plan
    from imageyard.plan.cost import store_costs, store_usage
    from imageyard.plan.generate import build

    model = (model or CostModel()).merged(CostModel(tuple(sorted((prices or {}).items()))))
    capacities = dict(model.capacities)
    built = build(inv, policy, site, capacities, trace)
    actions = built.actions_tuple()
    when = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Plan(
        created_at=when,
        inventory=inventory,
        inventory_fingerprint=inventory_fingerprint,
        policy=policy.as_pairs(),
        actions=actions,
        costs=store_costs(inv, actions, dict(model.prices)),
        sites=built.sites,
        stores=store_usage(inv, actions, capacities),
        unplaced=tuple(built.unplaced),
    )


def dump_plan(plan: Plan) -> str:
    """The plan file's text (deterministic JSON)."""
    from imageyard.model.codec import dumps

    return dumps(plan)


def read_plan(path: str | os.PathLike[str]) -> Plan:
    """Read and check a plan file; ``InputError`` (exit 5) when it is not one."""
    from imageyard.model.codec import DecodeError, decode
    from imageyard.model.plan import PLAN_FORMAT, Plan

    name = os.fspath(path)
    doc = read_json(path, "plan", MAX_PLAN_BYTES)
    if not isinstance(doc, dict) or doc.get("format") != PLAN_FORMAT:
        raise InputError(f'{name}: not an imageyard plan (no "format": "{PLAN_FORMAT}")')
    if str(doc.get("version", "")).split(".")[0] != "1":
        raise InputError(f"{name}: plan version {doc.get('version')!r} is not supported")
    try:
        plan = decode(Plan, doc)
    except DecodeError as exc:
        raise InputError(f"{name}: {exc.message}") from None
    _check_actions(plan, name)
    return plan


def _check_actions(plan: Plan, name: str) -> None:
    seen: dict[str, str] = {}
    for a in plan.actions:
        if a.id in seen:
            raise InputError(f"{name}: action id {a.id!r} given twice")
        for dep in a.depends_on:
            if dep not in seen:
                raise InputError(
                    f"{name}: action {a.id} depends on {dep!r}, which is not an earlier action"
                )
        seen[a.id] = a.image_id


__all__ = ["CostModel", "PlanPolicy", "dump_plan", "file_fingerprint", "make_plan", "read_plan"]
