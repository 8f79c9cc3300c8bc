"""The one redaction policy: which names and values are secrets, and how text is masked.

Concepts:

* ``is_secret_key`` decides from an option or variable name alone (``password``,
  ``s3_store_secret_key``, ``OS_AUTH_TOKEN`` ...); such a value is never kept.
* ``scrub`` masks secrets *inside* free text: the password of URL userinfo
  (``rabbit://u:***@h``, multi-host authorities included), ``name=value`` and
  ``name: value`` pairs whose name is secret (``redis_password:x`` in a dict option,
  ``?password=x`` in a query, ``password = x`` on a continuation line), and every literal
  secret ``remember``-ed (values of secret ``OS_*`` variables, URL passwords given as
  flags). Every pattern is anchored so the scan is linear in the text's length.
* ``Redactor`` holds the remembered literals. The CLI installs one per run (``install``)
  and wraps stdout/stderr with ``ScrubbingStream``; ``imageyard.files.write_text`` and
  the crash log scrub through the installed one, so every exit point applies this policy.
* Data about to be encoded (a report's findings) can pass the policy string by string
  instead: ``scrub_data`` scrubs every string of JSON-ready data, judging them all with a
  few scans (``scrub_each``), and ``clean_json`` (from their JSON text) or ``clean_texts``
  (from the strings) tells that none needs it; ``clean_ascii`` tells the same of ASCII text
  about to be written (a batch of rendered rows) without decoding it. Text encoded from
  such data, or judged so, is ``Scrubbed`` (UTF-8 bytes): the writers pass it on.
"""

from __future__ import annotations

import functools
import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import accumulate
from typing import Any, TextIO

REDACTED = "***"

_SECRET_NAMES = frozenset(
    {"key", "password", "passwd", "secret", "token", "admin_token", "root_token_id",
     "approle_secret_id", "hmac_keys", "auth_key", "fernet_keys"}
)  # fmt: skip
# Booleans whose names look secret (nova [libvirt] inject_password / inject_key).
_NOT_SECRET_NAMES = frozenset({"inject_password", "inject_key"})
_NOT_SECRET_SUFFIXES = (
    "_uuid", "_id", "_ids", "_file", "_path", "_dir", "keyring", "_type", "_size",
    "_length", "_name", "_format", "_algorithm", "_backend", "_manager", "_url", "_expiry",
)  # fmt: skip
_SECRET_WORDS = ("password", "passwd", "secret", "credential")
_SECRET_SUFFIXES = ("_key", "_keys", "_token", "_pass", "_pwd")

# NOTE: the look-behinds make each pattern start only where a name or scheme starts, so a
# long run of letters is scanned once, not once per position (the scan stays linear).
# NOTE: ``rest`` is runs of non-space, non-comma characters joined by a comma and optional
# spaces (one token class per step, so the scan does not backtrack)
_URL = re.compile(
    r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://(?P<rest>[^\s,]*(?:,\s*[^\s,]*)*)"
)
_PAIR = re.compile(
    r"(?<![A-Za-z0-9_.\-])(?P<name>[A-Za-z][A-Za-z0-9_.\-]*)(?P<sep>[ \t]*[=:][ \t]*)"
    r"(?=[^\s,;&])"
)
_VALUE = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'|[^\s,;&\"']+")
_MIN_LITERAL = 4
# Values too common to mask as literals wherever they appear.
_NOT_LITERALS = frozenset({"true", "false", "null", "none", "yes", "None", "True", "False"})


def normalize_key(key: str) -> str:
    """Ceph's option-name rule: spaces, dashes and underscores are the same character."""
    return re.sub(r"[ \-_]+", "_", key.strip()).lower()


@functools.lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    """Whether an option with this name holds a secret (its value is never kept)."""
    name = normalize_key(key)
    name = name[3:] if name.startswith("os_") else name
    if name in _SECRET_NAMES:
        return True
    if name in _NOT_SECRET_NAMES or name.endswith(_NOT_SECRET_SUFFIXES):
        return False
    return any(word in name for word in _SECRET_WORDS) or name.endswith(_SECRET_SUFFIXES)


def _mask_segment(segment: str, first: bool) -> str:
    userinfo, at, host = segment.rpartition("@")
    if not at:
        return segment
    user, colon, _ = userinfo.partition(":")
    if colon:
        return f"{user}:{REDACTED}@{host}"
    # NOTE: a lone user name in the first host is not a secret (postgresql://glance@db);
    # in later hosts it may be the tail of a password that contained a comma.
    return segment if first else f"{REDACTED}@{host}"


