"""Fuzz the inputs an operator hands imageyard: a site, a snapshot, a mute file.

Valid documents are mutated (any value replaced by None, booleans, huge, negative,
denormal, NaN or infinite numbers, strings, lists or mappings) and run through the real
CLI. Whatever comes in, the exit code is a documented one and never 70 (a crash).
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imageyard import cli
from imageyard.errors import ExitCode

ROOT = Path(__file__).parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "configs"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
ALLOWED = {ExitCode.OK, ExitCode.USAGE, ExitCode.FINDINGS, ExitCode.BAD_INPUT}
FUZZ = settings(
    # The same cases on every run (CI never flakes on a new seed); IMAGEYARD_FUZZ_RANDOM=1
    # draws new ones, with IMAGEYARD_FUZZ_EXAMPLES=N for a longer hunt.
    derandomize=not os.environ.get("IMAGEYARD_FUZZ_RANDOM"),
    max_examples=int(os.environ.get("IMAGEYARD_FUZZ_EXAMPLES", "500")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([5e-324, 1e-320, 2.2e-308, 1e308, -0.0, 0, -1, 10**30]),
    st.text(max_size=12),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=2),
)


def _paths(doc: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, (*path, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from _paths(value, (*path, index))


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return doc


@st.composite
def mutated(draw: st.DrawFn, documents: list[Any]) -> Any:
    doc = copy.deepcopy(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(list(_paths(doc))))
        doc = _set(doc, path, draw(_VALUES))
    return doc


def _run(argv: list[str]) -> int:
    code = cli.run(argv)
    assert code in ALLOWED, argv
    return code


SITES = [yaml.safe_load(p.read_text()) for p in EXAMPLES]


def _leaves(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _leaves(sub, (*path, name))
    else:
        yield path


def _having(*names: str) -> list[tuple[str, ...]]:
    """The registry's commands with all of these parameters (by name or flag)."""
    found = []
    for path in _leaves(cli.cli):
        command = cli.cli
        for word in path:
            command = command.commands[word]  # type: ignore[attr-defined]
        have = {n for p in command.params for n in (p.name, *p.opts)}
        if set(names) <= have:
            found.append(path)
    return found


READERS = _having("inventory_arg")  # every command that reads a snapshot
MUTERS = _having("inventory_arg", "--mute")  # ... and a mute file


@FUZZ
@given(site=mutated(SITES))
def test_site_yaml_never_crashes(site: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "site.yaml"
        path.write_text(yaml.safe_dump(site, allow_unicode=True))
        _run(["design", "--site", str(path), "-o", str(Path(tmp) / "memo.md")])


@pytest.fixture(scope="module")
def snapshot_doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("snap") / "inv.json"
    assert cli.run(["collect", "-q", "--config-dir", str(FIXTURES / "lab"), "-o", str(out)]) == 0
    doc: dict[str, Any] = json.loads(out.read_text())
    return doc


@FUZZ
@given(data=st.data())
def test_inventory_json_never_crashes(data: st.DataObject, snapshot_doc: dict[str, Any]) -> None:
    doc = data.draw(mutated([snapshot_doc]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inv.json"
        path.write_text(json.dumps(doc, allow_nan=True))
        _run(["show", str(path), "-o", str(Path(tmp) / "show.txt")])
        _run(["audit", str(path), "-o", str(Path(tmp) / "audit.json"), "-f", "json"])
        _run(["design", str(path), "--no-audit", "-o", str(Path(tmp) / "memo.md")])
        # and one more of every command that reads a snapshot (the registry's, so later too)
        other = data.draw(st.sampled_from(READERS))
        _run([*other, str(path), "-o", str(Path(tmp) / "other.out")])


MUTES = [
    [
        {"rule": "glance-*", "resource": "*", "reason": "known", "expires": "2030-01-01"},
        {"rule": "cow-eligibility", "reason": "later", "expires": "2001-12-31"},
    ]
]
_RAW_MUTE = st.lists(
    st.sampled_from(
        ["- ", "rule: ", "*", "&a ", "*a", "expires: ", "2030-02-30", "\n", "  ", "[", "{", ":",
         "reason: x", "resource: '[", "\t", "!!python/object:os.system", "\x00", "é", "---\n"]
    ),
    max_size=30,
).map("".join)  # fmt: skip


@FUZZ
@given(data=st.data())
def test_mute_file_never_crashes(data: st.DataObject, snapshot_doc: dict[str, Any]) -> None:
    text = data.draw(
        st.one_of(mutated(MUTES).map(lambda m: yaml.safe_dump(m, allow_unicode=True)), _RAW_MUTE)
    )
    with tempfile.TemporaryDirectory() as tmp:
        snap = Path(tmp) / "inv.json"
        snap.write_text(json.dumps(snapshot_doc))
        mute = Path(tmp) / "mute.yaml"
        mute.write_text(text)
        command = data.draw(st.sampled_from(MUTERS))
        _run([*command, str(snap), "--mute", str(mute), "-o", str(Path(tmp) / "a.json")])


def test_deep_and_aliased_yaml_are_bad_input(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a [1, 2]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n")
    for site in (deep, bomb):
        assert cli.run(["design", "--site", str(site)]) == ExitCode.BAD_INPUT


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name: a\nname: b\n", "site.yaml:2: site description: key 'name' given twice"),
        ("catalog: {images: .nan}\n", "site.yaml:1: catalog.images: nan is not"),
        ("catalog: {images: 1.0e+300}\n", "site.yaml:1: catalog.images: 1e+300 is out of range"),
        ("catalog: {total_gib: 1.0e-320}\n", "site.yaml:1: catalog.total_gib: 1e-320 is out of"),
    ],
)
def test_site_problems_name_file_and_line(
    text: str, where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(text)
    assert cli.run(["design", "--site", str(site)]) == ExitCode.BAD_INPUT
    assert f"{tmp_path}/{where}" in capsys.readouterr().err


def test_mute_key_twice_is_bad_input(
    tmp_path: Path, snapshot_doc: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    snap = tmp_path / "inv.json"
    snap.write_text(json.dumps(snapshot_doc))
    mute = tmp_path / "mute.yaml"
    mute.write_text("- rule: a\n  rule: b\n  reason: r\n  expires: 2030-01-01\n")
    assert cli.run(["audit", str(snap), "--mute", str(mute)]) == ExitCode.BAD_INPUT
    assert "mute.yaml:2: key 'rule' given twice" in capsys.readouterr().err
