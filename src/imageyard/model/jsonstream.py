"""A large JSON document parsed from a stream of text chunks, one value at a time.

Concepts: ``JsonStream`` keeps a window of the text (chunks pulled from an iterator when
needed) and parses it with the standard library's scanner (``json.JSONDecoder.raw_decode``)
one value at a time, so the big arrays of a document are never whole in memory:
``members`` yields the keys of an object and leaves the stream at each value, ``items``
yields the elements of an array, ``value`` parses one whole value and ``end`` checks that
only whitespace follows. A value cut by the end of the window is parsed again once more
text is in; the window at least doubles each time, so a long value costs linear time.
Syntax errors are ``JsonStreamError`` with the line and column in the whole document; what
the decoder itself raises (a ``parse_constant`` refusing ``NaN``, ``RecursionError``)
passes through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBER_TAIL = re.compile(r"[0-9eE.+-]*")


class JsonStreamError(ValueError):
    """The text is not JSON: ``msg`` at ``line`` and ``column`` (1-based)."""

    def __init__(self, msg: str, line: int, column: int) -> None:
        super().__init__(f"{msg}: line {line} column {column}")
        self.msg, self.line, self.column = msg, line, column


class JsonStream:
    """One JSON text read from ``chunks`` (see the module docstring)."""

    def __init__(self, chunks: Iterator[str], decoder: json.JSONDecoder) -> None:
        self._chunks = chunks
        self._decoder = decoder
        self._buf = ""
        self._pos = 0
        self._line = 1  # the line and column where the window starts
        self._column = 1

    def _more(self) -> bool:
        """Drop the parsed text, append at least as much as is kept; False at the end (and
        then nothing changes)."""
        kept = len(self._buf) - self._pos
        parts, size = [], 0
        while size < max(kept, 1):
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            parts.append(chunk)
            size += len(chunk)
        if not size:
            return False
        self._advance(self._buf, self._pos)
        self._buf, self._pos = self._buf[self._pos :] + "".join(parts), 0
        return True

    def _advance(self, text: str, end: int) -> None:
        newlines = text.count("\n", 0, end)
        if newlines:
            self._line += newlines
            self._column = end - text.rfind("\n", 0, end)
        else:
            self._column += end

    def _error(self, msg: str, pos: int) -> JsonStreamError:
        newlines = self._buf.count("\n", 0, pos)
        if not newlines:
            return JsonStreamError(msg, self._line, self._column + pos)
        return JsonStreamError(msg, self._line + newlines, pos - self._buf.rfind("\n", 0, pos))

    def _peek(self) -> str:
        """The next character that is not whitespace ("" at the end of the text)."""
        while True:
            match = _SPACE.match(self._buf, self._pos)
            assert match is not None  # the pattern matches the empty string
            self._pos = match.end()
            if self._pos < len(self._buf) or not self._more():
                return self._buf[self._pos : self._pos + 1]

    def _take(self, char: str) -> bool:
        if self._peek() != char:
            return False
        self._pos += 1
        return True

    def _expect(self, char: str, msg: str) -> None:
        if not self._take(char):
            raise self._error(msg, self._pos)

    def value(self) -> object:
        """The next whole value."""
        self._peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                if self._more():
                    continue
                raise self._error(exc.msg, exc.pos) from None
            # NOTE: a number that ends the window (or ends it but for "1.5e") may go on in
            # the next chunk
            if not _NUMBER_TAIL.fullmatch(self._buf, end) or not self._more():
                self._pos = end
                return value

    def peek_kind(self) -> str:
        """``{``, ``[`` or another first character of the next value ("" at the end)."""
        return self._peek()

    def members(self) -> Iterator[str]:
        """The keys of the object that comes next; the caller consumes each value."""
        self._expect("{", "Expecting object")
        if self._take("}"):
            return
        while True:
            if self._peek() != '"':
                raise self._error("Expecting property name enclosed in double quotes", self._pos)
            key = self.value()
            assert isinstance(key, str)
            self._expect(":", "Expecting ':' delimiter")
            yield key
            if not self._take(","):
                self._expect("}", "Expecting ',' delimiter")
                return

    def items(self) -> Iterator[object]:
        """The elements of the array that comes next, one at a time."""
        self._expect("[", "Expecting array")
        if self._take("]"):
            return
        while True:
            yield self.value()
            if not self._take(","):
                self._expect("]", "Expecting ',' delimiter")
                return

    def end(self) -> None:
        """Only whitespace may follow."""
        if self._peek():
            raise self._error("Extra data", self._pos)
