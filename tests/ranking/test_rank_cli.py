"""`paperboy rank` as a user meets it: a real process on the indexed store, the JSON of
`search --json`, every paper with --limit 0, and one-line errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from commands import one_error_line
from commands import run_paperboy as paperboy

from paperboy.importer import import_paths
from paperboy.listings import listing_of
from paperboy.store import open_store

DAY = "2021-11-23"


def with_profile(db: Path, name: str, tmp_path: Path) -> None:
    with open_store(db) as store:
        ids = [p.arxiv_id for p in store.papers() if "point cloud" in p.title.lower()][:40]
    listed = tmp_path / f"{name}.txt"
    listed.write_text("\n".join(ids) + "\n")
    done = paperboy("profile", "add", name, "--ids", str(listed), "--db", str(db))
    assert done.returncode == 0, done.stderr


def test_json_has_the_search_shape_with_reasons(ranked_store: Path, tmp_path: Path) -> None:
    with_profile(ranked_store, "cli", tmp_path)
    done = paperboy("rank", "--profile", "cli", "--date", DAY, "--json", "--db", str(ranked_store))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert len(data["hits"]) == 20  # the default limit
    scores = [h["score"] for h in data["hits"]]
    assert scores == sorted(scores, reverse=True)
    for hit in data["hits"]:
        assert isinstance(hit["reasons"], list) and hit["reasons"]
        assert hit["paper"]["arxiv_id"] and hit["paper"]["title"]
    assert "point cloud" in data["hits"][0]["paper"]["title"].lower()


def test_limit_0_ranks_every_paper_of_the_day(ranked_store: Path, tmp_path: Path) -> None:
    with_profile(ranked_store, "all", tmp_path)
    done = paperboy(
        "rank", "-p", "all", "--date", DAY, "--limit", "0", "--json", "--db", str(ranked_store)
    )
    assert done.returncode == 0, done.stderr
    ids = [h["paper"]["arxiv_id"] for h in json.loads(done.stdout)["hits"]]
    with open_store(ranked_store) as store:
        listed = {
            line.arxiv_id for line in listing_of(store, "cs.CV", date.fromisoformat(DAY)).lines
        }
    assert len(ids) == len(set(ids)) == len(listed) and set(ids) == listed


def test_plain_output_shows_rank_title_reasons_link(ranked_store: Path, tmp_path: Path) -> None:
    with_profile(ranked_store, "plain", tmp_path)
    done = paperboy("rank", "-p", "plain", "--date", DAY, "--limit", "3", "--db", str(ranked_store))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "  1. " in out and "  3. " in out and "  4. " not in out
    assert "in your library" in out and "http://arxiv.org/abs/" in out


def test_errors_are_one_line(ranked_store: Path, tmp_path: Path, data_2021: Path) -> None:
    line = one_error_line(paperboy("rank", "-p", "nobody", "--db", str(ranked_store)))
    assert "no profile named 'nobody'" in line
    with_profile(ranked_store, "errs", tmp_path)
    line = one_error_line(
        paperboy("rank", "-p", "errs", "--date", "2021-11-20", "--db", str(ranked_store))
    )
    assert "no cs.CV listing known for Sat, 20 Nov 2021" in line
    plain = tmp_path / "plain.db"
    with open_store(plain) as store:
        import_paths(store, [data_2021 / "cs.CV" / "2021" / "11"])
    with_profile(plain, "errs", tmp_path)
    line = one_error_line(paperboy("rank", "-p", "errs", "--date", DAY, "--db", str(plain)))
    assert "run `paperboy index`" in line
