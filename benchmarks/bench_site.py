"""Size and build time of `paperboy site`, against GitHub Pages' 1 GB.

    python benchmarks/bench_site.py                       # the real 2021 data (14,868 papers)
    python benchmarks/bench_site.py --anchor e426473      # ... beside the site of that commit
    python benchmarks/bench_site.py --corpus archive --runs 1   # the archive-shaped corpus

Each run writes the site into an empty folder (a fresh process, as `paperboy site` runs),
then again into the same folder with nothing changed (the no-op rebuild), and copies the
written folder with shutil.copytree (the floor: what just writing those bytes costs). It
prints the size (the files' content, and as a tar: the form GitHub Pages' artifact takes),
the file count, bytes per paper and that figure times the whole upstream archive (192,108
papers), and medians of the times. `--anchor REV` measures the site of
another revision (checked out with `git worktree` under --cache) in the same run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import archive_corpus

from paperboy.importer import import_paths
from paperboy.store import open_store

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "cvpapers-2021"
ARCHIVE_PAPERS = 192_108
BUDGET_MB = 800


@dataclass(frozen=True, slots=True)
class Figures:
    label: str
    megabytes: float
    tar_megabytes: float  # as a tar archive, the form GitHub Pages' artifact takes
    files: int
    per_paper: float
    full: float  # seconds, median
    noop: float
    copy: float


def store_for(corpus: str, cache: Path) -> Path:
    """A store of the corpus, imported once and kept under `cache`."""
    source = DATA if corpus == "2021" else archive_corpus.build(DATA, cache)
    db = cache / f"site-{corpus}-{source.name}.sqlite3"
    if not db.exists():
        tmp = db.with_suffix(".partial")
        tmp.unlink(missing_ok=True)
        with open_store(tmp) as store:
            import_paths(store, [source])
        tmp.rename(db)
    return db


def anchor_tree(rev: str, cache: Path) -> Path:
    """The source tree of revision `rev`, checked out once under `cache`."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", rev],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    tree = cache / f"anchor-{sha}"
    if not tree.exists():
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), sha],
            check=True, capture_output=True,
        )  # fmt: skip
    return tree


def build(src: Path, db: Path, out: Path) -> float:
    """Seconds for one `paperboy site` in a fresh process running the code under `src`."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-m", "paperboy", "--db", str(db), "site", "--out", str(out),
           "--category", "cs.CV"]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def tar_size(folder: Path) -> int:
    """Bytes of a tar of `folder`: a 512-byte header per entry, content padded to 512."""
    total = 0
    for f in folder.rglob("*"):
        total += 512 + (-(-f.stat().st_size // 512) * 512 if f.is_file() else 0)
    return total + 1024  # the end-of-archive blocks


def measure(label: str, src: Path, db: Path, papers: int, runs: int, work: Path) -> Figures:
    full, noop, copy = [], [], []
    size = files = tar = 0
    for k in range(runs):
        out = work / f"{label}-{k}"
        full.append(build(src, db, out))
        noop.append(build(src, db, out))
        written = [f for f in out.rglob("*") if f.is_file()]
        size, files = sum(f.stat().st_size for f in written), len(written)
        tar = tar_size(out)
        start = time.perf_counter()
        shutil.copytree(out, work / f"{label}-{k}-copy")
        copy.append(time.perf_counter() - start)
        shutil.rmtree(out)
        shutil.rmtree(work / f"{label}-{k}-copy")
    return Figures(
        label,
        size / 1e6,
        tar / 1e6,
        files,
        size / papers,
        statistics.median(full),
        statistics.median(noop),
        statistics.median(copy),
    )


def report(corpus: str, papers: int, runs: int, rows: list[Figures]) -> None:
    print(f"corpus {corpus}: {papers:,} papers; medians of {runs} run(s)")
    print(
        f"{'site':<10} {'MB':>8} {'tar MB':>7} {'files':>7} {'B/paper':>8} {'192k MB':>8} "
        f"{'full s':>7} {'no-op s':>8} {'copy s':>7}"
    )
    for r in rows:
        print(
            f"{r.label:<10} {r.megabytes:>8.1f} {r.tar_megabytes:>7.1f} {r.files:>7,} "
            f"{r.per_paper:>8,.0f} "
            f"{r.per_paper * ARCHIVE_PAPERS / 1e6:>8.0f} {r.full:>7.1f} {r.noop:>8.2f} "
            f"{r.copy:>7.2f}"
        )
    if len(rows) == 2:
        new, old = rows
        print(
            f"this/anchor: size {new.megabytes / old.megabytes:.2f}x, files "
            f"{new.files / old.files:.2f}x, full build {new.full / old.full:.2f}x, "
            f"no-op rebuild {new.noop / old.noop:.2f}x"
        )
    print(f"target: the whole archive under {BUDGET_MB} MB; a no-op rebuild of 2021 under 10 s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", choices=["2021", "archive"], default="2021")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--anchor", help="a git revision whose site is measured alongside")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "paperboy-bench")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    db = store_for(args.corpus, args.cache)
    with open_store(db) as store:
        papers = sum(1 for _ in store.papers(category="cs.CV"))
    with tempfile.TemporaryDirectory(dir=args.cache) as tmp:
        work = Path(tmp)
        rows = [measure("this", ROOT / "src", db, papers, args.runs, work)]
        if args.anchor:
            tree = anchor_tree(args.anchor, args.cache)
            rows.append(measure(args.anchor, tree / "src", db, papers, args.runs, work))
    report(args.corpus, papers, args.runs, rows)


if __name__ == "__main__":
    main()
