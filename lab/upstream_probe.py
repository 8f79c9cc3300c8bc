"""Ask the real nova or cinder RBD code what it does with each image (runs in .venv-upstream).

Usage: .venv-upstream/bin/python lab/upstream_probe.py REQUEST.json > ANSWER.json

REQUEST: {"service": "nova"|"cinder", "glance": URL, "ceph_conf": PATH, "user": "nova",
"pool": "vms", "prefix": "iycow-", "images": [ID, ...]}. ANSWER: {ID: {"outcome": "clone" |
"download" | "error" | "refused", "detail": TEXT, "parent": "pool/image@snap" | null}}.

Nothing of the decision is re-implemented: Nova's image comes from its own Glance API client
(``nova.image.glance.API().get(..., include_locations=True)``) and goes through the unmodified
``imagebackend.Rbd.clone`` (which calls ``RBDDriver.is_cloneable`` and ``RBDDriver.clone``);
Cinder's goes through ``volume_utils.check_image_metadata`` and the unmodified
``RBDDriver.clone_image`` (``_is_cloneable``, ``_clone``, ``_resize``) with the
``(direct_url, locations)`` pair its ``GlanceImageService.get_location`` returns for a plain
image GET. Only service configuration is set (oslo.config overrides: pools, users, ceph.conf,
the Glance endpoint, a short connection retry interval). The outcome is mapped the way the
callers map exceptions: Nova's ``clone_fallback_to_fetch`` downloads on ``ImageUnacceptable``
and lets everything else fail the boot; Cinder's create-volume flow downloads when
``clone_image`` returns ``cloned=False`` and fails the volume on any exception; a status other
than ``active`` is refused by the API before any driver code (nova ``compute/api.py``
``_validate_flavor_image`` raises ``ImageNotActive``; cinder ``check_image_metadata`` raises
``InvalidInput``). A real clone is verified (its parent) and removed at once.
"""

from __future__ import annotations

import json
import sys
import types
import urllib.request
import uuid
import warnings
from typing import Any

warnings.simplefilter("ignore")


def _glance_image(glance: str, image_id: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{glance}/v2/images/{image_id}", timeout=30) as resp:
        return dict(json.load(resp))


def _parent(info: Any) -> str:
    pool, image, snap = info[0], info[1], info[2]
    return f"{pool}/{image}@{snap}"


# ------------------------------------------------------------------ nova


def _nova(req: dict[str, Any]) -> dict[str, Any]:
    import nova.conf
    from nova import context, exception
    from nova.image import glance
    from nova.virt.libvirt import imagebackend

    conf = nova.conf.CONF
    conf([], project="nova")
    conf.set_override("api_servers", [req["glance"]], "glance")
    conf.set_override("images_type", "rbd", "libvirt")
    conf.set_override("images_rbd_pool", req["pool"], "libvirt")
    conf.set_override("images_rbd_ceph_conf", req["ceph_conf"], "libvirt")
    conf.set_override("rbd_user", req["user"], "libvirt")
    ctx = context.RequestContext(
        user_id="lab", project_id="lab", auth_token="lab-no-auth", is_admin=True
    )
    answers = {}
    for image_id in req["images"]:
        answers[image_id] = _nova_one(req, ctx, glance.API(), imagebackend, exception, image_id)
    return answers


def _nova_one(
    req: dict[str, Any], ctx: Any, api: Any, imagebackend: Any, exception: Any, image_id: str
) -> dict[str, Any]:
    meta = api.get(ctx, image_id, include_locations=True)
    if meta["status"] != "active":
        return {"outcome": "refused", "detail": f"ImageNotActive ({meta['status']})"}
    backend = imagebackend.Rbd(path=f"{req['pool']}/{req['prefix']}{uuid.uuid4()}_disk")
    try:
        backend.clone(ctx, image_id)
    except exception.ImageUnacceptable as exc:
        return {"outcome": "download", "detail": f"ImageUnacceptable: {exc}"}
    except Exception as exc:  # every other exception fails the boot
        return {"outcome": "error", "detail": f"{type(exc).__module__}.{type(exc).__name__}"}
    try:
        parent = _parent(backend.driver.parent_info(backend.rbd_name, pool=req["pool"]))
    finally:
        backend.driver.remove_image(backend.rbd_name)
    return {"outcome": "clone", "detail": "cloned", "parent": parent}


# ------------------------------------------------------------------ cinder


def _cinder(req: dict[str, Any]) -> dict[str, Any]:
    from cinder import context, exception
    from cinder.common import config  # noqa: F401  (registers the global options)
    from cinder.volume import configuration, volume_utils
    from cinder.volume.drivers import rbd

    group = "iycow-probe"
    conf = configuration.Configuration(rbd.RBD_OPTS, config_group=group)
    cfg = configuration.CONF
    cfg([], project="cinder")
    for key, value in (
        ("rbd_pool", req["pool"]),
        ("rbd_user", req["user"]),
        ("rbd_ceph_conf", req["ceph_conf"]),
        ("rados_connection_interval", 1),
    ):
        cfg.set_override(key, value, group)
    ctx = context.get_admin_context()
    driver = rbd.RBDDriver(configuration=conf)
    driver.do_setup(ctx)
    answers = {}
    for image_id in req["images"]:
        body = _glance_image(req["glance"], image_id)
        answers[image_id] = _cinder_one(req, ctx, driver, volume_utils, exception, body)
    return answers


def _cinder_one(
    req: dict[str, Any], ctx: Any, driver: Any, volume_utils: Any, exception: Any, body: Any
) -> dict[str, Any]:
    try:
        volume_utils.check_image_metadata(body, 10)
    except exception.InvalidInput as exc:
        return {"outcome": "refused", "detail": f"InvalidInput: {exc}"}
    name = f"volume-{req['prefix']}{uuid.uuid4()}"
    volume = types.SimpleNamespace(
        name=name, size=1, id=name, volume_type=None, encryption_key_id=None
    )
    location = (body.get("direct_url"), body.get("locations"))
    try:
        _update, cloned = driver.clone_image(ctx, volume, location, body, None)
    except Exception as exc:  # the create-volume flow fails the volume
        return {"outcome": "error", "detail": f"{type(exc).__module__}.{type(exc).__name__}"}
    if not cloned:
        return {"outcome": "download", "detail": "clone_image returned cloned=False"}
    client, ioctx = driver._connect_to_rados(req["pool"])
    try:
        with driver.rbd.Image(ioctx, name, read_only=True) as image:
            parent = _parent(image.parent_info())
        driver.rbd.RBD().remove(ioctx, name)
    finally:
        driver._disconnect_from_rados(client, ioctx)
    return {"outcome": "clone", "detail": "cloned", "parent": parent}


def main(argv: list[str]) -> int:
    with open(argv[1]) as fh:
        req = json.load(fh)
    answers = _nova(req) if req["service"] == "nova" else _cinder(req)
    json.dump(answers, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
