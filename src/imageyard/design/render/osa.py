"""``--render osa``: openstack-ansible ``user_variables.yml`` override dictionaries.

Concepts: openstack-ansible writes any option given in ``glance_glance_api_conf_overrides``,
``nova_nova_conf_overrides`` and ``cinder_cinder_conf_overrides`` (section -> key -> value),
unvalidated. Glance reads glance-api.conf and glance-image-import.conf into one
configuration (glance-api.conf last, so it wins), so the import options go into the
glance-api overrides too: os_glance installs glance-image-import.conf only from a file
named in ``glance_glance_image_import_conf_location``. Another site's glance-api and each
compute group get their overrides in a ``group_vars`` file. Every variable used is in
``data/deploy_tools.py`` (extracted from the os_glance, os_nova and os_cinder roles).
"""

from __future__ import annotations

from imageyard.design.diff import FileDiff
from imageyard.design.model import Change, Design
from imageyard.design.render.common import by_hand, cannot, grouped, removals, targets

TOOL = "openstack-ansible"
_VARS = (
    ("glance_glance_api_conf_overrides", ("glance-api.conf", "glance-image-import.conf")),
    ("nova_nova_conf_overrides", ("nova.conf",)),
    ("cinder_cinder_conf_overrides", ("cinder.conf",)),
)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _block(var: str, changes: tuple[Change, ...]) -> list[str]:
    groups = grouped(changes)
    if not groups:
        return []
    lines = [f"{var}:"]
    for section, items in groups.items():
        lines.append(f"  {section}:")
        for ch in items:
            lines.append(f"    # {ch.why} [{ch.fact}]")
            if ch.risk:
                lines.append(f"    # RISK: {ch.risk}")
            lines.append(f"    {ch.key}: {_quote(ch.value or '')}")
    return lines


def _nova_groups(design: Design) -> list[str]:
    out: list[str] = []
    targets = sorted({c.target for c in design.changes if c.file == "nova.conf"})
    for target in targets:
        changes = tuple(c for c in design.changes if c.file == "nova.conf" and c.target == target)
        name = target.rsplit("/", 1)[-1] or target
        out += [
            "",
            f"# ---- /etc/openstack_deploy/group_vars/{name}.yml",
            *_block("nova_nova_conf_overrides", changes),
        ]
    return out


def _site_apis(design: Design) -> list[str]:
    out: list[str] = []
    for target in targets(design, "glance-api.conf"):
        if not target:
            continue
        changes = tuple(c for c in design.changes_for("glance-api.conf") if c.target == target)
        out += [
            "",
            f"# ---- /etc/openstack_deploy/group_vars/<glance_api hosts at {target}>.yml",
            *_block("glance_glance_api_conf_overrides", changes),
        ]
    return out


def render(design: Design, diffs: tuple[FileDiff, ...]) -> str:
    out = ["# ---- /etc/openstack_deploy/user_variables.yml"]
    several = len({c.target for c in design.changes if c.file == "nova.conf"}) > 1
    for var, files in _VARS:
        if several and files == ("nova.conf",):
            continue
        mine = tuple(
            c
            for c in design.changes
            if c.file in files and not (c.file == "glance-api.conf" and c.target)
        )
        block = _block(var, mine)
        if block:
            out += ["", *block]
    out += _site_apis(design)
    if several:
        out += _nova_groups(design)
    missing = removals(design) + by_hand(design)
    if several:
        missing.append(
            "compute groups are not inventory groups: map each group_vars file to the "
            "hosts of that compute group"
        )
    return "\n".join(out) + "\n\n" + cannot(missing)
