"""The audit JSON written from patterns (``json_fill``): the same text, every string through
the policy.

Results of one pattern are written from the pattern's text once and their own values put
in. Whatever the values hold (a remembered secret, a ``password=`` pair, a URL with a
password, quotes, control and non-ASCII characters, nothing), the text must be
``json.dumps``'s of the documents with every string through the policy; and the policy is
judged on the pattern's pieces and the values apart only where that says what judging the
whole strings would (``secrets.pieces_clean``, ``secrets.values_clean``).
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
from imageyard.audit.rules.unread_header import UnreadHeader, UnreadPart
from imageyard.audit.rules.visibility import community_image_sprawl
from imageyard.model.finding import Finding, Unknown
from imageyard.model.image import Image
from imageyard.report import json_fill, json_format
from imageyard.report.view import result_document
from imageyard.secrets import REDACTED

_LITERAL = "hunter2-secret"
_BITS = ["a", "Z", " ", "=", ":", "/", "token", "Key", "PASS", "://", "s3://", "u:p@h", "@"]
_RISKY = st.lists(
    st.sampled_from([*_BITS, '"', "\\", "\x00", "\x01", "\n", "é", "%s", "%", _LITERAL]),
    max_size=5,
).map("".join)


@pytest.fixture(autouse=True)
def _policy() -> Iterator[None]:
    with remembering(_LITERAL):
        yield


def _joined(pieces: list[str], values: list[str]) -> str:
    return "".join(p + v for p, v in zip(pieces, [*values, ""], strict=True))


_PIECES = st.lists(st.lists(st.sampled_from([*_BITS, "(", ")", ".", "-", "1"]), max_size=3))


@settings(max_examples=2000, deadline=None)
@given(_PIECES.map(lambda ps: ["".join(p) for p in ps]).filter(bool), st.data())
def test_pieces_and_values_the_checks_pass_hold_nothing_scrub_changes(
    pieces: list[str], data: st.DataObject
) -> None:
    values = data.draw(st.lists(_RISKY, min_size=len(pieces) - 1, max_size=len(pieces) - 1))
    text = _joined(pieces, values)
    clean = secrets.pieces_clean(pieces)
    if clean is None or not secrets.values_clean(json_fill._JOIN.join(values)):
        return
    if not clean and any("://" in v for v in values):
        return
    if not secrets.current().clean_literals(json.dumps(text, ensure_ascii=False).encode()):
        return
    assert secrets.scrub(text) == text


@pytest.mark.parametrize(
    ("pieces", "values"),
    [
        (["pass", ""], ["word=x"]),  # NOTE: a secret name run on from a piece into a value
        (["x ", "=y"], ["token"]),
        (["", " = 1"], ["password"]),
        (["see s3:", ""], ["//u:p@h"]),  # NOTE: a URL made across the two
        (["see ", "@h"], ["s3://u:p"]),
        (["a ", "", " b"], ["pass", "word=x"]),  # NOTE: two values side by side
    ],
)
def test_a_secret_made_across_pieces_and_values_is_never_passed(
    pieces: list[str], values: list[str]
) -> None:
    text = _joined(pieces, values)
    assert secrets.scrub(text) != text
    clean = secrets.pieces_clean(pieces)
    passed = clean is not None and secrets.values_clean(json_fill._JOIN.join(values))
    assert not passed or (not clean and any("://" in v for v in values))


def _findings(names: list[str]) -> tuple[list[Finding], list[Unknown]]:
    nonraw = NonRawShape.of(non_raw_in_rbd.meta, "qcow2", ("ceph",))
    sprawl = SprawlShape(
        community_image_sprawl.meta, len(names), Counter({"p": len(names)}), "2026-01-01", "old"
    )
    part = UnreadPart("raw-label-mismatch", "pool not read")
    found: list[Finding] = []
    unknowns: list[Unknown] = []
    for n, name in enumerate(names):
        image = Image(
            id=f"{name}-{n}", name=name or None, disk_format=name or None, stores=("ceph", name),
            owner=name, created_at=f"2024-{name}", size=n << 20,
        )  # fmt: skip
        found += (NonRawFinding.made(nonraw, image), SprawlFinding.made(sprawl, image, 400 + n))
        unknowns.append(_unread(part, image, name))
    return found, unknowns


class _Header:
    def __init__(self, reason: str) -> None:
        self.unread_reason = f"why {reason}"


def _unread(part: UnreadPart, image: Image, reason: str) -> Unknown:
    return UnreadHeader.made(part, image, _Header(reason))  # type: ignore[arg-type]


def _expected(result: AuditResult) -> str:
    doc = secrets.scrub_data([result_document(result)])[0]
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _render(names: list[str], batch: int) -> tuple[str, str, list[bool]]:
    findings, unknowns = _findings(names)
    result = AuditResult(AuditContext().release, (), tuple(findings), tuple(unknowns))
    real = json_fill.filled
    used: list[bool] = []

    def counted(*args: Any) -> bytes | None:
        data = real(*args)
        used.append(data is not None)
        return data

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_format, "BATCH", batch)
        patch.setattr(json_fill, "filled", counted)
        return json_format.render(result), _expected(result), used


@settings(max_examples=200, deadline=None)
@given(st.lists(_RISKY, min_size=1, max_size=6), st.integers(1, 5))
def test_results_of_any_image_are_written_as_json_dumps_writes_them(
    names: list[str], batch: int
) -> None:
    text, expected, _ = _render(names, batch)
    assert text == expected


def test_plain_results_are_filled_from_their_patterns() -> None:
    names = ["plain", "other-1", "é 100%s", "x.y (z)"]
    text, expected, used = _render(names, 3)
    assert text == expected
    assert used and all(used)


def test_a_secret_in_an_image_s_values_is_masked() -> None:
    names = ["ok", f"x {_LITERAL} y", "password=abc", "see http://u:pw@h/x", 'é\x01"q']
    text, expected, used = _render(names, 2)
    assert text == expected
    assert False in used  # NOTE: written the other way, each string through the policy
    assert _LITERAL not in text and "pw@" not in text
    assert f"x {REDACTED} y" in text and f"password={REDACTED}" in text


def test_a_mark_character_of_a_pattern_s_own_is_no_mark() -> None:
    shape = NonRawShape.of(non_raw_in_rbd.meta, "qcow2", ("ce\x00ph", "\x011\x01"))
    assert json_fill.own_texts(shape, 8) is None
    image = Image(id="i-1", name="n", disk_format="qcow2", stores=("ceph",), size=1)
    result = AuditResult(AuditContext().release, (), (NonRawFinding.made(shape, image),), ())
    assert json_format.render(result) == _expected(result)
