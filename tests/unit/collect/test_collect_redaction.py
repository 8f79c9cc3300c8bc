"""Secrets are redacted while parsing and never reach the parsed output."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import pytest
from collect_fixtures import FIXTURES

from imageyard.collect.configs import collect_configs, discover
from imageyard.collect.ini import Dialect, is_secret_key, parse_ini, redact
from imageyard.model.config import REDACTED, DeploymentConfig

FIXTURE_DIRS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "admin_password",
        "s3_store_secret_key",
        "s3_store_access_key",
        "swift_store_key",
        "key",
        "memcache_secret_key",
        "auth_encryption_key",
        "secret",
        "root_token_id",
        "ssl_key_password",
    ],
)
def test_secret_names(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "rbd_secret_uuid",
        "keyring",
        "rbd_keyring_conf",
        "key_file",
        "ssl_key_file",
        "encryption_key_id",
        "inject_key",
        "inject_password",
        "fsid",
        "rbd_store_user",
        "transport_url",
        "default_trusted_certificate_ids",
    ],
)
def test_not_secret_names(key: str) -> None:
    assert not is_secret_key(key)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mysql+pymysql://glance:pw@db:3306/glance", "mysql+pymysql://glance:***@db:3306/glance"),
        ("postgresql://glance@db/glance", "postgresql://glance@db/glance"),
        (
            "rabbit://u:p1@h1:5672,u:p2@h2:5672//vhost",
            "rabbit://u:***@h1:5672,u:***@h2:5672//vhost",
        ),
        ("rabbit://u:p1@h1,\n    u:p2@h2//", "rabbit://u:***@h1,\n    u:***@h2//"),
        ("mysql://glance:pa/ss@db/glance", "mysql://glance:***@db/glance"),
        ("http://10.0.0.1:9292", "http://10.0.0.1:9292"),
    ],
)
def test_url_credentials_are_masked(value: str, expected: str) -> None:
    masked, hidden = redact("connection", value)
    assert masked == expected
    assert hidden == (masked != value)


def test_redacted_flag_and_value() -> None:
    doc = parse_ini("[s3]\ns3_store_secret_key = abc\nrbd_secret_uuid = u-1\n", "g.conf")
    secret, uuid = doc.values
    assert (secret.value, secret.redacted) == (REDACTED, True)
    assert (uuid.value, uuid.redacted) == ("u-1", False)


def test_ceph_inline_key_is_redacted_but_keyring_is_kept() -> None:
    text = "[client.glance]\nkey = AQxyz==\nkeyring = /etc/ceph/k\n"
    doc = parse_ini(text, "ceph.conf", dialect=Dialect.CEPH)
    assert [v.value for v in doc.values] == [REDACTED, "/etc/ceph/k"]


def test_fixtures_do_contain_secrets() -> None:
    """Guard for the next test: the marker really is in the fixture files."""
    found = [p for p in FIXTURES.rglob("*.conf") if "FIXTURESECRET" in p.read_text()]
    assert len(found) >= 10


def _all_text(config: DeploymentConfig) -> str:
    return repr(config) + str(dataclasses.asdict(config))


@pytest.mark.parametrize("name", FIXTURE_DIRS)
def test_no_fixture_secret_survives_parsing(
    name: str, deployment: Callable[[str], DeploymentConfig]
) -> None:
    config = deployment(name)
    assert config.files
    assert "FIXTURESECRET" not in _all_text(config)


def test_no_secret_in_gaps_or_warnings() -> None:
    config, gaps = collect_configs(discover(FIXTURES), explicit=False)
    assert "FIXTURESECRET" not in repr(gaps) + repr(config.warnings)


@pytest.mark.parametrize("name", FIXTURE_DIRS)
def test_snapshot_json_round_trips_without_secrets(
    name: str, deployment: Callable[[str], DeploymentConfig]
) -> None:
    from imageyard.model.codec import decode, dumps

    config = deployment(name)
    text = dumps(config)
    assert "FIXTURESECRET" not in text
    assert decode(DeploymentConfig, json.loads(text)) == config


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("rabbit://openstack:pa,ssWORD1@ctl1:5672/", "rabbit://openstack:***,***@ctl1:5672/"),
        (
            "rabbit://openstack:a,b,cWORD1@ctl1:5672,openstack:x,yWORD1@ctl2:5672/",
            "rabbit://openstack:***,***,***@ctl1:5672,openstack:***,***@ctl2:5672/",
        ),
        ("mysql+pymysql://glance:p,WORD1@db/glance", "mysql+pymysql://glance:***,***@db/glance"),
        ("rabbit://u:p@h1:5672,u:q@h2:5672/", "rabbit://u:***@h1:5672,u:***@h2:5672/"),
    ],
)
def test_passwords_with_commas_do_not_leak(url: str, expected: str) -> None:
    assert redact("transport_url", url) == (expected, True)
