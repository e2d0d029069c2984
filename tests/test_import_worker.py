"""A large import reads its files in a second process: the store it makes is the one an
import in one process makes, and a reader that dies stops the import with whole files only."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperboy import digest_worker
from paperboy.digests import read_digest
from paperboy.export import write_json_lines
from paperboy.importer import import_paths
from paperboy.store import Store, open_store

PAPERS_2021 = 14_868  # ../shared/README.md


def _backup(store: Store) -> str:
    out = io.StringIO()
    write_json_lines(store, out, "cs.CV")
    return out.getvalue()


def test_the_second_process_reads_what_one_process_reads(tmp_path: Path, data_2021: Path) -> None:
    broken = tmp_path / "20210401.md"
    broken.write_text("# not a digest\n", encoding="utf-8")
    assert digest_worker.worth_it([*data_2021.rglob("*.md")])  # the 2021 archive is large
    reports, backups = [], []
    for worker in (True, False):
        with open_store(tmp_path / f"{worker}.db") as store:
            reports.append(import_paths(store, [data_2021, broken], worker=worker))
            assert store.count() == PAPERS_2021
            backups.append(_backup(store))
    assert reports[0] == reports[1]
    assert reports[0].rejected == [(str(broken), reports[0].rejected[0][1])]
    assert backups[0] == backups[1]


def _reader_pids() -> list[int]:
    """This process's children that are paperboy's digest reader."""
    pids = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for pid in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"paperboy.digest_worker" in cmdline:
                pids.append(int(pid))
    return pids


def test_a_killed_reader_stops_the_import_with_whole_files_and_the_next_run_finishes(
    tmp_path: Path, data_2021: Path
) -> None:
    loaded: list[Path] = []

    def kill_at_the_tenth(path: Path) -> None:
        loaded.append(path)
        if len(loaded) == 10:
            for pid in _reader_pids():
                os.kill(pid, signal.SIGKILL)

    with open_store(tmp_path / "killed.db") as store:
        with pytest.raises(digest_worker.WorkerError, match="killed by signal 9"):
            import_paths(store, [data_2021], on_file=kill_at_the_tenth, worker=True)
        assert _reader_pids() == []  # nothing left running
        # Exactly the papers of the files it said it loaded, each file whole.
        ids = {p.arxiv_id for path in loaded for p in read_digest(path).papers or ()}
        assert 0 < store.count() == len(ids) < PAPERS_2021
        import_paths(store, [data_2021], worker=True)
        finished = _backup(store)
    with open_store(tmp_path / "clean.db") as clean:
        import_paths(clean, [data_2021], worker=False)
        assert finished == _backup(clean)


def _children(pid: int) -> list[int]:
    return [
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie has finished running)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_killed_import_leaves_no_reader_behind(tmp_path: Path, data_2021: Path) -> None:
    """kill -9 of `paperboy import`: its reader finds the pipe closed and stops, instead of
    waiting for ever for the importer to take what it parsed."""
    importer = subprocess.Popen(
        [sys.executable, "-m", "paperboy", "import", str(data_2021), "--db", str(tmp_path / "k")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        readers: list[int] = []
        while not readers and time.monotonic() < deadline and importer.poll() is None:
            readers = [
                pid
                for pid in _children(importer.pid)
                if b"paperboy.digest_worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
            ]
            time.sleep(0.02)
        assert readers, "the import started no reader"
        importer.kill()
    finally:
        importer.wait()
    deadline = time.monotonic() + 30
    while any(_running(pid) for pid in readers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in readers)
