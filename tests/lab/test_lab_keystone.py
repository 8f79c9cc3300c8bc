"""``imageyard collect`` through the real Keystone, against the glance-api behind it.

The lab runs two glance-api nodes on one database and one set of stores: the lab-auth one
(``GLANCE_LAB_URL``, no Keystone) and one behind keystonemiddleware (``GLANCE_LAB_KEYSTONE_URL``,
the image endpoint of the Keystone catalog). Each test runs the real command in a subprocess
with a clean environment: only the variables the test gives (no ``OS_*`` of the caller's, no
proxy, ``HOME`` in a temporary directory so no personal clouds.yaml is read).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Lab, _unavailable

from imageyard.errors import ExitCode
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import dump_inventory, load_inventory
from imageyard.model.store import Store, StoreSource

DELETED = "deleted-project-0001"
SEED_PROJECTS = {"lab-admin-project", "project-alpha", "project-beta", "project-gamma"}


@dataclass(frozen=True)
class Run:
    code: int
    stderr: str
    inventory: Inventory | None


@pytest.fixture(scope="module")
def clouds(lab: Lab) -> dict[str, Any]:
    """The lab's clouds.yaml (admin, member and reader)."""
    path = lab.env.get("OS_CLIENT_CONFIG_FILE")
    if not lab.env.get("KEYSTONE_LAB_URL") or not path or not Path(path).is_file():
        _unavailable("this lab has no Keystone (lab.env predates it: run bash lab/up)")
    loaded: dict[str, Any] = yaml.safe_load(Path(str(path)).read_text())["clouds"]
    return loaded


def collect(tmp: Path, args: list[str], env: Mapping[str, str] | None = None) -> Run:
    """``imageyard collect -q ARGS -o tmp/inv.json`` in a clean environment."""
    out = tmp / "inv.json"
    out.unlink(missing_ok=True)
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp), "LANG": "C.UTF-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "imageyard", "collect", "-q", *args, "-o", str(out)],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    inventory = load_inventory(out.read_text(), origin=str(out)) if out.is_file() else None
    return Run(proc.returncode, proc.stderr, inventory)


def by_cloud(tmp: Path, lab: Lab, cloud: str, sources: str = "glance,keystone") -> Run:
    env = {"OS_CLIENT_CONFIG_FILE": lab.env["OS_CLIENT_CONFIG_FILE"]}
    return collect(tmp, ["--os-cloud", cloud, "--sources", sources], env)


def seeded(inv: Inventory | None, lab: Lab) -> dict[str, Image]:
    """The inventory's records of the seeded images (others' test images left out)."""
    assert inv is not None
    ids = {i["id"] for i in lab.seed["images"]}
    return {i.id: i for i in inv.images if i.id in ids}


def api_stores(inv: Inventory) -> list[Store]:
    """The stores as the Glance API described them (the config's own records left out)."""
    return [s for s in inv.stores if s.source is StoreSource.API]