def _mask_url(match: re.Match[str]) -> str:
    whole = match.group(0)
    rest = match.group("rest")
    if "@" not in rest:
        return whole  # NOTE: no userinfo anywhere (most URLs): nothing to mask
    head = whole[: len(whole) - len(rest)]
    parts = rest.split(",")
    masked = [_mask_segment(p, i == 0) for i, p in enumerate(parts)]
    # NOTE: "user:pa,ss@host" splits into "user:pa" and "ss@host": segments with no "@"
    # that run up to one whose userinfo has no ":" are pieces of one password.
    in_password = False
    for i in range(len(parts) - 1, -1, -1):
        userinfo, at, _ = parts[i].rpartition("@")
        if at:
            in_password = ":" not in userinfo
        elif in_password:
            user, colon, _ = parts[i].partition(":")
            masked[i] = f"{user}:{REDACTED}" if colon else REDACTED
    return head + ",".join(masked)


_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")


def _url_start(text: str, sep: int) -> int:
    """Where the URL whose ``://`` is at ``sep`` starts (its scheme), or -1 if none does."""
    start = sep
    while start > 0 and text[start - 1] in _SCHEME_CHARS:
        start -= 1
    return start if start < sep and text[start] in _FIRST_CHARS else -1


def _mask_urls(text: str) -> str:
    """``_URL.sub(_mask_url, text)``, found from each ``://`` (a literal search) instead of
    trying the pattern at every position of a long text (a report)."""
    # NOTE: a scheme is the run of scheme characters before "://", beginning with a letter
    # (the pattern's look-behind), and a match ends at whitespace, where no scheme begins,
    # so the matches are those the pattern's own left-to-right scan finds
    out: list[str] = []
    cursor = 0
    sep = text.find("://")
    while sep >= 0:
        start = _url_start(text, sep)
        match = _URL.match(text, start) if start >= 0 else None
        if match is None:
            sep = text.find("://", sep + 3)
            continue
        whole = match.group(0)
        out += (text[cursor:start], _mask_url(match) if "@" in whole else whole)
        cursor = match.end()
        sep = text.find("://", cursor)
    out.append(text[cursor:])
    return "".join(out)


# NOTE: ``_URL``'s rest after "://" up to its first "@" (group 1 set) or to its end: a URL
# ``_mask_urls`` can change is one whose rest holds an "@"
_URL_REST = re.compile(r"(?:[^\s,@]*+,\s*+)*+[^\s,@]*+(@)?")
# NOTE: in JSON text, from "://" to the first "@" (group 1 set) or to the string's end
_JSON_REST = re.compile(rb'(?:[^"\\@]++|\\.)*+(@)?')
# NOTE: ``_URL_REST`` for ASCII text as bytes: the characters a str pattern's ``\s`` takes
# below 128 are these (a bytes pattern's ``\s`` leaves out the four separators \x1c-\x1f)
_ASCII_SPACE = rb" \t\n\r\f\v\x1c-\x1f"
_ASCII_REST = re.compile(
    rb"(?:[^%s,@]*+,[%s]*+)*+[^%s,@]*+(@)?" % (_ASCII_SPACE, _ASCII_SPACE, _ASCII_SPACE)
)


def _at_after_scheme(
    text: str | bytes, sep: str | bytes, rest: re.Pattern[Any]
) -> Iterator[tuple[int, int]]:
    """Span of each ``sep`` ("://") and its ``rest`` where the rest reaches an "@"."""
    # NOTE: a rest with no "@" is skipped whole: a "://" inside it has a rest ending there
    at = text.find(sep)  # type: ignore[arg-type]
    while at >= 0:
        match = rest.match(text, at + 3)
        assert match is not None  # the pattern matches the empty string
        if match.group(1):
            yield at, match.end()
        at = text.find(sep, match.end())  # type: ignore[arg-type]


def _mask_pairs(text: str) -> str:
    # NOTE: the value is only looked ahead at, so the scan goes on inside a value that is
    # not secret (``backend_argument = redis_password:x``); a masked value is skipped.
    out: list[str] = []
    cursor = 0
    for start, end in _secret_pairs(text):
        if start < cursor:
            continue
        value = _VALUE.match(text, end)
        if value is None or value.group(0) == REDACTED:
            continue
        out += (text[cursor:end], REDACTED)
        cursor = value.end()
    out.append(text[cursor:])
    return "".join(out)


