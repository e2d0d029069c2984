"""Harvest into the store against the local arXiv: windows, state, resume, lock, update."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from arxiv_server import ArxivServer, load_all, load_month

from paperboy import harvest
from paperboy.formats import collector
from paperboy.listings import refresh_announcements
from paperboy.record import Paper
from paperboy.sources import PoliteClient
from paperboy.store import Location, open_store
from paperboy.update import run_update


def _env(server: ArxivServer, db: Location, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PAPERBOY_DB": str(db),
        "PAPERBOY_ARXIV_API_URL": server.api_url,
        "PAPERBOY_ARXIV_OAI_URL": server.oai_url,
        "PAPERBOY_ARXIV_RSS_URL": server.rss_url,
        "PAPERBOY_ARXIV_DELAY": "0",
        **extra,
    }


def _paperboy(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperboy", *args], env=env, capture_output=True, text=True
    )


def test_a_month_through_the_api_exports_byte_identical(
    tmp_path: Path, data_2021: Path, arxiv_server: ArxivServer
) -> None:
    env = _env(arxiv_server, tmp_path / "p.db")
    done = _paperboy(env, "harvest", "--from", "2021-06-01", "--to", "2021-06-30")
    assert done.returncode == 0, done.stderr
    assert "1616 new" in done.stdout
    assert arxiv_server.requests["api"] == 2  # 1616 papers: one page of 2000, one recount
    out = tmp_path / "out"
    assert _paperboy(env, "export", "--out", str(out)).returncode == 0
    for day in (data_2021 / "cs.CV/2021/06").glob("*.md"):
        assert (out / "cs.CV/2021/06" / day.name).read_bytes() == day.read_bytes(), day.name
    # A complete window is never fetched again.
    again = _paperboy(env, "harvest", "--from", "2021-06-01", "--to", "2021-06-30")
    assert "0 windows fetched, 1 already complete" in again.stdout
    assert arxiv_server.requests["api"] == 2


def _point_at(server: ArxivServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOY_ARXIV_API_URL", server.api_url)
    monkeypatch.setenv("PAPERBOY_ARXIV_OAI_URL", server.oai_url)
    monkeypatch.setenv("PAPERBOY_ARXIV_RSS_URL", server.rss_url)


def test_faults_lose_and_duplicate_nothing(
    tmp_path: Path, data_2021: Path, arxiv_server: ArxivServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _point_at(arxiv_server, monkeypatch)
    for kind in ("503", "429", "reset", "truncate", "empty"):
        arxiv_server.inject(kind, 1, endpoint="api")
    with open_store(tmp_path / "p.db") as store, PoliteClient(delay=0, backoff=0.01) as client:
        result = harvest.harvest_api(store, client, "cs.CV", date(2021, 6, 1), date(2021, 6, 30))
        assert len(result.papers.new) == 1616 and store.count() == 1616
        assert client.stats.retries == 5
        served = {p.arxiv_id for p in load_month(data_2021, 2021, 6)}
        assert {p.arxiv_id for p in store.papers()} == served


def test_a_window_that_fails_for_good_is_not_recorded(
    tmp_path: Path, arxiv_server: ArxivServer
) -> None:
    arxiv_server.inject("503", 50, endpoint="api", after=0)
    env = _env(arxiv_server, tmp_path / "p.db", PAPERBOY_ARXIV_RETRIES="2")
    done = _paperboy(env, "harvest", "--from", "2021-06-01", "--to", "2021-06-30")
    assert done.returncode == 1
    # The host and the reason in one line; the query URL (hundreds of characters) only with -v.
    assert "error: arXiv at 127.0.0.1 failed: HTTP 503 (3 attempts)\n" in done.stderr
    assert "submittedDate" not in done.stderr and "Traceback" not in done.stderr
    verbose = _paperboy(env, "-v", "harvest", "--from", "2021-06-01", "--to", "2021-06-30")
    assert verbose.returncode == 1
    assert "submittedDate" in verbose.stderr.replace("%3A", ":").replace("+", " ")
    with open_store(tmp_path / "p.db") as store:
        assert store.count() == 0
        assert store.completed_windows("api", "cs.CV") == []


def test_kill_9_mid_harvest_then_resume(tmp_path: Path, data_2021: Path) -> None:
    papers = load_all(data_2021)
    db = tmp_path / "p.db"
    with ArxivServer(papers) as server:
        server.inject("slow", 1000, endpoint="api", seconds=0.4)
        env = _env(server, db)
        args = [sys.executable, "-m", "paperboy", "harvest", "--from", "2021-03-06", "--to",
                "2021-12-31"]  # fmt: skip
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _complete_windows(db) < 3:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        done_before = _complete_windows(db)
        assert 3 <= done_before < 10, "killed in the middle of the year"
        server.reset_counts()
        server._faults.clear()
        resumed = _paperboy(env, "harvest", "--from", "2021-03-06", "--to", "2021-12-31")
        assert resumed.returncode == 0, resumed.stderr
        assert f"{done_before} already complete" in resumed.stdout
        # Only the windows that were not complete were fetched: a page and a recount per
        # month left (the window being fetched when killed included).
        assert server.requests["api"] <= 2 * (10 - done_before) + 2
    conn = sqlite3.connect(db)
    ids = [r[0] for r in conn.execute("SELECT arxiv_id FROM papers")]
    conn.close()
    assert len(ids) == len(set(ids)) == len({p.arxiv_id for p in papers})


def _complete_windows(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=5)
    try:
        return int(conn.execute("SELECT count(*) FROM harvest_windows").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def test_a_second_update_is_refused_while_one_runs(
    tmp_path: Path, arxiv_server: ArxivServer, location: Location
) -> None:
    """On either engine: a file lock beside SQLite's file, PostgreSQL's advisory lock."""
    db = location
    env = _env(arxiv_server, db, PAPERBOY_ARCHIVE=str(tmp_path / "archive"))
    with open_store(db) as holder, holder.writer():
        done = _paperboy(env, "update")
    assert done.returncode == 1
    assert "holds the lock" in done.stderr and str(os.getpid()) in done.stderr
    assert arxiv_server.requests["api"] == 0


def test_update_harvests_since_the_last_window_and_writes_changed_days(
    tmp_path: Path,
    data_2021: Path,
    june_2021: list[Paper],
    monkeypatch: pytest.MonkeyPatch,
    location: Location,
) -> None:
    now = datetime(2021, 6, 24, 12, 0, tzinfo=UTC)
    announced = [p for p in june_2021 if p.published.date() == date(2021, 6, 22)]
    with ArxivServer(june_2021, now=lambda: now) as server:
        server.set_feed(date(2021, 6, 23), [(p, "new") for p in announced])
        _point_at(server, monkeypatch)
        archive = tmp_path / "archive"
        lines: list[str] = []
        with open_store(location) as store, PoliteClient(delay=0) as client:
            run_update(store, client, ["cs.CV"], archive, now=now, log=lines.append)
            # First run: papers first submitted in the last week (June 17..24) through the
            # API; older papers only where OAI-PMH saw a new version in that week.
            start = datetime(2021, 6, 17, tzinfo=UTC)
            week = [p for p in june_2021 if start <= p.published < now]
            assert all(store.get(p.arxiv_id) is not None for p in week)
            older = [p for p in store.papers() if p.published < start]
            assert older and all(p.updated >= start for p in older)
            assert [e.arxiv_id for e in store.listing("cs.CV", date(2021, 6, 23))]
            assert store.versions(announced[0].arxiv_id)[0].announced_observed
    for day in ("20210617", "20210618", "20210621", "20210622"):
        rel = f"cs.CV/2021/06/{day}.md"
        assert (archive / rel).read_bytes() == (data_2021 / rel).read_bytes()
    calendar = (archive / "calendar.md").read_text()
    assert "[17](./cs.CV/2021/06/20210617.md)" in calendar
    assert any("requests to arXiv" in line for line in lines)


def test_gaps_are_found_and_filled(tmp_path: Path, data_2021: Path, june_2021: list[Paper]) -> None:
    db = tmp_path / "p.db"
    # The store misses what was submitted on 9 June (announced Thu 10 June).
    with open_store(db) as store:
        store.upsert([p for p in june_2021 if p.published.date() != date(2021, 6, 9)], "t")
        refresh_announcements(store)
    with ArxivServer(june_2021) as server:
        env = _env(server, db)
        found = _paperboy(env, "gaps", "--from", "2021-06-02", "--to", "2021-06-29")
        # Submissions of 8 June after the cutoff are there, the rest of the batch is not.
        assert "2021-06-10 Thu: 9 papers, far below its neighbours" in found.stdout
        assert "1 suspicious day;" in found.stdout
        filled = _paperboy(
            env, "harvest", "--fill-gaps", "--from", "2021-06-02", "--to", "2021-06-29"
        )
        assert filled.returncode == 0, filled.stderr
        again = _paperboy(env, "gaps", "--from", "2021-06-02", "--to", "2021-06-29")
        assert "0 suspicious days" in again.stdout
    day = collector.read_file(data_2021 / "cs.CV/2021/06/20210609.md")
    with open_store(db) as store:
        assert all(store.get(p.arxiv_id) is not None for p in day.papers)


@pytest.mark.parametrize("source", ["oai", "rss"])
def test_other_sources_through_the_cli(
    tmp_path: Path, arxiv_server: ArxivServer, june_2021: list[Paper], source: str
) -> None:
    env = _env(arxiv_server, tmp_path / "p.db")
    arxiv_server.set_feed(date(2021, 6, 2), [(p, "new") for p in june_2021[:5]])
    args = ["harvest", "--source", source]
    if source == "oai":
        args += ["--from", "2021-06-01", "--to", "2021-06-30"]
    done = _paperboy(env, *args)
    assert done.returncode == 0, done.stderr
    assert ("5 announcements recorded" if source == "rss" else " new,") in done.stdout


def test_rss_announcements_become_the_observed_listing(
    tmp_path: Path, arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    day = date(2021, 6, 2)
    news, crosses = june_2021[:4], june_2021[4:6]
    replaced = june_2021[6:8]
    feed = [(p, "replace-cross") for p in replaced[:1]] + [(p, "replace") for p in replaced[1:]]
    feed += [(p, "cross") for p in crosses] + [(p, "new") for p in news]
    arxiv_server.set_feed(day, feed)
    env = _env(arxiv_server, tmp_path / "p.db")
    assert _paperboy(env, "harvest", "--source", "rss").returncode == 0
    shown = _paperboy(env, "listing", "--date", day.isoformat())
    assert "(as announced)" in shown.stdout
    for title in ("New submissions (4)", "Cross-lists (2)", "Replacements (1)",
                  "Replacements of cross-lists (1)"):  # fmt: skip
        assert title in shown.stdout
    listed = [line.split()[1] for line in shown.stdout.splitlines() if line[:4].strip().isdigit()]
    new_ids = sorted((p.arxiv_id for p in news), reverse=True)
    assert listed[:4] == new_ids  # arXiv's order: descending ids within a section