@pytest.fixture(scope="module")
def admin_run(lab: Lab, clouds: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Run:
    # with the lab's config directory too, so that the snapshot can be audited
    env = {"OS_CLIENT_CONFIG_FILE": lab.env["OS_CLIENT_CONFIG_FILE"]}
    args = ["--config-dir", str(lab.etc), "--os-cloud", "admin"]
    return collect(
        tmp_path_factory.mktemp("admin"), [*args, "--sources", "config,glance,keystone"], env
    )


def test_admin_cloud_sees_what_the_lab_auth_glance_sees(
    lab: Lab, admin_run: Run, tmp_path: Path
) -> None:
    assert admin_run.code == ExitCode.OK, admin_run.stderr
    plain = collect(tmp_path, ["--glance-endpoint", lab.glance_url, "--sources", "glance"])
    assert plain.code == ExitCode.OK, plain.stderr
    assert plain.inventory is not None and admin_run.inventory is not None
    via_keystone, direct = seeded(admin_run.inventory, lab), seeded(plain.inventory, lab)
    deleted = {i["id"] for i in lab.images("glance-image-deleted")}
    assert set(direct) == {i["id"] for i in lab.seed["images"]} - deleted
    assert via_keystone == direct  # same ids, stores, locations, owners, hashes
    assert api_stores(admin_run.inventory) == api_stores(plain.inventory)
    assert {s.id for s in api_stores(plain.inventory)} == {"fast", "cheap", "ceph", "s3", "swift"}
    assert admin_run.inventory.is_complete("glance"), admin_run.inventory.gaps


def test_admin_cloud_lists_the_projects_and_finds_the_deleted_owner(admin_run: Run) -> None:
    inv = admin_run.inventory
    assert inv is not None and inv.is_complete("keystone"), inv and inv.gaps
    assert {p.name for p in inv.projects} >= {"admin", "service", "project-alpha"}
    assert {p.id for p in inv.projects} >= SEED_PROJECTS
    assert DELETED not in {p.id for p in inv.projects}
    owners = inv.deleted_owners()
    assert owners is not None and DELETED in owners
    legacy = {i.name for i in inv.images if i.owner == DELETED}
    assert {"legacy-app-server", "legacy-app-db"} <= legacy


def test_os_variables_work_like_the_clouds_yaml_entry(
    lab: Lab, clouds: dict[str, Any], admin_run: Run, tmp_path: Path
) -> None:
    auth = clouds["admin"]["auth"]
    env = {
        "OS_AUTH_URL": auth["auth_url"],
        "OS_USERNAME": auth["username"],
        "OS_PASSWORD": auth["password"],
        "OS_PROJECT_NAME": auth["project_name"],
        "OS_USER_DOMAIN_NAME": auth["user_domain_name"],
        "OS_PROJECT_DOMAIN_NAME": auth["project_domain_name"],
        "OS_REGION_NAME": clouds["admin"]["region_name"],
        "OS_IDENTITY_API_VERSION": "3",
        "OS_INTERFACE": "public",
    }
    run = collect(tmp_path, ["--sources", "glance,keystone"], env)
    assert run.code == ExitCode.OK, run.stderr
    assert seeded(run.inventory, lab) == seeded(admin_run.inventory, lab)
    assert run.inventory is not None and run.inventory.is_complete("keystone")
    assert auth["password"] not in run.stderr
    assert auth["password"] not in (tmp_path / "inv.json").read_text()


def test_a_member_sees_one_project_and_says_what_it_missed(
    lab: Lab, clouds: dict[str, Any], tmp_path: Path
) -> None:
    run = by_cloud(tmp_path, lab, "member")
    # refusals are gaps; Keystone, asked for, collected nothing: exit 6 with the snapshot written
    assert run.code == ExitCode.SOURCE_FAILED, run.stderr
    assert "requested source(s) keystone collected nothing" in run.stderr
    inv = run.inventory
    assert inv is not None
    mine = seeded(inv, lab)
    alpha_private = {i["id"] for i in lab.seed["images"] if i["owner"] == "project-alpha"}
    others_private = {
        i["id"]
        for i in lab.seed["images"]
        if i["visibility"] == "private" and i["owner"] != "project-alpha"
    }
    assert alpha_private - {i["id"] for i in lab.images("glance-image-deleted")} <= set(mine)
    assert others_private and not others_private & set(mine)
    gaps = {g.scope: g.error for g in inv.gaps_for("glance")}
    assert "403" in gaps["stores detail"]
    assert "not a Glance admin" in gaps["images of other projects"]
    (projects_gap,) = inv.gaps_for("keystone")
    assert projects_gap.scope == "projects" and "HTTP 403" in projects_gap.error
    assert inv.projects == () and inv.deleted_owners() is None
    assert not inv.is_complete("glance") and not inv.is_complete("keystone")


def test_a_reader_cannot_list_projects_either(
    lab: Lab, clouds: dict[str, Any], tmp_path: Path
) -> None:
    env = {"OS_CLIENT_CONFIG_FILE": lab.env["OS_CLIENT_CONFIG_FILE"]}
    args = ["--os-cloud", "reader", "--allow-partial", "--sources"]
    run = collect(tmp_path, [*args, "glance,keystone"], env)
    assert run.code == ExitCode.OK, run.stderr  # the operator accepts a partial snapshot
    assert run.inventory is not None and run.inventory.deleted_owners() is None
    assert [g.scope for g in run.inventory.gaps_for("keystone")] == ["projects"]
    # Keystone alone: nothing at all collected, so no snapshot and one error line
    alone = collect(tmp_path, [*args, "keystone"], env)
    assert alone.code == ExitCode.ERROR and alone.inventory is None
    (error,) = [line for line in alone.stderr.splitlines() if line.startswith("imageyard: error:")]
    assert "nothing was collected" in error and "HTTP 403" in error


def test_a_wrong_password_is_one_clear_line(
    lab: Lab, clouds: dict[str, Any], tmp_path: Path
) -> None:
    bad = json.loads(json.dumps(clouds["admin"]))
    bad["auth"]["password"] = "not-the-password-0001"
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"admin": bad}}))
    run = collect(
        tmp_path,
        ["--os-cloud", "admin", "--sources", "glance,keystone"],
        {"OS_CLIENT_CONFIG_FILE": str(path)},
    )
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert "Traceback" not in run.stderr
    assert "not-the-password-0001" not in run.stderr
    assert run.code == ExitCode.ERROR, run.stderr
    # one error line (a tip may follow it), and no snapshot
    (error,) = [line for line in lines if line.startswith("imageyard: error:")]
    assert all(line.startswith("imageyard: tip:") for line in lines if line != error), lines
    assert "Keystone refused the credentials of cloud 'admin'" in error and "401" in error
    assert run.inventory is None


