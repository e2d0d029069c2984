"""Whatever the command, an error a user can act on is one line naming it, never a traceback."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("command", [["search", "gan"], ["gaps"], ["listing"]])
def test_a_store_from_a_newer_paperboy_is_named_in_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    db = tmp_path / "newer.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 999")
    done = subprocess.run(
        [sys.executable, "-m", "paperboy", "--db", str(db), *command],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert "schema version 999 is newer than this paperboy" in done.stderr


def test_an_error_message_holding_markup_is_printed_as_it_is(tmp_path: Path) -> None:
    missing = tmp_path / "[/red]" / "x.md"
    done = subprocess.run(
        [sys.executable, "-m", "paperboy", "--db", str(tmp_path / "p.db"), "import", str(missing)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"no such file or directory: {missing}" in done.stderr.replace("\n", "")
