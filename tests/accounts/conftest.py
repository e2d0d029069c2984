"""A lab's paperboy for the accounts tests: three months of the 2021 data indexed (so every
profile page really ranks), three members, a profile each for alice and bob, served over a
real socket with sign-in on (tests/live_web.py, tests/lab.py); in SQLite and in PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lab import PASSWORDS, Lab
from live_web import serving
from postgres_server import PostgresServer
from stores import copy_store, point_cloud_profile

from paperboy.accounts import add_member
from paperboy.store import Location, open_store
from paperboy.store.transfer import copy_store as copy_all
from paperboy.web.signin import Accounts


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
def lab_db(
    tmp_path_factory: pytest.TempPathFactory, indexed_autumn: Path, request: pytest.FixtureRequest
) -> Location:
    """The lab's store in each engine: every accounts test runs on both."""
    path: Location
    if request.param == "sqlite":
        path = copy_store(indexed_autumn, tmp_path_factory.mktemp("lab"))
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        path = server.database()
        with open_store(indexed_autumn) as source, open_store(path) as target:
            copy_all(source, target)
    with open_store(path) as store:
        ids = {}
        for name, password in PASSWORDS.items():
            ids[name] = add_member(
                store, name, password, "admin" if name == "alice" else "member"
            ).id
        for name in ("alice", "bob"):
            profile = point_cloud_profile(store, f"{name}s")
            store.profiles.set_owner(profile.id, ids[name])
    return path


@pytest.fixture(scope="package")
def lab(lab_db: Location) -> Iterator[Lab]:
    with serving(lab_db, accounts=Accounts()) as url:
        yield Lab(url, lab_db)
