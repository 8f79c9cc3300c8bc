"""Every registered rule has a doc page with the four headings and a cited source."""

from __future__ import annotations

import re

import pytest
from audit_support import ROOT

from imageyard.audit.registry import RULES

DOCS = ROOT / "docs" / "rules"
HEADINGS = ("## What", "## Why it matters", "## How to fix", "## Example")


@pytest.mark.parametrize("rule_id", [r.id for r in RULES])
def test_rule_has_a_complete_doc_page(rule_id: str) -> None:
    page = DOCS / f"{rule_id}.md"
    assert page.is_file(), f"docs/rules/{rule_id}.md is missing"
    text = page.read_text()
    assert text.startswith(f"# {rule_id}\n")
    found = [line for line in text.splitlines() if line.startswith("## ")]
    assert tuple(found) == HEADINGS, f"{page.name}: headings {found}"
    assert re.search(r"^Source", text, re.M), f"{page.name}: cites no source"
    for heading in HEADINGS:
        body = text.split(heading, 1)[1].split("\n## ", 1)[0]
        assert body.strip(), f"{page.name}: {heading} is empty"


def test_no_doc_page_without_a_rule() -> None:
    pages = {p.stem for p in DOCS.glob("*.md")} - {"index"}
    assert pages == {r.id for r in RULES}


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_metadata_is_complete(rule: object) -> None:
    meta = rule.meta  # type: ignore[attr-defined]
    assert meta.summary and meta.remediation and meta.links and meta.title


def test_index_lists_every_rule() -> None:
    index = (DOCS / "index.md").read_text()
    for r in RULES:
        assert f"[{r.id}]({r.id}.md) | {r.meta.severity.value} | {r.meta.category} |" in index


@pytest.mark.parametrize("rule", [r for r in RULES if r.meta.options], ids=lambda r: r.id)
def test_every_rule_option_is_on_its_page(rule: object) -> None:
    meta = rule.meta  # type: ignore[attr-defined]
    text = (DOCS / f"{meta.id}.md").read_text()
    for option in meta.options:
        assert f"`{meta.id}.{option.key}" in text, f"{meta.id}.{option.key} is not documented"


def test_the_index_lists_every_rule_option_with_its_default() -> None:
    index = (DOCS / "index.md").read_text()
    rows = re.findall(r"^\| `([a-z0-9-]+\.[a-z_]+)` \| [^|]+ \| `([^`]*)` \|$", index, re.M)
    declared = {(f"{r.id}.{o.key}", o.default) for r in RULES for o in r.meta.options}
    assert set(rows) == declared
