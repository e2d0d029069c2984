"""Shared test fixtures: where ../shared is, and fresh stores in temporary directories."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres_server import PostgresServer, start_server

from paperboy.store import Location

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA_2021 = SHARED / "data" / "cvpapers-2021"
SEEDS = SHARED / "seeds"


def shared_path(*parts: str) -> Path:
    """A path under ../shared; fails the test with a clear message when ../shared is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(
            f"{path} is missing: these tests read the project's shared data from ../shared "
            "(a folder beside the checkout; CI always provides it)"
        )
    return path


@pytest.fixture(scope="session")
def data_2021() -> Path:
    return shared_path("data", "cvpapers-2021")


@pytest.fixture(scope="session")
def seeds() -> Path:
    return shared_path("seeds")


@pytest.fixture(scope="session")
def protocol() -> Path:
    return shared_path("arxiv-protocol")


@pytest.fixture(scope="session")
def indexed_2021(tmp_path_factory: pytest.TempPathFactory, data_2021: Path) -> Path:
    """A store of the 2021 data with its vector index built (`paperboy index`), shared by
    the tests of search by meaning and similar papers: building it takes tens of seconds."""
    from paperboy.importer import import_paths
    from paperboy.store import open_store
    from paperboy.vectors.build import index

    db = tmp_path_factory.mktemp("indexed") / "indexed-2021.sqlite3"
    with open_store(db) as store:
        import_paths(store, [data_2021])
        index(store)
    return db


AUTUMN = ("09", "10", "11")


@pytest.fixture(scope="session")
def indexed_autumn(tmp_path_factory: pytest.TempPathFactory, data_2021: Path) -> Path:
    """Three months of the 2021 data (Sep-Nov) imported and indexed: the template of the
    ranking, For you and digest tests, which each work on a copy (`copy_store`)."""
    from paperboy.importer import import_paths
    from paperboy.store import open_store
    from paperboy.vectors.build import index

    db = tmp_path_factory.mktemp("autumn") / "autumn.db"
    with open_store(db) as store:
        import_paths(store, [data_2021 / "cs.CV" / "2021" / m for m in AUTUMN])
        report = index(store)
    assert report.rebuilt and report.papers > 3000
    return db


@pytest.fixture(scope="session", autouse=True)
def _own_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The user data directory of this run, not the home directory's (a PostgreSQL store
    keeps its vector cache there)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
        yield


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL cluster for the whole run (each test takes a database of its own)."""
    server = start_server()
    yield server
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_2021(postgres: PostgresServer, data_2021: Path) -> str:
    """The name of a PostgreSQL database holding the 2021 data as `paperboy import` stores
    it: a template that `postgres.database(template=...)` copies in a moment."""
    from paperboy.importer import import_paths
    from paperboy.store import open_store

    url = postgres.database()
    with open_store(url) as store:
        report = import_paths(store, [data_2021])
        assert report.rejected == [] and store.count() == 14_868
    return postgres.name_of(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> str:
    """Run the test once per store engine."""
    return str(request.param)


@pytest.fixture
def location(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Location:
    """Where a fresh, empty store of `engine` is: a SQLite file or a new database."""
    if engine == "sqlite":
        return tmp_path / "p.sqlite3"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.database()
