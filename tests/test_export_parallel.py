"""A large collector export is written by two processes: the files are those one process
writes, byte for byte, and every day is written once."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from paperboy import export
from paperboy.importer import import_paths
from paperboy.store import open_store


def test_two_processes_write_what_one_writes(
    tmp_path: Path, data_2021: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(tmp_path / "p.db") as store:
        import_paths(store, [data_2021])
        total = store.count()
        assert total > export.PARALLEL_PAPERS  # the two-process path is the one taken
        two = export.write_collector_archive(store, tmp_path / "two", "cs.CV")
        monkeypatch.setattr(export, "PARALLEL_PAPERS", total)
        one = export.write_collector_archive(store, tmp_path / "one", "cs.CV")
    assert two == one and one.papers == total
    days = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*.md"))
    assert days == sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*.md"))
    assert len(days) == one.files + 1  # and calendar.md
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "one", tmp_path / "two", days, False)
    assert (mismatch, errors) == ([], [])
    for rel in days:  # and both are the source files themselves
        if rel.name != "calendar.md":
            assert (tmp_path / "two" / rel).read_bytes() == (data_2021 / rel).read_bytes()
