"""Catalog text made harmless for a terminal: control characters shown, never obeyed.

Concepts: image names, property values and tags are set by any tenant and reach the
operator's reports. A control character in them (ESC, BEL, CR, backspace, NUL, DEL, a C1
control such as U+009B CSI) would be obeyed by the terminal: recolour, hide or overwrite
lines, set the title. ``visible`` maps each one to a visible stand-in of one column, so
the layout keeps its width: C0 controls and DEL to the Unicode Control Pictures
(U+2400-U+2421, ESC shows as ``␛``), C1 controls to U+FFFD, and so are the Unicode
bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): obeyed,
they reorder what follows on the line (a name that reads backwards, a cell that seems to
hold another image's id). A human format's newline and tab are its own layout and stay;
``one_line`` maps those too, for a catalog value placed in a table cell or a line, where its
newline would forge a line. Text without a control character is returned as it is (one
scan, no copy). Machine formats (JSON, SARIF, CSV) carry values exactly and do not pass
through here.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

_C1 = "\ufffd"
_LAYOUT = {"\n", "\t"}
# NOTE: LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI (the marks LRM and RLM, common in
# right-to-left text, stay: they override nothing)
_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))


def _pictures(keep: set[str]) -> dict[int, str]:
    table = {c: chr(0x2400 + c) for c in range(0x20) if chr(c) not in keep}
    table[0x7F] = "\u2421"
    table.update((c, _C1) for c in (*range(0x80, 0xA0), *_BIDI))
    return table


def _finder(table: dict[int, str]) -> re.Pattern[str]:
    """A search for any character ``table`` maps."""
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(table)) + "]")


_VISIBLE = _pictures(_LAYOUT)
_ONE_LINE = _pictures(set())
_CONTROL = _finder(_VISIBLE)
_CONTROL_OR_LAYOUT = _finder(_ONE_LINE)


def visible(text: str) -> str:
    """``text`` with every control character but newline and tab shown as a stand-in."""
    return text.translate(_VISIBLE) if _CONTROL.search(text) else text


def one_line(text: str) -> str:
    """``text`` with every control character, newline and tab included, shown."""
    return text.translate(_ONE_LINE) if _CONTROL_OR_LAYOUT.search(text) else text


STAND_IN = "imageyard-stand-in"  # the codecs error handler ``register_stand_in`` adds


def _box_stand_in(char: str) -> str | None:
    """The ASCII character that draws what a box-drawing character or a dash draws, one
    column for one (``┏━┳┓`` ``+=++``, ``│`` ``|``, ``─`` ``-``), or None."""
    if char in "\u2013\u2014":  # en and em dash
        return "-"
    if not "\u2500" <= char <= "\u257f":
        return None
    name = unicodedata.name(char, "")
    ends = any(part in name for part in ("UP", "DOWN", "LEFT", "RIGHT"))
    if "HORIZONTAL" in name and "VERTICAL" not in name and not ends:
        return "=" if "HEAVY" in name or "DOUBLE" in name else "-"
    if "VERTICAL" in name and "HORIZONTAL" not in name and not ends:
        return "|"
    return "+"


def _stand_in(error: UnicodeError) -> tuple[str, int]:
    """A stand-in for the characters an output's encoding cannot hold: a table's borders and
    dashes drawn in ASCII, so the table keeps its shape; anything else as its escape
    (``\\u241b``), as stderr writes it by default."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    out = []
    for char in text:
        drawn = _box_stand_in(char)
        out.append(drawn if drawn is not None else char.encode("unicode_escape").decode("ascii"))
    return "".join(out), error.end


def register_stand_in() -> str:
    """Register the ``STAND_IN`` error handler (once per process; again is harmless); its
    name, for a stream's ``errors``."""
    codecs.register_error(STAND_IN, _stand_in)
    return STAND_IN
