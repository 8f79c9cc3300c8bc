"""The config diff: the current file with the design's changes applied, as a unified diff.

Concepts: the *current text* of a file is the file itself when it is still at the path the
inventory recorded and its sha256 matches (comments and layout survive); otherwise it is
rebuilt from the inventory's values (section by section, secrets stay redacted); for a
greenfield design it is empty. ``apply_changes`` edits that text line by line, where
oslo.config reads it: a changed key is rewritten at its last occurrence (the one that wins,
also across repeated sections), continuation lines included; a new key goes at the end of
the last copy of its section (a new section at the end of the file); a removed key is
deleted, every occurrence of it; each edit gets a ``# imageyard:`` comment line with the
reason and the fact id. Every text that leaves this module goes through ``masked``: secret
values (as the config collector recognises them) become ``***``, so neither the diff nor the
files written with ``--write-configs`` ever carry a password, key or credential URL.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from imageyard.design.model import Change
from imageyard.model.config import ConfigFile
from imageyard.model.inventory import Inventory
from imageyard.secrets import redact

KIND_PATHS = {
    "glance-api.conf": ("glance-api", "/etc/glance/glance-api.conf"),
    "glance-image-import.conf": ("glance-image-import", "/etc/glance/glance-image-import.conf"),
    "nova.conf": ("nova", "/etc/nova/nova.conf"),
    "cinder.conf": ("cinder", "/etc/cinder/cinder.conf"),
}
_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*[=:]")


@dataclass(frozen=True)
class FileDiff:
    """One file's current text, new text and where it lives."""

    file: str
    path: str
    target: str
    before: str
    after: str

    def unified(self) -> str:
        before = masked(self.before).splitlines(keepends=True)
        after = masked(self.after).splitlines(keepends=True)
        return "".join(difflib.unified_diff(before, after, f"a{self.path}", f"b{self.path}"))


def masked(text: str) -> str:
    """``text`` with every secret value replaced by ``***`` (the collector's own rules)."""
    return "".join(_mask(line) for line in text.splitlines(keepends=True))


def _mask(line: str) -> str:
    m = _KEY.match(line)
    if m is None or line.lstrip().startswith(("#", ";")):
        return line
    key, _, value = line.partition("=") if "=" in line else line.partition(":")
    kept, hidden = redact(m.group(1), value.strip())
    end = "\n" if line.endswith("\n") else ""
    return f"{key.rstrip()} = {kept}{end}" if hidden else line


def _rebuild(cfg: ConfigFile) -> str:
    sections: dict[str, list[str]] = {}
    for v in cfg.values:
        sections.setdefault(v.section, []).append(f"{v.key} = {v.value}")
    return "\n".join(f"[{s}]\n" + "\n".join(lines) + "\n" for s, lines in sections.items())


def _text_of(cfg: ConfigFile) -> str:
    path = Path(cfg.path)
    try:
        data = path.read_bytes()
    except OSError:
        return _rebuild(cfg)
    if hashlib.sha256(data).hexdigest() == cfg.sha256:
        return data.decode("utf-8", "replace")
    return _rebuild(cfg)


def current_text(inv: Inventory | None, file: str, target: str = "") -> tuple[str, str]:
    """(path, text) of a file as it is now; the text is empty for a greenfield design."""
    kind, default_path = KIND_PATHS[file]
    if inv is None:
        return (target if target.startswith("/") else default_path), ""
    files = [f for f in inv.config.files if f.kind == kind and (not target or f.path == target)]
    if not files:
        return default_path, ""
    return files[0].path, _text_of(files[0])


def _comment(ch: Change) -> list[str]:
    verb = "removed" if ch.value is None else "set"
    risk = [f"# imageyard: RISK: {ch.risk}"] if ch.risk else []
    return [f"# imageyard: {verb} {ch.key}: {ch.why} [{ch.fact}]", *risk]


def option_lines(ch: Change) -> list[str]:
    """``key = value``; a multi-line value keeps oslo's indented continuation lines."""
    first, *rest = (ch.value or "").split("\n")
    return [f"{ch.key} = {first.strip()}", *[f"    {line.strip()}" for line in rest]]


