"""Signing and visibility rules on the real lab, with images of this test's own (hyg- prefix).

The test uploads small raw images to the lab's ``ceph`` store and one to a file store, signs
one for real (RSA-PSS over SHA-256 of its data with a test key, the property set Glance's
signature verification reads), gives another only half of the properties, makes one public
from an ordinary project and one public copy of another's data, and deletes them all at the
end. The lab's snapshot is collected with the CLI; the rules run on it with the lab's
configuration and with variants of it: the copy-on-write bypass must appear only when a
consumer verifies signatures and the image is cloned from RBD.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import Lab
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from imageyard.audit.engine import run_audit
from imageyard.audit.registry import rules_by_id
from imageyard.audit.rule import AuditContext
from imageyard.collect.base import run_collectors
from imageyard.collect.config_source import ConfigCollector
from imageyard.collect.configs import discover
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import read_inventory

PREFIX = f"hyg-{uuid.uuid4().hex[:8]}"
OTHER_PROJECT = "hyg-other-project"
PUBLISHER = "hyg-publisher"
RULES = (
    "signature-verify-cow-bypass",
    "image-signature-incomplete",
    "public-image-unsigned",
    "public-image-foreign-owner",
    "public-image-duplicate",
)


def _signed(data: bytes) -> list[dict[str, str]]:
    """The four signature properties of a real RSA-PSS (SHA-256) signature of ``data``.

    The lab runs no key manager, so the certificate id names no stored certificate; Glance
    checks a signature only when the data is uploaded with all four set, and these are added
    afterwards.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
    signature = key.sign(data, pss, hashes.SHA256())
    key.public_key().verify(signature, data, pss, hashes.SHA256())
    props = {
        "img_signature": base64.b64encode(signature).decode(),
        "img_signature_hash_method": "SHA-256",
        "img_signature_key_type": "RSA-PSS",
        "img_signature_certificate_uuid": str(uuid.uuid4()),
    }
    return [{"op": "add", "path": f"/{k}", "value": v} for k, v in props.items()]


class _Glance:
    def __init__(self, lab: Lab) -> None:
        self.lab, self.ids = lab, []  # type: ignore[var-annotated]

    def call(self, method: str, path: str, expect: int, **kw: Any) -> Any:
        resp = self.lab.http.request(method, self.lab.glance_url + path, timeout=60, **kw)
        assert resp.status_code == expect, f"{method} {path}: {resp.status_code} {resp.text}"
        return resp

    def image(self, role: str, data: bytes, store: str, fmt: str = "raw", **body: Any) -> str:
        body = {"name": f"{PREFIX}-{role}", "disk_format": fmt, "container_format": "bare",
                "owner": PUBLISHER, **body}  # fmt: skip
        image_id: str = self.call("POST", "/v2/images", 201, json=body).json()["id"]
        self.ids.append(image_id)
        headers = {"Content-Type": "application/octet-stream", "X-Image-Meta-Store": store}
        self.call("PUT", f"/v2/images/{image_id}/file", 204, data=data, headers=headers)
        return image_id

    def patch(self, image_id: str, ops: list[dict[str, str]]) -> None:
        headers = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
        self.call("PATCH", f"/v2/images/{image_id}", 200, json=ops, headers=headers)

    def delete_all(self) -> None:
        for image_id in self.ids:
            self.lab.http.delete(f"{self.lab.glance_url}/v2/images/{image_id}", timeout=60)


@pytest.fixture(scope="module")
def seeded(lab: Lab) -> Iterator[dict[str, str]]:
    glance = _Glance(lab)
    try:
        raw = {n: f"{PREFIX}-{n}".encode().ljust(1 << 20, b"\0") for n in ("s", "u", "p", "o")}
        ids = {
            "signed": glance.image("signed", raw["s"], "ceph"),
            "unsigned": glance.image("unsigned", raw["u"], "ceph", visibility="public"),
            "partial": glance.image("partial", raw["p"], "ceph"),
            "foreign": glance.image(
                "foreign", raw["o"], "ceph", visibility="public", owner=OTHER_PROJECT
            ),
            "copy": glance.image("copy", raw["u"], "ceph", visibility="public"),
            "filed": glance.image("filed", raw["s"][::-1], "fast"),
        }
        glance.patch(ids["signed"], _signed(raw["s"]))
        glance.patch(ids["partial"], _signed(raw["p"])[:2])
        yield ids
    finally:
        glance.delete_all()


