"""Lab-only identity set-up of the real Keystone, in two steps around ``keystone-manage bootstrap``.

``projects CONFIG_FILE`` (before bootstrap, through Keystone's own resource manager, as
keystone-manage does): the Default domain and the projects the seed catalog uses as image
owners, WITH THOSE IDS (``lab-admin-project`` named ``admin``, ``project-alpha``, ``project-beta``,
``project-gamma``). The REST API always assigns a random id; fixed ids let the Glance behind
Keystone see the same owners as the lab-auth Glance, and leave ``deleted-project-0001`` as the
one owner that does not exist. bootstrap then finds the ``admin`` project by name.

``accounts KEYSTONE_URL`` (after Keystone is up, over the REST API as the bootstrap admin,
password in ``OS_PASSWORD``): the ``service`` project, users ``member`` (member of
project-alpha), ``reader`` (reader on project-alpha) and ``glance`` (admin and service on
``service``; keystonemiddleware's user), and the image and object-store catalog entries.
Passwords come from ``IMAGEYARD_LAB_{MEMBER,READER,GLANCE}_PASSWORD``; endpoints from
``IMAGEYARD_LAB_IMAGE_URL`` and ``IMAGEYARD_LAB_OBJECT_STORE_URL``. Never deploy this.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

PROJECTS = {
    "lab-admin-project": "admin",
    "project-alpha": "project-alpha",
    "project-beta": "project-beta",
    "project-gamma": "project-gamma",
}
REGION = "RegionOne"


def make_projects(config_file: str) -> None:
    import keystone.conf
    from keystone import exception
    from keystone.common import provider_api, sql
    from keystone.server import backends

    conf = keystone.conf.CONF
    keystone.conf.configure()
    sql.initialize()
    keystone.conf.set_default_for_default_log_levels()  # registers oslo.log's options
    conf(args=["--config-file", config_file], project="keystone")
    keystone.conf.setup_logging()
    backends.load_backends()
    resource = provider_api.ProviderAPIs.resource_api
    domain_id = conf.identity.default_domain_id
    domain = {"id": domain_id, "name": "Default", "enabled": True, "description": "Default"}
    with contextlib.suppress(exception.Conflict):  # a re-run: it is there already
        resource.create_domain(domain_id=domain_id, domain=domain)
    for project_id, name in PROJECTS.items():
        project = {
            "id": project_id,
            "name": name,
            "domain_id": domain_id,
            "parent_id": domain_id,
            "enabled": True,
            "is_domain": False,
            "description": "imageyard lab project",
        }
        with contextlib.suppress(exception.Conflict):
            resource.create_project(project_id, project)


def _connect(url: str) -> Any:
    import openstack

    # only these arguments: no clouds.yaml, no OS_* from the caller's environment
    return openstack.connect(
        load_yaml_config=False,
        load_envvars=False,
        auth_url=url,
        username="admin",
        password=os.environ["OS_PASSWORD"],
        project_name="admin",
        user_domain_name="Default",
        project_domain_name="Default",
        region_name=REGION,
        identity_api_version="3",
    )


def _user(conn: Any, name: str, project: Any, roles: list[str]) -> None:
    password = os.environ[f"IMAGEYARD_LAB_{name.upper()}_PASSWORD"]
    user = conn.identity.create_user(
        name=name, password=password, domain_id="default", default_project_id=project.id
    )
    for role in roles:
        conn.identity.assign_project_role_to_user(project, user, conn.identity.find_role(role))


def _endpoint(conn: Any, name: str, kind: str, url: str) -> None:
    service = conn.identity.create_service(name=name, type=kind, enabled=True)
    conn.identity.create_endpoint(
        service_id=service.id, interface="public", url=url, region_id=REGION
    )


def make_accounts(url: str) -> None:
    conn = _connect(url)
    service = conn.identity.create_project(
        name="service", domain_id="default", description="imageyard lab service users"
    )
    alpha = conn.identity.get_project("project-alpha")
    _user(conn, "member", alpha, ["member"])
    _user(conn, "reader", alpha, ["reader"])
    _user(conn, "glance", service, ["admin", "service"])
    _endpoint(conn, "glance", "image", os.environ["IMAGEYARD_LAB_IMAGE_URL"])
    _endpoint(conn, "swift", "object-store", os.environ["IMAGEYARD_LAB_OBJECT_STORE_URL"])


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("projects", "accounts"):
        print("usage: imageyard_lab_keystone_init.py projects CONF | accounts URL", file=sys.stderr)
        return 2
    if argv[1] == "projects":
        make_projects(argv[2])
    else:
        make_accounts(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
