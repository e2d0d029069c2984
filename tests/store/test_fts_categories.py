"""Categories in the full-text index (schema version 10): a filtered query intersects the
words with category tokens inside the index, and finds exactly what the paper's categories
say, whatever the pattern (a subject, an archive, a prefix, a hyphenated name)."""

from __future__ import annotations

import re
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from old_schema import downgrade

from paperboy.importer import import_paths
from paperboy.record import Paper
from paperboy.store import Store, open_store
from paperboy.store.fts import Filters, count, search
from paperboy.store.sqlite import is_category

EVERY = 10**9


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, data_2021: Path) -> Path:
    path = tmp_path_factory.mktemp("fts-categories") / "store.sqlite3"
    with open_store(path) as store:
        import_paths(store, [data_2021 / "cs.CV" / "2021" / "06"])
    return path


def categories(p: Paper) -> set[str]:
    return {c for c in p.categories if is_category(c)} | {p.primary_category}


def passes(p: Paper, group: tuple[str, ...]) -> bool:
    """Truth from the paper itself: GLOB semantics for a trailing '*', else equality."""
    cats = categories(p)
    return any(
        any(c.startswith(pattern[:-1]) for c in cats) if pattern.endswith("*") else pattern in cats
        for pattern in group
    )


def found(store: Store, match: str, *groups: tuple[str, ...]) -> set[str]:
    """The ids `search` finds for `match` within all the category groups (none: the text's
    matches alone)."""
    ranked, _ = search(store, match, Filters(category_groups=groups), EVERY, candidates=EVERY)
    return {r.arxiv_id for r in ranked}


GROUPS = [
    ("cs.RO",),  # rare subject
    ("cs.CV",),  # every paper
    ("eess.IV",),
    ("stat.ML",),
    ("cs.RO", "cs.GR"),  # alternatives
    ("cs.*",),  # archive
    ("eess.*",),
    ("cs",),  # an archive as paperboy.search expands it: 'cs' and 'cs.*'
    ("cs", "cs.*"),
    ("stat*",),  # prefix of an archive name
    ("cs.C*",),  # prefix inside a subject: not narrowed by the index, still exact
    ("q-bio.NC",),
]


@pytest.mark.parametrize("group", GROUPS, ids=["|".join(g) for g in GROUPS])
def test_filtered_words_find_what_the_categories_say(db: Path, group: tuple[str, ...]) -> None:
    with open_store(db) as store:
        papers = {p.arxiv_id: p for p in store.papers()}
        for match in ('"learning"', '"robot"', 'title : "image"'):
            words = found(store, match)
            want = {a for a in words if passes(papers[a], group)}
            assert found(store, match, group) == want, (match, group)
            filters = Filters(category_groups=(group,))
            assert count(store, match, filters, EVERY) == len(want)


def test_two_groups_must_both_hold(db: Path) -> None:
    with open_store(db) as store:
        papers = {p.arxiv_id: p for p in store.papers()}
        words = found(store, '"learning"')
        want = {a for a in words if passes(papers[a], ("cs.LG",)) and passes(papers[a], ("cs.*",))}
        assert want and found(store, '"learning"', ("cs.LG",), ("cs.*",)) == want


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", text.lower()))


@pytest.mark.parametrize("word", ["cv", "ro", "cs", "lg", "eess", "iv"])
def test_typed_words_never_find_category_tokens(db: Path, word: str) -> None:
    """'cv' finds papers whose text says cv, not every cs.CV paper."""
    with open_store(db) as store:
        want = {
            p.arxiv_id
            for p in store.papers()
            if word in _tokens(" ".join([p.title, *p.authors, p.abstract, p.comment or ""]))
        }
        assert found(store, f'"{word}"') == want
        assert found(store, f'"{word}" *') >= want


def test_categories_of_a_changed_paper_follow_it(tmp_path: Path, db: Path) -> None:
    """The primary category counts even when the list leaves it out; hyphenated names and
    their prefixes are found; a new version's categories replace the old ones in the index."""
    with open_store(db) as source:
        paper = next(p for p in source.papers() if "learning" in p.title.lower())
    with open_store(tmp_path / "one.sqlite3") as store:
        odd = replace(paper, primary_category="cs.GR", categories=["q-bio.NC", "hep-th"])
        store.upsert([odd], "test")
        for group in [("cs.GR",), ("q-bio.NC",), ("q-bio.*",), ("hep-th",), ("hep*",), ("q*",)]:
            assert found(store, '"learning"', group) == {paper.arxiv_id}, group
        assert found(store, '"learning"', ("cs.CV",)) == set()
        newer = replace(odd, version=odd.version + 1, primary_category="cs.RO", categories=[])
        store.upsert([newer], "test")
        assert found(store, '"learning"', ("cs.RO",)) == {paper.arxiv_id}
        for gone in [("cs.GR",), ("q-bio.NC",), ("hep*",)]:
            assert found(store, '"learning"', gone) == set(), gone


def test_an_older_store_gets_category_tokens_on_open(
    tmp_path: Path, db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = tmp_path / "v9.sqlite3"
    shutil.copyfile(db, old)
    with sqlite3.connect(old) as conn:
        downgrade(conn, 9)
        columns = [row[1] for row in conn.execute("PRAGMA table_xinfo(papers_fts)")]
        assert "categories" not in columns
    with open_store(old) as upgraded, open_store(db) as fresh:
        # The rebuild is announced (minutes at millions of papers), once.
        said = [r.getMessage() for r in caplog.records if "full-text index" in r.getMessage()]
        assert len(said) == 1 and str(old) in said[0] and f"({upgraded.count()} papers)" in said[0]
        for group in [("cs.RO",), ("eess.*",)]:
            got = found(upgraded, '"learning"', group)
            assert got and got == found(fresh, '"learning"', group)
