"""The apply journal: append-only JSONL, one line per step event, fsync'd after each.

Concepts: the first line names the plan (its fingerprint); every later line is one event
of one action: ``start`` (about to change something), ``done`` (verified; ``note`` says
``already`` when live state showed it done) or ``failed`` (with the error). Resume = the
plan minus the actions with a ``done`` line. A line cut short by a crash is ignored (it can
only be the last). A journal of another plan is refused, unless it holds no step at all
(that plan was refused before its first step, e.g. as stale): then it is started afresh.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from dataclasses import dataclass, field
from typing import IO

from imageyard.errors import InputError


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Journal:
    """An open journal: what it says so far, and appends."""

    path: str
    plan_fingerprint: str
    done: set[str] = field(default_factory=set)
    started: set[str] = field(default_factory=set)
    _fh: IO[str] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, path: str, plan_fingerprint: str) -> Journal:
        """Read ``path`` (when it exists) and open it for appending."""
        journal = cls(path, plan_fingerprint)
        if os.path.exists(path):
            journal._read()
        journal._fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())
        if os.path.getsize(path) == 0:
            journal._write({"plan": plan_fingerprint, "at": _now()})
        return journal

    def _read(self) -> None:
        with open(self.path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
        entries = []
        for n, line in enumerate(lines, 1):
            try:
                entries.append(json.loads(line))
            except ValueError:
                if n != len(lines):
                    raise InputError(f"{self.path}:{n}: not a journal line") from None
        if len(entries) == 1 and entries[0].get("plan") != self.plan_fingerprint:
            os.truncate(self.path, 0)  # another plan's journal with no step: nothing to keep
            return
        if entries and entries[0].get("plan") != self.plan_fingerprint:
            raise InputError(
                f"{self.path}: this journal belongs to another plan",
                tip="give the plan it was written for, or another --journal",
            )
        for e in entries[1:]:
            {"done": self.done, "start": self.started}.get(e.get("event"), set()).add(e["id"])

    def _write(self, entry: dict[str, str]) -> None:
        assert self._fh is not None
        with self._lock:
            self._fh.write(json.dumps(entry, sort_keys=True) + "\n")
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def record(self, action_id: str, event: str, note: str = "") -> None:
        """Append one event and make it durable before returning."""
        entry = {"id": action_id, "event": event, "at": _now()}
        if note:
            entry["note"] = note
        self._write(entry)
        if event == "done":
            self.done.add(action_id)
        elif event == "start":
            self.started.add(action_id)

    def close(self) -> None:
        """Close the file."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
