"""A web app reading from a streaming replica (pg_basebackup) of the PostgreSQL store:
it serves what the primary's harvest wrote once it has replicated, and sends a save to the
primary (the replica refuses writes, so a save that lands went there)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from live_web import serving
from postgres_server import PostgresServer, start_replica, start_server

from paperboy.formats import collector
from paperboy.store import StoreConnectError, open_store
from paperboy.store.schema import SchemaError


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresServer]:
    """A cluster of these tests' own: the session's holds many databases by now, and
    pg_basebackup copies them all."""
    server = start_server()
    yield server
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="module")
def replica(cluster: PostgresServer) -> Iterator[PostgresServer]:
    server = start_replica(cluster)
    yield server
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)


def _replicated(url: str, arxiv_id: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with open_store(url) as store:
                if store.get(arxiv_id) is not None:
                    return
        except (StoreConnectError, SchemaError):
            pass  # the database or its schema has not arrived yet
        if time.monotonic() > deadline:
            raise AssertionError(f"{arxiv_id} never reached the replica {url}")
        time.sleep(0.1)


def _connections(server: PostgresServer, url: str) -> int:
    """This process's paperboy connections to the database of `url` on `server`."""
    with psycopg.connect(server.url(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT application_name FROM pg_stat_activity WHERE datname = %s",
            (server.name_of(url),),
        ).fetchall()
    return sum(1 for (name,) in rows if name.startswith(f"paperboy pid {os.getpid()} "))


def test_pages_read_the_replica_and_saves_go_to_the_primary(
    cluster: PostgresServer, replica: PostgresServer, data_2021: Path
) -> None:
    first, later = collector.read_file(data_2021 / "cs.CV/2021/12/20211231.md").papers[:2]
    primary_url = cluster.database()
    replica_url = replica.url(cluster.name_of(primary_url))
    with open_store(primary_url) as primary:
        primary.upsert([first], "test")
        primary.profiles.ensure("me")
    _replicated(replica_url, first.arxiv_id)
    with serving(primary_url, read_db=replica_url) as url, open_store(primary_url) as primary:
        assert first.title[:30] in httpx.get(f"{url}/abs/{first.arxiv_id}/").text
        # The harvest writes a paper on the primary; once replicated the reader serves it.
        primary.upsert([later], "harvest")
        _replicated(replica_url, later.arxiv_id)
        page = httpx.get(f"{url}/abs/{later.arxiv_id}/")
        assert page.status_code == 200 and later.title[:30] in page.text
        saved = httpx.post(
            f"{url}/api/profiles/me/marks", json={"arxiv_id": later.arxiv_id, "mark": "saved"}
        )
        assert saved.status_code == 200, saved.text
        profile = primary.profiles.get("me")
        assert profile is not None and profile.saved == {later.arxiv_id}
        # The pages were read on the replica: the app's connections are there.
        assert _connections(replica, replica_url) >= 1


def test_a_replica_refuses_the_writes_a_misconfigured_app_would_send(
    cluster: PostgresServer, replica: PostgresServer, data_2021: Path
) -> None:
    paper = collector.read_file(data_2021 / "cs.CV/2021/12/20211231.md").papers[0]
    primary_url = cluster.database()
    with open_store(primary_url) as primary:
        primary.upsert([paper], "test")
    replica_url = replica.url(cluster.name_of(primary_url))
    _replicated(replica_url, paper.arxiv_id)
    with (
        open_store(replica_url) as on_replica,
        pytest.raises(psycopg.errors.ReadOnlySqlTransaction),
    ):
        on_replica.profiles.ensure("me")
