"""Generate imageyard's per-release option tables from the upstream Glance sources.

For each Glance series from Ussuri (the baseline, so that Victoria's removals show) to
2026.2 it takes the final glance and glance_store release (``SERIES``, from
openstack/releases ``deliverables/<series>/glance{,-store}.yaml``), downloads their sdists
from PyPI with ``pip download --no-deps --no-binary :all:`` into a cache directory, loads
every option through oslo.config (``release_options/probe.py``, run with the interpreter of
a Glance installation, by default the lab's) and reads the API versions Glance reports as
CURRENT from ``glance/api/versions.py``. It writes one compact JSON file:
``src/imageyard/audit/data/release_options.json``.

    python tools/gen_release_options.py [--cache DIR] [--python PY] [--offline]

``--offline`` builds from the extractions already in the cache. ``expand`` and ``build``
are inverse: the unit tests rebuild the committed file from its own expansion.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src/imageyard/audit/data/release_options.json"
PROBE = Path(__file__).resolve().parent / "release_options" / "probe.py"
LAB_PYTHON = Path(os.environ.get("IMAGEYARD_LAB", "/tmp/imageyard-lab")) / "glance/venv/bin/python"

# (Glance major, series, code name, final glance release, final glance_store release)
SERIES: tuple[tuple[int, str, str, str, str], ...] = (
    (20, "ussuri", "Ussuri", "20.2.0", "2.0.1"),
    (21, "victoria", "Victoria", "21.1.0", "2.3.1"),
    (22, "wallaby", "Wallaby", "22.1.1", "2.5.1"),
    (23, "xena", "Xena", "23.1.0", "2.7.1"),
    (24, "yoga", "Yoga", "24.2.1", "3.0.1"),
    (25, "zed", "Zed", "25.1.0", "4.1.1"),
    (26, "2023.1", "Antelope", "26.1.0", "4.3.3"),
    (27, "2023.2", "Bobcat", "27.1.1", "4.6.2"),
    (28, "2024.1", "Caracal", "28.2.0", "4.7.1"),
    (29, "2024.2", "Dalmatian", "29.2.1", "4.8.2"),
    (30, "2025.1", "Epoxy", "30.2.0", "4.9.1"),
    (31, "2025.2", "Flamingo", "31.1.0", "5.2.0"),
    (32, "2026.1", "Gazpacho", "32.0.0", "5.4.0"),
    (33, "2026.2", "Hibiscus", "33.0.0", "5.7.0"),
)
_CURRENT = re.compile(r"build_version_object\(\s*['\"]?(\d+\.\d+)['\"]?\s*,\s*'v2'\s*,\s*'CURRENT'")
_FIELDS = ("type", "default", "deprecated_for_removal", "reason", "since", "aliases")


def _sdist(cache: Path, package: str, version: str, offline: bool) -> Path:
    tarball = cache / f"{package}-{version}.tar.gz"
    if not tarball.exists():
        if offline:
            raise SystemExit(f"{tarball} is not in the cache (run without --offline)")
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
        subprocess.run([*pip, "-d", str(cache), f"{package}=={version}"], check=True)
    tree = cache / "src" / f"{package}-{version}"
    if not tree.exists():
        with tarfile.open(tarball) as tar:
            tar.extractall(cache / "src")  # PyPI sdists of the releases named above
    return tree


def _probe(python: Path, package: str, tree: Path) -> dict[str, Any]:
    run = subprocess.run(
        [str(python), str(PROBE), package, str(tree)], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(run.stdout)
    return result


def _api_current(tree: Path) -> list[str]:
    text = (tree / "glance/api/versions.py").read_text()
    return sorted(set(_CURRENT.findall(text)), key=lambda v: tuple(map(int, v.split("."))))


def extract(cache: Path, python: Path, offline: bool) -> dict[int, dict[str, Any]]:
    """Per Glance major, the raw probe output of glance and glance_store (cached)."""
    raws: dict[int, dict[str, Any]] = {}
    for major, _series, _name, glance, store in SERIES:
        raw_file = cache / "raw" / f"{major}.json"
        if not raw_file.exists():
            gtree = _sdist(cache, "glance", glance, offline)
            stree = _sdist(cache, "glance_store", store, offline)
            raw = {
                "glance": _probe(python, "glance", gtree),
                "glance_store": _probe(python, "glance_store", stree),
                "api_current": _api_current(gtree),
            }
            raw_file.parent.mkdir(parents=True, exist_ok=True)
            raw_file.write_text(json.dumps(raw, sort_keys=True))
        raws[major] = json.loads(raw_file.read_text())
    return raws


def _scoped(raw: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every option of one release with its scope: a config file or ``store:<driver>``."""
    glance, store = raw["glance"], raw["glance_store"]
    out = [("glance-api.conf", o) for o in glance["glance-api.conf"]]
    out += [("glance-image-import.conf", o) for o in glance["glance-image-import.conf"]]
    out += [("glance-api.conf", o) for o in store["single"] + store["multi"]]
    out += [("store:*", o) for o in store["per_backend"]]
    for driver, opts in sorted(store["drivers"].items()):
        out += [(f"store:{driver}", o) for o in opts]
    return out


