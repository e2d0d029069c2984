"""Announcement dating survives a crash between storing papers and dating them (issue 9, item 5).

The store marks every id month it changes in the transaction that changes it, and dating clears
the mark in the transaction that writes the month's days, so every later run repairs what an
interrupted one left undated.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from old_schema import downgrade
from typer.testing import CliRunner

from paperboy import listings
from paperboy.cli import app
from paperboy.importer import import_paths
from paperboy.record import id_month
from paperboy.store import open_store

DAY = date(2021, 6, 1)
SRC = Path(__file__).resolve().parents[1] / "src"


def _full_listing(db: Path) -> list[tuple[str, str]]:
    with open_store(db) as store:
        return [(line.arxiv_id, line.section) for line in listings.day_listing(store, "cs.CV", DAY)]


def _cli_listing(db: Path) -> str:
    result = CliRunner().invoke(app, ["--db", str(db), "listing", "--date", DAY.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, data_2021: Path) -> Path:
    """The truth: a store whose import ran to its end."""
    db = tmp_path_factory.mktemp("clean") / "clean.sqlite3"
    with open_store(db) as store:
        import_paths(store, [data_2021])
    return db


def test_a_finished_import_leaves_no_version_undated(clean: Path) -> None:
    with sqlite3.connect(clean) as conn:
        assert (
            conn.execute("SELECT count(*) FROM versions WHERE announced IS NULL").fetchone()[0] == 0
        )
    assert _undated_unmarked(clean) == set()


def test_clean_listing_of_1_june_2021_has_138_entries(clean: Path) -> None:
    # The figure; the day file of 31 May 2021 (after the cutoff of the 28th) and the
    # cross-lists behind it are what arXiv announced on Tuesday 1 June.
    lines = _full_listing(clean)
    assert len(lines) == 138
    assert {s for _, s in lines} >= {"new", "cross"}


def test_papers_stored_but_never_dated_are_dated_by_the_next_read(
    tmp_path: Path, data_2021: Path, clean: Path
) -> None:
    db = tmp_path / "crashed.sqlite3"
    with open_store(db) as store:
        # Exactly the crash point: the papers are committed, dating never ran.
        import_paths(store, [data_2021], date_announcements=False)
        assert store.pending_months()
    assert _cli_listing(db) == _cli_listing(clean)
    assert _full_listing(db) == _full_listing(clean)
    with open_store(db) as store:
        assert store.pending_months() == []


def test_reimport_after_a_crash_repairs_the_dates(
    tmp_path: Path, data_2021: Path, clean: Path
) -> None:
    db = tmp_path / "crashed.sqlite3"
    with open_store(db) as store:
        import_paths(store, [data_2021], date_announcements=False)
    with open_store(db) as store:
        report = import_paths(store, [data_2021])  # every paper is unchanged
        assert report.new == report.updated == 0
        assert store.announcement_counts("cs.CV") == open_store(clean).announcement_counts("cs.CV")


def test_import_killed_after_its_commit_leaves_listings_repairable(
    tmp_path: Path, data_2021: Path, clean: Path
) -> None:
    db = tmp_path / "killed.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    child = subprocess.Popen(
        [sys.executable, "-m", "paperboy", "--db", str(db), "import", str(data_2021)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while child.poll() is None and _papers(db) == 0:
            time.sleep(0.005)
        assert child.poll() is None, "the import ended before its papers could be seen"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    # The import commits in short batches, so the kill lands at any point of it: whatever it
    # left undated is marked for dating, and the next run finishes the work.
    assert _undated_unmarked(db) == set()
    rerun = CliRunner().invoke(app, ["--db", str(db), "import", str(data_2021)])
    assert rerun.exit_code == 0, rerun.output
    assert _cli_listing(db) == _cli_listing(clean)
    assert _full_listing(db) == _full_listing(clean)


def _undated_unmarked(db: Path) -> set[str]:
    """Id months holding a version with no announcement day that are not marked for dating."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT arxiv_id FROM versions WHERE announced IS NULL")
        undated = {id_month(arxiv_id) for (arxiv_id,) in rows}
        marked = {m for (m,) in conn.execute("SELECT month FROM undated_months")}
    return undated - marked


def _papers(db: Path) -> int:
    """Papers committed so far, read without writing (the child owns the store)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_a_store_from_before_the_marks_is_repaired_on_open(tmp_path: Path, clean: Path) -> None:
    db = tmp_path / "v2.sqlite3"
    with open_store(db) as store:
        store.upsert(open_store(clean).papers_in_id_range("2106.", "2106.~"), "t")
    # Make it a version 2 store that crashed before dating: no marks, no days.
    with sqlite3.connect(db) as conn:
        downgrade(conn, 2)
        conn.execute("UPDATE versions SET announced = NULL, announced_how = NULL")
    with open_store(db) as store:
        assert store.pending_months() == ["2106"]
        listings.refresh_announcements(store)
        assert store.pending_months() == []
        mid_june = date(2021, 6, 15)  # announces ids of June only
        got = [p.arxiv_id for p in store.announced_on("cs.CV", mid_june)]
        with open_store(clean) as truth:
            want = [
                p.arxiv_id for p in truth.announced_on("cs.CV", mid_june) if p.arxiv_id >= "2106."
            ]
        assert got and sorted(got) == sorted(want)


def test_versions_added_to_an_unchanged_paper_are_dated(tmp_path: Path, data_2021: Path) -> None:
    from dataclasses import replace

    from paperboy.listings import refresh_announcements
    from paperboy.record import Version

    with open_store(tmp_path / "p.db") as store:
        import_paths(store, [data_2021 / "cs.CV" / "2021" / "06"])
        paper = next(p for p in store.papers("cs.CV") if p.version >= 3)
        known = store.versions(paper.arxiv_id)
        middle = replace(known[0], number=2, submitted=paper.updated, announced=None)
        # An arXivRaw-like source adds v2 to a paper whose latest version is already stored.
        again = paper.with_changes(versions=[*known, middle])
        assert store.upsert([again], "oai:cs.CV").unchanged == [paper.arxiv_id]
        refresh_announcements(store)
        v2 = next(v for v in store.versions(paper.arxiv_id) if v.number == 2)
        assert isinstance(v2, Version) and v2.announced is not None
