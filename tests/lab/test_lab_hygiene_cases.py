"""Every hygiene rule on the real lab: named pass/fail images, each with exactly its findings.

The test makes its own images (prefix ``hyc-<random>``), each named for its case:
``<prefix>-fail-<case>`` is expected to trigger exactly the rules in ``EXPECTED`` and nothing
else of ``HYGIENE``, ``<prefix>-pass-<case>`` none of them. Public, community, shared,
hidden and signed images are made through the lab-auth Glance API (members added by the
owner and accepted or left pending by the member project itself); what the API cannot
make, an old image or an old invitation, is made by moving ``created_at`` back in Glance's
database. The snapshot is collected through Keystone (``--os-cloud admin``: Keystone's
projects, so a member project that does not exist is known to be gone) with the members,
Ceph and the lab's configuration. The lab has no Nova API: the servers that use some of the
images are added to the snapshot as a complete Nova and Cinder listing, as the reclaim lab
test does. The rules run with the lab's configuration and with variants of it: the
copy-on-write bypass appears only when a consumer verifies signatures and clones the image
from RBD. The images are deleted at the end.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from apply_support import raw_bytes
from conftest import Lab
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from imageyard.audit.engine import run_audit
from imageyard.audit.registry import rules_by_id
from imageyard.audit.rule import AuditContext
from imageyard.collect.base import run_collectors
from imageyard.collect.config_source import ConfigCollector
from imageyard.collect.configs import discover
from imageyard.model.compute import Server
from imageyard.model.gap import SourceStatus
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import read_inventory

PREFIX = f"hyc-{uuid.uuid4().hex[:8]}"
PUBLISHER = "lab-admin-project"  # Keystone's project "admin": a publisher by default
OTHER = "project-gamma"  # a live project that publishes nothing
MEMBER = "project-beta"
GONE = f"{PREFIX}-gone-project"  # never existed in Keystone
HYGIENE = (
    "signature-verify-cow-bypass",
    "image-signature-incomplete",
    "public-image-unsigned",
    "signed-image-converted-on-import",
    "public-image-foreign-owner",
    "image-used-cross-project",
    "image-member-stale",
    "public-image-duplicate",
    "community-image-sprawl",
    "hidden-image-public-name",
)
# the lab's own configuration: Cinder verifies signed images (its default), Nova nothing
EXPECTED: dict[str, set[str]] = {
    "pass-private-plain": set(),
    "fail-signed-cloned": {"signature-verify-cow-bypass"},
    "pass-signed-on-file": set(),
    "fail-signature-incomplete": {"image-signature-incomplete"},
    "fail-signed-qcow2": {"signed-image-converted-on-import"},
    "pass-public-publisher": set(),
    "pass-public-signed": set(),
    "fail-public-foreign-owner": {"public-image-foreign-owner"},
    "fail-public-duplicate": {"public-image-duplicate"},
    "fail-community-old-unused": {"community-image-sprawl"},
    "pass-community-old-used": set(),
    "pass-community-recent": set(),
    "fail-member-pending-long": {"image-member-stale"},
    "fail-member-project-gone": {"image-member-stale"},
    "pass-member-accepted": set(),
    "pass-member-pending-recent": set(),
    "fail-used-cross-project": {"image-used-cross-project"},
    "pass-used-by-member": set(),
    "fail-hidden-only-one": {"hidden-image-public-name"},
    "fail-hidden-newest": {"hidden-image-public-name"},
    "pass-visible-older": set(),
    "pass-hidden-older": set(),
    "pass-visible-newest": set(),
}
# with Nova verifying every image (and Cinder nothing), these also fail public-image-unsigned
PUBLIC_UNSIGNED = {
    "pass-public-publisher",
    "fail-public-foreign-owner",
    "fail-public-duplicate",
    "fail-hidden-only-one",
    "fail-hidden-newest",
    "pass-visible-older",
    "pass-hidden-older",
    "pass-visible-newest",
}
PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch"}


def _signature(data: bytes) -> dict[str, str]:
    """The four properties of a real RSA-PSS (SHA-256) signature of ``data``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
    return {
        "img_signature": base64.b64encode(key.sign(data, pss, hashes.SHA256())).decode(),
        "img_signature_hash_method": "SHA-256",
        "img_signature_key_type": "RSA-PSS",
        "img_signature_certificate_uuid": str(uuid.uuid4()),
    }


def _qcow2(tmp: Path) -> bytes:
    raw, out = tmp / "disk.raw", tmp / "disk.qcow2"
    raw.write_bytes(raw_bytes(64 * 1024))
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(raw), str(out)],
                   check=True, capture_output=True)  # fmt: skip
    return out.read_bytes()


