"""FTS5's bm25 computed from the text of a few matches (`store.sqlite_bm25`): the same
tokens as FTS5's tokenizer on real papers, and the same papers, order, scores and counts as
FTS5's own bm25 for every kind of query the search builds."""

from __future__ import annotations

import json
import random
import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from paperboy.record import Paper
from paperboy.search.query import parse
from paperboy.store import Store, fts, open_store, sqlite_bm25
from paperboy.store.fts import Filters
from paperboy.store.sqlite import SQLiteStore
from paperboy.store.sqlite_fts import SQLiteText

COLUMNS = ("title", "authors", "abstract", "comment")


@pytest.fixture(scope="module")
def store(indexed_2021: Path) -> Iterator[Store]:
    with open_store(indexed_2021) as s:
        yield s


@pytest.fixture(scope="module")
def papers(store: Store) -> list[Paper]:
    return list(store.papers())


def test_tokens_are_fts5s_on_every_token_of_the_2021_papers(papers: list[Paper]) -> None:
    """FTS5 itself tokenizes every paper's columns (fts5vocab's instance table gives each
    token as indexed, at each position); `tokens` must give the same, token for token."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE t USING fts5 (title, authors, abstract, comment, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance')")
    rows = [
        (i, p.title, json.dumps(p.authors, ensure_ascii=False), p.abstract, p.comment)
        for i, p in enumerate(papers, 1)
    ]
    db.executemany(
        "INSERT INTO t (rowid, title, authors, abstract, comment) VALUES (?, ?, ?, ?, ?)", rows
    )
    theirs: dict[tuple[int, str], list[str]] = {}
    for term, doc, column, _ in db.execute(
        "SELECT term, doc, col, offset FROM v ORDER BY doc, col, offset"
    ):
        theirs.setdefault((doc, column), []).append(term)
    ours = {
        (row[0], column): sqlite_bm25.tokens(text)
        for row in rows
        for column, text in zip(COLUMNS, row[1:], strict=True)
        if text and sqlite_bm25.tokens(text)
    }
    assert sum(len(t) for t in theirs.values()) > 3_000_000  # every token of the data
    assert sum(not row[2].isascii() for row in rows) > 1000  # names with accents among them
    assert ours == theirs


def queries(papers: list[Paper]) -> list[tuple[str, str | None, date | None]]:
    """What people type, from the data: titles, words of titles, fields, phrases,
    prefixes, exclusions, categories and days."""
    rng = random.Random(3)
    out: list[tuple[str, str | None, date | None]] = []
    for paper in rng.sample(papers, 120):
        words = re.findall(r"[A-Za-z]{4,}", paper.title)
        if len(words) < 3:
            continue
        out += [
            (paper.title, None, None),
            (" ".join(rng.sample(words, 2)), None, None),
            (f"{words[0]} {words[1]} -{words[2]}", None, None),
            (f"ti:{words[0]} abs:{words[-1]}", None, None),
            (f'"{words[0]} {words[1]}"', None, None),
            (f"{words[0][:4]}* {words[-1]}", None, None),
            (f"{words[1]} {words[2]}", "cs.RO", None),
            (f"{words[0]} au:{paper.authors[0].split()[-1]}", None, date(2021, 7, 1)),
            (f"{words[0]} OR {words[1]}", None, None),
        ]
    return out


def test_the_same_papers_order_scores_and_counts_as_fts5s_bm25(
    store: Store, papers: list[Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the 2021 archive's size FTS5 ranks every query itself; with the thresholds
    lowered to that size, the queries are ranked here instead, and must come out as FTS5
    ranks them (FTS5 is the reference, run with the computation here turned off)."""
    assert isinstance(store, SQLiteStore)
    checked = 0
    for text, category, start in queries(papers):
        query = parse(text, category, start)
        assert query.match is not None, text
        monkeypatch.setattr(sqlite_bm25, "MAX_ROWS", 0)  # FTS5 alone
        reference = [
            fts.search(store, query.match, query.filters, 20, offset) for offset in (0, 20)
        ]
        monkeypatch.setattr(sqlite_bm25, "COMMON", 300)
        monkeypatch.setattr(sqlite_bm25, "MAX_ROWS", 10**6)
        monkeypatch.setattr(sqlite_bm25, "ENTRIES_PER_ROW", 1)
        conjunction = sqlite_bm25.conjunction(query.match)
        if conjunction is None:  # every kind above is one, but phrases beyond ASCII
            assert not query.match.isascii(), query.match
            continue
        taken = sqlite_bm25.plan(store.sqlite, conjunction, SQLiteText(store).counts) is not None
        checked += taken
        for offset, (want, total) in zip((0, 20), reference, strict=True):
            got, got_total = fts.search(store, query.match, query.filters, 20, offset)
            assert [r.arxiv_id for r in got] == [r.arxiv_id for r in want], text
            assert got_total == total, text
            for a, b in zip(got, want, strict=True):
                assert a.score == pytest.approx(b.score, rel=1e-9), text
    # Near half went this way: those with a word in under 300 papers and one in more.
    assert checked > 400


