"""Load rendered Glance config files with the real option definitions (run by Glance's venv).

Usage: python oslo_load_check.py DIR [DIR ...]; each DIR holds the files one glance-api
loads, read as a config directory (``*.conf`` sorted: named in load order, the
glance-image-import.conf text first). For each DIR it registers the options of every
namespace glance-api's own oslo-config-generator file lists, plus the store options
glance_store registers for each store id of ``enabled_backends`` and the reserved stores,
loads the files in that order and reads every option the files set, so a type error (a
list without brackets, a bad choice) raises as it would in glance-api. Prints one JSON
object: DIR -> list of problems (unknown option, value that does not load, and, prefixed
"deprecated:", an option deprecated for removal).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

warnings.simplefilter("ignore")

from glance_store import driver, multi_backend  # noqa: E402
from keystoneauth1 import loading as ks_loading  # noqa: E402
from oslo_config import cfg, generator  # noqa: E402

NAMESPACES = (
    "glance.api",
    "glance",
    "glance.store",
    "glance.multi_store",
    "castellan.config",
    "os_brick",
    "oslo.concurrency",
    "oslo.messaging",
    "oslo.db",
    "oslo.policy",
    "keystonemiddleware.auth_token",
    "oslo.limit",
    "oslo.log",
    "oslo.middleware.cors",
    "oslo.middleware.healthcheck",
    "oslo.middleware.http_proxy_to_wsgi",
    "oslo.reports",
)
RESERVED = {"os_glance_staging_store": "file", "os_glance_tasks_store": "file"}
DRIVER_GROUPS = {
    "file": "file",
    "glance.store.http.Store": "http",
    "glance.store.rbd.Store": "rbd",
    "glance.store.s3.Store": "s3",
    "glance.store.swift.Store": "swift",
    "glance.store.vmware_datastore.Store": "vmware",
    "glance.store.cinder.Store": "cinder",
}


def _namespace_opts() -> list[tuple[str, list[Any]]]:
    out = []
    for name in NAMESPACES:
        try:
            for _ns, groups in generator._list_opts([name]):
                for group, opts in groups:
                    for opt in opts:
                        opt.required = False  # NOTE: a fragment need not set everything
                    out.append((getattr(group, "name", group) or "DEFAULT", list(opts)))
        except Exception:
            continue
    return out


def _driver_opts() -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for group, opts in multi_backend._list_config_opts():
        kind = DRIVER_GROUPS.get(group)
        if kind is not None:
            out[kind] = list(opts)
    return out


def _sections(path: Path) -> dict[str, dict[str, list[str]]]:
    parsed: dict[str, dict[str, list[str]]] = {}
    cfg.ConfigParser(str(path), parsed).parse()
    return parsed


def _stores(files: list[Path]) -> dict[str, str]:
    found: dict[str, str] = {}
    for f in files:
        for value in _sections(f).get("DEFAULT", {}).get("enabled_backends", []):
            for pair in value.split(","):
                sid, _, kind = pair.strip().partition(":")
                if sid:
                    found[sid.strip()] = kind.strip()
    return found


def check(
    directory: Path, base: list[tuple[str, list[Any]]], drivers: dict[str, list[Any]]
) -> list[str]:
    files = sorted(directory.glob("*.conf"))  # load order, as a config directory
    conf = cfg.ConfigOpts()
    for group, opts in base:
        conf.register_opts(opts, group=None if group == "DEFAULT" else group)
    stores = {**_stores(files), **RESERVED}
    for sid, kind in stores.items():
        conf.register_opts(drivers.get(kind, []) + list(driver._MULTI_BACKEND_OPTS), group=sid)
    every = {o.dest: o for opts in drivers.values() for o in opts}
    conf.register_opts(list(every.values()), group="backend_defaults")
    _auth_plugin(conf, files)
    conf(args=[], default_config_files=[str(f) for f in files], project="glance")
    problems = []
    for f in files:
        for section, keys in _sections(f).items():
            for key in keys:
                problems += _one(conf, section, key, f.name)
    return sorted(set(problems))


def _auth_plugin(conf: cfg.ConfigOpts, files: list[Path]) -> None:
    """keystonemiddleware loads its auth plugin's options ([keystone_authtoken] auth_type)."""
    kinds = [
        v for f in files for v in _sections(f).get("keystone_authtoken", {}).get("auth_type", [])
    ]
    if kinds:
        opts = ks_loading.get_auth_plugin_conf_options(kinds[-1].strip())
        conf.register_opts(
            [o for o in opts if o.dest not in conf.keystone_authtoken], "keystone_authtoken"
        )


def _one(conf: cfg.ConfigOpts, section: str, key: str, name: str) -> list[str]:
    group = None if section == "DEFAULT" else section
    try:
        opt = conf._get_opt_info(key, group)["opt"]
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
        return [f"{name}: [{section}] {key}: unknown option"]
    out = []
    if opt.deprecated_for_removal:
        out.append(f"deprecated: {name}: [{section}] {key}")
    try:
        (conf[group] if group else conf)[opt.dest]
    except Exception as exc:
        why = str(exc).rpartition("is not valid: ")[2] or type(exc).__name__
        out.append(f"{name}: [{section}] {key}: does not load ({why})")
    return out


def main() -> None:
    base, drivers = _namespace_opts(), _driver_opts()
    print(json.dumps({d: check(Path(d), base, drivers) for d in sys.argv[1:]}, indent=1))


if __name__ == "__main__":
    main()
