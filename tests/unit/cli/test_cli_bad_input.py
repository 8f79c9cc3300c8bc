"""Bad input, every path flag by every kind of bad file: one line, a documented code, no damage.

Each case runs the real CLI in-process and asserts: the documented exit code (2 for the
command line, 5 for a bad input file), exactly one ``imageyard: error:`` line on stderr
(plus at most one ``imageyard: tip:``), no traceback, and that the directory holding the
named output is unchanged (no file created, replaced or left behind).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest

from imageyard import cli
from imageyard.audit.mute import MAX_MUTE_BYTES
from imageyard.collect.ini import MAX_CONFIG_BYTES
from imageyard.design.site import MAX_SITE_BYTES
from imageyard.errors import ExitCode
from imageyard.model.snapshot import MAX_SNAPSHOT_BYTES

FIXTURES = Path(__file__).parents[2] / "fixtures" / "configs"


def _sparse(size: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with path.open("wb") as handle:
            handle.truncate(size + 1)

    return make


def _loop(path: Path) -> None:
    path.symlink_to(path.name)


def _under_a_file(path: Path) -> None:
    # a path whose parent is a regular file: ENOTDIR, the "cannot read" case that root
    # also meets (root reads any file whatever its mode)
    path.parent.mkdir(exist_ok=True)


BAD_FILES: dict[str, Callable[[Path], None]] = {
    "missing": lambda p: None,
    "directory": lambda p: p.mkdir(),
    "fifo": lambda p: os.mkfifo(p),
    "device": lambda p: p.symlink_to("/dev/zero"),
    "symlink-loop": _loop,
    "binary": lambda p: p.write_bytes(b"[DEFAULT]\n\x00\x01\x02\n"),
    "non-utf8": lambda p: p.write_bytes(b"[DEFAULT]\nname = caf\xe9\n"),
    "dangling-symlink": lambda p: p.symlink_to("nowhere"),
}

# flag -> (argv prefix, argv suffix, size cap or None)
INPUT_FLAGS: dict[str, tuple[list[str], list[str], int | None]] = {
    "collect --glance-api-conf": (["collect", "--glance-api-conf"], [], MAX_CONFIG_BYTES),
    "collect --glance-import-conf": (["collect", "--glance-import-conf"], [], MAX_CONFIG_BYTES),
    "collect --nova-conf": (["collect", "--nova-conf"], [], MAX_CONFIG_BYTES),
    "collect --cinder-conf": (["collect", "--cinder-conf"], [], MAX_CONFIG_BYTES),
    "collect --ceph-conf": (["collect", "--sources", "config", "--ceph-conf"], [], None),
    "show INVENTORY": (["show"], [], MAX_SNAPSHOT_BYTES),
    "audit INVENTORY": (["audit"], [], MAX_SNAPSHOT_BYTES),
    "audit --inventory": (["audit", "--inventory"], [], MAX_SNAPSHOT_BYTES),
    "audit --mute": (["audit", "--mute"], ["GOOD"], MAX_MUTE_BYTES),
    "paths INVENTORY": (["paths"], [], MAX_SNAPSHOT_BYTES),
    "paths --inventory": (["paths", "--inventory"], [], MAX_SNAPSHOT_BYTES),
    "design INVENTORY": (["design"], [], MAX_SNAPSHOT_BYTES),
    "design --inventory": (["design", "--inventory"], [], MAX_SNAPSHOT_BYTES),
    "design --site": (["design", "--site"], [], MAX_SITE_BYTES),
}


def _leaves(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[Leaf]:
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _leaves(sub, (*path, name))
    else:
        yield path, {opt for p in command.params for opt in [p.name, *p.opts]}


Leaf = tuple[tuple[str, ...], set[str | None]]
# Every registered command that reads a snapshot (INVENTORY or --inventory), and every one
# with a --mute file, from the CLI's registry: a command added later is in the matrix too.
READERS = [path for path, names in _leaves(cli.cli) if "inventory_arg" in names]
for _path, _names in _leaves(cli.cli):
    _words = " ".join(_path)
    if "inventory_arg" in _names:
        INPUT_FLAGS.setdefault(f"{_words} INVENTORY", ([*_path], [], MAX_SNAPSHOT_BYTES))
        INPUT_FLAGS.setdefault(
            f"{_words} --inventory", ([*_path, "--inventory"], [], MAX_SNAPSHOT_BYTES)
        )
    if "--mute" in _names and "inventory_arg" in _names:
        INPUT_FLAGS.setdefault(f"{_words} --mute", ([*_path, "--mute"], ["GOOD"], MAX_MUTE_BYTES))


def _cases() -> list[tuple[str, str]]:
    cases = [(flag, kind) for flag in INPUT_FLAGS for kind in BAD_FILES]
    cases += [(flag, "huge") for flag, (_, _, cap) in INPUT_FLAGS.items() if cap]
    return cases


@pytest.fixture
def good_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("good") / "inv.json"
    assert cli.run(["collect", "-q", "--config-dir", str(FIXTURES / "lab"), "-o", str(out)]) == 0
    return out


def _listing(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.lstat().st_ino, p.lstat().st_mtime_ns) for p in root.rglob("*")
    }


def assert_one_error(err: str) -> None:
    lines = err.strip().splitlines()
    assert lines and lines[0].startswith("imageyard: error: "), err
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("imageyard: tip: ")), err
    assert "Traceback" not in err


@pytest.mark.parametrize(("flag", "kind"), _cases())
def test_bad_input_file(
    flag: str,
    kind: str,
    tmp_path: Path,
    good_snapshot: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prefix, suffix, cap = INPUT_FLAGS[flag]
    bad = tmp_path / "input"
    if kind == "huge":
        assert cap is not None
        _sparse(cap)(bad)
    else:
        BAD_FILES[kind](bad)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "keep.json").write_text("previous result")
    before = _listing(out_dir)
    tail = [str(good_snapshot) if s == "GOOD" else s for s in suffix]
    argv = [*prefix, str(bad), *tail, "-o", str(out_dir / "keep.json")]
    capsys.readouterr()
    code = cli.run(argv)
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT, (argv, err)
    assert_one_error(err)
    assert _listing(out_dir) == before
    assert (out_dir / "keep.json").read_text() == "previous result"


OUTPUT_KINDS: dict[str, tuple[Callable[[Path], None], ExitCode]] = {
    "directory": (lambda p: p.mkdir(), ExitCode.USAGE),
    "missing-parent": (lambda p: None, ExitCode.ERROR),
    "symlink-loop": (_loop, ExitCode.ERROR),
    "parent-is-a-file": (lambda p: None, ExitCode.ERROR),
}
COMMANDS = {
    "collect": ["collect", "-q", "--config-dir", str(FIXTURES / "lab")],
    **{" ".join(path): [*path, "SNAP", "--fail-on", "none"] for path in READERS},
}
for _path, _names in _leaves(cli.cli):
    if "inventory_arg" in _names and "--fail-on" not in _names:
        COMMANDS[" ".join(_path)] = [*_path, "SNAP"]


@pytest.mark.parametrize("kind", OUTPUT_KINDS)
@pytest.mark.parametrize("command", COMMANDS)
def test_bad_output_path(
    command: str,
    kind: str,
    tmp_path: Path,
    good_snapshot: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make, expected = OUTPUT_KINDS[kind]
    root = tmp_path / "out"
    root.mkdir()
    target = root / "result"
    if kind == "missing-parent":
        target = root / "no-such-dir" / "result"
    if kind == "parent-is-a-file":
        (root / "file").write_text("x")
        target = root / "file" / "result"
    make(target)
    before = _listing(root)
    argv = [str(good_snapshot) if a == "SNAP" else a for a in COMMANDS[command]]
    capsys.readouterr()
    code = cli.run([*argv, "-o", str(target)])
    err = capsys.readouterr().err
    assert code == expected, err
    assert_one_error(err)
    assert _listing(root) == before


@pytest.mark.parametrize("command", [" ".join(path) for path in READERS])
@pytest.mark.parametrize("how", ["same-path", "symlink", "dot-path"])
def test_output_equal_to_input(
    command: str, how: str, tmp_path: Path, good_snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snap = tmp_path / "inv.json"
    shutil.copy(good_snapshot, snap)
    out = {
        "same-path": snap,
        "symlink": tmp_path / "alias.json",
        "dot-path": tmp_path / "." / "inv.json",
    }[how]
    if how == "symlink":
        out.symlink_to(snap.name)
    before = _listing(tmp_path)
    capsys.readouterr()
    assert cli.run([*command.split(), str(snap), "-o", str(out)]) == ExitCode.USAGE
    assert_one_error(capsys.readouterr().err)
    assert _listing(tmp_path) == before


@pytest.mark.parametrize(
    "argv",
    [
        ["collect", "--config-dir"],
        ["collect", "--glance-endpoint", "ftp://glance"],
        ["collect", "--glance-endpoint", "http://[::1"],
        ["collect", "--glance-endpoint", "http://glance:notaport"],
        ["collect", "--glance-node", "glance:9292"],
        ["collect", "--glance-endpoint", ""],
        ["collect", "--connect-timeout", "0", "--config-dir", "."],
        ["collect", "--read-timeout", "-1", "--config-dir", "."],
        ["collect", "--read-timeout", "nan", "--config-dir", "."],
        ["collect", "--sources", "bogus", "--config-dir", "."],
        ["collect", "--glance-db", "not a url"],
        ["collect", "--glance-db", "oracle://reader:pw@db/glance"],
        ["collect", "--glance-connections", "0", "--glance-endpoint", "http://glance:9292"],
        ["audit", "--fail-on", "bogus", "x.json"],
        ["audit", "-f", "xml", "x.json"],
        ["design", "--render", "bogus", "--site", "x.yaml"],
        ["show", "a.json", "b.json"],
    ],
)
def test_bad_command_lines(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(argv) == ExitCode.USAGE
    assert_one_error(capsys.readouterr().err)


def test_the_matrix_has_at_least_a_hundred_cases() -> None:
    assert len(_cases()) + len(OUTPUT_KINDS) * len(COMMANDS) + 12 + 14 >= 100


def test_every_snapshot_reader_of_the_registry_is_in_the_matrix() -> None:
    assert {"show", "audit", "paths", "design"} <= {" ".join(p) for p in READERS}
    for path in READERS:
        assert f"{' '.join(path)} INVENTORY" in INPUT_FLAGS and " ".join(path) in COMMANDS
