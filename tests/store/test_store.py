"""The store's interface, on both engines (a real SQLite file, a real PostgreSQL database):
upserts, versions, the full-text index in step, transactions, schema versions."""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest
from postgres_server import PostgresServer

from paperboy.formats import collector
from paperboy.record import Paper
from paperboy.store import (
    ListingEntry,
    Location,
    LockedError,
    SQLiteStore,
    Store,
    StoreBusyError,
    fts,
    open_store,
)
from paperboy.store import postgres_schema as pg_schema
from paperboy.store.postgres import PostgresStore
from paperboy.store.schema import SCHEMA_VERSION, SchemaError


def _paper(data_2021: Path) -> Paper:
    return collector.read_file(data_2021 / "cs.CV/2021/12/20211231.md").papers[0]


def _fts(where: Location, query: str) -> list[str]:
    """What the store's full-text index finds, read by a connection of its own."""
    with open_store(where) as store:
        ranked, _ = fts.search(store, query, fts.Filters(), 1000, order="newest")
    return [r.arxiv_id for r in ranked]


def test_later_version_replaces_and_both_versions_are_remembered(
    location: Location, data_2021: Path
) -> None:
    db = location
    v1 = _paper(data_2021)
    later = datetime(2022, 2, 1, 12, 0, tzinfo=UTC)
    v2 = v1.with_changes(version=2, updated=later, title="Zyzzogeton Title For Version Two")
    with open_store(db) as store:
        assert store.upsert([v1], "t").new == [v1.arxiv_id]
        assert store.upsert([v2], "t").updated == [v1.arxiv_id]
        assert store.upsert([v1], "t").unchanged == [v1.arxiv_id]  # an older version never wins
        got = store.get(v1.arxiv_id)
        assert got is not None and got.version == 2 and got.title == v2.title
        assert [(v.number, v.submitted) for v in store.versions(v1.arxiv_id)] == [
            (1, v1.published),
            (2, later),
        ]
    assert _fts(db, '"zyzzogeton"') == [v1.arxiv_id]
    old_word = v1.title.split()[-1].strip(":,.")
    assert v1.arxiv_id not in _fts(db, f'title:"{old_word}"')  # the old title left the index


def test_clean_text_is_never_replaced_by_its_mojibake(location: Location, data_2021: Path) -> None:
    clean = _paper(data_2021).with_changes(authors=["Vladimir Risojević", "Gül Varol"])
    broken = clean.with_changes(authors=["Vladimir RisojeviÄ", "GÃ¼l Varol"])
    with open_store(location) as store:
        store.upsert([clean], "t")
        result = store.upsert([broken], "t")
        assert result.kept_clean == [clean.arxiv_id] and result.unchanged == [clean.arxiv_id]
        got = store.get(clean.arxiv_id)
        assert got is not None and got.authors == clean.authors
        store.upsert([clean.with_changes(authors=["Someone Else", "Gül Varol"])], "t")
        got = store.get(clean.arxiv_id)
        assert got is not None and got.authors[0] == "Someone Else"  # a real change goes in


def test_a_failed_transaction_leaves_nothing(location: Location, data_2021: Path) -> None:
    papers = collector.read_file(data_2021 / "cs.CV/2021/12/20211231.md").papers
    with open_store(location) as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.upsert(papers, "t")
            raise RuntimeError("crash halfway")
        assert store.count() == 0
        assert _fts(location, '"image"') == []


def test_category_index_and_day_counts(location: Location, data_2021: Path) -> None:
    papers = collector.read_file(data_2021 / "cs.CV/2021/12/20211231.md").papers
    with open_store(location) as store:
        store.upsert(papers, "t")
        counts = store.day_counts("cs.CV")
        assert sum(counts.values()) == len(papers)
        lg = [p.arxiv_id for p in papers if "cs.LG" in p.categories]
        assert [p.arxiv_id for p in store.papers(category="cs.LG")] == lg
        assert [p.arxiv_id for p in store.papers()] == [p.arxiv_id for p in papers]


def test_sqlite_schema_is_versioned(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    open_store(db).close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaError, match="newer than this paperboy"):
        open_store(db)


def test_a_day_range_of_a_category_holds_that_range_only(
    location: Location, data_2021: Path
) -> None:
    with open_store(location) as store:
        for name in ("20211229.md", "20211230.md", "20211231.md"):
            store.upsert(collector.read_file(data_2021 / "cs.CV/2021/12" / name).papers, "t")
        middle = date(2021, 12, 30)
        got = list(store.papers(category="cs.CV", start=middle, end=middle))
        assert got and {p.submitted_day for p in got} == {middle}
        assert len(got) == store.day_counts("cs.CV")[middle]


