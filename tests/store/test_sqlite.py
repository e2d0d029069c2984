"""The store on real SQLite files: upserts, versions, FTS in step, schema versions."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from paperboy.formats import collector
from paperboy.record import Paper
from paperboy.store import open_store
from paperboy.store.schema import SCHEMA_VERSION, SchemaError


def _paper(data_2021: Path) -> Paper:
    return collector.read_file(data_2021 / "cs.CV/2021/12/20211231.md").papers[0]


def _fts(db: Path, query: str) -> list[str]:
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT p.arxiv_id FROM papers_fts JOIN papers p ON p.rowid = papers_fts.rowid "
        "WHERE papers_fts MATCH ?",
        (query,),
    ).fetchall()
    conn.close()
    return [r[0] for r in rows]


def test_later_version_replaces_and_both_versions_are_remembered(
    tmp_path: Path, data_2021: Path
) -> None:
    db = tmp_path / "p.db"
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
    assert _fts(db, "zyzzogeton") == [v1.arxiv_id]
    old_word = v1.title.split()[-1].strip(":,.")
    assert v1.arxiv_id not in _fts(db, f'title:"{old_word}"')  # the old title left the index


def test_clean_text_is_never_replaced_by_its_mojibake(tmp_path: Path, data_2021: Path) -> None:
    clean = _paper(data_2021).with_changes(authors=["Vladimir Risojević", "Gül Varol"])
    broken = clean.with_changes(authors=["Vladimir RisojeviÄ", "GÃ¼l Varol"])
    with open_store(tmp_path / "p.db") as store:
        store.upsert([clean], "t")
        result = store.upsert([broken], "t")
        assert result.kept_clean == [clean.arxiv_id] and result.unchanged == [clean.arxiv_id]
        got = store.get(clean.arxiv_id)
        assert got is not None and got.authors == clean.authors
        store.upsert([clean.with_changes(authors=["Someone Else", "Gül Varol"])], "t")
        got = store.get(clean.arxiv_id)
        assert got is not None and got.authors[0] == "Someone Else"  # a real change goes in


def test_a_failed_transaction_leaves_nothing(tmp_path: Path, data_2021: Path) -> None:
    papers = collector.read_file(data_2021 / "cs.CV/2021/12/20211231.md").papers
    with open_store(tmp_path / "p.db") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.upsert(papers, "t")
            raise RuntimeError("crash halfway")
        assert store.count() == 0
        assert _fts(tmp_path / "p.db", "image") == []


def test_category_index_and_day_counts(tmp_path: Path, data_2021: Path) -> None:
    papers = collector.read_file(data_2021 / "cs.CV/2021/12/20211231.md").papers
    with open_store(tmp_path / "p.db") as store:
        store.upsert(papers, "t")
        counts = store.day_counts("cs.CV")
        assert sum(counts.values()) == len(papers)
        lg = [p.arxiv_id for p in papers if "cs.LG" in p.categories]
        assert [p.arxiv_id for p in store.papers(category="cs.LG")] == lg
        assert [p.arxiv_id for p in store.papers()] == [p.arxiv_id for p in papers]


def test_schema_is_versioned(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    open_store(db).close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaError, match="newer than this paperboy"):
        open_store(db)


def test_a_day_range_of_a_category_holds_that_range_only(tmp_path: Path, data_2021: Path) -> None:
    with open_store(tmp_path / "p.db") as store:
        for name in ("20211229.md", "20211230.md", "20211231.md"):
            store.upsert(collector.read_file(data_2021 / "cs.CV/2021/12" / name).papers, "t")
        middle = date(2021, 12, 30)
        got = list(store.papers(category="cs.CV", start=middle, end=middle))
        assert got and {p.submitted_day for p in got} == {middle}
        assert len(got) == store.day_counts("cs.CV")[middle]
