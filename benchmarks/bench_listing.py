"""Time to read any announcement day's listing from the store, over the whole 2021 data.

    python benchmarks/bench_listing.py [--repeat 5]

Imports the 2021 data into a temporary store, dates every version (reported too), then reads
the listing of every announcement day the data covers, `--repeat` times, and prints p50, p99
and the worst day. Target: under 50 ms for any day.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from paperboy import listings
from paperboy.importer import import_paths
from paperboy.store import open_store

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cvpapers-2021"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA} is missing: the benchmark reads ../shared beside the checkout")
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.sqlite3")
        import_paths(store, [DATA], date_announcements=False)
        t0 = time.perf_counter()
        dated = listings.refresh_announcements(store)
        print(f"dated the versions of {dated} papers in {time.perf_counter() - t0:.2f} s")
        days = sorted(store.announcement_counts("cs.CV"))
        timings: list[tuple[float, str]] = []
        for _ in range(args.repeat):
            for day in days:
                t = time.perf_counter()
                lines = listings.day_listing(store, "cs.CV", day)
                timings.append(((time.perf_counter() - t) * 1000, f"{day} ({len(lines)} entries)"))
        ms = sorted(t for t, _ in timings)
        worst = max(timings)
        p50, p99 = statistics.median(ms), ms[int(len(ms) * 0.99) - 1]
        print(f"{len(days)} listing days x {args.repeat}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
              f"worst {worst[0]:.1f} ms on {worst[1]}")  # fmt: skip
        store.close()


if __name__ == "__main__":
    main()
