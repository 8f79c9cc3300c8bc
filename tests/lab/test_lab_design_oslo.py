"""Every rendered glance-api.conf / glance-image-import.conf loads with the lab Glance's own
option definitions: no unknown or removed option, every value of the right type.

For each example site, config fixture and corpus set the design for the lab's Glance
release is written out as ``--write-configs`` would (one directory per glance-api, another
site's API included), next to the current files; ``oslo_load_check.py`` then runs in the
lab's Glance venv, registers the options glance-api registers (its generator namespaces,
each store's driver options, the auth plugin's) and reads every option the files set. The
design must add no problem: whatever the current file already had is the deployment's.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from imageyard.cli import run
from imageyard.design import DesignRun, design_from
from imageyard.design.diff import masked
from imageyard.design.placement import glance_service
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import read_inventory

if TYPE_CHECKING:
    from conftest import Lab

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[2]
CHECK = Path(__file__).with_name("oslo_load_check.py")
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SETS = sorted(p for p in (ROOT / "tests" / "fixtures" / "configs").iterdir() if p.is_dir())
SETS += sorted(p for p in (ROOT / "tests" / "corpus").iterdir() if p.is_dir())
RELEASE = "33"  # the lab's Glance


def _files(run: DesignRun, inv: Inventory | None, target: str, after: bool) -> list[str]:
    """One glance-api's files in load order (import file first), new or current text."""
    first_file = "glance-image-import.conf"
    diffs = [d for d in run.diffs if d.target == target]
    by_path = {d.path: d for d in diffs}
    svc = glance_service(inv) if not target else None
    order = list(svc.files) if svc is not None else []
    texts = [
        (by_path[p].after if after else by_path[p].before) if p in by_path else Path(p).read_text()
        for p in order
    ]
    new = [d for d in diffs if d.path not in order]
    first = [d for d in new if d.file == "glance-image-import.conf"]
    # another site's API reads an import file like the collected one
    first += [d for d in run.diffs if target and not d.target and d.file == first_file]
    last = [d for d in new if d.file == "glance-api.conf"]
    pick = [(d.after if after else d.before) for d in first]
    return pick + texts + [(d.after if after else d.before) for d in last]


def _write(run: DesignRun, inv: Inventory | None, out: Path) -> dict[str, tuple[Path, Path]]:
    """Each glance-api's new and current files (``NN.conf``, in load order): target ->
    (after dir, before dir)."""
    targets = dict.fromkeys(d.target for d in run.diffs if d.file == "glance-api.conf")
    found = {}
    for n, target in enumerate(targets):
        pair = (out / f"{n}-after", out / f"{n}-before")
        for where, after in zip(pair, (True, False), strict=True):
            where.mkdir(parents=True)
            for i, text in enumerate(_files(run, inv, target, after)):
                (where / f"{i:02d}.conf").write_text(masked(text), encoding="utf-8")
        found[target or "main"] = pair
    return found


def _collect(path: Path, tmp: Path) -> Path:
    inv = tmp / f"{path.name}.json"
    assert run(["collect", "-q", "--config-dir", str(path), "-o", str(inv)]) == 0
    return inv


def test_rendered_configs_load_in_the_lab_glance(lab: Lab, tmp_path: Path) -> None:
    runs: dict[str, tuple[DesignRun, Inventory | None]] = {
        f"example {p.stem}": (design_from(None, p, RELEASE, with_audit=False), None)
        for p in EXAMPLES
    }
    for path in SETS:
        inv = _collect(path, tmp_path)
        run_ = design_from(inv, None, RELEASE, with_audit=False)
        runs[f"{path.parent.name}/{path.name}"] = (run_, read_inventory(inv))
    dirs = {
        f"{name} ({target})": pair
        for name, (r, inv) in runs.items()
        for target, pair in _write(
            r, inv, tmp_path / name.replace("/", "-").replace(" ", "-")
        ).items()
    }
    assert len(dirs) >= len(runs) - 1  # every design but one with no store has a glance-api
    python = Path(lab.env["GLANCE_LAB_VENV"]) / "bin" / "python"
    every = [str(d) for pair in dirs.values() for d in pair]
    done = subprocess.run(
        [str(python), str(CHECK), *every], capture_output=True, text=True, timeout=600, check=True
    )
    found = {k: set(v) for k, v in json.loads(done.stdout).items()}
    added = {
        name: sorted(p for p in found[str(a)] - found[str(b)] if not p.startswith("deprecated:"))
        for name, (a, b) in dirs.items()
    }
    assert {k: v for k, v in added.items() if v} == {}
