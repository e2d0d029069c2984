"""Every file paperboy writes appears whole or not at all (issue 9.11), with real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperboy.importer import import_paths
from paperboy.store import open_store


@pytest.fixture(scope="module")
def db_2021(tmp_path_factory: pytest.TempPathFactory, data_2021: Path) -> Path:
    db = tmp_path_factory.mktemp("store") / "p.db"
    with open_store(db) as store:
        import_paths(store, [data_2021])
    return db


def _export(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "paperboy", "--db", str(db), "export", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_killed_json_export_leaves_no_file_that_looks_complete(
    tmp_path: Path, db_2021: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    proc = _export(db_2021, "--format", "json", "--out", str(out))
    deadline = time.monotonic() + 60
    # Kill it once it has written a good part (but not all) of the 14,868 papers.
    while time.monotonic() < deadline and proc.poll() is None:
        if sum(f.stat().st_size for f in out.iterdir() if f.is_file()) > 2_000_000:
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the export ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "papers.jsonl").exists()
    left = [f for f in out.iterdir()]
    assert all(f.name.startswith(".papers.jsonl.") and f.name.endswith(".tmp") for f in left)

    done = _export(db_2021, "--format", "json", "--out", str(out))
    assert done.wait() == 0, done.stderr.read() if done.stderr else ""
    lines = (out / "papers.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 14868
    assert json.loads(lines[-1])["arxiv_id"]


@pytest.mark.parametrize("trial", range(3))
def test_concurrent_exports_into_one_folder_never_collide(
    tmp_path: Path, db_2021: Path, data_2021: Path, trial: int
) -> None:
    out = tmp_path / "out"
    procs = [_export(db_2021, "--out", str(out)) for _ in range(3)]
    procs += [
        _export(db_2021, "--format", "json", "--out", str(out / "all.jsonl")) for _ in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    for day in sorted((data_2021 / "cs.CV").rglob("*.md")):
        rel = day.relative_to(data_2021)
        assert (out / rel).read_bytes() == day.read_bytes(), rel
    assert len((out / "all.jsonl").read_text(encoding="utf-8").splitlines()) == 14868
    assert not [f for f in out.rglob("*.tmp")]
