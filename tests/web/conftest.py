"""Fixtures of the web tests: the 2021 data, the seeds and a hostile paper, served over a real
socket (tests/live_web.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from live_web import REPO, Live, hostile_paper, serving
from postgres_server import PostgresServer

from paperboy import listings
from paperboy.importer import import_paths
from paperboy.store import open_store


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory, data_2021: Path, seeds: Path) -> Path:
    db = tmp_path_factory.mktemp("web") / "web.sqlite3"
    with open_store(db) as store:
        import_paths(store, [data_2021, seeds])
        store.upsert([hostile_paper()], "test")
        listings.refresh_announcements(store)
    return db


@pytest.fixture(scope="session")
def live(web_db: Path) -> Iterator[Live]:
    with serving(web_db) as url:
        yield Live(url, web_db)


@pytest.fixture(scope="session")
def web_db_postgres(postgres: PostgresServer, postgres_2021: str, seeds: Path) -> str:
    """`web_db` in PostgreSQL: the 2021 data (a copy of the template), seeds, hostile paper."""
    url = postgres.database(template=postgres_2021)
    with open_store(url) as store:
        import_paths(store, [seeds])
        store.upsert([hostile_paper()], "test")
        listings.refresh_announcements(store)
    return url


@pytest.fixture(scope="session")
def live_postgres(web_db_postgres: str) -> Iterator[Live]:
    with serving(web_db_postgres) as url:
        yield Live(url, web_db_postgres)


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Screenshots and other artefacts worth looking at: <repo>/test-output/web."""
    out = REPO / "test-output" / "web"
    out.mkdir(parents=True, exist_ok=True)
    return out
