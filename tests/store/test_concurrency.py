"""Several real processes on one real SQLite file (issue 9.10): creating a store at once,
waiting for the write lock with a message, and imports that hold the lock briefly."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperboy.store import SQLiteStore, StoreBusyError
from paperboy.store.schema import SCHEMA_VERSION

# Run in a child: wait until the wall clock reaches argv[2], so the children start together.
OPEN_AT = """
import sys, time
from paperboy.store import open_store
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
open_store(sys.argv[1]).close()
"""

# Run in a child: hold the write lock for argv[2] seconds.
HOLD = """
import sys, time
from paperboy.store import open_store
with open_store(sys.argv[1]) as store, store.transaction():
    store.set_state("holder", "busy")
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""

# Run in a child: take the write lock over and over until the file argv[2] exists; then print
# the longest it waited for the lock.
PROBE = """
import sys, time
from pathlib import Path
from paperboy.store import open_store
longest, stop = 0.0, Path(sys.argv[2])
with open_store(sys.argv[1]) as store:
    print("probing", flush=True)
    while not stop.exists():
        began = time.monotonic()
        with store.transaction():  # inside: the lock is ours
            longest = max(longest, time.monotonic() - began)
            store.set_state("probe", str(began))
        time.sleep(0.02)
print(f"{longest:.3f}")
"""


def _child(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _paperboy(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "paperboy", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("trial", range(6))
def test_four_processes_creating_one_new_store_at_once(tmp_path: Path, trial: int) -> None:
    db = tmp_path / "new.db"
    start = time.time() + 1.0  # after every child has imported paperboy
    children = [_child(OPEN_AT, str(db), str(start)) for _ in range(4)]
    for child in children:
        _, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
    done = subprocess.run(
        [sys.executable, "-c", f"import sqlite3; print(sqlite3.connect({str(db)!r})"
         ".execute('PRAGMA user_version').fetchone()[0])"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert int(done.stdout) == SCHEMA_VERSION


def test_a_writer_waits_for_the_lock_with_a_message(tmp_path: Path, data_2021: Path) -> None:
    db = tmp_path / "p.db"
    holder = _child(HOLD, str(db), "12")  # longer than the 10 s SQLite waited before
    assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
    began = time.monotonic()
    importer = _paperboy(db, "import", str(data_2021 / "cs.CV/2021/12/20211231.md"))
    out, err = importer.communicate(timeout=120)
    holder.communicate(timeout=60)
    assert importer.returncode == 0, err
    assert time.monotonic() - began > 8  # it did wait for the holder
    assert "waiting for the write lock on" in err and "another paperboy command" in err
    assert "database is locked" not in err
    assert "files: 1 imported, 0 rejected" in out


def test_an_update_heavy_import_holds_the_write_lock_briefly(
    tmp_path: Path, data_2021: Path
) -> None:
    db, changed = tmp_path / "p.db", tmp_path / "changed"
    first = _paperboy(db, "import", str(data_2021))
    assert first.wait(timeout=300) == 0
    # Every paper of the year again as a later version with a new title: all updates.
    shutil.copytree(data_2021, changed)
    for f in changed.rglob("*.md"):
        f.chmod(0o644)
        text = f.read_text(encoding="utf-8")
        text = text.replace("v1\n", "v2\n").replace("v1)", "v2)").replace("\n### ", "\n### New: ")
        f.write_text(text, encoding="utf-8")
    probe = _child(PROBE, str(db), str(tmp_path / "stop"))
    assert probe.stdout is not None and probe.stdout.readline() == "probing\n"
    began = time.monotonic()
    update = _paperboy(db, "import", str(changed))
    out, err = update.communicate(timeout=300)
    took = time.monotonic() - began
    (tmp_path / "stop").touch()
    longest, probe_err = probe.communicate(timeout=60)
    assert update.returncode == 0, err
    assert "papers: 0 new, 14868 updated" in out
    assert probe.returncode == 0, probe_err
    print(f"update-heavy import: {took:.1f} s, longest wait of another writer {longest.strip()} s")
    assert float(longest) < 2.0  # today: 4.3-4.5 s


def test_a_writer_that_waited_too_long_says_so_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    holder = _child(HOLD, str(db), "6")
    assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
    with SQLiteStore(db, lock_wait=2.5) as store:
        began = time.monotonic()
        busy = pytest.raises(StoreBusyError, match=r"held the write lock for over 2.5 s")
        with busy, store.transaction():
            store.set_state("late", "yes")
        assert 2.4 < time.monotonic() - began < 5
        holder.communicate(timeout=60)
        assert store.get_state("late") is None
        assert store.get_state("holder") == "busy"
