"""parse_ini: oslo.config reader semantics, file:line and errors with line numbers."""

from __future__ import annotations

import pytest

from imageyard.collect.ini import Dialect, parse_ini
from imageyard.errors import ConfigFileError


def test_values_keep_section_key_and_line() -> None:
    doc = parse_ini("[DEFAULT]\n\nfoo = bar\n[glance_store]\nx=1\n", "g.conf")
    foo = doc.get("DEFAULT", "foo")
    assert foo is not None
    assert (foo.section, foo.key, foo.value, foo.where) == ("DEFAULT", "foo", "bar", "g.conf:3")
    assert doc.get("glance_store", "x") is not None
    assert doc.get("glance_store", "missing") is None


def test_colon_separator_and_first_separator_wins() -> None:
    doc = parse_ini("[a]\nk: v\nurl = http://h:1/x\nm: a=b\n", "t")
    assert doc.get("a", "k").value == "v"  # type: ignore[union-attr]
    assert doc.get("a", "url").value == "http://h:1/x"  # type: ignore[union-attr]
    assert doc.get("a", "m").value == "a=b"  # type: ignore[union-attr]


def test_hash_inside_value_is_kept_and_comments_only_at_line_start() -> None:
    doc = parse_ini("# c\n; c\n[a]\nk = v # not a comment\n#x = 1\n", "t")
    assert doc.get("a", "k").value == "v # not a comment"  # type: ignore[union-attr]
    assert doc.get("a", "x") is None


def test_continuation_lines_join_with_newline_and_blank_line_ends_them() -> None:
    doc = parse_ini("[a]\nk = one\n  two\n\ttwo-b\n\nj = 1\n", "t")
    k = doc.get("a", "k")
    assert k is not None and k.value == "one\ntwo\ntwo-b" and k.line == 2


def test_matching_quotes_are_dropped() -> None:
    doc = parse_ini('[a]\nq = "network=writeback"\nr = \'x\'\ns = "half\n', "t")
    assert [v.value for v in doc.values] == ["network=writeback", "x", '"half']


def test_repeated_keys_keep_all_and_last_wins() -> None:
    doc = parse_ini("[a]\nk = 1\nk = 2\n", "t")
    assert [v.value for v in doc.get_all("a", "k")] == ["1", "2"]
    assert doc.get("a", "k").line == 3  # type: ignore[union-attr]


def test_repeated_sections_merge_with_a_warning() -> None:
    doc = parse_ini("[a]\nk = 1\n[b]\nz = 0\n[a]\nj = 2\n", "t.conf")
    assert [v.key for v in doc.section("a")] == ["k", "j"]
    assert doc.section_names() == ("a", "b")
    assert doc.warnings == ("t.conf:5: section [a] repeated (first at line 1); the two are merged",)


def test_group_names_case_insensitive_except_default() -> None:
    doc = parse_ini("[Glance_Store]\nk = 1\n[default]\nd = 1\n", "t")
    assert doc.get("glance_store", "k") is not None
    assert doc.get("DEFAULT", "d") is None
    assert any("is not [DEFAULT]" in w for w in doc.warnings)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("k = v\n", 1, "before any [section]"),
        ("# top\n\nk = v\n[a]\n", 3, "before any [section]"),
        ("[a]\nk = v\nthis is not ini\n", 3, "not a section, option or comment"),
        ("[a\nk = v\n", 1, "without closing"),
        ("[a]\n[]\n", 2, "empty section name"),
        ("[a]\n= v\n", 2, "empty name"),
        ("[a]\n  indented\n", 2, "does not continue"),
        ("[a]\nk = v\n\n  after-blank\n", 4, "does not continue"),
    ],
)
def test_errors_carry_the_line(text: str, line: int, reason: str) -> None:
    with pytest.raises(ConfigFileError) as info:
        parse_ini(text, "bad.conf")
    assert info.value.line == line
    assert reason in info.value.reason
    assert str(info.value).startswith(f"bad.conf:{line}: ")


def test_crlf_and_bom_free_text() -> None:
    doc = parse_ini("[a]\r\nk = v\r\nj = w\r\n", "t")
    assert doc.get("a", "j").line == 3  # type: ignore[union-attr]
    assert doc.get("a", "k").value == "v"  # type: ignore[union-attr]


def test_ceph_dialect() -> None:
    text = (
        "# cephadm\n[global]\n\tfsid = abc ; trailing\n\tmon host = 1.2.3.4 # c\n"
        "[client.glance]\nkeyring = /etc/ceph/k\nlong = a\\\nb\n"
    )
    doc = parse_ini(text, "edge.conf", dialect=Dialect.CEPH)
    assert doc.get("global", "fsid").value == "abc"  # type: ignore[union-attr]
    mon = doc.get("global", "mon_host")
    assert mon is not None and mon.key == "mon host" and mon.value == "1.2.3.4" and mon.line == 4
    assert doc.get("global", "mon-host") == mon
    assert doc.get("client.glance", "long").value == "ab"  # type: ignore[union-attr]


def test_ceph_dialect_requires_equals() -> None:
    with pytest.raises(ConfigFileError) as info:
        parse_ini("[global]\nfsid: abc\n", "c.conf", dialect=Dialect.CEPH)
    assert info.value.line == 2
