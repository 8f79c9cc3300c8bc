"""``in_order`` gives exactly ``sorted(results, key=sort_key)``: the same results in the
same order, ties (equal whole keys) in the order they came, over findings of every severity
and rule, unknowns, and findings whose resource texts repeat, prefix one another or hold
characters that sort before and after the separators of a key."""

from __future__ import annotations

import operator

from hypothesis import given
from hypothesis import strategies as st

from imageyard.audit.order import in_order
from imageyard.audit.rules.format_images import Header
from imageyard.audit.rules.unread_header import UnreadParts
from imageyard.model.finding import Confidence, Finding, Resource, Severity, Unknown
from imageyard.model.image import Image
from imageyard.model.location import RbdLocation

_KEY = operator.attrgetter("sort_key")
_FINDING_HEAD = operator.attrgetter("severity", "rule_id")
_UNKNOWN_HEAD = operator.attrgetter("rule_id")
_TEXTS = st.sampled_from(("a", "a@n", "a-b", "ab", "a b", "b", "", "é", "a\x00"))
_RESOURCES = st.builds(Resource, st.sampled_from(("image", "store", "image@")), _TEXTS)
_FINDINGS = st.builds(
    Finding,
    rule_id=st.sampled_from(("cow-not-eligible", "non-raw-in-rbd", "a-b")),
    resource=_RESOURCES,
    message=st.sampled_from(("m", "n", "")),
    severity=st.sampled_from(tuple(Severity)),
    confidence=st.just(Confidence.HIGH),
    remediation=st.sampled_from(("r1", "r2")),  # not in the key: tells equal keys apart
)
_UNKNOWNS = st.builds(
    Unknown,
    rule_id=st.sampled_from(("qcow2-backing-file", "raw-label-mismatch")),
    resource=_RESOURCES,
    reason=st.sampled_from(("x", "y")),
    cause=st.sampled_from(("c1", "c2")),  # not in the key
)


def _same(got: list[object], want: list[object]) -> bool:
    return len(got) == len(want) and all(g is w for g, w in zip(got, want, strict=True))


@given(st.lists(_FINDINGS, max_size=60))
def test_findings_in_the_order_sorted_gives(findings: list[Finding]) -> None:
    assert _same(in_order(findings, 2, _FINDING_HEAD), sorted(findings, key=_KEY))


@given(st.lists(_UNKNOWNS, max_size=60))
def test_unknowns_in_the_order_sorted_gives(unknowns: list[Unknown]) -> None:
    assert _same(in_order(unknowns, 1, _UNKNOWN_HEAD), sorted(unknowns, key=_KEY))


def test_equal_keys_keep_the_order_they_came_in() -> None:
    first, second, third = (
        Unknown("r-a", Resource("image", "i"), "x", cause=c) for c in ("1", "2", "3")
    )
    before = Unknown("r-a", Resource("image", "h"), "y")
    assert in_order([first, second, before, third], 1, _UNKNOWN_HEAD) == [
        before,
        first,
        second,
        third,
    ]
    assert [u.cause for u in in_order([third, first, second], 1, _UNKNOWN_HEAD)] == ["3", "1", "2"]


@given(st.lists(_FINDINGS, max_size=20))
def test_sort_text_is_the_resource_part_of_the_key(findings: list[Finding]) -> None:
    assert all(f.sort_text == f.sort_key[2] for f in findings)


def _unread(image_id: str, pool: str, read: bool) -> Unknown:
    header = Header(RbdLocation("f", pool, image_id, "snap"), None, pool_read=read)
    return UnreadParts("raw-label-mismatch").unknown(Image(id=image_id), header)


@given(
    st.lists(
        st.tuples(_TEXTS, st.sampled_from(("p", "q")), st.booleans()).map(lambda t: _unread(*t)),
        max_size=60,
    )
)
def test_results_about_one_image_each_in_the_order_of_their_texts(
    unknowns: list[Unknown],
) -> None:
    # NOTE: read by their images' ids (``sort_id``), never by a text; one id repeated is
    # ordered by the reasons
    assert _same(in_order(unknowns, 1, _UNKNOWN_HEAD), sorted(unknowns, key=_KEY))
    mixed = [*unknowns, Unknown("raw-label-mismatch", Resource("image", "a"), "x")]
    assert _same(in_order(mixed, 1, _UNKNOWN_HEAD), sorted(mixed, key=_KEY))