def _section_spans(lines: list[str], section: str) -> list[tuple[int, int]]:
    """(start, end) line indexes of every body of ``section`` (repeated sections merge)."""
    spans: list[tuple[int, int]] = []
    start = None
    for i, line in enumerate(lines):
        m = _SECTION.match(line)
        if m is None:
            continue
        if start is not None:
            spans.append((start, i))
            start = None
        if m.group(1).strip() == section:
            start = i + 1
    if start is not None:
        spans.append((start, len(lines)))
    return spans


def _is_key(line: str, key: str) -> bool:
    m = _KEY.match(line)
    return m is not None and m.group(1) == key and not line.lstrip().startswith(("#", ";"))


def _key_lines(lines: list[str], spans: list[tuple[int, int]], key: str) -> tuple[int, int] | None:
    """(first, end) of the occurrence oslo.config uses: the last one, with its continuation
    lines (indented, non-blank lines after it)."""
    found = None
    for span in spans:
        for i in range(*span):
            if _is_key(lines[i], key):
                found = i
    if found is None:
        return None
    end = found + 1
    while end < len(lines) and lines[end].strip() and lines[end][:1] in (" ", "\t"):
        if lines[end].lstrip().startswith(("#", ";")):
            break
        end += 1
    return found, end


def _append(lines: list[str], span: tuple[int, int], new: list[str]) -> None:
    end = span[1]
    while end > span[0] and not lines[end - 1].strip():
        end -= 1
    lines[end:end] = new


def _apply_one(lines: list[str], ch: Change) -> None:
    spans = _section_spans(lines, ch.section)
    new = _comment(ch) if ch.value is None else [*_comment(ch), *option_lines(ch)]
    if not spans:
        if ch.value is None:
            return
        if lines and lines[-1].strip():
            lines.append("")
        lines.extend([f"[{ch.section}]", *new])
        return
    if ch.value is None:
        _remove_all(lines, ch.section, ch.key, new)
        return
    at = _key_lines(lines, spans, ch.key)
    if at is not None:
        lines[at[0] : at[1]] = new
    else:
        _append(lines, spans[-1], new)


def _remove_all(lines: list[str], section: str, key: str, note: list[str]) -> None:
    """Delete every occurrence (an earlier one would win once the last is gone)."""
    at = _key_lines(lines, _section_spans(lines, section), key)
    while at is not None:
        lines[at[0] : at[1]] = note
        note = []
        at = _key_lines(lines, _section_spans(lines, section), key)


def apply_changes(text: str, changes: tuple[Change, ...]) -> str:
    """``text`` with every change applied, each preceded by its comment line."""
    lines = text.splitlines()
    for ch in changes:
        _apply_one(lines, ch)
    return "\n".join(lines) + "\n"


def _placed(inv: Inventory | None, changes: tuple[Change, ...]) -> list[tuple[str, str, Change]]:
    """(file, path, change) for every file a change is written to ("" path: the usual one),
    as ``placement.place`` recorded it in the change."""
    kinds = {kind: name for name, (kind, _) in KIND_PATHS.items()}
    by_path = {f.path: f for f in inv.config.files} if inv is not None else {}
    out = []
    for ch in changes:
        out += [(kinds.get(by_path[p].kind, ch.file), p, ch) for p in ch.paths if p in by_path]
        if not ch.paths:
            out.append((ch.file, "", ch))
    return out


def file_diffs(inv: Inventory | None, changes: tuple[Change, ...]) -> tuple[FileDiff, ...]:
    """One FileDiff per file that has changes (glance-api's: the file oslo.config reads each
    option from), in a stable order."""
    placed = _placed(inv, changes)
    keys: list[tuple[str, str, str]] = []
    for file, path, ch in placed:
        if (file, path, ch.target) not in keys:
            keys.append((file, path, ch.target))
    order = list(KIND_PATHS)
    keys.sort(key=lambda k: (order.index(k[0]), k[2], k[1]))
    by_path = {f.path: f for f in inv.config.files} if inv is not None else {}
    out = []
    for file, path, target in keys:
        where, before = (path, _text_of(by_path[path])) if path else current_text(inv, file, target)
        mine = tuple(c for f, p, c in placed if (f, p, c.target) == (file, path, target))
        out.append(FileDiff(file, where, target, before, apply_changes(before, mine)))
    return tuple(out)