def test_phrase_counts_follow_the_store(
    indexed_2021: Path, tmp_path: Path, papers: list[Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Papers added after a query was ranked change its words' counts: the next ranking
    uses the new counts, as FTS5's own does."""
    db = tmp_path / "copy.sqlite3"
    shutil.copy(indexed_2021, db)
    monkeypatch.setattr(sqlite_bm25, "COMMON", 300)
    monkeypatch.setattr(sqlite_bm25, "ENTRIES_PER_ROW", 1)
    text = "camouflaged object detection"
    with open_store(db) as s:
        query = parse(text)
        assert query.match is not None
        before, _ = fts.search(s, query.match, query.filters, 10)
        # 200 papers about object detection, none camouflaged: "object" and "detection"
        # are held by more papers, so their idf falls.
        base = next(
            p for p in papers
            if "object detection" in p.abstract.lower() and "camouflag" not in p.abstract.lower()
        )  # fmt: skip
        s.upsert([replace(base, arxiv_id=f"2112.{90000 + i:05d}") for i in range(200)], "test")
        after, _ = fts.search(s, query.match, query.filters, 10)
        monkeypatch.setattr(sqlite_bm25, "MAX_ROWS", 0)
        reference, _ = fts.search(s, query.match, query.filters, 10)
    assert [r.score for r in after] == pytest.approx([r.score for r in reference], rel=1e-9)
    assert [r.score for r in after] != pytest.approx([r.score for r in before], rel=1e-9)


@pytest.mark.parametrize(
    "match",
    [
        '"a" NEAR "b"',  # NEAR groups
        '("a" AND "b") OR "c"',  # alternatives between conjunctions
        '"a" AND (categories : "\ue000cs\ue000cv")',  # a category token
        '"caf\u00e9"',  # a phrase folded by FTS5's own tables
        '"a" AND',  # not an expression at all
        '"a" NOT ("b" AND "c")',
    ],
)
def test_anything_but_a_conjunction_is_left_to_fts5(match: str) -> None:
    assert sqlite_bm25.conjunction(match) is None


def test_exclusions_and_alternatives_are_read_as_fts5_reads_them() -> None:
    query = sqlite_bm25.conjunction('("a") AND ("b" OR title : "c d" *) NOT (("e") OR ("f"))')
    assert query is not None
    assert [[p.words for p in g] for g in query.groups] == [[("a",)], [("b",), ("c", "d")]]
    assert [p.text for p in query.groups[1]] == ['"b"', 'title : "c d" *']
    assert [p.words for p in query.excluded] == [("e",), ("f",)]


def test_filters_apply_to_the_papers_ranked_here(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_bm25, "COMMON", 300)
    monkeypatch.setattr(sqlite_bm25, "ENTRIES_PER_ROW", 1)
    filters = Filters((("cs.RO",),), (), date(2021, 6, 1), date(2021, 8, 31))
    found, total = fts.search(store, '("grasping") AND ("robot")', filters, 50)
    assert found and total == len(found)
    for r in found:
        paper = store.get(r.arxiv_id)
        assert paper is not None and "cs.RO" in paper.categories
        assert date(2021, 6, 1) <= paper.submitted_day <= date(2021, 8, 31)
