"""Print every oslo.config option of one unpacked glance or glance_store sdist, as JSON.

Run with the interpreter of a Glance installation (it has oslo.config and most of Glance's
dependencies): ``python probe.py glance|glance_store SOURCE_DIR``. The release's own code is
put first on ``sys.path`` and its ``oslo.config.opts`` entry points (from the sdist's
``egg-info/entry_points.txt``) are called, so the options are oslo.config's real objects.
A third-party module that the release imports but the interpreter lacks (``os_win``, or a
name an older release imports that a newer library dropped) is replaced by an inert stub;
the stubs used are listed in the output, and they never define options.
"""

from __future__ import annotations

import builtins
import configparser
import importlib
import importlib.abc
import importlib.machinery
import json
import os
import sys
import types
import warnings
from typing import Any

STUBBED: list[str] = []


class _Meta(type):
    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _stub(name)

    def __iter__(cls) -> Any:
        return iter(())


class _Base(metaclass=_Meta):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _stub("call")()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _stub(name)


def _stub(name: str) -> Any:
    return _Meta(name, (_Base,), {})


class _StubModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _stub(name)


def _caller_in(root: str) -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not ("importlib" in name or name.startswith("<") or name == __file__):
            return name.startswith(root)
        frame = frame.f_back  # type: ignore[assignment]
    return False


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last on sys.meta_path: a module the release imports and nobody has becomes a stub."""

    def __init__(self, root: str, own: tuple[str, ...]) -> None:
        self.root, self.own = root, own

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname.split(".")[0] in self.own or not _caller_in(self.root):
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: Any) -> Any:
        STUBBED.append(spec.name)
        module = _StubModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: Any) -> None:
        return None


def _install_stubs(root: str, own: tuple[str, ...]) -> None:
    sys.meta_path.append(_StubFinder(root, own))
    real_import = builtins.__import__

    def _import(name: str, globs: Any = None, locs: Any = None, fromlist: Any = (), level=0):  # type: ignore[no-untyped-def]
        module = real_import(name, globs, locs, fromlist, level)
        caller = (globs or {}).get("__file__") or ""
        mine = (getattr(module, "__file__", None) or "").startswith(root)
        if fromlist and caller.startswith(root) and not mine:
            for attr in fromlist:
                if attr != "*" and not hasattr(module, attr):
                    try:
                        real_import(f"{module.__name__}.{attr}")
                    except ImportError:
                        STUBBED.append(f"{module.__name__}:{attr}")
                        setattr(module, attr, _stub(attr))
        return module

    builtins.__import__ = _import


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


def _option(group: Any, opt: Any) -> dict[str, Any]:
    gname = "DEFAULT" if group is None else str(getattr(group, "name", group))
    aliases = sorted([d.group or gname, d.name or opt.dest] for d in (opt.deprecated_opts or ()))
    return {
        "group": gname,
        "name": opt.dest,
        "type": type(opt).__name__,
        "default": _jsonable(opt.default),
        "deprecated_for_removal": bool(opt.deprecated_for_removal),
        "reason": opt.deprecated_reason or None,
        "since": opt.deprecated_since or None,
        "aliases": aliases,
    }


def _options(groups: Any) -> list[dict[str, Any]]:
    return [_option(group, opt) for group, opts in groups for opt in opts]


def _entry_points(root: str, package: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(os.path.join(root, f"{package}.egg-info", "entry_points.txt"))
    return parser


def _load(target: str) -> Any:
    module, _, attr = target.strip().partition(":")
    return getattr(importlib.import_module(module), attr)


def _glance(root: str) -> dict[str, Any]:
    eps = _entry_points(root, "glance")["oslo.config.opts"]
    return {
        "glance-api.conf": _options(_load(eps["glance.api"])()),
        "glance-image-import.conf": _options(_load(eps["glance"])()),
    }


def _drivers(root: str) -> dict[str, list[dict[str, Any]]]:
    eps = _entry_points(root, "glance_store")["glance_store.drivers"]
    out: dict[str, list[dict[str, Any]]] = {}
    for name, target in sorted(eps.items()):
        if "." in name or name == "no_conf":
            continue  # the old dotted aliases of the same classes; the test fake
        store = _load(target)
        out[name] = [_option("glance_store", o) for o in getattr(store, "OPTIONS", ()) or ()]
    return out


def _glance_store(root: str) -> dict[str, Any]:
    backend = importlib.import_module("glance_store.backend")
    driver = importlib.import_module("glance_store.driver")
    multi = importlib.import_module("glance_store.multi_backend")
    return {
        "single": [_option("glance_store", o) for o in backend._STORE_OPTS],
        "multi": [_option("glance_store", o) for o in multi._STORE_OPTS],
        "per_backend": [_option("glance_store", o) for o in driver._MULTI_BACKEND_OPTS],
        "drivers": _drivers(root),
    }


def main() -> None:
    package, root = sys.argv[1], os.path.abspath(sys.argv[2])
    warnings.simplefilter("ignore")
    sys.path.insert(0, root)
    _install_stubs(root, (package, "oslo_config"))
    result = _glance(root) if package == "glance" else _glance_store(root)
    module = importlib.import_module(package)
    if not (module.__file__ or "").startswith(root):
        raise SystemExit(f"{package} was imported from {module.__file__}, not {root}")
    result["stubbed"] = sorted(set(STUBBED))
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
