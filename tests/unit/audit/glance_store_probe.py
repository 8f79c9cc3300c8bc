"""Print the option names of the installed glance_store drivers as JSON.

Run with the interpreter that has glance_store installed (the lab's Glance venv), not with
imageyard's. Drivers that cannot be imported there (cinder needs os-brick and
cinderclient) are read from their installed source instead: every ``cfg.*Opt('name', ...)``
in the driver's option list.
"""

from __future__ import annotations

import ast
import json
import warnings
from importlib import metadata, util
from pathlib import Path

warnings.simplefilter("ignore")

# entry-point name of each driver type imageyard knows -> (module, option-list name)
SOURCES = {
    "cinder": ("glance_store._drivers.cinder.store", "_CINDER_OPTS"),
}


def _live() -> dict[str, dict[str, list[str]]]:
    from glance_store import multi_backend

    found: dict[str, dict[str, list[str]]] = {}
    for name, opts in multi_backend._list_driver_opts().items():
        short = name.split(".")[-2] if name.startswith("glance.store.") else name
        short = "vmware" if short == "vmware_datastore" else short
        aliases = sorted({d.name for o in opts for d in o.deprecated_opts if d.name})
        found[short] = {"options": sorted(o.name for o in opts), "aliases": aliases}
    return found


def _from_source(module: str, list_name: str) -> dict[str, list[str]]:
    spec = util.find_spec(module.rsplit(".", 1)[0])
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / (module.rsplit(".", 1)[1] + ".py")
    tree = ast.parse(path.read_text())
    names: list[str] = []
    aliases: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == list_name for t in node.targets
        ):
            for call in ast.walk(node.value):
                if isinstance(call, ast.Call) and call.args:
                    first = call.args[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        names.append(first.value)
                    for kw in call.keywords:
                        if kw.arg == "deprecated_name" and isinstance(kw.value, ast.Constant):
                            aliases.append(str(kw.value.value))
    return {"options": sorted(names), "aliases": sorted(aliases)}


def main() -> None:
    from glance_store import driver

    drivers = _live()
    for short, (module, list_name) in SOURCES.items():
        drivers.setdefault(short, _from_source(module, list_name))
    print(
        json.dumps(
            {
                "version": metadata.version("glance_store"),
                "multi_backend": sorted(o.name for o in driver._MULTI_BACKEND_OPTS),
                "drivers": drivers,
            },
            sort_keys=True,
        )
    )


if __name__ == "__main__":
    main()
