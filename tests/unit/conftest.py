"""What every unit test shares."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _own_temp_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Files the code under test makes through ``tempfile`` (crash logs among them) land in
    the run's own base directory, which pytest prunes, not in the machine's temp directory."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(tmp_path_factory.mktemp("tempfile")))
        yield