# NOTE: every secret name contains one of these (is_secret_key), so a long text (a report)
# is searched for them, a fast literal scan, and only the names around a hit are judged;
# the full ``_PAIR`` scan is the reference, used when lower-casing moves characters.
_CANDIDATES = ("key", "pass", "secret", "token", "credential", "pwd")
_CANDIDATES_UTF8 = tuple(w.encode() for w in _CANDIDATES)
_NAME_RUN = re.compile(r"[A-Za-z0-9_.\-]*")
_SEP = re.compile(r"[ \t]*[=:][ \t]*(?=[^\s,;&])")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_FIRST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _candidates(lowered: str) -> list[int]:
    """Where each of ``_CANDIDATES`` starts in ``lowered``, in order (overlaps included)."""
    # NOTE: a literal search per word is far faster than an alternation over a long text;
    # a hit that overlaps an earlier one lies in the name run judged at that one, skipped
    hits = []
    for word in _CANDIDATES:
        at = lowered.find(word)
        while at >= 0:
            hits.append(at)
            at = lowered.find(word, at + 1)
    return sorted(hits)


def _secret_pairs(text: str) -> Iterator[tuple[int, int]]:
    """Start of the name and end of the separator of each ``name = value`` pair whose name
    is secret, in order."""
    lowered = text.lower()
    if len(lowered) != len(text):
        yield from _secret_pairs_scanned(text)
        return
    run_end = -1
    for hit in _candidates(lowered):
        if hit < run_end:
            continue  # NOTE: another hit in a name already judged
        start = hit
        while start > 0 and text[start - 1] in _NAME_CHARS:
            start -= 1
        match = _NAME_RUN.match(text, hit)
        assert match is not None  # the pattern matches the empty string
        run_end = match.end()
        sep = _SEP.match(text, run_end) if text[start] in _FIRST_CHARS else None
        if sep is not None and is_secret_key(text[start:run_end]):
            yield start, sep.end()


def _secret_pairs_scanned(text: str) -> Iterator[tuple[int, int]]:
    """``_secret_pairs`` by scanning every ``name = value`` pair."""
    for match in _PAIR.finditer(text):
        if is_secret_key(match.group("name")):
            yield match.start(), match.end()


def url_passwords(text: str) -> tuple[str, ...]:
    """The passwords of the URL userinfo in ``text`` (to ``remember`` them)."""
    found = []
    for match in _URL.finditer(text):
        for segment in match.group("rest").split(","):
            userinfo, at, _ = segment.rpartition("@")
            if at and ":" in userinfo:
                found.append(userinfo.partition(":")[2])
    return tuple(found)


_JOIN = "\0"  # NOTE: in no candidate word, no "://", and no literal from argv or environ


def _index(starts: list[int], at: int) -> int:
    """Which text position ``at`` of the joined texts lies in (``starts``: where each starts)."""
    return bisect_right(starts, at) - 1


def _named(texts: Sequence[str], joined: str, starts: list[int]) -> set[int]:
    """The indexes of the texts holding one of ``_CANDIDATES``, in any case."""
    lowered = joined.lower()
    if len(lowered) != len(joined):  # NOTE: lower-casing moved characters: text by text
        return {i for i, t in enumerate(texts) if any(w in t.lower() for w in _CANDIDATES)}
    return {_index(starts, at) for at in _candidates(lowered)}


def _json_form(literal: str) -> bytes:
    """``literal`` as it appears inside a JSON string (``json.dumps``'s escapes, UTF-8)."""
    return json.dumps(literal, ensure_ascii=False)[1:-1].encode("utf-8", "surrogatepass")


