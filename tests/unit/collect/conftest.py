"""Pytest fixtures for the config collector tests."""

from __future__ import annotations

import pytest
from collect_fixtures import FIXTURES

from imageyard.collect.configs import collect_configs, discover
from imageyard.model.config import DeploymentConfig


@pytest.fixture
def deployment() -> object:
    """``deployment(name)`` discovers and collects one fixture directory."""

    def load(name: str) -> DeploymentConfig:
        config, _gaps = collect_configs(discover(FIXTURES / name), explicit=False)
        return config

    return load
