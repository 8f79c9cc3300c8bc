"""Fixtures for the Glance collector tests (helpers live in glance_fixtures.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from glance_fixtures import Start

from imageyard.testing.fake_glance import Catalog, FakeGlance, Faults


@pytest.fixture
def fake() -> Iterator[Start]:
    """``fake(catalog=..., faults=...)`` starts a fake Glance (child process)."""
    started: list[FakeGlance] = []

    def start(catalog: Catalog | None = None, faults: Faults | None = None) -> FakeGlance:
        server = FakeGlance(catalog or Catalog(), faults or Faults()).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
