"""docs/site-schema.json describes exactly what the site loader accepts."""

from __future__ import annotations

import json
from typing import Any

import yaml
from design_support import EXAMPLE_NAMES, EXAMPLES, ROOT

from imageyard.design import site as site_module

SCHEMA: dict[str, Any] = json.loads((ROOT / "docs" / "site-schema.json").read_text())


def _item_keys(name: str) -> set[str]:
    return set(SCHEMA["properties"][name]["items"]["properties"])


def test_top_level_keys() -> None:
    assert set(SCHEMA["properties"]) == set(site_module._TOP_KEYS)


def test_backend_keys_and_choices() -> None:
    assert _item_keys("backends") == set(site_module._BACKEND_KEYS)
    props = SCHEMA["properties"]["backends"]["items"]["properties"]
    assert tuple(props["type"]["enum"]) == site_module.STORE_TYPES
    assert tuple(props["role"]["enum"]) == site_module.ROLES
    assert tuple(SCHEMA["properties"]["pain_points"]["items"]["enum"]) == site_module.PAIN_POINTS


def test_examples_use_only_schema_keys() -> None:
    for name in EXAMPLE_NAMES:
        doc = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
        assert set(doc) <= set(SCHEMA["properties"]), name
        for key in ("backends", "ceph_clusters", "nova", "cinder", "sites"):
            for item in doc.get(key, []):
                assert set(item) <= _item_keys(key), (name, key)