class Redactor:
    """The redaction policy plus the literal secrets this run has seen."""

    def __init__(self) -> None:
        self._literals: set[str] = set()
        self._literal_re: re.Pattern[str] | None = None
        self._json_literals: list[bytes] = []
        self._ascii_literals: list[bytes] = []

    def remember(self, values: Iterable[str]) -> None:
        """Mask these exact strings wherever they appear (short ones are ignored)."""
        new = {v for v in values if len(v) >= _MIN_LITERAL and v not in _NOT_LITERALS}
        if new - self._literals:
            self._literals |= new
            ordered = sorted(self._literals, key=len, reverse=True)
            self._literal_re = re.compile("|".join(re.escape(v) for v in ordered))
            self._json_literals = [_json_form(v) for v in ordered]
            self._ascii_literals = [v.encode("ascii") for v in ordered if v.isascii()]

    def remember_environment(self, environ: Mapping[str, str]) -> None:
        """Remember the values of secret-named variables and URL passwords in any variable."""
        self.remember(v for k, v in environ.items() if is_secret_key(k))
        self.remember(p for v in environ.values() if "://" in v for p in url_passwords(v))

    def remember_argv(self, argv: Iterable[str]) -> None:
        """Remember URL passwords given on the command line."""
        self.remember(p for arg in argv if "://" in arg for p in url_passwords(arg))

    def scrub(self, text: str) -> str:
        """``text`` with every secret masked (see the module docstring)."""
        if self._literal_re is not None:
            text = self._literal_re.sub(REDACTED, text)
        if "://" in text:
            text = _mask_urls(text)
        return _mask_pairs(text) if ("=" in text or ":" in text) else text

    def scrub_each(self, texts: Sequence[str]) -> dict[str, str]:
        """``{text: scrub(text)}`` for each of ``texts`` that ``scrub`` changes, found with a
        few scans over all of them (the many strings of a report) instead of one per text."""
        changed = {}
        for index in self._suspects(texts):
            masked = self.scrub(texts[index])
            if masked != texts[index]:
                changed[texts[index]] = masked
        return changed

    def clean_json(self, data: bytes) -> bool:
        """True when no string in ``data`` (UTF-8 JSON, escaped as ``json.dumps`` does) holds
        anything ``scrub`` could change: a remembered literal, a URL with "@" in its rest, or
        a name with one of ``_CANDIDATES``. A JSON escape maps each character on its own, so
        a literal in a string is its escaped form in the text; letters, "://" and "@" are
        never escaped, and the rest of a URL cannot leave its JSON string."""
        if any(lit in data for lit in self._json_literals):
            return False
        lowered = data.lower()  # NOTE: bytes: ASCII letters only, as secret names are
        if any(word in lowered for word in _CANDIDATES_UTF8):
            return False
        return next(_at_after_scheme(data, b"://", _JSON_REST), None) is None

    def clean_texts(self, texts: Sequence[str]) -> bool:
        """True when ``scrub`` changes none of ``texts``: none holds a remembered literal,
        a URL whose rest reaches an "@", or a ``name = value`` pair whose name is secret
        (each step of ``scrub`` needs one), found or not in a few scans over all of them
        joined."""
        # NOTE: joined at a line break, where a URL's rest ends as it does at a text's end
        # and a pair's name or separator cannot run on; a literal that spans two texts only
        # makes the answer False
        joined = "\n".join(texts)
        if any(literal in joined for literal in self._literals):
            return False
        if next(_at_after_scheme(joined, "://", _URL_REST), None) is not None:
            return False
        return next(_secret_pairs(joined), None) is None

    def clean_literals(self, data: bytes) -> bool:
        """True when no remembered literal is in ``data`` (UTF-8 JSON, escaped as
        ``json.dumps`` does): ``clean_json``'s first test, alone (see ``pieces_clean``)."""
        return not any(lit in data for lit in self._json_literals)

    def clean_ascii(self, data: bytes) -> bool:
        """``clean_texts([data.decode("ascii")])`` for ASCII text ``data`` (a rendered
        batch of rows), decoded only when it holds one of ``_CANDIDATES``."""
        if any(literal in data for literal in self._ascii_literals):
            return False
        if next(_at_after_scheme(data, b"://", _ASCII_REST), None) is not None:
            return False
        lowered = data.lower()
        if not any(word in lowered for word in _CANDIDATES_UTF8):
            return True
        return next(_secret_pairs(data.decode("ascii")), None) is None

    def _suspects(self, texts: Sequence[str]) -> set[int]:
        """The indexes of the texts ``scrub`` may change; it leaves every other one as is.

        Each of its steps needs something in the text itself: a remembered literal, a URL
        whose rest holds an "@", a secret name (which holds one of ``_CANDIDATES``)."""
        if any(_JOIN in v for v in self._literals):
            return set(range(len(texts)))  # NOTE: a literal could span two texts
        joined = _JOIN.join(texts)
        starts = list(accumulate((len(t) + 1 for t in texts), initial=0))
        spans = list(_at_after_scheme(joined, "://", _URL_REST))
        if self._literal_re is not None:
            spans += ((m.start(), m.end()) for m in self._literal_re.finditer(joined))
        found = {i for a, b in spans for i in range(_index(starts, a), _index(starts, b - 1) + 1)}
        return found | _named(texts, joined, starts)


