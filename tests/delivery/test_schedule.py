"""Each profile's digest goes out once per announcement day: `paperboy deliver` and
`paperboy update` send what is due and never again, a run killed -9 before the message is
complete sends it on the next run, one killed after it does not send it twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from arxiv_server import ArxivServer
from commands import one_error_line, run_paperboy
from delivery.conftest import ADDRESS, smtp_env, smtp_settings
from mail_server import Hook, MailServer, mail_server

from paperboy import listings
from paperboy.record import Paper
from paperboy.sources import PoliteClient
from paperboy.store import open_store
from paperboy.store.deliveries import Key
from paperboy.update import run_update


def latest_day(db: Path) -> date:
    """The day `deliver` ranks: the latest complete listing the store holds."""
    with open_store(db) as store:
        day = listings.latest_complete(store, "cs.CV", date.today())
    assert day is not None and day.year == 2021
    return day


def state(db: Path, day: date) -> str | None:
    with open_store(db) as store:
        pid = store.profiles.id_of("pc")
        assert pid is not None
        return store.deliveries.state(Key(pid, "cs.CV", day, ADDRESS))


def deliver(db: Path, server: MailServer) -> subprocess.CompletedProcess[str]:
    return run_paperboy("deliver", "--db", str(db), env=smtp_env(server))


def test_deliver_sends_the_latest_day_once(tmp_path: Path, mail_db: Path) -> None:
    day = latest_day(mail_db)
    with mail_server(tmp_path) as server:
        first = deliver(mail_db, server)
        assert first.returncode == 0, first.stderr
        assert f"pc: sent cs.CV {day:%a} {day.day} {day:%b %Y} (20 papers) to {ADDRESS}" in (
            first.stdout
        )
        again = deliver(mail_db, server)
        assert again.returncode == 0, again.stderr
        assert "already sent" in again.stdout
    [got] = server.mailbox.received
    assert got.recipients == [ADDRESS]
    assert f"{day:%a} {day.day} {day:%b %Y}" in got.message["Subject"]
    assert state(mail_db, day) == "sent"


def killed_at(db: Path, server: MailServer, where: str) -> None:
    """Run `paperboy deliver` and kill it -9 from the server, at RCPT or after the dot."""
    pids: list[int] = []
    kill: Hook = lambda: os.kill(pids[0], signal.SIGKILL)  # noqa: E731
    if where == "rcpt":
        server.mailbox.on_rcpt = kill
    else:
        server.mailbox.on_data = kill
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperboy", "deliver", "--db", str(db)],
        env={**os.environ, **smtp_env(server)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    pids.append(proc.pid)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL, err.decode()
    server.mailbox.on_rcpt = server.mailbox.on_data = None


def test_killed_before_the_message_is_complete_it_is_sent_next_time(
    tmp_path: Path, mail_db: Path
) -> None:
    day = latest_day(mail_db)
    with mail_server(tmp_path) as server:
        killed_at(mail_db, server, "rcpt")
        assert server.mailbox.received == []
        assert state(mail_db, day) == "sending"  # claimed, never sent
        done = deliver(mail_db, server)
        assert done.returncode == 0, done.stderr
        assert "pc: sent" in done.stdout
    assert len(server.mailbox.received) == 1
    assert state(mail_db, day) == "sent"


def test_killed_after_the_message_is_complete_it_is_not_sent_again(
    tmp_path: Path, mail_db: Path
) -> None:
    day = latest_day(mail_db)
    with mail_server(tmp_path) as server:
        killed_at(mail_db, server, "data")
        assert len(server.mailbox.received) == 1  # the server has it: the client never knew
        assert state(mail_db, day) == "sent"
        done = deliver(mail_db, server)
        assert done.returncode == 0, done.stderr
        assert "already sent" in done.stdout
    assert len(server.mailbox.received) == 1


def test_a_failed_digest_is_an_error_and_sent_on_the_next_run(
    tmp_path: Path, mail_db: Path
) -> None:
    day = latest_day(mail_db)
    with mail_server(tmp_path, "starttls", ("reader", "right")) as server:
        env = smtp_env(server, "starttls", ("reader", "wrong"))
        failed = run_paperboy("deliver", "--db", str(mail_db), env=env)
        line = one_error_line(failed)
        assert (
            f"pc: cs.CV {day:%a} {day.day} {day:%b %Y} not sent: 127.0.0.1:{server.port}:" in line
        )
        assert "login as reader failed: 535" in line
        assert state(mail_db, day) == "failed"
        env = smtp_env(server, "starttls", ("reader", "right"))
        done = run_paperboy("deliver", "--db", str(mail_db), env=env)
        assert done.returncode == 0, done.stderr
    assert len(server.mailbox.received) == 1


def test_digest_prints_the_message_and_sends_it_on_request(tmp_path: Path, mail_db: Path) -> None:
    shown = run_paperboy("digest", "--profile", "pc", "--date", "2021-11-23", "--db", str(mail_db))
    assert shown.returncode == 0, shown.stderr
    head = shown.stdout.splitlines()[:3]
    assert head == [
        "From: paperboy@localhost",
        f"To: {ADDRESS}",
        "Subject: cs.CV for pc, Tue 23 Nov 2021: top 20 of 138 papers",
    ]
    refused = run_paperboy("digest", "-p", "pc", "--send", "--db", str(mail_db))
    assert "--send needs an SMTP server: set PAPERBOY_SMTP_HOST" in one_error_line(refused)
    with mail_server(tmp_path) as server:
        sent = run_paperboy(
            "digest", "-p", "pc", "--date", "2021-11-23", "--to", "other@example.org",
            "--limit", "5", "--send", "--db", str(mail_db), env=smtp_env(server),
        )  # fmt: skip
        assert sent.returncode == 0, sent.stderr
        assert sent.stdout == "sent 5 papers of Tue 23 Nov 2021 to other@example.org\n"
    [got] = server.mailbox.received
    assert got.recipients == ["other@example.org"]
    assert got.message["Subject"] == "cs.CV for pc, Tue 23 Nov 2021: top 5 of 138 papers"


def test_update_sends_each_profiles_digest_once(
    tmp_path: Path, june_2021: list[Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The main job: harvest, index, then the digest of the day just announced; the next
    run the same day sends nothing."""
    now = datetime(2021, 6, 24, 12, 0, tzinfo=UTC)
    announced = [p for p in june_2021 if p.published.date() == date(2021, 6, 22)]
    db = tmp_path / "p.db"
    with open_store(db) as store:  # a profile made before the first update
        pid, _ = store.profiles.ensure("pc")
        store.profiles.add_papers(pid, [(p.arxiv_id, "test") for p in announced[:10]])
        store.profiles.set_email(pid, ADDRESS)
    with ArxivServer(june_2021, now=lambda: now) as arxiv, mail_server(tmp_path) as mail:
        arxiv.set_feed(date(2021, 6, 23), [(p, "new") for p in announced])
        monkeypatch.setenv("PAPERBOY_ARXIV_API_URL", arxiv.api_url)
        monkeypatch.setenv("PAPERBOY_ARXIV_OAI_URL", arxiv.oai_url)
        monkeypatch.setenv("PAPERBOY_ARXIV_RSS_URL", arxiv.rss_url)
        smtp = smtp_settings(mail)
        for _ in range(2):
            lines: list[str] = []
            with open_store(db) as store, PoliteClient(delay=0) as client:
                report = run_update(
                    store, client, ["cs.CV"], tmp_path / "archive", now=now,
                    log=lines.append, smtp=smtp,
                )  # fmt: skip
            assert report.undelivered == []
    with open_store(db) as store:
        day = listings.latest_complete(store, "cs.CV", now.date())
    assert day is not None and date(2021, 6, 23) <= day <= now.date()
    when = f"{day:%a} {day.day} {day:%b %Y}"
    [got] = mail.mailbox.received
    assert got.message["Subject"].startswith(f"cs.CV for pc, {when}: ")
    assert f"digest pc: cs.CV {when} already sent" in lines
