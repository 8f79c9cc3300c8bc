"""The redaction policy: what it masks, and that its work grows linearly with the input."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imageyard import secrets
from imageyard.secrets import REDACTED, Redactor, is_secret_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("backend_argument = redis_password:s3cr, db:0", "redis_password:***, db:0"),
        ("http://u:pw@h/x?password=abc&x=1", "http://u:***@h/x?password=***&x=1"),
        ("x\n  password = hunter22", "x\n  password = ***"),
        ("rabbit://a:b,c@h1,a:d@h2/", "rabbit://a:***,***@h1,a:***@h2/"),
        ('password="a b c" next', "password=*** next"),
        ("token=abc token=def", "token=*** token=***"),
        ('{"key": "password", "value": "x"}', '{"key": "password", "value": "x"}'),
        ("postgresql://glance@db/glance", "postgresql://glance@db/glance"),
        ("rbd_secret_uuid = 4b5f", "rbd_secret_uuid = 4b5f"),
    ],
)
def test_scrub(text: str, expected: str) -> None:
    assert expected in Redactor().scrub(text)


@pytest.mark.parametrize(
    "name",
    [
        "OS_PASSWORD",
        "OS_AUTH_TOKEN",
        "approle_secret_id",
        "hmac_keys",
        "rgw keystone admin password",
    ],
)
def test_secret_names(name: str) -> None:
    assert is_secret_key(name)


@pytest.mark.parametrize(
    "name", ["rbd_secret_uuid", "inject_password", "transport_url", "OS_USERNAME"]
)
def test_not_secret_names(name: str) -> None:
    assert not is_secret_key(name)


def test_remembered_literals_are_masked_anywhere() -> None:
    redactor = Redactor()
    redactor.remember_environment({"OS_PASSWORD": "Tr0ub4dor", "HOME": "/root", "X": "true"})
    redactor.remember_argv(["--glance-endpoint", "http://u:Corr3ct@h:9292"])
    text = redactor.scrub("a Tr0ub4dor b Corr3ct c true /root")
    assert text == f"a {REDACTED} b {REDACTED} c true /root"


class _Counting:
    """Wraps a compiled pattern and counts the calls made to it."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.calls = 0

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.pattern, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return method(*args, **kwargs)

        return counted


