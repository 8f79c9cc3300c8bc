"""Test support for the usage collector tests: a sleep recorder and SDK connections to the fake."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from imageyard.collect.openstack import BLOCK_STORAGE, COMPUTE, connect
from imageyard.testing.fake_compute import FakeCompute


@dataclass
class Sleeps:
    """Records backoff delays instead of sleeping."""

    delays: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def override_connection(fake: FakeCompute, timeout: float = 2.0) -> Any:
    """A Connection with no auth whose endpoints are the fake's (no catalog involved)."""
    return connect(
        auth_type="none",
        endpoint_overrides={COMPUTE: fake.compute_url, BLOCK_STORAGE: fake.volume_url},
        timeout=timeout,
        load_config=False,
    )


def password_connection(fake: FakeCompute) -> Any:
    """A Connection that authenticates against the fake Keystone and uses its catalog."""
    return connect(
        auth_type="password",
        auth_url=fake.auth_url,
        username="admin",
        password="secret",
        project_name="admin",
        user_domain_name="Default",
        project_domain_name="Default",
        timeout=2.0,
        load_config=False,
    )
