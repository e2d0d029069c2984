"""The For you tests: three months of the 2021 data (Sep-Nov) indexed, with a profile built
from the store's own point-cloud papers, served over a real socket (tests/live_web.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from live_web import Live, serving
from stores import copy_store, point_cloud_profile

from paperboy.store import open_store


@pytest.fixture(scope="package")
def foryou_db(tmp_path_factory: pytest.TempPathFactory, indexed_autumn: Path) -> Path:
    path = copy_store(indexed_autumn, tmp_path_factory.mktemp("foryou"))
    with open_store(path) as store:
        point_cloud_profile(store, "pc")
    return path


@pytest.fixture(scope="package")
def served(foryou_db: Path) -> Iterator[Live]:
    with serving(foryou_db) as url:
        yield Live(url, foryou_db)
