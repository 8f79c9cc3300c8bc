"""Fixtures for the usage collector tests: a fake Nova/Cinder and SDK-backed clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from usage_fixtures import Sleeps, override_connection

from imageyard.collect.openstack import RetryPolicy
from imageyard.testing.fake_compute import FakeCompute


@pytest.fixture
def fake() -> Iterator[FakeCompute]:
    with FakeCompute() as server:
        yield server


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def retry(sleeps: Sleeps) -> RetryPolicy:
    return RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.04, sleep=sleeps)


@pytest.fixture
def conn(fake: FakeCompute) -> Any:
    return override_connection(fake)