def test_audit_names_exactly_the_images_of_the_deleted_project(
    lab: Lab, admin_run: Run, tmp_path: Path
) -> None:
    snapshot = tmp_path / "admin.json"
    assert admin_run.inventory is not None
    snapshot.write_text(dump_inventory(admin_run.inventory))
    proc = subprocess.run(
        [sys.executable, "-m", "imageyard", "audit", str(snapshot), "--rule",
         "image-owner-deleted", "-f", "json", "-q"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == ExitCode.OK, proc.stderr  # low severity, under --fail-on high
    report = json.loads(proc.stdout)
    flagged = {f["resource"].removeprefix("image ") for f in report["findings"]}
    expected = {i["id"] for i in lab.seed["images"] if i["owner"] == DELETED}
    assert expected == {i["id"] for i in lab.images("owner-deleted-project")}
    assert flagged == expected


def test_os_cloud_variable_names_the_clouds_yaml_entry(
    lab: Lab, admin_run: Run, tmp_path: Path
) -> None:
    env = {"OS_CLIENT_CONFIG_FILE": lab.env["OS_CLIENT_CONFIG_FILE"], "OS_CLOUD": "admin"}
    run = collect(tmp_path, ["--sources", "glance,keystone"], env)
    assert run.code == ExitCode.OK, run.stderr
    assert seeded(run.inventory, lab) == seeded(admin_run.inventory, lab)


def test_incomplete_os_variables_are_a_usage_error(
    lab: Lab, clouds: dict[str, Any], tmp_path: Path
) -> None:
    auth = clouds["admin"]["auth"]
    env = {"OS_AUTH_URL": auth["auth_url"], "OS_USERNAME": "admin", "OS_PROJECT_NAME": "admin"}
    run = collect(tmp_path, ["--sources", "glance,keystone"], env)
    assert run.code == ExitCode.USAGE and run.inventory is None
    (error,) = [line for line in run.stderr.splitlines() if line.startswith("imageyard: error:")]
    assert "OS_PASSWORD" in error


def test_an_unreachable_keystone_collects_nothing(lab: Lab, tmp_path: Path) -> None:
    with socket.socket() as sock:  # a loopback port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        "OS_AUTH_URL": f"http://127.0.0.1:{port}/v3",
        "OS_USERNAME": "admin",
        "OS_PASSWORD": "unused-password-0001",
        "OS_PROJECT_NAME": "admin",
        "OS_USER_DOMAIN_NAME": "Default",
        "OS_PROJECT_DOMAIN_NAME": "Default",
    }
    run = collect(tmp_path, ["--sources", "glance,keystone"], env)
    assert run.code == ExitCode.ERROR and run.inventory is None, run.stderr
    (error,) = [line for line in run.stderr.splitlines() if line.startswith("imageyard: error:")]
    assert "nothing was collected" in error and f"127.0.0.1:{port}" in error
    assert "unused-password-0001" not in run.stderr
