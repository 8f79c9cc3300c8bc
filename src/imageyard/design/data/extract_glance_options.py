"""Print the option names of the installed glance and glance_store, as JSON.

Concepts: run with the interpreter of a Glance installation (not imageyard's own); it imports
only glance and glance_store. The output maps a config file (``glance-api.conf``,
``glance-image-import.conf``) to its sections and their option names, with the versions they
came from. ``glance_options.py`` holds a frozen copy; a lab test compares the two.
"""

from __future__ import annotations

import json
import warnings
from importlib.metadata import version
from typing import Any


def _names(groups: Any) -> dict[str, list[str]]:
    out: dict[str, set[str]] = {}
    for group, opts in groups:
        name = "DEFAULT" if group is None else getattr(group, "name", group)
        out.setdefault(str(name), set()).update(o.dest for o in opts)
    return {k: sorted(v) for k, v in sorted(out.items())}


def main() -> None:
    warnings.simplefilter("ignore")
    import glance.opts as gopts  # type: ignore[import-not-found]
    from glance_store import multi_backend  # type: ignore[import-not-found]

    api = _names(gopts.list_api_opts())
    for group, names in _names(gopts.list_cache_opts()).items():
        api[group] = sorted(set(api.get(group, [])) | set(names))
    api["glance_store"] = sorted(o.dest for o in multi_backend._STORE_OPTS)
    result = {
        "glance": version("glance"),
        "glance_store": version("glance_store"),
        "glance-api.conf": api,
        "glance-image-import.conf": _names(gopts.list_image_import_opts()),
    }
    print(json.dumps(result, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
