"""Import and export speed and peak memory over the real 2021 data, and over scaled copies.

    python benchmarks/bench_import_export.py                 # 2021 data, 3 runs, plus 4x and 13x
    python benchmarks/bench_import_export.py --scales 1 --runs 5

Each measurement runs in a fresh process so its peak RSS is its own. The scaled corpora are
the 2021 files copied with fresh ids (13 copies is 193,284 papers, the size of the whole
upstream cs.CV archive).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cvpapers-2021"
_ID = re.compile(r"(abs|pdf)/21(\d\d\.\d{5})")


def build_corpus(copies: int, into: Path) -> Path:
    """The 2021 files `copies` times; copy k gets ids whose year digits are 30+k."""
    if copies == 1:
        return DATA
    for k in range(copies):
        for f in (DATA / "cs.CV").rglob("*.md"):
            text = _ID.sub(lambda m, k=k: f"{m.group(1)}/{30 + k}{m.group(2)}", f.read_text())
            target = into / f"copy{k:02d}" / f.relative_to(DATA)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    return into


def measure(corpus: Path, workdir: Path) -> dict[str, float]:
    """Import then export in this process; prints one JSON line of figures."""
    from paperboy.export import write_collector_archive
    from paperboy.importer import import_paths
    from paperboy.store import open_store

    store = open_store(workdir / "bench.sqlite3")
    t0 = time.perf_counter()
    report = import_paths(store, [corpus], date_announcements=False)
    t1 = time.perf_counter()
    papers = report.new
    exported = write_collector_archive(store, workdir / "out", "cs.CV")
    t2 = time.perf_counter()
    store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "papers": papers,
        "import_s": t1 - t0,
        "import_per_s": papers / (t1 - t0),
        "export_s": t2 - t1,
        "export_per_s": exported.papers / (t2 - t1),
        "peak_rss_mb": peak_mb,
        "rejected": len(report.rejected),
    }


def run_child(corpus: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as work:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(corpus), "--workdir", work],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scales", default="1,4,13", help="comma-separated copy counts")
    ap.add_argument("--runs", type=int, default=3, help="runs per scale (median reported)")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.workdir)))
        return
    if not DATA.exists():
        sys.exit(f"{DATA} is missing: the benchmark reads ../shared beside the checkout")
    print(f"{'papers':>8} {'import/s':>9} {'export/s':>9} {'import s':>9} {'export s':>9} "
          f"{'peak MB':>8}  (median of runs)")  # fmt: skip
    for copies in (int(s) for s in args.scales.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            corpus = build_corpus(copies, Path(tmp))
            runs = [run_child(corpus) for _ in range(args.runs if copies == 1 else 1)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"{med['papers']:>8.0f} {med['import_per_s']:>9.0f} {med['export_per_s']:>9.0f} "
              f"{med['import_s']:>9.2f} {med['export_s']:>9.2f} {med['peak_rss_mb']:>8.0f}"
              + (f"  rejected {med['rejected']:.0f}" if med["rejected"] else ""))  # fmt: skip


if __name__ == "__main__":
    main()
