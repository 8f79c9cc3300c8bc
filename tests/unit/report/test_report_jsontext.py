"""The fast indented JSON writer says exactly what json.dumps(indent=2, sort_keys=True) says."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from imageyard.report.jsontext import Raw, dumps

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
_DOCS = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(_DOCS, st.booleans())
def test_the_text_is_json_dumps_text(doc: Any, ascii_only: bool) -> None:
    expected = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=ascii_only)
    assert dumps(doc, ensure_ascii=ascii_only) == expected


@settings(max_examples=100, deadline=None)
@given(_DOCS, st.integers(min_value=0, max_value=4))
def test_a_level_indents_every_line_after_the_first(doc: Any, level: int) -> None:
    expected = json.dumps(doc, indent=2, sort_keys=True).replace("\n", "\n" + "  " * level)
    assert dumps(doc, level) == expected


def test_non_string_keys_are_converted_as_json_does() -> None:
    doc = {2: "a", 10: "b"}
    assert dumps(doc) == json.dumps(doc, indent=2, sort_keys=True)


def test_raw_text_is_written_as_is() -> None:
    inner = dumps([{"a": 1}], 1)
    assert dumps({"x": Raw(inner)}) == json.dumps({"x": [{"a": 1}]}, indent=2, sort_keys=True)
