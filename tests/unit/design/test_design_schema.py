"""docs/site-schema.json is the schema the site loader validates with (one source)."""

from __future__ import annotations

import json
from typing import Any

import yaml
from design_support import EXAMPLE_NAMES, EXAMPLES, ROOT

from imageyard.design import site as site_module

DOC = ROOT / "docs" / "site-schema.json"
SCHEMA: dict[str, Any] = json.loads(DOC.read_text())


def test_docs_schema_is_the_validators_schema() -> None:
    # docs/site-schema.json is a copy of the packaged schema the loader reads (cp it over).
    packaged = ROOT / "src" / "imageyard" / "design" / "data" / "site-schema.json"
    assert DOC.read_bytes() == packaged.read_bytes(), (
        "edit src/imageyard/design/data/site-schema.json and copy it to docs/site-schema.json"
    )
    assert site_module.SCHEMA == SCHEMA
    assert site_module._checker().schema == SCHEMA


def test_examples_are_valid_against_the_schema() -> None:
    for name in EXAMPLE_NAMES:
        doc = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
        errors = [e.message for e in site_module._checker().iter_errors(doc)]
        assert errors == [], name


def test_a_key_the_schema_does_not_list_is_refused() -> None:
    # The loader accepts what the schema accepts: a key added to no schema is unknown.
    for key in ("backends", "boot"):
        schema = SCHEMA["properties"][key]
        props = schema.get("items", schema)["properties"]
        assert "wieght" not in props
    assert set(site_module._TOP_KEYS) == set(SCHEMA["properties"])