@dataclass
class _Cases:
    lab: Lab
    ids: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, expect: int, **kw: Any) -> Any:
        resp = self.lab.http.request(method, self.lab.glance_url + path, timeout=60, **kw)
        assert resp.status_code == expect, f"{method} {path}: {resp.status_code} {resp.text}"
        return resp

    def image(self, case: str, data: bytes, store: str = "fast", **body: Any) -> str:
        fmt = body.pop("disk_format", "raw")
        body = {"name": f"{PREFIX}-{case}", "disk_format": fmt, "container_format": "bare",
                "owner": PUBLISHER, "visibility": "private", **body}  # fmt: skip
        image_id: str = self.call("POST", "/v2/images", 201, json=body).json()["id"]
        self.ids[case] = image_id
        headers = {"Content-Type": "application/octet-stream", "X-Image-Meta-Store": store}
        self.call("PUT", f"/v2/images/{image_id}/file", 204, data=data, headers=headers)
        return image_id

    def set(self, case: str, **props: Any) -> None:
        ops = [{"op": "add", "path": f"/{k}", "value": v} for k, v in props.items()]
        self.call("PATCH", f"/v2/images/{self.ids[case]}", 200, json=ops, headers=PATCH)

    def share(self, case: str, member: str, status: str) -> None:
        path = f"/v2/images/{self.ids[case]}/members"
        self.call("POST", path, 200, json={"member": member})
        if status != "pending":
            as_member = {"X-Roles": "member,reader", "X-Project-Id": member}
            self.call("PUT", f"{path}/{member}", 200, json={"status": status}, headers=as_member)

    def delete_all(self) -> None:
        for image_id in self.ids.values():
            self.lab.http.delete(f"{self.lab.glance_url}/v2/images/{image_id}", timeout=60)


def _make(cases: _Cases, tmp: Path) -> None:
    data = {case: raw_bytes(64 * 1024) for case in EXPECTED}
    c = cases
    c.image("pass-private-plain", data["pass-private-plain"])
    for case, store in (("fail-signed-cloned", "ceph"), ("pass-signed-on-file", "fast")):
        c.image(case, data[case], store)
        c.set(case, **_signature(data[case]))
    c.image("fail-signature-incomplete", data["fail-signature-incomplete"])
    c.set("fail-signature-incomplete", img_signature="AAAA", img_signature_key_type="RSA-PSS")
    qcow2 = _qcow2(tmp)
    c.image("fail-signed-qcow2", qcow2, disk_format="qcow2")
    c.set("fail-signed-qcow2", **_signature(qcow2))
    for case in ("pass-public-publisher", "pass-public-signed"):
        c.image(case, data[case], visibility="public")
    c.set("pass-public-signed", **_signature(data["pass-public-signed"]))
    c.image("fail-public-foreign-owner", data["fail-public-foreign-owner"], visibility="public",
            owner=OTHER)  # fmt: skip
    c.image("fail-public-duplicate", data["pass-public-publisher"], visibility="public")
    for case in ("fail-community-old-unused", "pass-community-old-used", "pass-community-recent"):
        c.image(case, data[case], visibility="community", owner=OTHER)
    shares = {
        "fail-member-pending-long": (MEMBER, "pending"),
        "fail-member-project-gone": (GONE, "accepted"),
        "pass-member-accepted": (MEMBER, "accepted"),
        "pass-member-pending-recent": (MEMBER, "pending"),
        "pass-used-by-member": (MEMBER, "accepted"),
    }
    for case, (member, status) in shares.items():
        c.image(case, data[case], visibility="shared")
        c.share(case, member, status)
    c.image("fail-used-cross-project", data["fail-used-cross-project"])
    _hidden(c, data)


def _hidden(c: _Cases, data: dict[str, bytes]) -> None:
    c.image("fail-hidden-only-one", data["fail-hidden-only-one"], visibility="public")
    c.set("fail-hidden-only-one", os_hidden=True)
    families = {"pass-visible-older": "a", "fail-hidden-newest": "a",
                "pass-hidden-older": "b", "pass-visible-newest": "b"}  # fmt: skip
    for case, family in families.items():
        c.image(case, data[case], visibility="public")
        c.set(case, os_distro=f"{PREFIX}-{family}", os_version="1")
    c.set("fail-hidden-newest", os_hidden=True)
    c.set("pass-hidden-older", os_hidden=True)