@pytest.fixture(scope="module")
def live(lab: Lab, seeded: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    out = tmp_path_factory.mktemp("hyg") / "inv.json"
    done = subprocess.run(
        [sys.executable, "-m", "imageyard", "collect", "-q", "--config-dir", str(lab.etc),
         "--glance-endpoint", lab.glance_url, "--ceph-user", "ops", "-o", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return read_inventory(out)


def _with_config(lab: Lab, inv: Inventory, tmp: Path, nova: str, cinder: str) -> Inventory:
    """``inv`` with the lab's configuration, nova.conf and cinder.conf extended by the text."""
    etc = tmp / "etc"
    shutil.copytree(lab.etc, etc)
    for name, extra in (("nova.conf", nova), ("cinder.conf", cinder)):
        text = (etc / name).read_text()
        if extra.startswith("[DEFAULT]"):
            text = text.replace("[DEFAULT]", extra, 1)
        else:
            text += "\n" + extra
        (etc / name).write_text(text)
    config = run_collectors([ConfigCollector(discover(etc))], Inventory()).config
    return replace(inv, config=config)


def _found(inv: Inventory, seeded: dict[str, str]) -> dict[str, set[str]]:
    """rule id -> the names (roles) of this test's images it reports."""
    by_id, roles = rules_by_id(), {v: k for k, v in seeded.items()}
    ctx = AuditContext(settings={"public-image-foreign-owner.projects": PUBLISHER})
    result = run_audit(inv, ctx, [by_id[r] for r in RULES])
    found: dict[str, set[str]] = {r: set() for r in RULES}
    for f in result.findings:
        image_id = f.resource.id
        if image_id in roles:
            found[f.rule_id].add(roles[image_id])
    return found


def test_lab_config_cinder_verifies_the_signed_clone_only(
    live: Inventory, seeded: dict[str, str]
) -> None:
    found = _found(live, seeded)
    # cinder.conf leaves verify_glance_signatures at its default (enabled: signed images
    # only); Nova does not verify. The signed raw image is cloned by Cinder, unverified.
    assert found["signature-verify-cow-bypass"] == {"signed"}
    assert found["image-signature-incomplete"] == {"partial"}
    assert found["public-image-unsigned"] == set()
    assert found["public-image-foreign-owner"] == {"foreign"}
    # the later of the two public images with the same data (created in the same second,
    # the tie goes by id): exactly one of them
    assert len(found["public-image-duplicate"]) == 1
    assert found["public-image-duplicate"] <= {"unsigned", "copy"}


def test_nova_verifying_names_every_cloned_image_never_the_file_one(
    lab: Lab, live: Inventory, seeded: dict[str, str], tmp_path: Path
) -> None:
    inv = _with_config(
        lab,
        live,
        tmp_path,
        nova="[glance]\nverify_glance_signatures = True\n",
        cinder="[DEFAULT]\nverify_glance_signatures = disabled\n",
    )
    found = _found(inv, seeded)
    assert found["signature-verify-cow-bypass"] == {
        "signed",
        "unsigned",
        "partial",
        "foreign",
        "copy",
    }
    assert found["public-image-unsigned"] == {"unsigned", "foreign", "copy"}


def test_no_bypass_when_nothing_verifies(
    lab: Lab, live: Inventory, seeded: dict[str, str], tmp_path: Path
) -> None:
    inv = _with_config(
        lab, live, tmp_path, nova="", cinder="[DEFAULT]\nverify_glance_signatures = disabled\n"
    )
    found = _found(inv, seeded)
    assert found["signature-verify-cow-bypass"] == set()
    assert found["image-signature-incomplete"] == {"partial"}
