"""Issue 9, items 1-3: faults that used to lose papers silently, run against the local arXiv.

Every test checks the store afterwards against the data the server serves (the real June
2021 cs.CV files), and whether the window was recorded complete.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from arxiv_server import ArxivServer
from arxiv_server.fixtures import ServerFactory

from paperboy import harvest
from paperboy.record import Paper
from paperboy.sources import PoliteClient, SourceError
from paperboy.sources.oai_pmh import IncompleteList
from paperboy.store import LockedError, Store, open_store

JUNE = (date(2021, 6, 1), date(2021, 6, 30))
# OAI-PMH selects by datestamp (the latest version's day): this range holds every June paper.
OAI_RANGE = (date(2021, 6, 1), date(2026, 11, 30))


def _ids_in_files(data_2021: Path) -> set[str]:
    """June's ids read straight from the collector files, not through paperboy's parser."""
    ids = set()
    for path in (data_2021 / "cs.CV/2021/06").glob("*.md"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("- **Arxiv ID**: http://arxiv.org/abs/"):
                ids.add(line.rsplit("/", 1)[1].rsplit("v", 1)[0])
    return ids


def _stored(store: Store) -> set[str]:
    return {p.arxiv_id for p in store.papers()}


def _use(server: ArxivServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOY_ARXIV_API_URL", server.api_url)
    monkeypatch.setenv("PAPERBOY_ARXIV_OAI_URL", server.oai_url)


def _client() -> PoliteClient:
    return PoliteClient(delay=0, backoff=0.0)


def _env(server: ArxivServer, db: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PAPERBOY_DB": str(db),
        "PAPERBOY_ARXIV_API_URL": server.api_url,
        "PAPERBOY_ARXIV_OAI_URL": server.oai_url,
        "PAPERBOY_ARXIV_DELAY": "0",
    }


def _paperboy(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperboy", *args], env=env, capture_output=True, text=True
    )


def test_june_has_1616_papers(data_2021: Path, june_2021: list[Paper]) -> None:
    assert len(_ids_in_files(data_2021)) == 1616 == len({p.arxiv_id for p in june_2021})


# ---------------------------------------------------------------- 1. OAI-PMH pages


@pytest.mark.parametrize(
    ("kind", "after", "requests"),
    [
        ("empty", 0, 5),  # the first page: its token, no records (the stand-in of the issue)
        ("empty", 2, 5),  # a middle page
        # A page one record short of what the next cursor says: that page and the next
        # are asked again.
        ("short", 1, 6),
        ("short", 3, 5),  # the last page one short of completeListSize
    ],
)
def test_an_oai_page_that_loses_records_is_asked_again(
    tmp_path: Path,
    data_2021: Path,
    make_arxiv_server: ServerFactory,
    june_2021: list[Paper],
    kind: str,
    after: int,
    requests: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = make_arxiv_server(june_2021, oai_page_size=500)  # 1616 records: 4 pages
    _use(server, monkeypatch)
    server.inject(kind, endpoint="oai", after=after)  # type: ignore[arg-type]
    with open_store(tmp_path / "p.db") as store, _client() as client:
        result = harvest.harvest_oai(store, client, "cs.CV", *OAI_RANGE)
        assert _stored(store) == _ids_in_files(data_2021)
        assert len(result.papers.new) == 1616
        assert len(store.completed_windows("oai", "cs.CV")) == 1
    assert server.faults_served[kind] == 1
    assert server.requests["oai"] == requests  # 4 pages and what was asked again


def test_an_oai_page_lost_on_every_ask_fails_loudly_and_is_not_complete(
    tmp_path: Path,
    make_arxiv_server: ServerFactory,
    june_2021: list[Paper],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = make_arxiv_server(june_2021, oai_page_size=500)
    _use(server, monkeypatch)
    server.inject("empty", 20, endpoint="oai", after=1)  # the second page never has records
    db = tmp_path / "p.db"
    with open_store(db) as store, _client() as client:
        with pytest.raises(IncompleteList) as caught:
            harvest.harvest_oai(store, client, "cs.CV", *OAI_RANGE)
        assert store.completed_windows("oai", "cs.CV") == []
    message = str(caught.value)
    assert server.oai_url in message and "set=cs:cs:CV" in message
    assert "holds no records" in message
    # The CLI says so in a line, no traceback, and records nothing complete either.
    done = _paperboy(_env(server, db), "harvest", "--source", "oai", "--from", "2021-06-01",
                     "--to", "2026-11-30")  # fmt: skip
    assert done.returncode == 1
    assert "error:" in done.stderr and "holds no records" in done.stderr
    assert "Traceback" not in done.stderr
    with open_store(db) as store:
        assert store.completed_windows("oai", "cs.CV") == []


def test_deleted_oai_records_are_counted_and_remembered(
    tmp_path: Path,
    data_2021: Path,
    make_arxiv_server: ServerFactory,
    june_2021: list[Paper],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gone = [june_2021[10].arxiv_id, june_2021[700].arxiv_id]
    server = make_arxiv_server(june_2021, oai_page_size=500)
    _use(server, monkeypatch)
    with open_store(tmp_path / "p.db") as store, _client() as client:
        store.upsert([june_2021[10]], "earlier")  # one of them was stored before
        server.delete(gone)
        result = harvest.harvest_oai(store, client, "cs.CV", *OAI_RANGE)
        # The deleted record stored earlier is kept; the other one was never served.
        assert _stored(store) == _ids_in_files(data_2021) - {gone[1]}
        assert set(store.deleted_ids()) == set(gone)
        assert sorted(result.deleted) == sorted(gone)
        assert "2 deleted at arXiv" in result.summary()
        # Deleted records take their place in the list: the pages still add up.
        assert len(store.completed_windows("oai", "cs.CV")) == 1
    assert server.requests["oai"] == 4


# ---------------------------------------------------------------- 2. under-reported totals


def test_an_under_reported_total_does_not_make_a_month_complete(
    tmp_path: Path, data_2021: Path, arxiv_server: ArxivServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(arxiv_server, monkeypatch)
    # Every answer says at most 1000 results and serves only those.
    arxiv_server.inject("undercount", 1000, endpoint="api", limit=1000)
    with open_store(tmp_path / "p.db") as store, _client() as client:
        result = harvest.harvest_api(store, client, "cs.CV", *JUNE)
        assert _stored(store) == _ids_in_files(data_2021)
        assert len(result.papers.new) == 1616 and not result.problems
        assert [(s, e) for s, e, _ in store.completed_windows("api", "cs.CV")] == [
            ("2021-06-01T00:00:00+00:00", "2021-07-01T00:00:00+00:00")
        ]
    # The month, its recount, then each half (page and recount): 6 requests, not 1616/100.
    assert arxiv_server.requests["api"] == 6


def test_a_truthful_month_costs_one_page_and_one_recount(
    tmp_path: Path, arxiv_server: ArxivServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(arxiv_server, monkeypatch)
    with open_store(tmp_path / "p.db") as store, _client() as client:
        harvest.harvest_api(store, client, "cs.CV", *JUNE)
        assert store.count() == 1616
    assert arxiv_server.requests["api"] == 2


def test_a_window_still_settling_is_not_recounted(
    tmp_path: Path, arxiv_server: ArxivServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(arxiv_server, monkeypatch)
    now = datetime(2021, 7, 2, tzinfo=UTC)  # June may still grow: it is never recorded
    with open_store(tmp_path / "p.db") as store, _client() as client:
        harvest.harvest_api(store, client, "cs.CV", *JUNE, now=now)
        assert store.count() == 1616 and store.completed_windows("api", "cs.CV") == []
    assert arxiv_server.requests["api"] == 1


# ---------------------------------------------------------------- 3. malformed records


def _without_version(paper: Paper) -> Paper:
    return paper.with_changes(abs_url=f"http://arxiv.org/abs/{paper.arxiv_id}")


def test_a_malformed_api_entry_is_reported_and_the_rest_kept(
    tmp_path: Path, data_2021: Path, make_arxiv_server: ServerFactory, june_2021: list[Paper]
) -> None:
    bad = june_2021[100]
    served = [_without_version(p) if p is bad else p for p in june_2021]
    server = make_arxiv_server(served)
    db = tmp_path / "p.db"
    done = _paperboy(_env(server, db), "harvest", "--from", "2021-06-01", "--to", "2021-06-30")
    assert "Traceback" not in done.stderr and done.returncode == 1
    assert "1615 new" in done.stdout
    line = next(x for x in done.stdout.splitlines() if "unreadable" in x)
    assert "window cs.CV 2021-06-01T00:00:00+00:00..2021-07-01T00:00:00+00:00" in line
    assert f"record {bad.arxiv_id}, id: entry id without a version" in line
    with open_store(db) as store:
        assert _stored(store) == _ids_in_files(data_2021) - {bad.arxiv_id}
        assert store.completed_windows("api", "cs.CV") == []  # a later run asks again
    server.set_papers(june_2021)  # arXiv mended the entry
    again = _paperboy(_env(server, db), "harvest", "--from", "2021-06-01", "--to", "2021-06-30")
    assert again.returncode == 0, again.stderr
    assert "1 new" in again.stdout
    with open_store(db) as store:
        assert _stored(store) == _ids_in_files(data_2021)
        assert len(store.completed_windows("api", "cs.CV")) == 1


def test_a_malformed_oai_record_is_reported_and_the_rest_kept(
    tmp_path: Path,
    data_2021: Path,
    make_arxiv_server: ServerFactory,
    june_2021: list[Paper],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = june_2021[600]
    broken = bad.with_changes(arxiv_id="2106.1", abs_url="", pdf_url="")  # not an arXiv id
    server = make_arxiv_server([broken if p is bad else p for p in june_2021], oai_page_size=500)
    _use(server, monkeypatch)
    with open_store(tmp_path / "p.db") as store, _client() as client:
        result = harvest.harvest_oai(store, client, "cs.CV", *OAI_RANGE)
        assert _stored(store) == _ids_in_files(data_2021) - {bad.arxiv_id}
        assert store.completed_windows("oai", "cs.CV") == []
        (problem,) = result.problems
        assert (problem.arxiv_id, problem.field) == ("2106.1", "id")
        assert problem.where == "oai cs.CV 2021-06-01..2026-11-30"
        assert "unreadable records" in result.summary()
        server.set_papers(june_2021)
        again = harvest.harvest_oai(store, client, "cs.CV", *OAI_RANGE)
        assert not again.problems and _stored(store) == _ids_in_files(data_2021)
        assert len(store.completed_windows("oai", "cs.CV")) == 1


# ---------------------------------------------------------------- item 10: the lock


def test_the_lock_holds_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real" / "p.db"
    real.parent.mkdir()
    with open_store(real):
        pass
    (tmp_path / "link").mkdir()
    linked = tmp_path / "link" / "p.db"
    linked.symlink_to(real)
    linked_dir = tmp_path / "dir-link"
    linked_dir.symlink_to(real.parent)
    with open_store(real) as first, first.writer():
        for other in (linked, linked_dir / "p.db"):
            with (
                open_store(other) as second,
                pytest.raises(LockedError, match="holds the lock"),
                second.writer(),
            ):
                pass
    with open_store(linked) as again, again.writer():  # released: free again
        pass


def test_an_unreadable_oai_record_before_a_kill_still_keeps_the_window_open(
    tmp_path: Path,
    data_2021: Path,
    make_arxiv_server: ServerFactory,
    june_2021: list[Paper],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = june_2021[0]  # its record is on the first page
    broken = bad.with_changes(arxiv_id="2106.1", abs_url="", pdf_url="")
    server = make_arxiv_server([broken if p is bad else p for p in june_2021], oai_page_size=500)
    _use(server, monkeypatch)
    server.inject("503", 10, endpoint="oai", after=3)  # arXiv goes away after page 3
    with open_store(tmp_path / "p.db") as store:
        dying = PoliteClient(delay=0, backoff=0.0, max_retries=1)
        with dying as client, pytest.raises(SourceError):
            harvest.harvest_oai(store, client, "cs.CV", *OAI_RANGE)
        server._faults.clear()
        with _client() as client:
            resumed = harvest.harvest_oai(store, client, "cs.CV", *OAI_RANGE)
            assert not resumed.problems  # the bad record's page was done before the kill
            assert store.completed_windows("oai", "cs.CV") == []
            server.set_papers(june_2021)
            again = harvest.harvest_oai(store, client, "cs.CV", *OAI_RANGE)
        assert not again.problems and _stored(store) == _ids_in_files(data_2021)
        assert len(store.completed_windows("oai", "cs.CV")) == 1
