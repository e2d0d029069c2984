"""`paperboy similar` and `paperboy index` as a user meets them: real processes on real
stores of the 2021 data, ids in every pasted form, the JSON of `search --json`, one-line
errors, and a build killed with SIGKILL while it writes vectors."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from commands import one_error_line
from commands import run_paperboy as paperboy

PAPER = "2103.15358"  # Multi-Scale Vision Longformer, in the 2021 data

CopyStore = Callable[[Path, Path], Path]


def similar_json(db: Path, ref: str, *more: str) -> dict[str, Any]:
    done = paperboy("similar", ref, "--db", str(db), "--json", *more)
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


@pytest.mark.parametrize(
    "form",
    [
        f"{PAPER}v2",
        f"arXiv:{PAPER}",
        f"https://arxiv.org/abs/{PAPER}v1",
        f"http://arxiv.org/pdf/{PAPER}v2",
        f"  {PAPER}  ",
    ],
)
def test_any_pasted_form_gives_the_same_neighbours(indexed_2021: Path, form: str) -> None:
    bare = similar_json(indexed_2021, PAPER)
    assert similar_json(indexed_2021, form)["hits"] == bare["hits"]


def test_json_has_the_shape_of_search_json(indexed_2021: Path) -> None:
    data = similar_json(indexed_2021, PAPER, "--limit", "7")
    done = paperboy("search", "vision longformer", "--db", str(indexed_2021), "--json")
    searched = json.loads(done.stdout)
    assert set(data) == set(searched)
    assert len(data["hits"]) == 7 and data["limit"] == 7
    assert all(set(hit) == set(searched["hits"][0]) for hit in data["hits"])
    scores = [hit["score"] for hit in data["hits"]]
    assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] < 1.0001
    ids = [hit["paper"]["arxiv_id"] for hit in data["hits"]]
    assert PAPER not in ids and len(set(ids)) == 7
    # The papers are serialized as search serializes them.
    one = json.loads(paperboy("search", ids[0], "--db", str(indexed_2021), "--json").stdout)
    assert data["hits"][0]["paper"] == one["hits"][0]["paper"]
    # A paper about vision transformers is among vision-transformer papers.
    titles = [hit["paper"]["title"] for hit in data["hits"]]
    assert sum("ransformer" in t or "ViT" in t for t in titles) >= 4, titles


def test_plain_output_lists_the_same_papers_in_order(indexed_2021: Path) -> None:
    ids = [h["paper"]["arxiv_id"] for h in similar_json(indexed_2021, PAPER)["hits"]]
    done = paperboy("similar", PAPER, "--db", str(indexed_2021))
    assert done.returncode == 0, done.stderr
    assert "Multi-Scale Vision Longformer" in done.stdout.splitlines()[0]
    shown = [line.split()[1] for line in done.stdout.splitlines() if line[:4].strip(" .").isdigit()]
    assert shown == ids and len(ids) == 10


def test_errors_are_one_line_saying_what_to_do(
    indexed_2021: Path, plain_2021: Path, tmp_path: Path, copy_store: CopyStore
) -> None:
    line = one_error_line(paperboy("similar", "not-a-paper", "--db", str(indexed_2021)))
    assert "is not an arXiv id or link" in line
    line = one_error_line(paperboy("similar", "2112.99999", "--db", str(indexed_2021)))
    assert "2112.99999 is not in the store" in line
    line = one_error_line(paperboy("similar", PAPER, "--db", str(plain_2021)))
    assert "no index" in line and "run `paperboy index`" in line
    older = copy_store(indexed_2021, tmp_path / "older.db")
    with sqlite3.connect(older) as conn:
        conn.execute("UPDATE vector_spaces SET format = format - 1")
    conn.close()
    line = one_error_line(paperboy("similar", PAPER, "--db", str(older)))
    assert "older paperboy" in line and "paperboy index" in line


def _building(db: Path) -> int:
    """Vectors written so far into a space not yet in use."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute(
            "SELECT count(*) FROM paper_vectors WHERE space IN "
            "(SELECT id FROM vector_spaces WHERE active = 0)"
        ).fetchone()
        return int(row[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def _spaces(db: Path) -> list[tuple[int, int, int]]:
    """(id, active, vectors) of every space."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT id, active, (SELECT count(*) FROM paper_vectors WHERE space = s.id) "
            "FROM vector_spaces s ORDER BY id"
        ).fetchall()
    conn.close()
    return [tuple(r) for r in rows]


def test_kill_9_while_writing_vectors_leaves_the_old_index_in_use(
    indexed_2021: Path, tmp_path: Path, copy_store: CopyStore
) -> None:
    db = copy_store(indexed_2021, tmp_path / "p.db")
    before = similar_json(db, PAPER)
    spaces = _spaces(db)
    assert len(spaces) == 1 and spaces[0][1:] == (1, 14868)
    old = spaces[0][0]
    build = subprocess.Popen(
        [sys.executable, "-m", "paperboy", "--db", str(db), "index", "--full"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240
    while _building(db) == 0:
        assert build.poll() is None, "the rebuild finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    spaces = _spaces(db)
    assert (old, 1, 14868) in spaces and len(spaces) == 2  # the half-written one is inactive
    assert next(n for _, active, n in spaces if not active) < 14868
    # Everything still answers, from the old space.
    found = paperboy("search", "vision transformer", "--mode", "semantic", "--db", str(db))
    assert found.returncode == 0 and "nearest in meaning first" in found.stdout
    assert "  1. " in found.stdout
    assert similar_json(db, PAPER) == before
    # The next run removes what the killed one left and finds the old space up to date.
    done = paperboy("index", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "index: up to date (14868 papers)"
    assert _spaces(db) == [(old, 1, 14868)]
