"""The For you tests: three months of the 2021 data (Sep-Nov) indexed, with a profile built
from the store's own point-cloud papers, served over a real socket (tests/live_web.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from live_web import Live, serving

from paperboy.importer import import_paths
from paperboy.listings import listing_of
from paperboy.store import SQLiteStore, open_store
from paperboy.vectors import build

DAY = date(2021, 11, 23)  # a Tuesday: 138 of its cs.CV listing stored here, 8 on point clouds
TOPIC = "point cloud"


def topical(title: str) -> bool:
    return TOPIC in " ".join(title.lower().split())


def point_cloud_profile(store: SQLiteStore, name: str) -> None:
    """A profile whose library is the stored point-cloud papers, minus the test day's."""
    day_ids = {line.arxiv_id for line in listing_of(store, "cs.CV", DAY).lines}
    ids = [p.arxiv_id for p in store.papers() if topical(p.title) and p.arxiv_id not in day_ids]
    assert len(ids) > 30
    pid, created = store.profiles.ensure(name)
    assert created
    store.profiles.add_papers(pid, [(i, "test") for i in ids])


@pytest.fixture(scope="package")
def foryou_db(tmp_path_factory: pytest.TempPathFactory, data_2021: Path) -> Path:
    path = tmp_path_factory.mktemp("foryou") / "autumn.db"
    months = [data_2021 / "cs.CV" / "2021" / m for m in ("09", "10", "11")]
    with open_store(path) as store:
        import_paths(store, months)
        assert build.index(store).papers > 3000
        point_cloud_profile(store, "pc")
    return path


@pytest.fixture(scope="package")
def served(foryou_db: Path) -> Iterator[Live]:
    with serving(foryou_db) as url:
        yield Live(url, foryou_db)
