"""INI reader with oslo.config semantics that keeps ``file:line`` and redacts secrets.

Concepts:

* ``read_config_file`` turns a path into text, refusing (with ``ConfigFileError``) missing
  files, directories, special files, unreadable or oversized files and binary content. The
  size is checked before anything is read.
* ``parse_ini`` turns text into an ``IniDocument``: every ``(section, key, value, line)``
  occurrence in file order, secrets already redacted. Two dialects:

  - ``Dialect.OSLO`` (OpenStack services) *is* oslo.config's reader
    (``oslo_config.iniparser.BaseParser``), with each key's line kept: ``[section]``,
    ``key = value`` or ``key: value``, ``#``/``;`` comments only at the start of a line,
    an indented line continues the previous value (joined with a newline, a blank line ends
    it), matching quotes around a value are dropped, repeated keys are all kept, repeated
    sections merge (recorded as a warning), keys before any section are an error. Group
    names are case-insensitive except ``DEFAULT``.
  - ``Dialect.CEPH`` (ceph.conf) follows Ceph's reader: leading whitespace is ignored,
    ``#``/``;`` start a comment anywhere outside quotes, a trailing backslash joins the next
    line, and spaces, dashes and underscores in option names are equivalent.

* Redaction happens here, before any value leaves the reader: options whose name marks a
  secret get ``REDACTED``; credentials inside URLs (``transport_url``, ``connection``, any
  ``scheme://user:password@host``) keep the user and host but lose the password.
"""

from __future__ import annotations

import enum
import errno
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, NoReturn

from oslo_config import iniparser

from imageyard.errors import ConfigFileError
from imageyard.model.config import ConfigValue
from imageyard.secrets import is_secret_key as is_secret_key  # re-exported
from imageyard.secrets import normalize_key, redact

MAX_CONFIG_BYTES = 10 * 1024 * 1024

Opener = Callable[[str], BinaryIO]


class Dialect(enum.StrEnum):
    """Which reader's rules apply."""

    OSLO = "oslo"
    CEPH = "ceph"


# ---------------------------------------------------------------- reading files


@dataclass(frozen=True)
class ConfigText:
    """A configuration file's decoded text and what identifies its content."""

    path: str
    text: str
    size: int
    sha256: str


def open_binary(path: str) -> BinaryIO:
    return open(path, "rb")  # the caller closes it


def _os_reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENOENT:
        return "file not found"
    if exc.errno == errno.EISDIR:
        return "is a directory, not a file"
    return f"cannot read: {exc.strerror or exc.__class__.__name__}"


