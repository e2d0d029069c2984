"""How long the web pages' LaTeX pass takes on a day page: `text_mode` against the pure-regex
`texmode.text_mode` it replaced, and `to_unicode` (the feeds' pass) for scale.

    python benchmarks/bench_latex.py [--repeat 15] [--anchor-rev d25a0cc]

A "day page" is 400 real 2021 papers (title, abstract and comment each, as the page shows
them), taken from the busiest days. The anchor is texmode.py read out of git at
`--anchor-rev`, so before and after run in one process, interleaved; prints the median time
per page of each and its ratio to the anchor. Target: well under the page's own render time,
i.e. a few tens of milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
import types
from collections.abc import Callable
from pathlib import Path

from paperboy.formats.collector import read_file
from paperboy.latex import text_mode, to_unicode

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "cvpapers-2021" / "cs.CV"
PAGE = 400


def day_pages(pages: int) -> list[list[str]]:
    """The fields of `pages` pages of PAGE papers, from the days with most papers."""
    days = sorted((read_file(f).papers for f in DATA.rglob("*.md")), key=len, reverse=True)
    papers = [p for day in days for p in day][: pages * PAGE]
    fields = [[f for p in papers[i : i + PAGE] for f in (p.title, p.abstract, p.comment or "")]
              for i in range(0, len(papers), PAGE)]  # fmt: skip
    return fields


def anchor(rev: str) -> Callable[[str], str]:
    """texmode.text_mode as it was at `rev`."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:src/paperboy/texmode.py"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    module = types.ModuleType("texmode_anchor")
    exec(compile(source, f"{rev}:texmode.py", "exec"), module.__dict__)
    fn: Callable[[str], str] = module.text_mode
    return fn


def per_page(fn: Callable[[str], str], page: list[str]) -> float:
    start = time.perf_counter()
    for field in page:
        fn(field)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--anchor-rev", default="d25a0cc")
    args = ap.parse_args()
    pages = day_pages(5)
    latexy = sum("\\" in f or "$" in f for page in pages for f in page)
    fields = sum(map(len, pages))
    print(f"{len(pages)} pages of {PAGE} papers, {latexy} of {fields} fields hold $ or \\")
    runs: dict[str, Callable[[str], str]] = {
        f"texmode.text_mode @ {args.anchor_rev} (anchor)": anchor(args.anchor_rev),
        "latex.text_mode (this)": text_mode,
        "latex.to_unicode (feeds)": to_unicode,
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeat):
        for page in pages:
            for name, fn in runs.items():  # interleaved: noise falls on all alike
                times[name].append(per_page(fn, page))
    base = statistics.median(next(iter(times.values())))
    print(f"{'pass':48} {'ms/page':>8} {'ratio':>7}")
    for name, ts in times.items():
        median = statistics.median(ts)
        print(f"{name:48} {median * 1000:8.2f} {median / base:6.1f}×")


if __name__ == "__main__":
    main()
