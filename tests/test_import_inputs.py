"""Hostile inputs to `paperboy import`: odd directory trees (issue 9.12), text no view can
show (9.9), and JSON lines written by `export --format json` coming back whole (9.12)."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from lxml import etree

from paperboy import feeds
from paperboy.importer import ImportReport, iter_files
from paperboy.store import open_store

DEC_31 = "cs.CV/2021/12/20211231.md"
SEED_004 = "004_751528becd0547dd.txt"
NOBODY = 65534


def paperboy(db: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperboy", "--db", str(db), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def _papers(day_file: Path) -> int:
    return day_file.read_text(encoding="utf-8").count("\n### ")


@pytest.fixture
def december(tmp_path: Path, data_2021: Path) -> Path:
    src = tmp_path / "in"
    shutil.copytree(data_2021 / "cs.CV/2021/12", src / "cs.CV/2021/12")
    return src


def test_a_symlink_loop_is_reported_and_the_rest_imported(
    tmp_path: Path, december: Path, data_2021: Path
) -> None:
    (december / "cs.CV/2021/12/loop").symlink_to(december / "cs.CV")
    done = paperboy(tmp_path / "p.db", "import", str(december))
    assert f"rejected {december}/cs.CV/2021/12/loop: symbolic link loop" in done.stdout
    assert "files: 31 imported, 1 rejected" in done.stdout
    total = sum(_papers(f) for f in (data_2021 / "cs.CV/2021/12").iterdir())
    assert f"papers: {total} new, 0 updated, 0 unchanged" in done.stdout
    assert done.returncode == 1


def test_an_unreadable_folder_is_reported(data_2021: Path) -> None:
    root = Path(tempfile.mkdtemp())  # not under pytest's 0700 folder: nobody must get in
    try:
        root.chmod(0o755)
        shutil.copytree(data_2021 / "cs.CV/2021/12", root / "cs.CV/2021/12")
        locked = root / "cs.CV/2021/11"
        locked.mkdir()
        shutil.copy(root / "cs.CV/2021/12/20211201.md", locked / "20211130.md")
        locked.chmod(0)
        # root reads any folder: then the walk runs as nobody, whom the mode does stop
        files, rejected = _walk_as(NOBODY if os.getuid() == 0 else None, [root])
    finally:
        locked.chmod(0o755)
        shutil.rmtree(root)
    assert rejected == [(str(locked), "cannot be read: Permission denied")]
    assert len(files) == 31


def _walk_as(user: int | None, paths: list[Path]) -> tuple[list[str], list[tuple[str, str]]]:
    """iter_files in a forked child running as `user` (the same code, another user's rights)."""
    ctx = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[tuple[list[str], list[tuple[str, str]]]] = ctx.Queue()
    child = ctx.Process(target=_walk_child, args=(user, paths, queue))
    child.start()
    result = queue.get(timeout=60)
    child.join()
    return result


def _walk_child(
    user: int | None,
    paths: list[Path],
    queue: multiprocessing.Queue[tuple[list[str], list[tuple[str, str]]]],
) -> None:
    if user is not None:
        os.setgid(user)
        os.setuid(user)
    report = ImportReport()
    files = [str(p) for p in iter_files(paths, report)]
    queue.put((files, report.rejected))


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path, december: Path) -> None:
    named = tmp_path / "20211232.md"
    os.mkfifo(named)
    os.mkfifo(december / "cs.CV/2021/12/20211299.md")
    done = paperboy(tmp_path / "p.db", "import", str(named), str(december), timeout=60)
    assert f"rejected {named}: not a regular file (a FIFO" in done.stdout
    assert f"rejected {december}/cs.CV/2021/12/20211299.md: not a regular file" in done.stdout
    assert "files: 31 imported, 2 rejected" in done.stdout


def test_dot_folders_and_files_not_named_like_digests_are_not_read(
    tmp_path: Path, december: Path
) -> None:
    (december / ".git").mkdir()
    (december / ".git/20211231.md").write_text("not a digest\n")
    (december / "README.md").write_text("# An archive\n")
    (december / "calendar.md").write_text("# Calendar of arXiv papers for cs.CV\n")
    (december / "cs.CV/2021/12/.20211231.md.swp").write_bytes(b"\0\1")
    (december / "cs.CV/2021/12/cover.png").write_bytes(b"\x89PNG")
    done = paperboy(tmp_path / "p.db", "import", str(december))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "files: 31 imported, 0 rejected" in done.stdout
    assert "skipped 3 files not named like digests" in done.stdout


def test_a_directory_without_digest_files_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "README.md").write_text("# nothing here\n")
    done = paperboy(tmp_path / "p.db", "import", str(empty))
    assert done.returncode == 1
    assert f"rejected {empty}: no digest files here" in done.stdout


# ---------------------------------------------------------------- text no view can show (9.9)

