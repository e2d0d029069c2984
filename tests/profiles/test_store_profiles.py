"""The profile tables on both engines (real SQLite files, real PostgreSQL databases): add,
remove, read back; cascades; marks; one transaction for a whole add; an older SQLite store
upgraded."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import psycopg
import pytest
from old_schema import downgrade
from postgres_server import PostgresServer
from profiles.conftest import DATA

from paperboy.profiles import build
from paperboy.store import Location, open_store
from paperboy.store.profiles import Keyword
from paperboy.store.schema import MIGRATIONS


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest) -> Location:
    """A fresh store of the 362 papers in each engine: every test here runs on both."""
    if request.param == "sqlite":
        copied: Path = request.getfixturevalue("db")
        return copied
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.database(template=request.getfixturevalue("postgres_template"))


def _rows(db: Location, table: str) -> int:
    with open_store(db) as store:
        return store.table_count(table)


_OWNED = ("profile_papers", "profile_authors", "profile_keywords", "profile_categories")


def test_each_part_is_added_listed_and_removed(db: Location) -> None:
    with open_store(db) as store:
        t = store.profiles
        pid, created = t.ensure("ana")
        assert created and t.ensure("ana") == (pid, False) and t.ensure("ANA") == (pid, False)
        assert t.add_papers(pid, [("2103.14030", "ids:a"), ("2010.11929", "ids:a")]) == [
            "2103.14030",
            "2010.11929",
        ]
        assert t.add_papers(pid, [("2103.14030", "bib:b")]) == []  # kept with its first origin
        assert t.add_authors(pid, ["Ze Liu", "ze liu", "Han Hu"]) == ["Ze Liu", "Han Hu"]
        t.set_keywords(pid, [Keyword("point cloud", 2.0), Keyword("medical", -1.0)])
        t.set_keywords(pid, [Keyword("Point Cloud", 0.5)])  # same term: the new weight
        assert t.add_categories(pid, ["cs.CV", "cs.CV", "eess.IV"]) == ["cs.CV", "eess.IV"]
        profile = t.get("ana")
        assert profile is not None
        assert sorted(profile.library_ids) == ["2010.11929", "2103.14030"]
        assert {p.arxiv_id: p.origin for p in profile.library}["2103.14030"] == "ids:a"
        assert profile.authors == ("Han Hu", "Ze Liu")
        assert [(k.term, k.weight) for k in profile.keywords] == [
            ("medical", -1.0),
            ("point cloud", 0.5),
        ]
        assert profile.categories == ("cs.CV", "eess.IV")
        assert t.remove_papers(pid, ["2010.11929", "9999.99999"]) == 1
        assert t.remove_authors(pid, ["han hu"]) == 1
        assert t.remove_keywords(pid, ["medical"]) == 1
        assert t.remove_categories(pid, ["eess.IV"]) == 1
        after = t.get("ana")
        assert after is not None
        assert after.library_ids == ["2103.14030"] and after.authors == ("Ze Liu",)
        assert [k.term for k in after.keywords] == ["point cloud"]
        assert after.categories == ("cs.CV",)
        assert t.get("bob") is None


def test_saving_adds_to_the_library_and_hiding_takes_only_a_saved_paper_out(db: Location) -> None:
    with open_store(db) as store:
        t = store.profiles
        pid, _ = t.ensure("ana")
        t.add_papers(pid, [("2103.14030", "bib:x")])
        t.mark(pid, "2103.15358", "saved")
        t.mark(pid, "2103.14030", "hidden")  # in the library from a file: stays there
        profile = t.get("ana")
        assert profile is not None
        assert profile.saved == {"2103.15358"} and profile.hidden == {"2103.14030"}
        assert sorted(profile.library_ids) == ["2103.14030", "2103.15358"]
        t.mark(pid, "2103.15358", "hidden")  # changed its mind: one mark a paper
        profile = t.get("ana")
        assert profile is not None
        assert profile.saved == set() and profile.hidden == {"2103.14030", "2103.15358"}
        assert profile.library_ids == ["2103.14030"]
        assert t.unmark(pid, "2103.15358") and not t.unmark(pid, "2103.15358")
        with pytest.raises(ValueError, match="saved, hidden"):
            t.mark(pid, "2103.15358", "liked")  # type: ignore[arg-type]


def test_removing_a_profile_removes_all_it_owns_and_nothing_of_another(db: Location) -> None:
    with open_store(db) as store:
        for name in ("ana", "ben"):
            build.add(
                store, name, ids_files=[DATA / "ids.txt"], authors=["Ze Liu"],
                keywords=["transformer:2"], categories=["cs.CV"],
            )  # fmt: skip
            pid = store.profiles.id_of(name)
            assert pid is not None
            store.profiles.mark(pid, "2103.15320", "saved")
        assert store.profiles.remove("ana") and not store.profiles.remove("ana")
        assert [s.name for s in store.profiles.summaries()] == ["ben"]
    # ben's rows alone are left: 7 distinct ids and the saved paper, 1 of each other part
    assert _rows(db, "profile_papers") == 8
    assert [_rows(db, t) for t in _OWNED[1:]] == [1, 1, 1]
    assert _rows(db, "paper_marks") == 1
    with open_store(db) as store:
        assert store.profiles.remove("ben")
    assert [_rows(db, t) for t in (*_OWNED, "paper_marks", "profiles")] == [0] * 6


_FAILURES = (sqlite3.IntegrityError, psycopg.errors.RaiseException)


def _refuse_categories(db: Location) -> None:
    """A trigger in the database that fails every insert of a profile's category."""
    if isinstance(db, str):
        with psycopg.connect(db, autocommit=True) as pg:
            pg.execute(
                "CREATE FUNCTION no_categories() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$"
            )
            pg.execute(
                "CREATE TRIGGER no_categories BEFORE INSERT ON profile_categories "
                "FOR EACH ROW EXECUTE FUNCTION no_categories()"
            )
        return
    conn = sqlite3.connect(db)
    conn.execute(
        "CREATE TRIGGER no_categories BEFORE INSERT ON profile_categories "
        "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    )
    conn.commit()
    conn.close()


def test_a_failure_in_the_middle_of_an_add_leaves_nothing_written(db: Location) -> None:
    # A real failure of the database while writing the categories, after the profile, its
    # papers, authors and keywords were written in the same transaction.
    _refuse_categories(db)
    with open_store(db) as store:
        with pytest.raises(_FAILURES, match="disk on fire"):
            build.add(
                store, "ana", bib_files=[DATA / "zotero.bib"], authors=["Ze Liu"],
                keywords=["nerf"], categories=["cs.CV"],
            )  # fmt: skip
        assert store.profiles.get("ana") is None
        # An existing profile extended so keeps what it had, and only that.
        build.add(store, "ana", ids_files=[DATA / "ids.txt"])
        with pytest.raises(_FAILURES):
            build.add(store, "ana", bib_files=[DATA / "scholar.bib"], categories=["cs.CV"])
        profile = store.profiles.get("ana")
        assert profile is not None
        assert "2103.15320" not in profile.library_ids  # TFPose came only from scholar.bib
        assert len(profile.library) == 7
    assert [_rows(db, t) for t in _OWNED[1:]] == [0, 0, 0]


def test_bad_input_is_refused_before_anything_is_written(db: Location) -> None:
    with open_store(db) as store:
        with pytest.raises(build.ProfileInputError, match="cannot name a profile"):
            build.add(store, "my profile")
        with pytest.raises(build.ProfileInputError, match=r"did you mean cs\.CV"):
            build.add(store, "ana", ids_files=[DATA / "ids.txt"], categories=["cs.cv"])
        with pytest.raises(build.ProfileInputError, match="finite"):
            build.add(store, "ana", keywords=["nerf:inf"])
        assert store.profiles.summaries() == []
    assert build.parse_keyword("gaussian  splatting:-1.5") == Keyword("gaussian splatting", -1.5)
    assert build.parse_keyword("nerf") == Keyword("nerf", 1.0)
    assert build.parse_keyword("re:id") == Keyword("re:id", 1.0)  # not a weight: part of it


def test_a_version_6_store_is_upgraded_with_its_papers_kept(template: Path, tmp_path: Path) -> None:
    # A SQLite store as schema 6 left it: the same papers, no profile tables.
    db = tmp_path / "v6.sqlite3"
    shutil.copyfile(template, db)
    conn = sqlite3.connect(db)
    downgrade(conn, 6)
    conn.commit()
    conn.close()
    with open_store(db) as store:
        assert store.count() == 362
        report = build.add(store, "ana", ids_files=[DATA / "ids.txt"])
        assert report.created and report.library_size == 7
        # The DOI index is back: the IEEE Access version of 2103.15409 is found by it.
        assert store.profiles.with_dois(["10.1109/ACCESS.2021.3052728"]) == {
            "10.1109/access.2021.3052728": ["2103.15409"]
        }
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    conn.close()
