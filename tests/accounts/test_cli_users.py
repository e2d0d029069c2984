"""`paperboy user …` as a real process: members added with a password from standard input,
listed, given a new password, removed; errors are one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from commands import one_error_line, run_paperboy

from paperboy.accounts import authenticate
from paperboy.store import open_store

PASSWORD = "correct horse battery"


def user(db: Path, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperboy", "user", *args, "--db", str(db)],
        input=None if password is None else password + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_add_list_set_password_remove(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    added = user(db, "add", "alice", "--admin", "--password-stdin", password=PASSWORD)
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("added alice (admin)")
    assert user(db, "add", "bob", "--password-stdin", password=PASSWORD).returncode == 0
    made = run_paperboy("profile", "add", "bobs", "--user", "bob", "--db", str(db))
    assert made.returncode == 0, made.stderr
    listed = user(db, "list").stdout.splitlines()
    assert listed[0].startswith("alice (admin, since ") and listed[0].endswith("0 profiles")
    assert listed[1].startswith("bob (member, since ") and listed[1].endswith("1 profile: bobs")
    changed = user(db, "set-password", "bob", "--password-stdin", password="the second one")
    assert changed.returncode == 0 and "sessions have ended" in changed.stdout
    with open_store(db) as store:
        assert authenticate(store, "bob", PASSWORD) is None
        assert authenticate(store, "bob", "the second one") is not None
    removed = user(db, "remove", "bob")
    assert removed.stdout.strip() == "removed bob and 1 profile"
    with open_store(db) as store:
        assert [u.name for u in store.users.all()] == ["alice"]
        assert store.profiles.summaries() == []


def test_errors_are_one_line(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    short = one_error_line(user(db, "add", "alice", "--password-stdin", password="short"))
    assert "at least 10 characters" in short
    assert user(db, "add", "alice", "--password-stdin", password=PASSWORD).returncode == 0
    again = one_error_line(user(db, "add", "ALICE", "--password-stdin", password=PASSWORD))
    assert "already a member named 'ALICE'" in again
    assert "no member named 'carol'" in one_error_line(user(db, "remove", "carol"))
    bad = one_error_line(user(db, "add", "a b", "--password-stdin", password=PASSWORD))
    assert "not a member name" in bad
    owner = run_paperboy("profile", "add", "p", "--user", "carol", "--db", str(db))
    assert "--user: no member named 'carol'" in one_error_line(owner)


def test_serve_with_accounts_needs_an_admin(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    assert user(db, "add", "bob", "--password-stdin", password=PASSWORD).returncode == 0
    refused = run_paperboy("serve", "--accounts", "--port", "0", "--db", str(db))
    assert "no admin yet" in one_error_line(refused)