def _age(lab: Lab, cases: _Cases) -> None:
    """Move creation (and invitation) dates back in Glance's database."""
    images = {"fail-community-old-unused": 400, "pass-community-old-used": 400,
              "pass-visible-older": 10, "pass-hidden-older": 10,
              "pass-public-publisher": 10}  # fmt: skip
    engine = create_engine(make_url(lab.env["GLANCE_LAB_DB_URL"]))
    try:
        with engine.begin() as db:
            for case, days in images.items():
                db.execute(
                    text("UPDATE images SET created_at = created_at - make_interval(days => :d) "
                         "WHERE id = :id"), {"d": days, "id": cases.ids[case]},
                )  # fmt: skip
            db.execute(
                text("UPDATE image_members SET created_at = created_at - interval '90 days' "
                     "WHERE image_id = :id"), {"id": cases.ids["fail-member-pending-long"]},
            )  # fmt: skip
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def made(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    cases = _Cases(lab)
    try:
        _make(cases, tmp_path_factory.mktemp("hyc"))
        _age(lab, cases)
        yield dict(cases.ids)
    finally:
        cases.delete_all()


def _with_servers(inv: Inventory, made: dict[str, str]) -> Inventory:
    """The snapshot plus the servers that use this test's images (Nova and Cinder complete)."""
    users = {"pass-community-old-used": MEMBER, "fail-used-cross-project": MEMBER,
             "pass-used-by-member": MEMBER}  # fmt: skip
    servers = tuple(
        Server(f"{PREFIX}-server-{n}", project=project, image_ref=made[case], status="ACTIVE")
        for n, (case, project) in enumerate(sorted(users.items()))
    )
    usage = (SourceStatus("nova", True, len(servers)), SourceStatus("cinder", True, 0))
    kept = tuple(s for s in inv.sources if s.source not in ("nova", "cinder"))
    return replace(inv, servers=servers, volumes=(), sources=kept + usage)


@pytest.fixture(scope="module")
def live(lab: Lab, made: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    out = tmp_path_factory.mktemp("hyc-inv") / "inv.json"
    env = {**os.environ, "OS_CLIENT_CONFIG_FILE": lab.env["OS_CLIENT_CONFIG_FILE"]}
    done = subprocess.run(
        [sys.executable, "-m", "imageyard", "collect", "-q", "--config-dir", str(lab.etc),
         "--os-cloud", "admin", "--sources", "config,glance,keystone,ceph", "--members",
         "--ceph-user", "ops", "-o", str(out)],
        capture_output=True, text=True, check=False, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return _with_servers(read_inventory(out), made)


def _with_config(lab: Lab, inv: Inventory, tmp: Path, nova: str, cinder: str) -> Inventory:
    """``inv`` with the lab's configuration, nova.conf and cinder.conf extended by the text."""
    etc = tmp / "etc"
    shutil.copytree(lab.etc, etc)
    for name, extra in (("nova.conf", nova), ("cinder.conf", cinder)):
        conf = (etc / name).read_text()
        if extra.startswith("[DEFAULT]"):
            conf = conf.replace("[DEFAULT]", extra, 1)
        else:
            conf += "\n" + extra
        (etc / name).write_text(conf)
    config = run_collectors([ConfigCollector(discover(etc))], Inventory()).config
    return replace(inv, config=config)


def _found(inv: Inventory, made: dict[str, str]) -> dict[str, set[str]]:
    """case -> the hygiene rules that report its image."""
    by_id, cases = rules_by_id(), {v: k for k, v in made.items()}
    result = run_audit(inv, AuditContext(), [by_id[r] for r in HYGIENE])
    found: dict[str, set[str]] = {case: set() for case in made}
    for f in result.findings:
        case = cases.get(f.resource.id)
        if case is not None:
            found[case].add(f.rule_id)
    assert not [u for u in result.unknowns if u.rule_id != "public-image-unsigned"], [
        (u.rule_id, u.reason) for u in result.unknowns
    ]
    return found


def test_every_case_gets_exactly_its_findings(live: Inventory, made: dict[str, str]) -> None:
    assert set(made) == set(EXPECTED)
    assert {r for rules in EXPECTED.values() for r in rules} == set(HYGIENE) - {
        "public-image-unsigned"
    }
    assert _found(live, made) == EXPECTED


def test_nova_verifying_adds_exactly_the_public_unsigned_images(
    lab: Lab, live: Inventory, made: dict[str, str], tmp_path: Path
) -> None:
    inv = _with_config(
        lab,
        live,
        tmp_path,
        nova="[glance]\nverify_glance_signatures = True\n",
        cinder="[DEFAULT]\nverify_glance_signatures = disabled\n",
    )
    expected = {
        case: rules | ({"public-image-unsigned"} if case in PUBLIC_UNSIGNED else set())
        for case, rules in EXPECTED.items()
    }
    assert _found(inv, made) == expected


def test_no_bypass_when_nothing_verifies(
    lab: Lab, live: Inventory, made: dict[str, str], tmp_path: Path
) -> None:
    inv = _with_config(
        lab, live, tmp_path, nova="", cinder="[DEFAULT]\nverify_glance_signatures = disabled\n"
    )
    expected = {case: rules - {"signature-verify-cow-bypass"} for case, rules in EXPECTED.items()}
    assert _found(inv, made) == expected


def test_the_lab_shows_locations_on_its_only_glance_api(live: Inventory) -> None:
    result = run_audit(live, AuditContext(), [rules_by_id()["locations-exposed-user-facing"]])
    assert result.findings, "the lab's glance-api shows locations: the rule must say so"