def _check_stat(path: str, max_bytes: int) -> None:
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ConfigFileError(path, _os_reason(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigFileError(path, "is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise ConfigFileError(path, "not a regular file")
    if info.st_size > max_bytes:
        raise ConfigFileError(
            path, f"file is {info.st_size} bytes, larger than the {max_bytes}-byte limit"
        )


def _decode(path: str, data: bytes) -> str:
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise ConfigFileError(path, "binary content (NUL byte), not a text file", line=line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise ConfigFileError(path, f"not UTF-8 text (byte 0x{bad})", line=line) from None
    return text.removeprefix("\ufeff")


def read_config_file(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = MAX_CONFIG_BYTES,
    opener: Opener = open_binary,
) -> ConfigText:
    """Read one configuration file as UTF-8 text, or raise ``ConfigFileError``."""
    name = os.fspath(path)
    _check_stat(name, max_bytes)
    try:
        with opener(name) as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ConfigFileError(name, _os_reason(exc)) from None
    if len(data) > max_bytes:
        raise ConfigFileError(name, f"file is larger than the {max_bytes}-byte limit")
    text = _decode(name, data)
    return ConfigText(name, text, len(data), hashlib.sha256(data).hexdigest())


# ---------------------------------------------------------------- redaction

# NOTE: the policy lives in imageyard.secrets (one policy for every output); these names
# stay importable from here.
normalize_ceph_key = normalize_key


# ---------------------------------------------------------------- parsing


def normalize_section(name: str, dialect: Dialect = Dialect.OSLO) -> str:
    """oslo.config group names are case-insensitive, except ``DEFAULT``."""
    if dialect is Dialect.CEPH or name == "DEFAULT":
        return name
    return name.lower()


@dataclass(frozen=True)
class SectionHeader:
    """Where a section is first declared."""

    name: str
    line: int


@dataclass(frozen=True)
class IniDocument:
    """Every option occurrence of one file, in file order, with reader warnings."""

    path: str
    values: tuple[ConfigValue, ...] = ()
    sections: tuple[SectionHeader, ...] = ()
    warnings: tuple[str, ...] = ()
    dialect: Dialect = Dialect.OSLO

    def _key(self, key: str) -> str:
        return normalize_ceph_key(key) if self.dialect is Dialect.CEPH else key

    def section(self, name: str) -> tuple[ConfigValue, ...]:
        """All occurrences in section ``name`` (merged across repeated headers)."""
        want = normalize_section(name, self.dialect)
        return tuple(v for v in self.values if normalize_section(v.section, self.dialect) == want)

    def get_all(self, section: str, key: str) -> tuple[ConfigValue, ...]:
        want = self._key(key)
        return tuple(v for v in self.section(section) if self._key(v.key) == want)

    def get(self, section: str, key: str) -> ConfigValue | None:
        """The effective occurrence: for single-valued options the last one wins."""
        found = self.get_all(section, key)
        return found[-1] if found else None

    def has_section(self, name: str) -> bool:
        want = normalize_section(name, self.dialect)
        return any(normalize_section(h.name, self.dialect) == want for h in self.sections)

    def section_names(self) -> tuple[str, ...]:
        return tuple(h.name for h in self.sections)


@dataclass
class _State:
    path: str
    dialect: Dialect
    section: str | None = None
    key: str | None = None
    key_line: int = 0
    lines: list[str] = field(default_factory=list)
    values: list[ConfigValue] = field(default_factory=list)
    headers: dict[str, SectionHeader] = field(default_factory=dict)
    order: list[SectionHeader] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def fail(self, reason: str, line: int) -> ConfigFileError:
        return ConfigFileError(self.path, reason, line=line)

    def flush(self) -> None:
        if self.key is None:
            return
        if self.section is None:
            raise self.fail("option before any [section] header", self.key_line)
        value, hidden = redact(self.key, "\n".join(self.lines))
        self.values.append(
            ConfigValue(self.section, self.key, value, self.path, self.key_line, hidden)
        )
        self.key, self.lines = None, []

    def open_section(self, raw: str, lineno: int) -> None:
        text = raw.strip()
        if not text.endswith("]"):
            raise self.fail("section header without closing ']'", lineno)
        name = text[1:-1]
        if self.dialect is Dialect.CEPH:
            name = name.strip()
        if not name:
            raise self.fail("empty section name '[]'", lineno)
        norm = normalize_section(name, self.dialect)
        first = self.headers.get(norm)
        if first is None:
            self.headers[norm] = SectionHeader(name, lineno)
            self.order.append(self.headers[norm])
            if self.dialect is Dialect.OSLO and name.upper() == "DEFAULT" and name != "DEFAULT":
                self.warnings.append(
                    f"{self.path}:{lineno}: section [{name}] is not [DEFAULT] "
                    "(only the upper-case spelling is the default group)"
                )
        else:
            self.warnings.append(
                f"{self.path}:{lineno}: section [{name}] repeated (first at line {first.line});"
                " the two are merged"
            )
        self.section = name

    def start_option(self, text: str, lineno: int, seps: str) -> None:
        positions = [p for p in (text.find(s) for s in seps) if p >= 0]
        if not positions:
            expected = " or ".join(f"'{s}'" for s in seps)
            raise self.fail(f"not a section, option or comment (no {expected})", lineno)
        cut = min(positions)
        key, value = text[:cut].strip(), text[cut + 1 :].strip()
        if not key:
            raise self.fail("option with an empty name", lineno)
        if self.section is None:
            raise self.fail(f"option '{key}' before any [section] header", lineno)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        self.key, self.key_line, self.lines = key, lineno, [value]


def _split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


class _OsloReader(iniparser.BaseParser):
    """oslo.config's own INI reader (``oslo_config.iniparser``), keeping each key's line."""

    def __init__(self, state: _State) -> None:
        self.state = state
        self.key_line = 0

    def _split_key_value(self, line: str) -> tuple[str, list[str]]:
        self.key_line = self.lineno
        return super()._split_key_value(line)

    def new_section(self, section: str) -> None:
        self.state.open_section(f"[{section}]", self.lineno)

    def assignment(self, key: str, value: list[str]) -> None:
        if self.state.section is None:
            raise self.state.fail(f"option '{key}' before any [section] header", self.key_line)
        self.state.key, self.state.key_line, self.state.lines = key, self.key_line, value
        self.state.flush()

    # NOTE: the same failures as oslo.config's, in imageyard's words, with file:line.
    def error_invalid_assignment(self, line: str) -> NoReturn:
        raise self.state.fail("not a section, option or comment (no '=' or ':')", self.lineno)

    def error_empty_key(self, line: str) -> NoReturn:
        raise self.state.fail("option with an empty name", self.lineno)

    def error_unexpected_continuation(self, line: str) -> NoReturn:
        raise self.state.fail("indented line does not continue any option", self.lineno)

    def error_no_section_end_bracket(self, line: str) -> NoReturn:
        raise self.state.fail("section header without closing ']'", self.lineno)

    def error_no_section_name(self, line: str) -> NoReturn:
        raise self.state.fail("empty section name '[]'", self.lineno)


def _strip_ceph_comment(line: str) -> str:
    quote = ""
    for i, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "#;":
            return line[:i].rstrip()
    return line


def _ceph_logical_lines(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for lineno, raw in enumerate(_split_lines(text), start=1):
        start, body = pending if pending is not None else (lineno, "")
        body += raw.strip()
        if body.endswith("\\"):
            pending = (start, body[:-1])
            continue
        pending = None
        out.append((start, body))
    if pending is not None:
        out.append(pending)
    return out


def _parse_ceph_line(state: _State, raw: str, lineno: int) -> None:
    line = _strip_ceph_comment(raw.strip())
    if not line:
        return
    state.flush()
    if line[0] == "[":
        state.open_section(line, lineno)
    else:
        state.start_option(line, lineno, "=")


def parse_ini(text: str, path: str, *, dialect: Dialect = Dialect.OSLO) -> IniDocument:
    """Parse INI text; raise ``ConfigFileError`` (with the line) on what is not INI."""
    state = _State(path, dialect)
    if dialect is Dialect.CEPH:
        for lineno, line in _ceph_logical_lines(text):
            _parse_ceph_line(state, line, lineno)
    else:
        _OsloReader(state).parse(_split_lines(text))
    state.flush()
    return IniDocument(
        path, tuple(state.values), tuple(state.order), tuple(state.warnings), dialect
    )


def load_ini(
    path: str | os.PathLike[str],
    *,
    dialect: Dialect = Dialect.OSLO,
    max_bytes: int = MAX_CONFIG_BYTES,
    opener: Opener = open_binary,
) -> tuple[ConfigText, IniDocument]:
    """``read_config_file`` then ``parse_ini``."""
    content = read_config_file(path, max_bytes=max_bytes, opener=opener)
    return content, parse_ini(content.text, content.path, dialect=dialect)
