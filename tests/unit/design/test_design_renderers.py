"""Each renderer emits only what its deployment tool consumes (data/deploy_tools.py)."""

from __future__ import annotations

import re

import pytest
import yaml
from design_support import EXAMPLE_NAMES, RENDERS, example, fixture

from imageyard.design.data import deploy_tools as tools
from imageyard.design.render import RENDERERS, charm, kolla, operator, osa, renderer

DESIGNS = [*EXAMPLE_NAMES, "fixture:edge-two-clusters", "fixture:tripleo-dcn"]


def _run(name: str):  # type: ignore[no-untyped-def]
    return fixture(name.split(":", 1)[1]) if name.startswith("fixture:") else example(name)


def _yaml_docs(text: str) -> dict[str, str]:
    """'# ---- path' blocks of a renderer's output."""
    out: dict[str, str] = {}
    path = ""
    for line in text.splitlines():
        if line.startswith("# ---- "):
            path = line[len("# ---- ") :]
            out[path] = ""
        elif path:
            out[path] += line + "\n"
    return out


@pytest.mark.parametrize("name", DESIGNS)
def test_kolla_variables_and_paths_exist(name: str) -> None:
    run = _run(name)
    docs = _yaml_docs(kolla.render(run.design, run.diffs))
    variables = yaml.safe_load(docs["/etc/kolla/globals.yml"])
    assert set(variables) <= tools.KOLLA_VARIABLES
    known = tools.KOLLA_GLANCE_FILES + tools.KOLLA_NOVA_FILES + tools.KOLLA_CINDER_FILES
    for path in docs:
        if path.startswith("/etc/kolla/config/"):
            rel = path.removeprefix("/etc/kolla/config/").split(" (")[0]
            rel = re.sub(r"<each [^>]+>", "{{ inventory_hostname }}", rel)
            assert rel in known, path
    if run.design.changes_for("glance-image-import.conf"):
        assert variables[tools.KOLLA_IMPORT_CONF_SWITCH[0]] == "yes"


@pytest.mark.parametrize("name", DESIGNS)
def test_osa_variables_exist(name: str) -> None:
    run = _run(name)
    for body in _yaml_docs(osa.render(run.design, run.diffs)).values():
        data = yaml.safe_load(body.split("# This tool cannot express:")[0]) or {}
        assert set(data) <= tools.OSA_VARIABLES


@pytest.mark.parametrize("name", DESIGNS)
def test_charm_options_exist(name: str) -> None:
    run = _run(name)
    text = charm.render(run.design, run.diffs)
    line = next((x for x in text.splitlines() if x.startswith("juju config glance ")), "")
    names = {opt.split("=")[0] for opt in line.split()[3:]}
    assert names <= tools.CHARM_OPTIONS


@pytest.mark.parametrize("name", DESIGNS)
def test_operator_per_api_config(name: str) -> None:
    run = _run(name)
    text = operator.render(run.design, run.diffs)
    body = yaml.safe_load(text.split("# This tool cannot express:")[0].split("\n", 1)[1])
    template = body["spec"]["glance"]["template"]
    assert set(template) == {"glanceAPIs"}  # nothing at the top level every API inherits
    for api in template["glanceAPIs"].values():
        assert set(api) <= tools.OPERATOR_API_FIELDS
        assert api["type"] in tools.OPERATOR_API_TYPES
        config = api["customServiceConfig"]
        assert "show_image_direct_url" not in config
        assert "show_multiple_locations" not in config
    if run.design.apis:
        assert len(template["glanceAPIs"]) == len(run.design.apis)
        types = sorted(a["type"] for a in template["glanceAPIs"].values())
        assert types == sorted(["split"] + ["edge"] * (len(run.design.apis) - 1))
        central = next(a for a in run.design.apis if a.default == run.design.default_store.id)
        name = central.target or "default"
        assert template["glanceAPIs"][name]["type"] == "split"


def test_every_render_choice_names_a_renderer_module() -> None:
    assert sorted(RENDERERS) == sorted(RENDERS)
    for name in RENDERERS:
        render = renderer(name)
        assert render.__module__ == RENDERERS[name] and render.__name__ == "render"
