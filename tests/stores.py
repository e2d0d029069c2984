"""Copies of the stores the session fixtures build once (tests/conftest.py), for tests that
write to them."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from paperboy.listings import listing_of
from paperboy.store import Store
from paperboy.store.profiles import Profile


def copy_store(db: Path, into: Path) -> Path:
    """A copy of a closed store and its vector cache (paperboy.vectors.cache.folder)."""
    copy = into / db.name
    shutil.copyfile(db, copy)
    cache = db.with_name(db.name + "-vectors")
    if cache.is_dir():
        shutil.copytree(cache, copy.with_name(copy.name + "-vectors"))
    return copy


# The autumn store's test day and topic: Tue 23 Nov 2021, 138 of its cs.CV listing stored,
# 8 of them on point clouds.
DAY = date(2021, 11, 23)
TOPIC = "point cloud"


def topical(title: str) -> bool:
    return TOPIC in " ".join(title.lower().split())


def point_cloud_profile(store: Store, name: str) -> Profile:
    """A profile whose library is the stored papers whose titles say "point cloud", minus
    those of the test day's listing."""
    day_ids = {line.arxiv_id for line in listing_of(store, "cs.CV", DAY).lines}
    ids = [p.arxiv_id for p in store.papers() if topical(p.title) and p.arxiv_id not in day_ids]
    assert len(ids) > 30
    pid, _ = store.profiles.ensure(name)
    store.profiles.add_papers(pid, [(i, "test") for i in ids])
    found = store.profiles.get(name)
    assert found is not None
    return found
