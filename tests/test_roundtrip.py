"""Exact round trips through the store, as the core issue asks, via the real command."""

from __future__ import annotations

import filecmp
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SEED_001 = "001_480cdb2b239c3a19.txt"
SEED_004 = "004_751528becd0547dd.txt"
NOV_5 = "cs.CV/2021/11/20211105.md"


def paperboy(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperboy", "--db", str(db), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def ok(db: Path, *args: str) -> str:
    done = paperboy(db, *args)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def test_2021_and_seeds_come_back_byte_identical(
    tmp_path: Path, data_2021: Path, seeds: Path
) -> None:
    db, out = tmp_path / "p.db", tmp_path / "out"
    seed_files = [seeds / n for n in ("000_4cfd98626ea7f075.txt", "002_e7dc5dfea51801c0.txt",
                                      "003_126af9eaec7cd56a.txt")]  # fmt: skip
    summary = ok(db, "import", str(data_2021), *map(str, seed_files))
    assert "files: 304 imported, 0 rejected" in summary
    assert "papers: 15066 new, 0 updated, 0 unchanged" in summary
    ok(db, "export", "--format", "collector", "--out", str(out))

    expected = sorted(p.relative_to(data_2021) for p in (data_2021 / "cs.CV").rglob("*.md"))
    written = sorted(p.relative_to(out) for p in (out / "cs.CV").rglob("*.md"))
    assert set(expected) <= set(written)
    for rel in expected:
        assert filecmp.cmp(data_2021 / rel, out / rel, shallow=False), rel
    for seed in seed_files:
        day = seed.read_text(encoding="utf-8").split("\n", 1)[0][-10:].replace("-", "")
        rel = Path("cs.CV", day[:4], day[4:6], day + ".md")
        assert (out / rel).read_bytes() == seed.read_bytes(), seed.name
    calendar = (out / "calendar.md").read_text(encoding="utf-8")
    linked = {line for line in calendar.split("(./")[1:]}
    assert len(linked) == len(written) == 304
    assert calendar.startswith(
        "# Calendar of arXiv papers for cs.CV\n\n### 2023\n\n##### October\n"
    )


def test_reimport_changes_nothing(tmp_path: Path, data_2021: Path) -> None:
    db = tmp_path / "p.db"
    ok(db, "import", str(data_2021 / "cs.CV/2021/12"))
    before = _dump(db)
    again = ok(db, "import", str(data_2021 / "cs.CV/2021/12"))
    assert "0 new, 0 updated" in again
    assert _dump(db) == before


def _dump(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return (
            conn.execute("SELECT * FROM papers ORDER BY arxiv_id").fetchall()
            + conn.execute("SELECT * FROM versions ORDER BY arxiv_id, number").fetchall()
        )
    finally:
        conn.close()


@pytest.mark.parametrize("seed_first", [True, False])
def test_clean_text_wins_over_mojibake_in_either_order(
    tmp_path: Path, data_2021: Path, seeds: Path, seed_first: bool
) -> None:
    db, out = tmp_path / "p.db", tmp_path / "out"
    month = str(data_2021 / "cs.CV/2021/11")
    order = [str(seeds / SEED_001), month] if seed_first else [month, str(seeds / SEED_001)]
    for path in order:
        ok(db, "import", path)
    ok(db, "export", "--out", str(out), "--from", "2021-11-05", "--to", "2021-11-05")
    assert (out / NOV_5).read_bytes() == (data_2021 / NOV_5).read_bytes()


def test_seed_001_alone_is_repaired_where_it_can_be(
    tmp_path: Path, data_2021: Path, seeds: Path
) -> None:
    db, out = tmp_path / "p.db", tmp_path / "out"
    report = ok(db, "import", str(seeds / SEED_001))
    assert "'GÃ¼l Varol' -> 'Gül Varol'" in report
    assert "'Luis GÃ³mez-Chova' -> 'Luis Gómez-Chova'" in report
    assert "still looks broken" in report and "Vladimir RisojeviÄ" in report
    ok(db, "export", "--out", str(out))
    text = (out / NOV_5).read_text(encoding="utf-8")
    assert "Gül Varol" in text and "Luis Gómez-Chova" in text
    assert "GÃ" not in text
    # Only the lost-byte names still differ from the clean file.
    clean = (data_2021 / NOV_5).read_text(encoding="utf-8").split("\n")
    differing = [a for a, b in zip(text.split("\n"), clean, strict=True) if a != b]
    assert len(differing) == 1 and "RisojeviÄ" in differing[0]


def test_seed_004_listing_round_trip(tmp_path: Path, seeds: Path) -> None:
    db, out = tmp_path / "p.db", tmp_path / "out"
    ok(db, "import", str(seeds / SEED_004))
    ok(db, "export", "--format", "listing", "--date", "2022-01-03", "--out", str(out))
    written = out / "listing/cs.CV/2022/01/20220103.md"
    assert written.read_bytes() == (seeds / SEED_004).read_bytes()


def test_a_bad_file_is_rejected_whole_and_named(tmp_path: Path, data_2021: Path) -> None:
    db, src = tmp_path / "p.db", tmp_path / "in"
    shutil.copytree(data_2021 / "cs.CV/2021/12", src)
    good = (src / "20211231.md").read_text(encoding="utf-8")
    lines = good.split("\n")
    # The 20th paper's Updated line: the 19 papers before it must not go in either.
    bad_line = [i for i, line in enumerate(lines) if line.startswith("- **Updated**")][19]
    lines[bad_line] = "- **Updated**: yesterday"
    (src / "20211231.md").write_text("\n".join(lines), encoding="utf-8")
    done = paperboy(db, "import", str(src))
    assert done.returncode == 1
    assert f"20211231.md: line {bad_line + 1}: Updated: not a timestamp" in done.stdout
    assert "files: 30 imported, 1 rejected" in done.stdout
    dump = ok(db, "export", "--format", "json", "--out", "-", "--from", "2021-12-31")
    assert dump == ""  # nothing of the rejected file went in


def test_duplicate_ids_in_one_file_keep_the_latest_version(tmp_path: Path, data_2021: Path) -> None:
    db, out = tmp_path / "p.db", tmp_path / "out"
    raw = (data_2021 / "cs.CV/2021/12/20211231.md").read_text(encoding="utf-8")
    head, first, *rest = raw.split("### ")
    v1 = first.replace("v1\n", "v1\n", 1)
    v2 = first.replace("v1\n", "v2\n", 1).replace("v1)", "v2)", 1)
    assert v2 != v1
    (tmp_path / "dup.md").write_text(head + "### " + v1 + "### " + v2 + "### " + "### ".join(rest))
    report = ok(db, "import", str(tmp_path / "dup.md"))
    assert "same id twice in one file, latest version kept: 1" in report
    ok(db, "export", "--out", str(out), "--from", "2021-12-31", "--to", "2021-12-31")
    assert (out / "cs.CV/2021/12/20211231.md").read_text().count("### ") == raw.count("### ")
    assert "v2\n" in (out / "cs.CV/2021/12/20211231.md").read_text()


def test_listing_command_reads_a_day_from_the_store(
    tmp_path: Path, data_2021: Path, seeds: Path
) -> None:
    db = tmp_path / "p.db"
    ok(db, "import", str(data_2021 / "cs.CV/2021/12"))
    shown = ok(db, "listing", "--date", "2022-01-03", "--markdown")
    ids = [line.split("pdf/")[1].split(".pdf")[0] for line in shown.split("\n") if "pdf/" in line]
    seed = (seeds / SEED_004).read_text(encoding="utf-8")
    assert ids == [
        line.split("pdf/")[1].split(".pdf")[0] for line in seed.split("\n") if "pdf/" in line
    ]
    human = ok(db, "listing", "--date", "2022-01-03")
    assert "New submissions (35)" in human and "Cross-lists (23)" in human
    saturday = paperboy(db, "listing", "--date", "2021-12-25")
    assert saturday.returncode == 1 and "arXiv makes no" in saturday.stderr
    # With the listing itself imported, its own text comes back byte for byte.
    ok(db, "import", str(seeds / SEED_004))
    assert ok(db, "listing", "--date", "2022-01-03", "--markdown") == seed


@pytest.mark.parametrize(
    ("name", "header", "day"),
    [
        ("cs.CV/2021/07/20210731.md", "on 2021-07-31", "2021-07-32"),
        ("listing.md", "--Mon, 3 Jan 2022", "Tue, 30 Feb 2021"),
    ],
)  # the day replaces the header's date
def test_a_file_headed_with_an_impossible_day_is_rejected_and_the_rest_imported(
    tmp_path: Path, data_2021: Path, seeds: Path, name: str, header: str, day: str
) -> None:
    db, src = tmp_path / "p.db", tmp_path / "in"
    shutil.copytree(data_2021 / "cs.CV/2021/07", src / "cs.CV/2021/07")
    origin = seeds / SEED_004 if name == "listing.md" else data_2021 / name
    target = src / ("cs.CV-20220103.md" if name == "listing.md" else name)
    bad = header[:2] + day if name == "listing.md" else "on " + day
    target.write_text(origin.read_text(encoding="utf-8").replace(header, bad, 1), "utf-8")
    done = paperboy(db, "import", str(src))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"rejected {target}: line 1: no such day: '{day}'" in done.stdout
    files = 31 if name == "listing.md" else 30
    assert f"files: {files} imported, 1 rejected" in done.stdout
    july = sum(
        (data_2021 / "cs.CV/2021/07" / f.name).read_text("utf-8").count("\n### ")
        for f in (data_2021 / "cs.CV/2021/07").iterdir()
        if name == "listing.md" or f.name != "20210731.md"
    )
    assert f"papers: {july} new" in done.stdout
