"""The streaming boxed table: every line the same width, every word of every cell kept."""

from __future__ import annotations

import re
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from imageyard.report import grid

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_words = st.text(alphabet="abcdefghij/-.:", min_size=1, max_size=70)
_cells = st.lists(_words, min_size=0, max_size=6).map(" ".join)


def _cells_of(line: str, sep: str) -> list[str]:
    return [c.strip() for c in line.strip()[1:-1].split(sep)]


@given(st.lists(st.tuples(_cells, _cells, _cells), min_size=1, max_size=20), st.integers(40, 200))
def test_lines_fit_and_keep_every_character(rows: list[tuple[str, str, str]], width: int) -> None:
    lines = list(grid.render("T", ("a", "bb", "ccc"), rows, width=width))
    body = lines[4:-1]
    assert len({len(line) for line in lines[1:]}) == 1  # a rectangle
    assert len(lines[1]) <= max(width, 3 * grid.MIN_WIDTH + 10)
    # reading each column top to bottom gives back the cell's characters
    joined = ["", "", ""]
    for line in body:
        for i, cell in enumerate(_cells_of(line, "│")):
            joined[i] += "".join(cell.split())
    for i in range(3):
        assert joined[i] == "".join("".join(r[i].split()) for r in rows)


def test_colour_only_when_styled() -> None:
    rows = [("high", "x " * 50)]
    plain = list(grid.render("T", ("sev", "msg"), rows, width=40))
    coloured = list(grid.render("T", ("sev", "msg"), rows, width=40, styles=[("31", "")]))
    assert not any(_ANSI.search(line) for line in plain)
    assert "\x1b[31mhigh" in coloured[4] and "\x1b[31m" not in coloured[5]
    assert [_ANSI.sub("", line) for line in coloured] == plain


def test_narrow_columns_keep_their_natural_width() -> None:
    lines = list(grid.render("T", ("severity", "message"), [("high", "m " * 200)], width=80))
    assert lines[2].startswith("┃ severity ┃")
    assert all(len(line) == 80 for line in lines[1:])


_WORDS = st.sampled_from(["a", "bb", "cccccccc", " ", "  ", "     ", "x-y", "é", "/p/q.conf:12"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_WORDS, max_size=30).map("".join), st.integers(min_value=1, max_value=12))
def test_fold_wraps_as_textwrap_does(text: str, width: int) -> None:
    assert grid.fold(text, width) == textwrap.wrap(text, width, break_on_hyphens=False)


def test_a_multi_line_cell_asks_for_its_longest_line() -> None:
    cell = "\n".join(f"image {n:036d}" for n in range(4))  # four lines of 42 characters
    assert grid.widths(("e.g.",), [(cell,)], 200) == [42]
    lines = list(grid.render("", ("e.g.",), [(cell,)], width=200))
    assert [line[2:-2].rstrip() for line in lines[4:-1]] == cell.splitlines()
