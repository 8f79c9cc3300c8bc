"""Extract what each deployment tool really consumes, for the design renderers.

Reads git checkouts (or bare mirrors) of kolla-ansible, openstack-ansible's os_glance,
os_nova and os_cinder roles, charm-glance and glance-operator at HEAD and prints the Python
module ``src/imageyard/design/data/deploy_tools.py``: the variable and option names each
tool defines, the override file paths it merges, the switch that installs
glance-image-import.conf, and the options glance-operator writes itself per API type.

    python tools/extract_deploy_vars.py --kolla DIR --osa-glance DIR --osa-nova DIR \\
        --osa-cinder DIR --charm DIR --operator DIR > src/imageyard/design/data/deploy_tools.py
"""

from __future__ import annotations

import argparse
import re
import subprocess
from typing import Any

import yaml

_CUSTOM = re.compile(r"\{\{ node_custom_config \}\}/([^\"']+)")
_TAG = re.compile(r'json:"([A-Za-z]+)[,"]')
_SECTION = re.compile(r"^\[([A-Za-z_]+)\]")


def _git(repo: str, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", repo, *args], check=True, capture_output=True, text=True
    ).stdout


def _show(repo: str, path: str) -> str:
    return _git(repo, "show", f"HEAD:{path}")


def _commit(repo: str) -> str:
    return _git(repo, "rev-parse", "HEAD").strip()


def _keys(repo: str, *paths: str) -> list[str]:
    out: set[str] = set()
    for path in paths:
        data: Any = yaml.safe_load(_show(repo, path)) or {}
        out |= set(data)
    return sorted(out)


def _overrides(repo: str) -> list[str]:
    return [k for k in _keys(repo, "defaults/main.yml") if k.endswith("_overrides")]


def _sources(repo: str, path: str, service: str) -> list[str]:
    found = [m.group(1) for m in _CUSTOM.finditer(_show(repo, path))]
    return sorted({f for f in found if f.startswith(f"{service}/") or f == f"{service}.conf"})


def _copy_switch(repo: str) -> list[str]:
    tasks: Any = yaml.safe_load(_show(repo, "ansible/roles/glance/tasks/config.yml"))
    for task in tasks:
        if "glance-image-import.conf" in str(task.get("name", "")):
            return [w.split()[0] for w in task.get("when", []) if "glance" in w and "|" in w]
    return []


def _go_struct_tags(text: str, struct: str) -> list[str]:
    m = re.search(rf"type {struct} struct \{{(.*?)\n\}}", text, re.S)
    return sorted(set(_TAG.findall(m.group(1)))) if m else []


def _enum_before(text: str, field: str) -> list[str]:
    m = re.search(rf"Enum=([a-z;]+)\n(?:\s*//.*\n)*\s*{field} string", text)
    return m.group(1).split(";") if m else []


def _location_types(text: str) -> list[str]:
    m = re.search(
        r"if (instance\.Spec\.APIType == .*?)\{\s*templateParameters\[\"ShowImage", text, re.S
    )
    return sorted(t.lower() for t in re.findall(r"glancev1\.API(\w+)", m.group(1))) if m else []


def _templated_options(text: str) -> list[tuple[str, str]]:
    """(section, option) the operator's 00-config.conf writes, in the sections design edits."""
    out: set[tuple[str, str]] = set()
    section, stack = "DEFAULT", []
    for line in text.splitlines():
        if line.startswith("{{ if") or line.startswith("{{- if"):
            stack.append(section)
        elif re.match(r"\{\{-? (else|end)", line) and stack:
            section = stack[-1] if "else" in line else stack.pop()
        sec = _SECTION.match(line)
        if sec:
            section = sec.group(1)
            continue
        opt = re.match(r"^([a-z_]+)\s*=", line)
        if opt and section in ("DEFAULT", "image_import_opts", "image_conversion", "glance_store"):
            out.add((section, opt.group(1)))
    return sorted(out)


def extract(a: argparse.Namespace) -> dict[str, Any]:
    op_common = _show(a.operator, "api/v1beta1/common_types.go")
    op_ctrl = _show(a.operator, "internal/controller/glanceapi_controller.go")
    op_conf = _show(a.operator, "templates/common/config/00-config.conf")
    return {
        "KOLLA_COMMIT": _commit(a.kolla),
        "KOLLA_VARIABLES": _keys(
            a.kolla,
            "ansible/group_vars/all/glance.yml",
            "ansible/roles/glance/defaults/main.yml",
        ),
        "KOLLA_GLANCE_FILES": _sources(a.kolla, "ansible/roles/glance/tasks/config.yml", "glance"),
        "KOLLA_NOVA_FILES": _sources(a.kolla, "ansible/roles/nova-cell/tasks/config.yml", "nova"),
        "KOLLA_CINDER_FILES": _sources(a.kolla, "ansible/roles/cinder/tasks/config.yml", "cinder"),
        "KOLLA_IMPORT_CONF_SWITCH": _copy_switch(a.kolla),
        "OSA_COMMITS": [_commit(a.osa_glance), _commit(a.osa_nova), _commit(a.osa_cinder)],
        "OSA_VARIABLES": _keys(a.osa_glance, "defaults/main.yml")
        + _overrides(a.osa_nova)
        + _overrides(a.osa_cinder),
        "CHARM_COMMIT": _commit(a.charm),
        "CHARM_OPTIONS": sorted((yaml.safe_load(_show(a.charm, "config.yaml")) or {})["options"]),
        "OPERATOR_COMMIT": _commit(a.operator),
        "OPERATOR_API_FIELDS": _go_struct_tags(op_common, "GlanceAPITemplate"),
        "OPERATOR_API_TYPES": _enum_before(op_common, "Type"),
        "OPERATOR_LOCATION_API_TYPES": _location_types(op_ctrl),
        "OPERATOR_DEFAULT_OPTIONS": _templated_options(op_conf),
    }


def render(data: dict[str, Any]) -> str:
    lines = [
        '"""What each deployment tool consumes (generated by tools/extract_deploy_vars.py).',
        "",
        "Do not edit by hand: rerun the tool on fresh checkouts and review the diff.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
    ]
    for key, value in data.items():
        if isinstance(value, str):
            lines.append(f"{key} = {value!r}")
        elif value and isinstance(value[0], tuple):
            lines.append(f"{key}: frozenset[tuple[str, str]] = frozenset(")
            lines += ["    {", *[f"        {v!r}," for v in value], "    }", ")"]
        elif key.endswith("_COMMITS") or key.endswith("_FILES") or key.endswith("_SWITCH"):
            lines.append(f"{key}: tuple[str, ...] = (")
            lines += [f"    {v!r}," for v in value]
            lines.append(")")
        else:
            lines.append(f"{key}: frozenset[str] = frozenset(")
            lines += ["    {", *[f"        {v!r}," for v in value], "    }", ")"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("kolla", "osa-glance", "osa-nova", "osa-cinder", "charm", "operator"):
        parser.add_argument(f"--{name}", required=True, metavar="DIR")
    print(render(extract(parser.parse_args())), end="")


if __name__ == "__main__":
    main()
