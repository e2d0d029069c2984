"""`paperboy profile add|show|list|remove` on a real store: in-process through typer's runner
for what it prints, as a real process for errors (one line, no traceback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from commands import one_error_line
from profiles.conftest import DATA
from typer.testing import CliRunner

from paperboy.cli import app


def _run(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["profile", *args, "--db", str(db)])
    return result.exit_code, result.output


def _process(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperboy", "profile", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )


def test_add_reports_matched_and_unmatched_then_extend_show_list_remove(db: Path) -> None:
    code, out = _run(
        db, "add", "ana", "--bib", str(DATA / "zotero.bib"), "--author", "Ze Liu",
        "--keyword", "point cloud:2", "--keyword", "medical:-1", "--category", "cs.CV",
    )  # fmt: skip
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "created profile ana"
    assert lines[1].startswith(f"{DATA / 'zotero.bib'}: 8 entries, 7 matched (")
    assert lines[1].endswith(", 1 unmatched:")
    assert "1 by title" in lines[1] and "2 by eprint" in lines[1]
    assert lines[2].startswith("  lecun_gradient-based_1998: 'Gradient-based learning")
    assert "2010.11929 (dosovitskiy_image_2021)" in out  # kept, reported as not stored
    assert "library: 7 papers added, 0 already in it, 7 in all" in out
    assert "following: Ze Liu" in out
    assert "keywords: point cloud (2), medical (-1)" in out
    assert "categories: cs.CV" in out

    code, out = _run(db, "add", "ana", "--bib", str(DATA / "scholar.bib"))
    assert code == 0, out
    assert out.splitlines()[0] == "extended profile ana (it existed)"
    # Scholar's 5 papers: Swin, Longformer and LiDAR R-CNN were there; TFPose and the
    # LiDAR-to-photo GAN are new.
    assert "library: 2 papers added, 3 already in it, 9 in all" in out

    code, out = _run(db, "add", "ana", "--author", "ze liu")  # followed already
    assert code == 0 and out.startswith("profile ana exists and nothing new was given")

    code, out = _run(db, "show", "ana", "--json")
    assert code == 0, out
    shown = json.loads(out)
    assert shown["name"] == "ana"
    library = {p["arxiv_id"]: p for p in shown["library"]}
    assert set(library) == {
        "2103.14030", "2103.15358", "2103.13922", "2103.15980", "2010.11929", "2103.15409",
        "2103.15297", "2103.15320", "2112.11245",
    }  # fmt: skip
    assert (
        library["2103.15320"]["title"] == "TFPose: Direct Human Pose Estimation with Transformers"
    )
    assert library["2103.15320"]["origin"] == f"bib:{(DATA / 'scholar.bib').resolve()}"
    assert library["2010.11929"] == {**library["2010.11929"], "in_store": False, "title": None}
    assert shown["authors"] == ["Ze Liu"]
    assert shown["keywords"] == [
        {"term": "medical", "weight": -1.0},
        {"term": "point cloud", "weight": 2.0},
    ]
    assert shown["categories"] == ["cs.CV"] and shown["marks"] == []

    code, out = _run(db, "show", "ana")
    assert code == 0 and "library: 9 papers" in out
    assert (
        "2103.13922   ScanGAN360: A Generative Model of Realistic Scanpaths for 360° Images" in out
    )
    assert "2010.11929   (not in the store)" in out

    assert _run(db, "add", "ben", "--ids", str(DATA / "ids.txt"))[0] == 0
    code, out = _run(db, "list")
    assert code == 0
    assert [line.split(":")[0] for line in out.splitlines()] == ["ana", "ben"]
    assert out.splitlines()[1].startswith("ben: 7 papers, 0 authors, 0 keywords, 0 categories")

    code, out = _run(db, "remove", "ana")
    assert code == 0 and out == "removed profile ana (9 library papers, 0 marks)\n"
    assert [line.split(":")[0] for line in _run(db, "list")[1].splitlines()] == ["ben"]


def test_an_unknown_category_is_refused_with_the_nearest_names(db: Path) -> None:
    code, out = _run(db, "add", "ana", "--ids", str(DATA / "ids.txt"), "--category", "cs.cv")
    assert code == 2
    assert "'cs.cv' is not an arXiv category; did you mean cs.CV" in out
    assert "no profiles" in _run(db, "list")[1]


def test_bad_files_and_unknown_profiles_are_one_line_errors(db: Path, tmp_path: Path) -> None:
    broken = one_error_line(_process(db, "add", "ana", "--bib", str(DATA / "broken.bib")))
    assert broken.startswith(f"error: {DATA / 'broken.bib'} line 7: not a BibTeX entry")
    absent = one_error_line(_process(db, "add", "ana", "--ids", str(tmp_path / "none.txt")))
    assert absent == f"error: {tmp_path / 'none.txt'}: cannot read: No such file or directory"
    # Nothing was made by either, and a good file after a bad one is not half-added.
    both = _process(db, "add", "ana", "--ids", str(DATA / "ids.txt"), "--bib", str(tmp_path))
    assert "cannot read: Is a directory" in one_error_line(both)
    missing = one_error_line(_process(db, "show", "ana"))
    assert missing == f"error: no profile named 'ana' in {db}; there are none yet"
    assert one_error_line(_process(db, "remove", "ana")).startswith("error: no profile named 'ana'")
