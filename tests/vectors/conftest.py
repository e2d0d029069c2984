"""Stores of the 2021 data for the vector tests: imported once, indexed once, copied by the
tests that change them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

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
    _copy(plain_2021, path)
    with open_store(path) as store:
        report = build.index(store)
    assert report.rebuilt and report.papers == 14868
    return path


CopyStore = Callable[[Path, Path], Path]


def _copy(source: Path, target: Path) -> Path:
    """A copy of a closed store (and any WAL beside it) that a test may change."""
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")
    return target


@pytest.fixture(scope="session")
def copy_store() -> CopyStore:
    return _copy
