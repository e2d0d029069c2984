"""One indexed store of three months of the 2021 data (Sep-Nov) for the ranking tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from stores import copy_store


@pytest.fixture(scope="package")
def ranked_store(tmp_path_factory: pytest.TempPathFactory, indexed_autumn: Path) -> Path:
    return copy_store(indexed_autumn, tmp_path_factory.mktemp("ranking"))
