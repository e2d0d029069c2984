"""Stores of the 2021 data for the vector tests: imported once, indexed once, copied by the
tests that change them."""

from __future__ import annotations

from pathlib import Path

import pytest
from vector_stores import copy_store

from paperboy.importer import import_paths
from paperboy.store import open_store
from paperboy.vectors import build


@pytest.fixture(scope="session")
def plain_2021(tmp_path_factory: pytest.TempPathFactory, data_2021: Path) -> Path:
    """The 2021 data in a store, without an index."""
    path = tmp_path_factory.mktemp("vectors") / "plain.db"
    with open_store(path) as store:
        import_paths(store, [data_2021])
    return path


@pytest.fixture(scope="session")
def indexed_2021(tmp_path_factory: pytest.TempPathFactory, plain_2021: Path) -> Path:
    """The 2021 data in a store, indexed by `paperboy index`'s library call."""
    path = tmp_path_factory.mktemp("vectors") / "indexed.db"
    copy_store(plain_2021, path)
    with open_store(path) as store:
        report = build.index(store)
    assert report.rebuilt and report.papers == 14868
    return path
