"""`paperboy import` and `paperboy update` keep the index current: the papers they store get
vectors (update builds the index when there is none; import extends one that exists)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from arxiv_server import ArxivServer, load_all, load_month

from paperboy.sources import PoliteClient
from paperboy.store import open_store
from paperboy.update import run_update

CopyStore = Callable[[Path, Path], Path]


@pytest.fixture(scope="module")
def labor_day(data_2021: Path) -> Path:
    """Three weeks of 2025 (1,634 papers): new to a store of 2021, 11% of its size."""
    return data_2021.parent / "cvpapers-2025-labor-day"


def _import(db: Path, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperboy", "import", "--db", str(db), str(data)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _indexed(db: Path) -> tuple[int, int]:
    """(papers, papers with a vector in the active space)."""
    with open_store(db) as store:
        space = store.vectors.active()
        return store.count(), store.vectors.count(space.id) if space else 0


def test_import_extends_an_index(
    indexed_2021: Path, labor_day: Path, tmp_path: Path, copy_store: CopyStore
) -> None:
    db = copy_store(indexed_2021, tmp_path / "p.db")
    done = _import(db, labor_day)
    assert done.returncode == 0, done.stderr
    papers, indexed = _indexed(db)
    assert papers > 14868 and indexed == papers
    assert f"index: {papers - 14868} new papers projected in" in done.stdout


def test_import_without_an_index_says_how_to_build_one(
    plain_2021: Path, labor_day: Path, tmp_path: Path, copy_store: CopyStore
) -> None:
    db = copy_store(plain_2021, tmp_path / "p.db")
    done = _import(db, labor_day)
    assert done.returncode == 0, done.stderr
    assert "run `paperboy index` for similar papers and search by meaning" in done.stderr
    assert _indexed(db)[1] == 0


def _update(db: Path, server: ArxivServer, now: datetime, tmp_path: Path) -> list[str]:
    lines: list[str] = []
    with open_store(db) as store, PoliteClient(delay=0) as client:
        run_update(store, client, ["cs.CV"], tmp_path / "archive", now=now, log=lines.append)
    return lines


@pytest.fixture
def pointed(monkeypatch: pytest.MonkeyPatch) -> Callable[[ArxivServer], None]:
    def point(server: ArxivServer) -> None:
        monkeypatch.setenv("PAPERBOY_ARXIV_API_URL", server.api_url)
        monkeypatch.setenv("PAPERBOY_ARXIV_OAI_URL", server.oai_url)
        monkeypatch.setenv("PAPERBOY_ARXIV_RSS_URL", server.rss_url)

    return point


def test_update_projects_the_new_papers_into_the_index(
    indexed_2021: Path,
    labor_day: Path,
    tmp_path: Path,
    copy_store: CopyStore,
    pointed: Callable[[ArxivServer], None],
) -> None:
    db = copy_store(indexed_2021, tmp_path / "p.db")
    now = datetime(2025, 9, 5, 12, 0, tzinfo=UTC)
    with ArxivServer(load_all(labor_day), now=lambda: now) as server:
        pointed(server)
        lines = _update(db, server, now, tmp_path)
    papers, indexed = _indexed(db)
    assert papers > 14868 and indexed == papers
    assert any(line.startswith(f"index: {papers - 14868} new papers projected") for line in lines)


def test_update_of_a_fresh_store_builds_the_index(
    data_2021: Path, tmp_path: Path, pointed: Callable[[ArxivServer], None]
) -> None:
    now = datetime(2021, 6, 24, 12, 0, tzinfo=UTC)
    with ArxivServer(load_month(data_2021, 2021, 6), now=lambda: now) as server:
        pointed(server)
        lines = _update(tmp_path / "p.db", server, now, tmp_path)
    papers, indexed = _indexed(tmp_path / "p.db")
    assert papers > 100 and indexed == papers
    assert any(line.startswith(f"index: {papers} papers, rebuilt (") for line in lines), lines
