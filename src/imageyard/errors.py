"""Errors and exit codes: one error tree, mapped to exit codes at the CLI boundary.

The tree::

    ImageyardError                 exit 1  (a run-time failure: a fatal source, a write)
    ├── InputError                 exit 5  (an input file is missing, unreadable or malformed)
    │   ├── ConfigFileError        names the file and, where known, the line
    │   ├── SnapshotError          an inventory snapshot that cannot be read or is too new
    │   └── DesignRefused          inputs from which no consistent design follows
    └── UsageError                 exit 2  (options that do not fit together)

The library raises these and never exits; ``imageyard.cli`` prints one line (plus a tip)
and returns the exit code. Anything else that escapes is a bug: the CLI writes a crash log
and exits with ``ExitCode.INTERNAL``.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Documented exit codes (README, docs/exit-codes.md)."""

    OK = 0
    ERROR = 1
    USAGE = 2
    FINDINGS = 3
    INCOMPLETE = 4
    BAD_INPUT = 5
    SOURCE_FAILED = 6
    STALE = 7
    INTERNAL = 70
    INTERRUPTED = 130


class ImageyardError(Exception):
    """Base of every error imageyard reports to the operator."""

    exit_code: ExitCode = ExitCode.ERROR
    slug: str = "error"

    def __init__(self, message: str, *, tip: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.tip = tip

    def __str__(self) -> str:
        return self.message


class InputError(ImageyardError):
    """An input (file, snapshot, option value) cannot be used."""

    exit_code = ExitCode.BAD_INPUT
    slug = "bad-input"


class ConfigFileError(InputError):
    """A configuration file is missing, unreadable, too large or not INI."""

    slug = "config-file"

    def __init__(
        self, path: str, reason: str, *, line: int | None = None, tip: str | None = None
    ) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}", tip=tip)
        self.path = path
        self.line = line
        self.reason = reason


class SnapshotError(InputError):
    """An inventory snapshot is unreadable, malformed, or of an unknown schema version."""

    slug = "snapshot"


class DesignRefused(InputError):
    """The inputs give a design that contradicts itself: it is refused, never printed."""

    slug = "design-refused"


class UsageError(ImageyardError):
    """Options that do not fit together (beyond what click itself checks)."""

    exit_code = ExitCode.USAGE
    slug = "usage"
