"""Import and export against the floor of reading the same files, on an archive-shaped corpus.

    python benchmarks/bench_import_export.py                  # archive-shaped corpus, 3 runs
    python benchmarks/bench_import_export.py --corpus 2021    # the real 2021 data only
    python benchmarks/bench_import_export.py --runs 5 --cache /tmp/pb-bench

The archive-shaped corpus (benchmarks/archive_corpus.py) has the upstream archive's shape:
~5,800 day files from 1998 to 2026, ~192k papers, ~340 MB, old-style ids before 2007-04. It
is built once from the 2021 data and cached under --cache.

Each run is a fresh process (its own peak RSS) that measures, side by side:
- floor: list the files and read each one, split into paper blocks (no parsing);
- import: a clean import into a fresh store, full-text index and announcement dating included
  (the dating part is shown on its own too);
- export: the whole collector archive written into an empty folder;
- the full-text index alone: FTS5 rebuilding the imported store's index in one statement
  (a part of every import, shown to say how much of the import's budget it takes).
Medians over the runs. Targets: import at most 15x the floor, export at most 4x.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import archive_corpus

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cvpapers-2021"
TARGETS = {"import": 15.0, "export": 4.0}


def floor(corpus: Path) -> tuple[float, int]:
    """Seconds to list and read every day file and split it into paper blocks; blocks."""
    t0 = time.perf_counter()
    blocks = 0
    for f in sorted(corpus.rglob("*.md")):
        if f.name == "calendar.md":
            continue
        blocks += len(f.read_text(encoding="utf-8").split("\n### "))
    return time.perf_counter() - t0, blocks


def measure(corpus: Path, workdir: Path) -> dict[str, float]:
    """Floor, import and export in this process, as one JSON-ready dict of figures."""
    from paperboy.export import write_collector_archive
    from paperboy.importer import import_paths
    from paperboy.listings import refresh_announcements
    from paperboy.store import open_store

    floor(corpus)  # warm the page cache, so every figure reads from memory alike
    floor_s, blocks = floor(corpus)
    store = open_store(workdir / "bench.sqlite3")
    t0 = time.perf_counter()
    report = import_paths(store, [corpus], date_announcements=False)
    t1 = time.perf_counter()
    refresh_announcements(store)  # the months the import left pending
    t2 = time.perf_counter()
    exported = write_collector_archive(store, workdir / "out", "cs.CV")
    t3 = time.perf_counter()
    store.close()
    index_s = full_text_alone(workdir / "bench.sqlite3")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "files": report.files,
        "papers": report.new,
        "blocks": blocks,
        "rejected": len(report.rejected),
        "floor_s": floor_s,
        "load_s": t1 - t0,
        "dating_s": t2 - t1,
        "import_s": t2 - t0,
        "export_s": t3 - t2,
        "index_s": index_s,
        "exported": exported.papers,
        "peak_rss_mb": own / 1024,
        "worker_rss_mb": workers / 1024,
    }


def full_text_alone(db: Path) -> float:
    """Seconds to build the full-text index of the imported store again in one statement:
    what FTS5 alone costs, a part of the import no writer can avoid (measured on this
    benchmark's own file, through sqlite3 directly)."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA cache_size = -65536")  # as the store's
    t0 = time.perf_counter()
    conn.execute("INSERT INTO papers_fts (papers_fts) VALUES ('rebuild')")
    seconds = time.perf_counter() - t0
    conn.close()
    return seconds


def run_child(corpus: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as work:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(corpus), "--workdir", work],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", choices=("archive", "2021"), default="archive")
    ap.add_argument("--runs", type=int, default=3, help="runs (medians reported)")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "paperboy-bench")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.workdir)))
        return
    if not DATA.exists():
        sys.exit(f"{DATA} is missing: the benchmark reads ../shared beside the checkout")
    corpus = DATA if args.corpus == "2021" else archive_corpus.build(DATA, args.cache)
    shape = archive_corpus.shape(corpus)
    print(f"corpus {corpus}: {shape.files} files, {shape.papers} papers, {shape.megabytes:.0f} MB")
    runs = []
    for k in range(args.runs):
        runs.append(run_child(corpus))
        r = runs[-1]
        print(
            f"run {k + 1}: floor {r['floor_s']:.2f} s, import {r['import_s']:.2f} s "
            f"(dating {r['dating_s']:.2f} s), export {r['export_s']:.2f} s, "
            f"full-text index alone {r['index_s']:.2f} s, "
            f"peak RSS {r['peak_rss_mb']:.0f} MB (worker {r['worker_rss_mb']:.0f} MB)"
        )
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    if med["rejected"] or med["papers"] != med["exported"]:
        print(f"warning: {med['rejected']:.0f} files rejected, {med['papers']:.0f} papers "
              f"imported, {med['exported']:.0f} exported")  # fmt: skip
    print(f"\nmedian of {args.runs} runs, {med['papers']:.0f} papers in {med['files']:.0f} files:")
    print(f"{'step':<8} {'seconds':>8} {'x floor':>8} {'target':>8}")
    print(f"{'floor':<8} {med['floor_s']:>8.2f} {1:>8.1f}")
    for step in ("import", "export"):
        ratio = med[f"{step}_s"] / med["floor_s"]
        verdict = "ok" if ratio <= TARGETS[step] else "MISSED"
        print(f"{step:<8} {med[f'{step}_s']:>8.2f} {ratio:>8.1f} {TARGETS[step]:>7.0f}x {verdict}")
    print(f"  of which dating {med['dating_s']:.2f} s ({med['dating_s'] / med['floor_s']:.1f}x)")
    index = med["index_s"]
    print(f"  the full-text index alone, rebuilt in one statement: {index:.2f} s "
          f"({index / med['floor_s']:.1f}x)")  # fmt: skip
    print(f"peak RSS {med['peak_rss_mb']:.0f} MB (a parse worker: {med['worker_rss_mb']:.0f} MB)")


if __name__ == "__main__":
    main()