SHAPES = {
    "pairs": lambda n: "a=b " * (n // 4),
    "chained": lambda n: "a=b=" * (n // 4),
    "secret pairs": lambda n: "password=p=" * (n // 11),
    "colons": lambda n: "x:" * (n // 2),
    "key pairs": lambda n: "key_file=p " * (n // 11),
    "chained keys": lambda n: "key=key:" * (n // 8),
    "one long name": lambda n: "key" * (n // 3) + "=x",
    "long names": lambda n: ("a" * 50 + "token=x ") * (n // 58),
}
# NOTE: no name in these could be secret: none is even judged
NOTHING_TO_JUDGE = {"pairs", "chained", "colons"}


@pytest.mark.parametrize("shape", SHAPES)
def test_work_doubles_when_the_input_doubles(shape: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Operations (pattern calls and name checks) per input size, at n and 2n."""

    def operations(n: int) -> int:
        value = _Counting(secrets._VALUE)
        run, sep = _Counting(secrets._NAME_RUN), _Counting(secrets._SEP)
        names = 0
        real = secrets.is_secret_key

        def counted_name(name: str) -> bool:
            nonlocal names
            names += 1
            return real(name)

        monkeypatch.setattr(secrets, "_VALUE", value)
        monkeypatch.setattr(secrets, "_NAME_RUN", run)
        monkeypatch.setattr(secrets, "_SEP", sep)
        monkeypatch.setattr(secrets, "is_secret_key", counted_name)
        Redactor().scrub(SHAPES[shape](n))
        monkeypatch.undo()
        return value.calls + run.calls + sep.calls + names

    small, large = operations(20_000), operations(40_000)
    if shape in NOTHING_TO_JUDGE:
        assert small == large == 0
        return
    assert small > 0
    assert large <= 2.2 * small


_PIECES = st.sampled_from(
    ["password", "PassWord", "db_pass", "x.secret", "key", "_key", "token", "OS_", "name", "9k",
     "-", "_", ".", "=", ":", " ", "\t", "\n", ",", ";", "&", '"', "'", "v", "***", "é", "İ",
     "auth_key", "inject_password", "key_file", "@", "://", "\u212a", "passecretoken", "KEY"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_the_fast_pair_search_finds_what_the_full_scan_finds(text: str) -> None:
    fast = list(secrets._secret_pairs(text))
    assert fast == list(secrets._secret_pairs_scanned(text))


# NOTE: the URL pattern as first written (one alternation per character): the reference
_URL_REFERENCE = re.compile(
    r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://(?P<rest>(?:[^\s,]|,\s*)*)"
)
_URL_PIECES = st.sampled_from(
    ["rbd", "s3", "http", "://", "a", "u:p", "@", "h", "/", ",", ", ", ",\n", " ", "\t", ":", "-"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_URL_PIECES, max_size=30).map("".join))
def test_the_url_pattern_matches_what_the_reference_matches(text: str) -> None:
    def spans(pattern: re.Pattern[str]) -> list[tuple[int, int, str]]:
        return [(m.start(), m.end(), m.group("rest")) for m in pattern.finditer(text)]

    assert spans(secrets._URL) == spans(_URL_REFERENCE)
    masked = _URL_REFERENCE.sub(secrets._mask_url, text)
    assert secrets._URL.sub(secrets._mask_url, text) == masked


_URL_SEARCH_PIECES = st.sampled_from(
    ["rbd", "swift+config", "s3", "a.b-c", "9x", "1", "u", ":", "/", "//", "://", "@", ",",
     ", ", ",\n", " ", "\n", '"', "pw", "h1", "-", "+", ".", "é", "***", "x:y@h"]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(_URL_SEARCH_PIECES, max_size=40).map("".join))
def test_the_literal_url_search_masks_what_the_pattern_scan_masks(text: str) -> None:
    assert secrets._mask_urls(text) == secrets._URL.sub(secrets._mask_url, text)


def test_the_url_search_masks_each_url_of_a_long_text() -> None:
    text = "see rbd://f/p/i/snap and http://u:pw@h/x then swift://a,b:c@h\n" * 3
    expected = "see rbd://f/p/i/snap and http://u:***@h/x then swift://a,b:***@h\n" * 3
    assert secrets._mask_urls(text) == expected


_MANY_PIECES = st.sampled_from(
    ["password", "PassWord", "x_key", "token", "\u212a", "İ", "é", "=", ":", " = ", " ", "\t",
     "\n", ",", ", ", ",\n", '"', "\\", "'", "rbd", "http", "://", "u:p", "@", "h", "/", "v",
     "hunter22", 'pa"ss', "\x00", "\x01", "***"]
)  # fmt: skip
_URL_MANY_PIECES = st.sampled_from(
    ["http://", "://", "u:p", "@", "u:p@h", "b:c,", "d@e", ",", ", ", ",\n", " ", "\n", '"',
     "\x00", "\t", "x"]
)  # fmt: skip
_MANY_TEXTS = st.lists(
    st.lists(_MANY_PIECES, max_size=12).map("".join)
    | st.lists(_URL_MANY_PIECES, max_size=12).map("".join),
    max_size=8,
)


def _redactor() -> Redactor:
    redactor = Redactor()
    redactor.remember(["hunter22", 'pa"ss\\w', "x\tsecret9"])
    return redactor


@settings(max_examples=600, deadline=None)
@given(_MANY_TEXTS)
def test_scrub_each_is_scrub_of_each_text(texts: list[str]) -> None:
    redactor = _redactor()
    expected = {t: redactor.scrub(t) for t in texts if redactor.scrub(t) != t}
    assert redactor.scrub_each(texts) == expected


@pytest.mark.parametrize(
    "texts",
    [
        ["x://h,", "y://u:p@h"],  # NOTE: the first URL's rest runs on into the second text
        ["a\x00b://u:p@h", "hunter22"],
        ["İ", "token=1", "x"],  # NOTE: lower-casing makes the first text longer
    ],
)
def test_scrub_each_finds_the_texts_whatever_joins_them(texts: list[str]) -> None:
    redactor = _redactor()
    expected = {t: redactor.scrub(t) for t in texts if redactor.scrub(t) != t}
    assert len(expected) >= 1
    assert redactor.scrub_each(texts) == expected


@settings(max_examples=600, deadline=None)
@given(_MANY_TEXTS, st.sampled_from(["list", "dict"]))
def test_json_that_clean_json_passes_holds_nothing_scrub_changes(
    texts: list[str], shape: str
) -> None:
    redactor = _redactor()
    doc: object = texts if shape == "list" else {t: [t, 1, None] for t in texts}
    data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if redactor.clean_json(data):
        assert all(redactor.scrub(t) == t for t in texts)


@pytest.mark.parametrize(
    "text", ['a password="x y" b', "rabbit://u:p, \n x@h/", 'see pa"ss\\w here', "İ token=9"]
)
def test_clean_json_finds_a_secret_behind_json_escapes(text: str) -> None:
    redactor = _redactor()
    assert redactor.scrub(text) != text
    assert not redactor.clean_json(json.dumps([text], ensure_ascii=False).encode())
    assert redactor.clean_json(json.dumps(["nothing here", "s3://h/x", "a@b"]).encode())


@settings(max_examples=600, deadline=None)
@given(_MANY_TEXTS)
def test_texts_that_clean_texts_passes_hold_nothing_scrub_changes(texts: list[str]) -> None:
    redactor = _redactor()
    if redactor.clean_texts(texts):
        assert all(redactor.scrub(t) == t for t in texts)


@pytest.mark.parametrize(
    "texts",
    [
        ['a password="x y" b'],
        ["ok", "rabbit://u:p, \n x@h/"],
        ['see pa"ss\\w here', "ok"],
        ["İ token=9"],
        ["x", "PassWord = 1"],
        ["hunter22"],
    ],
)
def test_clean_texts_finds_a_secret_in_any_text(texts: list[str]) -> None:
    redactor = _redactor()
    assert any(redactor.scrub(t) != t for t in texts)
    assert not redactor.clean_texts(texts)
    assert redactor.clean_texts(["nothing here", "s3://h/x", "a@b", "", "x://y z@h"])


def test_scrub_data_masks_keys_and_values_and_keeps_clean_data_as_is() -> None:
    secrets.install(_redactor())
    try:
        clean = [{"a": ["b", 1, None, {"c": "d"}]}]
        assert secrets.scrub_data(clean) is clean
        data = [{"token=abc": ("x", "http://u:pw@h/")}, "hunter22", 5]
        assert secrets.scrub_data(data) == [
            {f"token={REDACTED}": ("x", f"http://u:{REDACTED}@h/")},
            REDACTED,
            5,
        ]
    finally:
        secrets.install(Redactor())


_ASCII_PIECES = st.sampled_from(
    ["password", "PassWord", "x_key", "token", "token and", "=", ":", " = ", " ", "\t", "\n",
     "\x1c", "\x0b", ",", ", ", ",\n", '"', "\\", "'", "rbd", "http", "://", "u:p", "@", "h",
     "/", "v", "hunter22", 'pa"ss\\w', "x\tsecret9", "\x00", "***"]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(_ASCII_PIECES, max_size=16).map("".join))
def test_clean_ascii_is_clean_texts_of_the_decoded_text(text: str) -> None:
    redactor = _redactor()
    assert redactor.clean_ascii(text.encode("ascii")) == redactor.clean_texts([text])


def test_the_ascii_url_rest_ends_where_the_text_pattern_ends() -> None:
    # NOTE: str's \s takes \x1c-\x1f, bytes' does not: the bytes pattern names them
    for code in range(128):
        text = f"s3://a{chr(code)}b@h"
        expected = next(secrets._at_after_scheme(text, "://", secrets._URL_REST), None)
        found = next(secrets._at_after_scheme(text.encode(), b"://", secrets._ASCII_REST), None)
        assert found == expected, code


def test_a_candidate_word_that_names_no_pair_leaves_texts_clean() -> None:
    redactor = _redactor()
    texts = ["the user's token and key", "keys: are listed", "bypass"]
    assert all(redactor.scrub(t) == t for t in texts)
    assert redactor.clean_texts(texts)
    assert redactor.clean_ascii("\n".join(texts).encode())
    assert not redactor.clean_texts([*texts, "token: abc"])