# Each of these crashes lxml ("All strings must be XML compatible") when it reaches a feed.
HOSTILE = {
    "Summary": ("In the last", "In\ufffe the la\x00st"),
    "Authors": ("Yuang Liu", "Yuang\x01 Liu\ufdd0"),
    "Comment": ("20 pages", "20 pages\x1b\U0001ffff"),
}


def test_text_xml_cannot_carry_is_repaired_at_import_and_every_view_renders(
    tmp_path: Path, data_2021: Path
) -> None:
    raw = (data_2021 / DEC_31).read_text(encoding="utf-8")
    head, first, rest = raw.split("\n### ", 2)
    title = first.split("\n", 1)[0]
    for name, (before, after) in HOSTILE.items():
        line = next(x for x in first.split("\n") if x.startswith(f"- **{name}**: "))
        assert before in line, name
        first = first.replace(line, line.replace(before, after, 1), 1)
    first = first.replace(title, title + "\ufffe", 1)
    src = tmp_path / "in" / "20211231.md"
    src.parent.mkdir()
    # With a UTF-8 byte-order mark, which is accepted too.
    src.write_bytes(b"\xef\xbb\xbf" + "\n### ".join([head, first, rest]).encode("utf-8"))
    db = tmp_path / "p.db"
    done = paperboy(db, "import", str(src))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "files: 1 imported, 0 rejected" in done.stdout
    assert "removed characters no view can show (controls, non-characters) in 4 fields" in (
        done.stdout
    )
    assert "'In\\ufffe the la\\x00st" in done.stdout  # reported as it was, escaped

    with open_store(db) as store:
        paper = next(store.papers())
        assert paper.title == title
        assert paper.abstract.startswith("In the last decade")
        assert paper.authors[0] == "Yuang Liu"
        assert paper.comment == "20 pages, 8 figures"
        for kind in ("atom", "rss"):
            body = feeds.category_feed(store, "cs.CV", kind, "http://localhost/feed")
            assert etree.fromstring(body) is not None
    site = paperboy(db, "site", "--out", str(tmp_path / "site"))
    assert site.returncode == 0, site.stdout + site.stderr
    atom = etree.parse(str(tmp_path / "site/feeds/cs.CV.atom"))
    assert len(atom.findall("{http://www.w3.org/2005/Atom}entry")) == _papers(data_2021 / DEC_31)


# ---------------------------------------------------------------- JSON lines back (9.12)


def test_json_export_imports_back_with_every_field(
    tmp_path: Path, data_2021: Path, seeds: Path
) -> None:
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    done = paperboy(first, "import", str(data_2021 / "cs.CV/2021/12"), str(seeds / SEED_004))
    assert done.returncode == 0, done.stdout + done.stderr
    backup = tmp_path / "backup.jsonl"
    assert paperboy(first, "export", "--format", "json", "--out", str(backup)).returncode == 0
    lines = [json.loads(x) for x in backup.read_text(encoding="utf-8").splitlines()]
    versions = [v for p in lines for v in p["versions"]]
    # The seed listing of Mon 3 Jan 2022 was seen: its papers are dated 'observed'.
    assert sum(v["announced_how"] == "observed" for v in versions) == 58
    assert all(v["announced"] for p in lines for v in p["versions"] if v["number"] == 1)

    done = paperboy(second, "import", str(backup))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"files: 1 imported, 0 rejected\npapers: {len(lines)} new" in done.stdout
    again = tmp_path / "again.jsonl"
    assert paperboy(second, "export", "--format", "json", "--out", str(again)).returncode == 0
    assert again.read_bytes() == backup.read_bytes()
    out_a, out_b = tmp_path / "out_a", tmp_path / "out_b"
    for db, out in ((first, out_a), (second, out_b)):
        assert paperboy(db, "export", "--out", str(out)).returncode == 0
    for day in sorted((out_a / "cs.CV").rglob("*.md")):
        assert day.read_bytes() == (out_b / day.relative_to(out_a)).read_bytes()

    again_done = paperboy(second, "import", str(backup))
    assert f"papers: 0 new, 0 updated, {len(lines)} unchanged" in again_done.stdout


def test_a_bad_json_line_rejects_the_file_by_line_and_stores_nothing_of_it(
    tmp_path: Path, data_2021: Path
) -> None:
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    assert paperboy(first, "import", str(data_2021 / DEC_31)).returncode == 0
    # JSON lines from stdout, kept under another name: known by their content.
    backup = tmp_path / "backup.json"
    dumped = paperboy(first, "export", "--format", "json", "--out", "-")
    assert dumped.returncode == 0, dumped.stderr
    lines = dumped.stdout.splitlines()
    record = json.loads(lines[4])
    record["published"] = "yesterday"
    lines[4] = json.dumps(record)
    backup.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = paperboy(second, "import", str(backup))
    assert done.returncode == 1
    assert f"rejected {backup}: line 5: published: not a timestamp: 'yesterday'" in done.stdout
    with open_store(second) as store:
        assert store.count() == 0