def _key(scope: str, opt: dict[str, Any]) -> str:
    form = [scope, opt["group"], opt["name"]] + [opt[f] for f in _FIELDS]
    return json.dumps(form, sort_keys=True)


def build(raws: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The compact table: each distinct form of an option with the majors that have it."""
    forms: dict[str, list[int]] = {}
    for major in sorted(raws):
        for scope, opt in _scoped(raws[major]):
            majors = forms.setdefault(_key(scope, opt), [])
            if major not in majors:
                majors.append(major)
    options = []
    for key, majors in sorted(forms.items()):
        scope, group, name, *rest = json.loads(key)
        options.append(
            {"scope": scope, "group": group, "name": name, **dict(zip(_FIELDS, rest, strict=True))}
            | {"releases": majors}
        )
    return {"about": _about(raws), "releases": _releases(raws), "options": options}


def _about(raws: dict[int, dict[str, Any]]) -> dict[str, Any]:
    stubs = sorted(
        {s for r in raws.values() for p in ("glance", "glance_store") for s in r[p]["stubbed"]}
    )
    return {
        "generated_by": "tools/gen_release_options.py (do not edit by hand)",
        "sources": "PyPI sdists of the final glance and glance_store release of each series "
        "(openstack/releases deliverables); options loaded through oslo.config from each "
        "release's oslo.config.opts entry points and glance_store driver classes; API "
        "versions from glance/api/versions.py",
        "stubbed_imports": stubs,
    }


def _releases(raws: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for major, series, name, glance, store in SERIES:
        if major in raws:
            row = {"major": major, "series": series, "name": name, "glance": glance}
            rows.append(row | {"glance_store": store, "api_current": raws[major]["api_current"]})
    return rows


def expand(table: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The per-release extraction a table was built from (``build(expand(t)) == t``)."""
    raws: dict[int, dict[str, Any]] = {}
    for row in table["releases"]:
        glance = {"glance-api.conf": [], "glance-image-import.conf": [], "stubbed": []}
        store = {"single": [], "multi": [], "per_backend": [], "drivers": {}, "stubbed": []}
        raws[row["major"]] = {
            "glance": glance,
            "glance_store": store,
            "api_current": row["api_current"],
        }
    stubs = table["about"]["stubbed_imports"]
    for raw in raws.values():
        raw["glance"]["stubbed"] = stubs
    for entry in table["options"]:
        opt = {k: entry[k] for k in ("group", "name", *_FIELDS)}
        for major in entry["releases"]:
            _place(raws[major], entry["scope"], opt)
    return raws


def _place(raw: dict[str, Any], scope: str, opt: dict[str, Any]) -> None:
    if scope.startswith("store:"):
        driver = scope.split(":", 1)[1]
        store = raw["glance_store"]
        target = store["per_backend"] if driver == "*" else store["drivers"].setdefault(driver, [])
    else:
        target = raw["glance"][scope]
    target.append(opt)


def render(table: dict[str, Any]) -> str:
    """The table as JSON with one option per line (small diffs between regenerations)."""
    head = {k: v for k, v in table.items() if k != "options"}
    lines = [json.dumps(o, sort_keys=True) for o in table["options"]]
    body = json.dumps(head, indent=1, sort_keys=True)[:-2]
    return body + ',\n "options": [\n' + ",\n".join(lines) + "\n ]\n}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    parser.add_argument("--cache", type=Path, default=default_cache / "imageyard-upstream")
    parser.add_argument("--python", type=Path, default=LAB_PYTHON)
    parser.add_argument("--offline", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    table = build(extract(args.cache, args.python, args.offline))
    args.out.write_text(render(table))
    print(f"{args.out}: {len(table['options'])} option forms, {len(table['releases'])} releases")


if __name__ == "__main__":
    main()
