"""Print the installed glance's and glance_store's options as (scope, group, name, type,
default) rows, through their installed ``oslo.config.opts`` and ``glance_store.drivers``
entry points. Run with the lab's Glance interpreter; it imports nothing from imageyard."""

from __future__ import annotations

import json
import warnings
from importlib.metadata import entry_points, version
from typing import Any


def _rows(scope: str, groups: Any) -> list[list[Any]]:
    rows = []
    for group, opts in groups:
        name = "DEFAULT" if group is None else str(getattr(group, "name", group))
        rows += [[scope, name, o.dest, type(o).__name__, repr(o.default)] for o in opts]
    return rows


def main() -> None:
    warnings.simplefilter("ignore")
    eps = {e.name: e for e in entry_points(group="oslo.config.opts")}
    rows = _rows("glance-api.conf", eps["glance.api"].load()())
    rows += _rows("glance-image-import.conf", eps["glance"].load()())
    from glance_store import backend, driver, multi_backend

    rows += _rows("glance-api.conf", [("glance_store", multi_backend._STORE_OPTS)])
    rows += _rows("glance-api.conf", [("glance_store", backend._STORE_OPTS)])
    rows += _rows("store:*", [("glance_store", driver._MULTI_BACKEND_OPTS)])
    missing = []
    for ep in entry_points(group="glance_store.drivers"):
        if "." not in ep.name and ep.name != "no_conf":
            try:
                opts = getattr(ep.load(), "OPTIONS", None) or ()
            except ImportError:  # a driver whose client library the lab does not install
                missing.append(ep.name)
                continue
            rows += _rows(f"store:{ep.name}", [("glance_store", opts)])
    found = {"glance": version("glance"), "glance_store": version("glance_store")}
    print(json.dumps(found | {"rows": sorted(rows), "unloadable_drivers": sorted(missing)}))


if __name__ == "__main__":
    main()