def test_postgresql_schema_is_versioned(postgres: PostgresServer) -> None:
    url = postgres.database()
    open_store(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT version FROM paperboy_schema").fetchone()
        assert row == (pg_schema.SCHEMA_VERSION,)
        conn.execute("UPDATE paperboy_schema SET version = version + 1")
    with pytest.raises(SchemaError, match="newer than this paperboy"):
        open_store(url)


def test_listings_state_and_windows_read_back(location: Location) -> None:
    entries = [
        ListingEntry("2112.15283", "new", "A title", "An abstract", 1),
        ListingEntry("2112.00001", "cross"),
        ListingEntry("2111.00002", "replace", version=3),
    ]
    day = date(2021, 12, 31)
    with open_store(location) as store:
        store.put_listing("cs.CV", day, entries, "rss")
        store.put_listing("cs.CV", day, entries[::-1], "rss")  # replaced, in the new order
        store.complete_window("api", "cs.CV", "2021-12-01", "2021-12-31", 30)
        store.complete_window("api", "cs.CV", "2021-12-01", "2021-12-31", 31)
        store.set_state("cursor", "abc%?'")  # placeholders' characters are only text
        store.mark_deleted(["2101.00001"], "oai")
        assert store.listing("cs.CV", day) == entries[::-1]
        assert store.listing_days("cs.CV") == [day]
        assert store.completed_windows("api", "cs.CV") == [("2021-12-01", "2021-12-31", 31)]
        assert store.get_state("cursor") == "abc%?'"
        store.set_state("cursor", None)
        assert store.get_state("cursor") is None
        assert store.deleted_ids() == {"2101.00001": "oai"}
        assert store.pending_months() == ["2111", "2112"]


def test_the_writer_lock_refuses_a_second_writer(location: Location) -> None:
    with open_store(location) as first, open_store(location) as second:
        with first.writer(), pytest.raises(LockedError, match="holds the lock"), second.writer():
            pass
        with second.writer():  # released
            pass


def test_data_version_moves_when_another_connection_commits(
    location: Location, engine: str, data_2021: Path
) -> None:
    papers = collector.read_file(data_2021 / "cs.CV/2021/12/20211231.md").papers
    with open_store(location) as watcher, open_store(location) as writer:
        before = watcher.data_version()
        if engine == "sqlite":  # PostgreSQL's WAL also moves with the server's own work
            assert watcher.data_version() == before  # nothing written: it stays
        writer.upsert(papers[:3], "t")
        assert watcher.data_version() != before
        # A transaction seen while it writes is seen again once it has committed: a page
        # rendered in between from the old data is not kept.
        with writer.transaction():
            writer.upsert(papers[3:6], "t")
            during = watcher.data_version()
        assert watcher.data_version() != during


def _with_wait(location: Location, seconds: float) -> Store:
    """The store with a shorter wait for the write lock than paperboy's own."""
    if isinstance(location, Path):
        return SQLiteStore(location, lock_wait=seconds)
    return PostgresStore(location, lock_wait=seconds)


def test_a_writer_waits_for_the_lock_then_gives_up_writing_nothing(
    location: Location, caplog: pytest.LogCaptureFixture
) -> None:
    with open_store(location) as holder, _with_wait(location, 3.0) as late:
        with holder.transaction():
            holder.set_state("holder", "busy")
            began = time.monotonic()
            busy = pytest.raises(StoreBusyError, match=r"held the write lock for over 3 s")
            with caplog.at_level(logging.WARNING), busy, late.transaction():
                late.set_state("late", "yes")
            assert 2.9 < time.monotonic() - began < 6
        assert "waiting for the write lock on" in caplog.text
        assert late.get_state("late") is None and late.get_state("holder") == "busy"
        with late.transaction():  # the holder is done: the lock is free at once
            late.set_state("late", "yes")
        assert holder.get_state("late") == "yes"


@pytest.mark.parametrize("match", ['title : ("unclosed"', '"a" AND', 'nosuchcolumn : "x"'])
def test_an_expression_the_index_cannot_run_is_a_query_error(
    location: Location, match: str
) -> None:
    with open_store(location) as store, pytest.raises(fts.QueryError):
        fts.search(store, match, fts.Filters(), 10)
