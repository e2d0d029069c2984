"""Search latency per mode (keyword, semantic, hybrid) at 2021 scale and scaled up.

    python benchmarks/bench_search_modes.py --workdir /tmp/pb-modes                  # 2021
    python benchmarks/bench_search_modes.py --workdir /tmp/pb-modes --papers 192000

The corpora are bench_search_web's (the 2021 papers, and synthetic papers recombined from
them up to --papers), each with a vector index: fitted on the 2021 papers, the synthetic
ones projected into that space (`paperboy index` on a grown store), which is how an
archive's index grows between rebuilds. Kept in --workdir and reused.

Figures: `paperboy.search.search` end to end (parse, rank, fuse, snippets, papers) over
bench_search_web's fixed query mix, p50/p90/p99 per mode in the same run; keyword mode is
today's search (the anchor). Also the time to load the index (`neighbours.load`, once per
process: the CLI per command, the web app once) and similar-papers latency.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench_search_web import DATA, Query, percentiles, query_mix, scaled_store

from paperboy.importer import import_paths
from paperboy.search import MODES, search
from paperboy.similar import similar
from paperboy.store import Store, open_store
from paperboy.vectors import neighbours
from paperboy.vectors.build import index
from paperboy.vectors.neighbours import VectorIndex


def base_store(workdir: Path) -> Path:
    """The 2021 data with its vector index."""
    db = workdir / "base-2021.sqlite3"
    if not db.exists():
        with open_store(db) as s:
            import_paths(s, [DATA])
            index(s)
    return db


def indexed(workdir: Path, base: Path, papers: int) -> Path:
    db = scaled_store(workdir, base, papers)
    with open_store(db) as s:
        _seed_space(s, base)
        started = time.perf_counter()
        report = index(s)  # projects the papers the copied 2021 index lacks
        if report.added:
            took = time.perf_counter() - started
            print(f"projected {report.added:,} papers in {took:.0f} s", file=sys.stderr)
    return db


def _seed_space(s: Store, base: Path) -> None:
    """Give a corpus made elsewhere (without the base's vector tables) the base's fitted
    space, so that `index` projects its papers instead of fitting on all of them."""
    if s.vectors.active() is not None:
        return
    with open_store(base) as b:
        space = b.vectors.active()
        assert space is not None
        model = b.vectors.model(space.id)
    with s.transaction():
        seeded = s.vectors.create(space.format, space.dims, space.fitted_on, model)
        s.vectors.activate(seeded)


def bench_modes(
    s: Store, vectors: VectorIndex, queries: Sequence[Query]
) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for mode in MODES:
        for q in queries[:20]:  # warm the page cache
            search(s, q.text, mode=mode, index=vectors)
        by_kind: dict[str, list[float]] = {}
        for q in queries:
            t0 = time.perf_counter()
            search(s, q.text, mode=mode, index=vectors, limit=20)
            by_kind.setdefault(q.kind, []).append((time.perf_counter() - t0) * 1000)
        every = [ms for v in by_kind.values() for ms in v]
        out[mode] = {
            "all": percentiles(every),
            "by_kind": {k: percentiles(v) for k, v in sorted(by_kind.items())},
        }
    return out


def bench_similar(s: Store, vectors: VectorIndex, count: int) -> dict[str, float]:
    rng = random.Random(5)
    papers = list(itertools.islice(s.papers(category="cs.CV"), 20_000))
    ms = []
    for paper in rng.sample(papers, min(count, len(papers))):
        t0 = time.perf_counter()
        similar(s, vectors, paper, 10)
        ms.append((time.perf_counter() - t0) * 1000)
    return percentiles(ms)


def run(db: Path, label: str, queries: Sequence[Query]) -> dict[str, object]:
    with open_store(db) as s:
        t0 = time.perf_counter()
        vectors = neighbours.load(s)
        load_s = time.perf_counter() - t0
        assert vectors is not None, f"{db} has no vector index"
        result: dict[str, object] = {"label": label, "papers": s.count(), "load_s": load_s}
        result["search_ms"] = bench_modes(s, vectors, queries)
        result["similar_ms"] = bench_similar(s, vectors, 200)
    return result


def table(results: Sequence[dict[str, object]]) -> str:
    rows = ["| corpus | index load | " + " | ".join(f"{m} p50 / p90 / p99" for m in MODES) + " |"]
    rows.append("|" + " --- |" * (2 + len(MODES)))
    for r in results:
        cells = [f"{r['papers']:,}", f"{r['load_s']:.1f} s"]
        modes = r["search_ms"]
        assert isinstance(modes, dict)
        for mode in MODES:
            p = modes[mode]["all"]
            cells.append(f"{p['p50']:.1f} / {p['p90']:.1f} / {p['p99']:.1f} ms")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=0, help="scaled corpus size (0: none)")
    parser.add_argument("--workdir", type=Path, required=True, help="keeps the corpora")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--skip-2021", action="store_true")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    base = base_store(args.workdir)
    with open_store(base) as b:
        queries = query_mix(b, args.queries)
    results = []
    if not args.skip_2021:
        results.append(run(base, "2021", queries))
        print(json.dumps(results[-1], indent=1))
    if args.papers:
        scaled = indexed(args.workdir, base, args.papers)
        results.append(run(scaled, f"scaled to {args.papers:,}", queries))
        print(json.dumps(results[-1], indent=1))
    print(table(results))


if __name__ == "__main__":
    main()
