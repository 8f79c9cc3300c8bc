"""Host a rendered glance-api configuration in the lab: what a design's stores need from it.

``hosted(text, types, lab)`` returns the configuration a throw-away glance-api
(``lab/glance-try``) can start from: the design's files as written, followed by one overlay
(oslo.config: the last occurrence wins) that points each store at what the lab has. Nothing
the design decides (``enabled_backends``, ``default_backend``, store ids, weights,
descriptions, pools, buckets, containers) is overridden:

- rbd: the lab's ceph.conf and its ``client.glance`` (the design's conf path and cephx user
  exist only in the deployment; at start glance_store connects with them to read the fsid);
- swift: the lab's reference file and its reference (radosgw Swift behind the fake Keystone);
- s3: the lab radosgw's endpoint and keys;
- file and the reserved stores: a data directory (``glance-try`` moves every
  ``filesystem_store_datadir`` into its temporary directory);
- the paste pipeline (which caches: a cache directory) and policy: the lab's (the
  deployment's Keystone is not there); no logging config file, journal or syslog
  (glance-try logs to its dir).

``UNHOSTABLE`` names the store types the lab has nothing for: such a store is left out of
``enabled_backends`` (the overlay's only change to a design decision), and the test lists
every store left out.
"""

from __future__ import annotations

from pathlib import Path

from imageyard.collect.ini import parse_ini

UNHOSTABLE = {
    "cinder": "the cinder store needs os-brick and a Cinder, neither of which the lab's Glance has",
    "vmware": "a vmware store needs a vCenter, which the lab has not",
}
PLACEHOLDER_DIR = "/var/lib/glance/imageyard-hosted"  # glance-try moves it into its dir


def enabled(text: str) -> dict[str, str]:
    """store id -> type, as glance-api reads ``enabled_backends`` from ``text``."""
    found = parse_ini(text, "glance-api").get("DEFAULT", "enabled_backends")
    pairs = [p.strip() for p in (found.value if found else "").split(",") if p.strip()]
    return {p.partition(":")[0].strip(): p.partition(":")[2].strip() for p in pairs}


def _lab_value(lab_conf: str, section: str, key: str) -> str:
    found = parse_ini(lab_conf, "lab glance-api").get(section, key)
    assert found is not None, f"the lab's glance-api.conf has no [{section}] {key}"
    return found.value


def _store_overlay(sid: str, kind: str, etc: Path, lab_conf: str) -> list[str]:
    if kind == "rbd":
        return [f"[{sid}]", f"rbd_store_ceph_conf = {etc}/ceph.conf", "rbd_store_user = glance"]
    if kind == "swift":
        return [
            f"[{sid}]",
            f"swift_store_config_file = {etc}/glance-swift.conf",
            "default_swift_reference = " + _lab_value(lab_conf, "swift", "default_swift_reference"),
        ]
    if kind == "s3":
        return [f"[{sid}]"] + [
            f"{k} = {_lab_value(lab_conf, 's3', k)}"
            for k in ("s3_store_host", "s3_store_access_key", "s3_store_secret_key")
        ]
    if kind == "file":
        return [f"[{sid}]", f"filesystem_store_datadir = {PLACEHOLDER_DIR}"]
    return []


def left_out(text: str) -> dict[str, str]:
    """store id -> why the lab cannot provide it (its type is in ``UNHOSTABLE``)."""
    return {sid: UNHOSTABLE[kind] for sid, kind in enabled(text).items() if kind in UNHOSTABLE}


def hosted(text: str, etc: Path, lab_conf: str) -> str:
    """``text`` (one glance-api's files in load order) with the lab overlay appended; a store
    the lab cannot provide is left out of ``enabled_backends`` (and must not be the default)."""
    stores = enabled(text)
    out = left_out(text)
    lines = ["", "# ---- lab overlay (tests/lab/glance_host.py)", "[DEFAULT]"]
    if out:
        kept = ", ".join(f"{sid}:{kind}" for sid, kind in stores.items() if sid not in out)
        lines.append(f"enabled_backends = {kept}")
    lines += [
        f"image_cache_dir = {PLACEHOLDER_DIR}",  # glance-try moves it; the lab pipeline caches
        "log_config_append =",  # the deployment's logging file is not here
        "use_journal = False",  # nor systemd's journal (OSA logs there)
        "use_syslog = False",
    ]
    for sid, kind in stores.items():
        lines += [] if sid in out else _store_overlay(sid, kind, etc, lab_conf)
    for reserved in ("os_glance_staging_store", "os_glance_tasks_store"):
        lines += [f"[{reserved}]", f"filesystem_store_datadir = {PLACEHOLDER_DIR}"]
    lines += [
        "[paste_deploy]",
        "flavor = " + _lab_value(lab_conf, "paste_deploy", "flavor"),
        f"config_file = {etc}/glance-api-paste.ini",
        "[oslo_policy]",
        f"policy_file = {etc}/policy.yaml",
    ]
    return text.rstrip("\n") + "\n" + "\n".join(lines) + "\n"
