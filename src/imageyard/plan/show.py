"""``imageyard plan show``: a plan for humans (what changes, bytes moved, cost before/after)."""

from __future__ import annotations

from collections import Counter

from imageyard.model.plan import Action, Plan, StoreUsage
from imageyard.terminal import one_line

_VERB = {
    "copy-image": "copy {name} to store {target}",
    "delete-from-store": "delete {name} from store {target}",
    "convert-to-raw": "convert {name} to raw into store {target}",
    "retire-image": "retire {name} ({target})",
    "rbd-trash-move": "move RBD image {name} to the trash (deferment {target} s)",
    "delete-object": "take {name} out of store {target} (no Glance image)",
    "rbd-trash-purge": "purge RBD {name} from the trash (deferment ended {target})",
    "rbd-trash-restore": "restore RBD {name} from the trash (a Glance location names it)",
    "rbd-flatten": "flatten RBD clone {name} (detach it from {target})",
    "delete-location": "remove the location of {name} in store {target} (its data is missing)",
    "copy-converted": "copy the raw replacement of {name} to store {target}",
}


def human_bytes(n: int) -> str:
    """``1.5 GiB``-style sizes."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(size) < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"  # pragma: no cover


def describe(action: Action) -> str:
    """One action as a sentence (``copy debian-12 (<id>) to store ceph``)."""
    name = f"{action.image_name} ({action.image_id})" if action.image_name else action.image_id
    text = _VERB.get(action.kind, action.kind + " {name} {target}")
    return one_line(text.format(name=name, target=action.target))  # no forged line


def _line(action: Action) -> str:
    size = f", {human_bytes(action.bytes)}" if action.bytes else ""
    after = f" after {', '.join(action.depends_on)}" if action.depends_on else ""
    mark = " [destructive]" if action.destructive else ""
    why = f"\n        because {one_line(action.reason)}" if action.reason else ""
    return f"  {action.id}  {describe(action)}{size}{after}{mark}{why}"


def _costs(plan: Plan) -> list[str]:
    if not plan.costs:
        return []
    lines = ["", "Monthly cost (GiB-month price x GiB stored):"]
    total_before = total_after = 0.0
    for c in plan.costs:
        before, after = c.gib_before * c.price_gib_month, c.gib_after * c.price_gib_month
        total_before, total_after = total_before + before, total_after + after
        lines.append(
            f"  {c.store:<12} {c.gib_before:9.3f} GiB -> {c.gib_after:9.3f} GiB   "
            f"{before:10.2f} -> {after:10.2f}"
        )
    lines.append(f"  {'total':<12} {'':>31}{total_before:10.2f} -> {total_after:10.2f}")
    return lines


def _sites(plan: Plan) -> list[str]:
    if not plan.sites:
        return []
    lines = ["", "Edge pre-placement (images each site boots, in its own store):"]
    for p in plan.sites:
        if p.store is None:
            lines.append(f"  {p.site:<12} nothing planned: {p.note}")
            continue
        lines.append(
            f"  {p.site:<12} store {p.store}: {p.boots} images booted, {p.present} there "
            f"already, {p.copies} copied ({human_bytes(p.bytes)})"
            + (f"; {p.note}" if p.note else "")
        )
        names = [describe(a) for a in plan.actions if a.param("site") == p.site]
        lines += [f"      {n}" for n in names]
    return lines


def _capacity(u: StoreUsage) -> str:
    if u.capacity is None:
        return "no capacity limit"
    share = u.bytes_peak / u.capacity * 100 if u.capacity else 100.0
    return f"capacity {human_bytes(u.capacity)} (peak {share:.0f}%)"


def _stores(plan: Plan) -> list[str]:
    if not plan.stores:
        return []
    lines = ["", "Bytes per store (before -> peak -> after):"]
    for u in plan.stores:
        lines.append(
            f"  {u.store:<12} {human_bytes(u.bytes_before):>10} -> {human_bytes(u.bytes_peak):>10}"
            f" -> {human_bytes(u.bytes_after):>10}   {_capacity(u)}"
        )
    return lines


def _unplaced(plan: Plan) -> list[str]:
    if not plan.unplaced:
        return []
    lines = ["", f"Not placed ({len(plan.unplaced)}):"]
    for u in plan.unplaced:
        name = f"{u.image_name} ({u.image_id})" if u.image_name else u.image_id
        line = f"  {name} -> {u.store}, {human_bytes(u.bytes)}: {u.reason}"
        lines.append(one_line(line))
    return lines


def render_plan(plan: Plan) -> str:
    """The plan as text: a summary line, one line per action, costs when priced."""
    kinds = Counter(a.kind for a in plan.actions)
    moved = sum(a.bytes for a in plan.actions)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "no changes"
    head = [
        f"Plan from {plan.inventory or 'an inventory'} ({plan.inventory_fingerprint[:19]}), "
        f"made {plan.created_at}",
        f"{len(plan.actions)} actions ({summary}); {human_bytes(moved)} to move; "
        f"{sum(a.destructive for a in plan.actions)} destructive",
        "",
    ]
    body = head + [_line(a) for a in plan.actions] + _sites(plan) + _costs(plan)
    body += _stores(plan) + _unplaced(plan)
    return "\n".join(body) + "\n"
