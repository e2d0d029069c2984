"""Author names (issue 13: trigram matching for author names), on both engines: every name
counted as the papers hold it, counts kept by new versions and upgrades, names typed with a
slip answered with the names the 2021 data holds, Python's measure equal to pg_trgm's, and
the command, the API, search and profiles that use them."""

from __future__ import annotations

import json
import random
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from live_web import Live, serving
from old_schema import downgrade
from postgres_server import PostgresServer
from typer.testing import CliRunner

from paperboy.cli import app
from paperboy.importer import import_paths
from paperboy.search import search
from paperboy.store import Location, Store, open_store
from paperboy.store.author_names import likeness, name_key, trigrams

# Names typed with a slip, and the name of the 2021 data each must find first.
SLIPS = [
    ("Kaming He", "Kaiming He"),
    ("Geoffrey Hintn", "Geoffrey Hinton"),
    ("girshik", "Ross Girshick"),
    ("Jitendra Malk", "Jitendra Malik"),
    ("Luc van Gol", "Luc Van Gool"),
    ("Xiaogang Wnag", "Xiaogang Wang"),
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(indexed_2021: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    """The 2021 data as `import` leaves it, in each engine."""
    if request.param == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres")
        s = open_store(server.database(template=request.getfixturevalue("postgres_2021")))
    else:
        s = open_store(indexed_2021)
    yield s
    s.close()


def _counted(store: Store) -> Counter[str]:
    """Papers per name, from the papers themselves."""
    return Counter(name for p in store.papers() for name in set(p.authors))


def _table(store: Store) -> dict[str, int]:
    rows = store.table_rows("author_names", ["name", "papers"], [], None, None)
    return {name: int(papers) for name, papers in rows if papers}


def test_every_name_is_counted_as_the_papers_hold_it(store: Store) -> None:
    counted = _counted(store)
    assert len(counted) > 30_000  # 2021's cs.CV: tens of thousands of names
    assert _table(store) == dict(counted)
    assert store.author_papers("Luc Van Gool") == counted["Luc Van Gool"] + counted["Luc van Gool"]
    assert store.author_papers("LUC VAN GOOL") == store.author_papers("luc van gool")


@pytest.mark.parametrize(("typed", "meant"), SLIPS)
def test_a_name_typed_with_a_slip_finds_the_name(store: Store, typed: str, meant: str) -> None:
    counted = _counted(store)
    assert counted[meant] > 0  # the data holds that name
    found = store.similar_authors(typed, 5)
    assert found[0].name == meant, found
    assert found[0].papers == counted[meant]
    assert [a.similarity for a in found] == sorted((a.similarity for a in found), reverse=True)


def test_the_name_as_spelled_comes_first_with_its_other_spellings(store: Store) -> None:
    counted = _counted(store)
    found = store.similar_authors("Matthias Niessner", 3)
    assert {a.name for a in found[:2]} == {"Matthias Nießner", "Matthias Niessner"}
    assert found[0].similarity == found[1].similarity == 1.0  # ß is ss
    assert found[0].papers == max(counted["Matthias Nießner"], counted["Matthias Niessner"])


@pytest.mark.parametrize("typed", ["", "   ", "的", "qqqq zzzz", "\x00", "😀"])
def test_a_name_like_none_here_finds_nothing(store: Store, typed: str) -> None:
    assert store.similar_authors(typed, 5) == []


def test_a_new_version_moves_the_counts(location: Location, data_2021: Path) -> None:
    from paperboy.formats import collector

    paper = collector.read_file(data_2021 / "cs.CV/2021/12/20211231.md").papers[0]
    first = replace(paper, authors=["Ada Lovelace", "Alan Turing"])
    second = replace(paper, version=paper.version + 1, authors=["Ada Lovelace", "Grace Hopper"])
    with open_store(location) as s:
        s.upsert([first], "t")
        assert (s.author_papers("Alan Turing"), s.author_papers("Grace Hopper")) == (1, 0)
        s.upsert([second], "t")
        assert s.author_papers("Ada Lovelace") == 1
        assert (s.author_papers("Alan Turing"), s.author_papers("Grace Hopper")) == (0, 1)
        assert [a.name for a in s.similar_authors("Alan Turing")] == []  # on no paper now
        assert [a.name for a in s.similar_authors("Grace Hoper")] == ["Grace Hopper"]


def test_a_store_from_before_author_names_counts_them_on_upgrade(
    tmp_path: Path, data_2021: Path
) -> None:
    db = tmp_path / "old.sqlite3"
    with open_store(db) as s:
        import_paths(s, [data_2021 / "cs.CV/2021/12"])
        before = _table(s)
        most = max(before, key=lambda n: (before[n], n))
    conn = sqlite3.connect(db)
    downgrade(conn, 11)
    conn.commit()
    assert (
        conn.execute("SELECT name FROM sqlite_master WHERE name = 'author_names'").fetchall() == []
    )
    conn.close()
    with open_store(db) as s:
        assert _table(s) == before and len(before) > 1000
        assert s.similar_authors(most)[0].name == most


def test_python_measures_names_as_pg_trgm_does(
    indexed_2021: Path, postgres: PostgresServer
) -> None:
    """The measure SQLite's answers use is pg_trgm's own, checked against the server on
    names of the 2021 data and slips of them."""
    with open_store(indexed_2021) as s:
        names = sorted(_counted(s))
    rng = random.Random(13)
    sample = rng.sample(names, 300)
    slips = [n[:k] + n[k + 1 :] for n in rng.sample(names, 40) for k in [len(n) // 2]]
    with psycopg.connect(postgres.database(), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for key in [name_key(n) for n in sample]:
            got = conn.execute("SELECT show_trgm(%s)", (key,)).fetchone()
            assert got is not None and set(got[0]) == trigrams(key), key
        for asked in [name_key(n) for n in [*slips, "he", "li wei", "van gool"]]:
            pairs = [(asked, name_key(n)) for n in sample]
            rows = conn.execute(
                "SELECT strict_word_similarity(a, b) FROM unnest(%s::text[], %s::text[]) AS "
                "u(a, b)",
                ([a for a, _ in pairs], [b for _, b in pairs]),
            ).fetchall()
            for (a, b), (theirs,) in zip(pairs, rows, strict=True):
                assert likeness(trigrams(a), b) == pytest.approx(theirs, abs=1e-6), (a, b)


def test_a_search_for_a_name_no_paper_is_by_offers_the_names_like_it(store: Store) -> None:
    counted = _counted(store)
    result = search(store, 'au:"Kaming He"')
    assert result.hits == []
    assert f"Kaiming He ({counted['Kaiming He']} papers)" in " ".join(result.all_notes)
    # Papers are by that name: nothing matched for the other words, and no name is offered.
    other = search(store, 'au:"Kaiming He" chromodynamics')
    assert other.hits == [] and not any("Names like it" in n for n in other.all_notes)
    excluded = search(store, 'segmentation -au:"Kaming He"')
    assert not any("Names like it" in n for n in excluded.all_notes)


def test_the_authors_command(indexed_2021: Path) -> None:
    runner, db = CliRunner(), str(indexed_2021)
    done = runner.invoke(app, ["authors", "Jitendra Malk", "--limit", "3", "--db", db])
    assert done.exit_code == 0, done.output
    first = done.output.splitlines()[0].split()
    assert first[:2] == ["Jitendra", "Malik"] and first[-1] == "0.71"
    as_json = runner.invoke(app, ["authors", "girshik", "--json", "--db", db])
    rows = json.loads(as_json.output)
    assert rows[0]["name"] == "Ross Girshick" and set(rows[0]) == {"name", "papers", "similarity"}
    missing = runner.invoke(app, ["authors", "qqqq", "--db", db])
    assert missing.exit_code == 1
    assert "no author name here is like 'qqqq'" in missing.output
    assert "Traceback" not in missing.output


def test_the_authors_api(indexed_2021: Path) -> None:
    with serving(indexed_2021) as url:
        live = Live(url, indexed_2021)
        got = live.get("/api/authors", name="Geoffrey Hintn", limit="2")
        assert got.status_code == 200, got.text
        assert [a["name"] for a in got.json()][:1] == ["Geoffrey Hinton"]
        assert len(got.json()) == 2
        assert live.get("/api/authors", name="").status_code == 422


def test_following_a_name_no_paper_is_by_says_so(tmp_path: Path, data_2021: Path) -> None:
    db = tmp_path / "p.sqlite3"
    with open_store(db) as s:
        import_paths(s, [data_2021])
    done = CliRunner().invoke(
        app,
        ["profile", "add", "me", "--author", "Kaming He", "--author", "Luc Van Gool",
         "--db", str(db)],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    unseen = [line for line in lines if "no paper here is by" in line]
    assert len(unseen) == 1 and "'Kaming He'" in unseen[0] and "Kaiming He (" in unseen[0]
