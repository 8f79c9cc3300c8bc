"""The audit JSON of findings whose citations are facts of their own image.

A ``non-raw-in-rbd`` or ``community-image-sprawl`` finding cites facts about its image
(``audit.written.own_facts``): the writer puts their texts among the finding's own strings
and writes the citations' other fields once per form. Whatever an image's id and name hold
(a remembered secret, a ``password=`` pair, a URL with a password, quotes, control and
non-ASCII characters, nothing), the text must be ``json.dumps``'s of the documents with
every string through the policy, as if each finding were written alone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_support import remembering

from imageyard import secrets
from imageyard.audit.engine import AuditResult
from imageyard.audit.rule import AuditContext
from imageyard.audit.rules.format_images import non_raw_in_rbd
from imageyard.audit.rules.non_raw_finding import NonRawFinding, NonRawShape
from imageyard.audit.rules.sprawl_finding import SprawlFinding, SprawlShape
from imageyard.audit.rules.visibility import community_image_sprawl
from imageyard.model.finding import Evidence, Finding, Unknown
from imageyard.model.image import Image
from imageyard.report import json_format
from imageyard.report.view import result_document
from imageyard.secrets import REDACTED

_LITERAL = "hunter2-secret"
_RISKY = st.lists(
    st.sampled_from(
        ["a", " ", "=", "token", "Key", "s3://", "u:p@h", '"', "\\", "\x01", "é", _LITERAL]
    ),
    max_size=5,
).map("".join)


def _findings(names: list[str]) -> list[Finding]:
    nonraw = NonRawShape.of(non_raw_in_rbd.meta, "qcow2", ("ceph",))
    sprawl = SprawlShape(
        community_image_sprawl.meta, len(names), Counter({"p": len(names)}), "2026-01-01", "old"
    )
    found: list[Finding] = []
    for n, name in enumerate(names):
        image = Image(
            id=f"{name}-{n}", name=name or None, disk_format="qcow2", stores=("ceph",),
            owner="p", created_at=f"2024-{name}", size=n << 20,
        )  # fmt: skip
        found += (NonRawFinding.made(nonraw, image), SprawlFinding.made(sprawl, image, 400 + n))
    return found


def _expected(result: AuditResult) -> str:
    doc = secrets.scrub_data([result_document(result)])[0]
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _render(findings: list[Finding], unknowns: tuple[Unknown, ...] = ()) -> tuple[str, str]:
    result = AuditResult(AuditContext().release, (), tuple(findings), unknowns)
    return json_format.render(result), _expected(result)


@pytest.fixture(autouse=True)
def _policy() -> Iterator[None]:
    with remembering(_LITERAL):
        yield


@settings(max_examples=150, deadline=None)
@given(st.lists(_RISKY, min_size=1, max_size=6), st.integers(1, 5))
def test_facts_of_any_image_are_written_as_json_dumps_writes_them(
    names: list[str], batch: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_format, "BATCH", batch)
        text, expected = _render(_findings(names))
    assert text == expected


def test_the_citations_texts_are_own_strings_and_their_form_is_shared() -> None:
    findings = _findings(["plain", "other"])
    for f in findings:
        names, cited, strings = f.own_written()
        assert cited is not None and len(cited) == len(f.evidence)
        assert [e.path for e, _ in cited] == [e.path for e in f.evidence]
        assert all(own for _, own in cited)
        texts = [e.text for e in f.evidence]
        assert strings[-3 - len(texts) : -3] == texts
        assert names == f.own_strings()[0]
    assert findings[0].own_written()[1] is findings[2].own_written()[1]


def test_a_secret_in_an_image_s_facts_is_masked() -> None:
    names = ["ok", f"x {_LITERAL} y", "password=abc", "see http://u:pw@h/x", 'é\x01"q']
    text, expected = _render(_findings(names))
    assert text == expected
    assert _LITERAL not in text and "pw@" not in text
    doc = json.loads(text)
    cited = [e["text"] for f in doc["findings"] for e in f["evidence"]]
    assert f"image x {REDACTED} y-1: disk_format = qcow2" in cited
    assert f"image password={REDACTED} disk_format = qcow2" in cited
    assert f"image see http://u:{REDACTED}@h/x-3: disk_format = qcow2" in cited


class _FiledFacts(NonRawFinding):
    """A finding whose citations name a file: not facts of its own."""

    __slots__ = ()

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        return tuple(Evidence(e.text, "/etc/x.conf", 3) for e in super().evidence)


def test_citations_that_are_not_facts_are_written_as_a_list() -> None:
    shape = NonRawShape.of(non_raw_in_rbd.meta, "qcow2", ("ceph",))
    image = Image(id="i-1", name="n", disk_format="qcow2", stores=("ceph",))
    finding = _FiledFacts.made(shape, image)
    assert finding.own_written()[1] is None
    text, expected = _render([finding, *_findings(["a"])])
    assert text == expected
    assert json.loads(text)["findings"][0]["evidence"][0]["path"] == "/etc/x.conf"


def test_a_form_of_citations_the_policy_refuses_leaves_the_evidence_list_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = json_format._built
    refused: list[object] = []

    def built(shared: Any, item: Any, names: Any, cited: Any) -> Any:
        if cited is not None:
            refused.append(cited)
            return None
        return real(shared, item, names, cited)

    monkeypatch.setattr(json_format, "_built", built)
    # NOTE: written into forms still, each with its evidence list (neither way else)
    monkeypatch.setattr(json_format, "_fast", lambda *_: None)
    monkeypatch.setattr(json_format, "_slow", lambda *_: pytest.fail("written by jsontext"))
    text, expected = _render(_findings(["a", "b", "é\x01"]))
    assert refused and text == expected