# NOTE: a text written from a pattern (``report.json_fill``): fixed pieces with a value
# between each two. ``scrub`` changes a text only where it holds a remembered literal, a
# "://" with an "@" after it, or one of ``_CANDIDATES`` (every secret name holds one, in
# ASCII letters of any case). When no value follows a letter, ":" or "/" of a piece, none
# is followed by a letter or "/" of one, and no two stand side by side, each such word and
# each "://" lies inside one piece or one value, so the pieces and the values can be judged
# apart: once per pattern (``pieces_clean``) and once per batch of values
# (``values_clean``); a literal, which may run across them, is looked for in the written
# text (``Redactor.clean_literals``).
_BEFORE_VALUE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:/")
_AFTER_VALUE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/")


def pieces_clean(pieces: Sequence[str]) -> bool | None:
    """Whether a text of ``pieces`` with a value between each two holds nothing ``scrub``
    could change when its values hold no "@" nor any of ``_CANDIDATES`` (``values_clean``):
    None when it may whatever its values, True when it may not, False when it may not if
    its values also hold no "://" (its pieces hold an "@")."""
    lowered = "\n".join(pieces).lower()
    if any(word in lowered for word in _CANDIDATES):
        return None
    for n, piece in enumerate(pieces):
        # NOTE: the characters a value stands next to: the piece's last one (before the
        # value after it) and its first one (after the value before it)
        after = n < len(pieces) - 1
        before = n > 0
        if not piece:
            if after and before:
                return None  # NOTE: two values side by side
            continue  # NOTE: the text starts (ends) with a value
        if (after and piece[-1] in _BEFORE_VALUE) or (before and piece[0] in _AFTER_VALUE):
            return None
    at = any("@" in p for p in pieces)
    if at and any("://" in p for p in pieces):
        return None
    return not at


def values_clean(joined: str) -> bool:
    """Whether values (``joined`` by a character that is no letter, ":", "/" nor "@") hold
    no "@" and none of ``_CANDIDATES`` in any case: what ``pieces_clean`` asks of them."""
    if "@" in joined:
        return False
    lowered = joined.lower()
    return not any(word in lowered for word in _CANDIDATES)


_current = Redactor()


def install(redactor: Redactor) -> None:
    """Make ``redactor`` the one ``scrub`` uses (the CLI installs one per run)."""
    global _current  # NOTE: one policy object per process run, set only by the CLI
    _current = redactor


def current() -> Redactor:
    """The installed ``Redactor``."""
    return _current


def scrub(text: str) -> str:
    """``text`` through the installed ``Redactor``."""
    return _current.scrub(text)


class Scrubbed(bytes):
    """UTF-8 text encoded from data whose every string went through the policy
    (``scrub_data``, or ``clean_json`` found nothing it could change): the writers
    (``imageyard.files.write_text``) pass it on as is."""

    __slots__ = ()


def _strings(data: Any, out: list[str]) -> list[str]:
    """Every string in ``data``: dict keys and values, list and tuple items, nested."""
    todo = [data]
    while todo:
        node = todo.pop()
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, dict):
            out += node
            todo += node.values()
        elif isinstance(node, (list, tuple)):
            todo += node
    return out


def _replaced(data: Any, changed: Mapping[str, str]) -> Any:
    if isinstance(data, str):
        return changed.get(data, data)
    if isinstance(data, dict):
        return {changed.get(k, k): _replaced(v, changed) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(_replaced(v, changed) for v in data)
    return data


def scrub_data(data: list[Any], strings: Sequence[str] | None = None) -> list[Any]:
    """``data`` (JSON-ready items: dicts, lists, strings, numbers) with every string in it,
    key or value, through the installed ``Redactor``; the same items when none changes.
    Other values (numbers, None, text already encoded from scrubbed data) stay as they are.
    ``strings``: the strings of ``data`` the policy may change, when the caller knows that
    it changes none of the others (else every string is judged)."""
    changed = _current.scrub_each(_strings(data, []) if strings is None else strings)
    return [_replaced(item, changed) for item in data] if changed else data


def redact(key: str, value: str) -> tuple[str, bool]:
    """``(value to keep, redacted?)`` for one option ``key = value``."""
    if is_secret_key(key):
        return REDACTED, True
    masked = scrub(value)
    return masked, masked != value


class ScrubbingStream:
    """A text stream that scrubs every write before passing it on."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(scrub(text))
        return len(text)

    def flush(self) -> None:
        self._inner.flush()

    def isatty(self) -> bool:
        return self._inner.isatty()

    def fileno(self) -> int:
        return self._inner.fileno()

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)
