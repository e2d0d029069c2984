"""Stores for the profile tests: five real 2021 days (362 papers) imported once into a
template file, copied for each test that writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from postgres_server import PostgresServer

from paperboy import importer
from paperboy.store import open_store
from paperboy.store.transfer import copy_store

DATA = Path(__file__).parent / "data"
# The days the fixtures' papers were submitted on (read from the 2021 archive).
DAYS = ("03/20210325", "03/20210329", "06/20210608", "11/20211111", "12/20211220")


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory, data_2021: Path) -> Path:
    path = tmp_path_factory.mktemp("profiles") / "template.db"
    with open_store(path) as store:
        report = importer.import_paths(store, [data_2021 / f"cs.CV/2021/{d}.md" for d in DAYS])
        assert report.rejected == [] and store.count() == 362
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres: PostgresServer, template: Path) -> str:
    """The template's papers in a PostgreSQL database, for `postgres.database(template=…)`."""
    url = postgres.database()
    with open_store(template) as source, open_store(url) as target:
        copy_store(source, target)
    return postgres.name_of(url)


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template store for one test."""
    path = tmp_path / "p.db"
    shutil.copyfile(template, path)
    return path
