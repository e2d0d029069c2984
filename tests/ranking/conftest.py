"""One indexed store of three months of the 2021 data (Sep-Nov) for the ranking tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperboy.importer import import_paths
from paperboy.store import open_store
from paperboy.vectors import build


@pytest.fixture(scope="package")
def ranked_store(tmp_path_factory: pytest.TempPathFactory, data_2021: Path) -> Path:
    path = tmp_path_factory.mktemp("ranking") / "autumn.db"
    months = [data_2021 / "cs.CV" / "2021" / m for m in ("09", "10", "11")]
    with open_store(path) as store:
        import_paths(store, months)
        report = build.index(store)
    assert report.rebuilt and report.papers > 3000
    return path
