"""How long `paperboy` takes to start: `--help`, and `listing` on a small real store.

    python benchmarks/bench_startup.py [--repeat 15] [--baseline PATH/TO/OTHER/src]

Each command runs as a new process, `--repeat` times, interleaved with the anchor (`python -c
pass`, what any Python program pays) so that the machine's noise falls on all alike; prints
the median wall time of each, and its ratio to the anchor. `--baseline` times the same
commands with another source tree first on the path (e.g. main's, for before/after in one run).
Target: under 0.4 s for `paperboy --help` and `paperboy listing`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def wall(command: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--baseline", type=Path, help="another src/ to time beside this one")
    args = ap.parse_args()
    trees = {"this": SRC} | ({"baseline": args.baseline} if args.baseline else {})
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sample.sqlite3"
        env = os.environ | {"PYTHONPATH": str(SRC)}
        sample = SRC / "paperboy" / "data" / "sample"
        paperboy = [sys.executable, "-m", "paperboy"]
        subprocess.run([*paperboy, "--db", str(db), "import", str(sample)], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        runs: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass (anchor)": ([sys.executable, "-c", "pass"], env)
        }
        for name, src in trees.items():
            tree_env = os.environ | {"PYTHONPATH": str(src)}
            runs[f"paperboy --help ({name})"] = ([*paperboy, "--help"], tree_env)
            listing = [*paperboy, "--db", str(db), "listing"]
            runs[f"paperboy listing ({name})"] = (listing, tree_env)
        times: dict[str, list[float]] = {name: [] for name in runs}
        for command, run_env in runs.values():
            wall(command, run_env)  # warm the page cache and the bytecode
        for _ in range(args.repeat):
            for name, (command, run_env) in runs.items():
                times[name].append(wall(command, run_env))
    anchor = statistics.median(times["python -c pass (anchor)"])
    print(f"{'command':<34} {'median':>8} {'x anchor':>9}   ({args.repeat} runs each, 2 cores)")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:<34} {median:>7.3f}s {median / anchor:>8.1f}x")


if __name__ == "__main__":
    main()
