"""The vector index at 2021 scale and scaled up: build, incremental, load, similar papers.

    python benchmarks/bench_vectors.py --workdir /work/pb-bench                  # 2021 only
    python benchmarks/bench_vectors.py --workdir /work/pb-bench --papers 192000 --papers 2600000
    python benchmarks/bench_vectors.py --store /tmp/big.sqlite3 --no-build   # a store as it is

The corpora are bench_search_web.py's (the 2021 papers, then synthetic ones made from them),
kept in --workdir; each is copied once to `vectors-<papers>.sqlite3` there, which this
benchmark indexes (the search benchmark's corpora stay as they are).

Figures, per corpus:
- build: `paperboy index --full` in its own process, wall time and peak RSS (os.wait4);
- incremental: 300 new papers (a day of cs.CV) stored, then `build.index` in-process and
  `paperboy index` as a command (process start and imports included);
- load: `neighbours.load` from the cache beside the store, against reading every vector
  back from SQLite (what the cache saves every command);
- similar: `VectorIndex.similar_to` p50/p99 for sampled papers, exact (numpy, every paper
  scored) side by side with approximate (faiss IVF, the default above 100k papers), and the
  approximate index's recall@10 against exact;
- similar papers: `paperboy.similar.similar` (the vectors' 1,000 nearest ordered by their
  words), words read from the cache against from SQLite, and whether the two agree;
- size: bytes per paper in the store (vector rows) and in the cache.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
from bench_search_web import base_store, scaled_store

from paperboy.similar import similar
from paperboy.store import open_store
from paperboy.vectors import build, neighbours

DAY = 300  # new papers of one day


def corpus(workdir: Path, papers: int) -> Path:
    source = (
        base_store(workdir) if papers == 0 else scaled_store(workdir, base_store(workdir), papers)
    )
    target = workdir / f"vectors-{papers or 2021}.sqlite3"
    if not target.exists():
        shutil.copy(source, f"{target}.part")
        os.replace(f"{target}.part", target)
    return target


def bench_build(db: Path) -> dict[str, object]:
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "paperboy", "--db", str(db), "index", "--full"],
        stdout=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    assert child.stdout is not None
    summary = child.stdout.read().strip()
    assert status == 0, summary
    return {"seconds": round(seconds, 1), "peak_rss_mb": usage.ru_maxrss // 1024, "said": summary}


def add_day(db: Path) -> None:
    """300 new papers with fresh ids (in 2027, a year no corpus uses), text from real ones."""
    with open_store(db) as store:
        ids = [p.arxiv_id for p in store.vectors.texts(0, 2000)][::5][:DAY]
        real = list(store.papers(ids=ids))
        fresh: list[str] = []
        month = 1
        while len(fresh) < DAY:
            candidates = [f"27{month:02d}.{90000 + n:05d}" for n in range(DAY)]
            taken = store.vectors.rowids(candidates)
            fresh += [c for c in candidates if c not in taken][: DAY - len(fresh)]
            month += 1
        store.upsert(
            [dataclasses.replace(p, arxiv_id=a) for p, a in zip(real, fresh, strict=True)], "bench"
        )


def bench_incremental(db: Path) -> dict[str, object]:
    add_day(db)
    with open_store(db) as store:
        started = time.perf_counter()
        report = build.index(store)
        library = time.perf_counter() - started
    assert not report.rebuilt and report.added == DAY, report
    add_day(db)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "paperboy", "--db", str(db), "index"],
        capture_output=True,
        text=True,
        check=True,
    )
    command = time.perf_counter() - started
    return {
        "library_s": round(library, 2),
        "command_s": round(command, 2),
        "said": done.stdout.strip(),
    }


def bench_load(db: Path) -> dict[str, object]:
    """`load` as every command meets it (from the cache, for a store of CACHE_MIN papers or
    more), and the read of every vector from SQLite that the cache saves."""
    with open_store(db) as store:
        loads, sqlite, cached = [], [], False
        for _ in range(3):
            started = time.perf_counter()
            index = neighbours.load(store)
            loads.append(time.perf_counter() - started)
            assert index is not None
            cached = index.from_cache
            space = store.vectors.active()
            assert space is not None
            started = time.perf_counter()
            store.vectors.snapshot(space.id, space.dims)
            sqlite.append(time.perf_counter() - started)
    return {"load_s": round(min(loads), 3), "from_cache": cached, "sqlite_s": round(min(sqlite), 3)}


def _times(
    f: Callable[[int, int], list[tuple[int, float]]], rowids: npt.NDArray[np.int64]
) -> tuple[list[list[int]], list[float]]:
    out, took = [], []
    for r in rowids:
        started = time.perf_counter()
        hits = f(int(r), 10)
        took.append((time.perf_counter() - started) * 1000)
        out.append([h for h, _ in hits])
    return out, took


def _p(values: list[float], q: float) -> float:
    return round(sorted(values)[min(len(values) - 1, int(len(values) * q))], 2)


def bench_similar(db: Path, queries: int) -> dict[str, object]:
    with open_store(db) as store:
        index = neighbours.load(store)
    assert index is not None
    exact = neighbours.VectorIndex(index.space, index.rowids, np.ascontiguousarray(index.matrix))
    started = time.perf_counter()
    ann = index.ann if index.ann is not None else neighbours.build_ann(exact.matrix)
    ann_build = time.perf_counter() - started
    approximate = neighbours.VectorIndex(
        index.space, index.rowids, index.matrix, ann, index.ann_rows
    )
    rng = np.random.default_rng(7)
    sample = rng.choice(index.rowids, size=min(queries, len(index)), replace=False)
    for f in (exact.similar_to, approximate.similar_to):  # warm
        _times(f, sample[:10])
    truth, exact_ms = _times(exact.similar_to, sample)
    found, ann_ms = _times(approximate.similar_to, sample)
    recall = statistics.mean(len(set(a) & set(b)) / 10 for a, b in zip(truth, found, strict=True))
    return {
        "default": "exact" if index.exact else "approximate",
        "exact_p50_ms": _p(exact_ms, 0.5),
        "exact_p99_ms": _p(exact_ms, 0.99),
        "ann_p50_ms": _p(ann_ms, 0.5),
        "ann_p99_ms": _p(ann_ms, 0.99),
        "ann_recall_at_10": round(recall, 3),
        "ann_nprobe": ann.nprobe,
        "ann_lists": ann.nlist,
        "ann_build_s": round(ann_build, 1) if index.ann is None else "cached",
    }


def bench_similar_papers(db: Path, queries: int) -> dict[str, object]:
    """`paperboy similar` as the library answers it (the vectors' 1,000 nearest ordered by
    their words), the words read from the cache's memory map against reading them from
    SQLite (how it was done before the cache held them), in the same run."""
    with open_store(db) as store:
        index = neighbours.load(store)
        assert index is not None
        readers = {"cache": index} if index.cached is not None else {}
        readers["sqlite"] = dataclasses.replace(index, cached=None, term_stats=None)
        rng = np.random.default_rng(11)
        rowids = rng.choice(index.rowids, size=min(queries, len(index)), replace=False)
        ids = store.vectors.arxiv_ids([int(r) for r in rowids])
        papers = list(store.papers(ids=list(ids.values())))
        took: dict[str, list[float]] = {name: [] for name in readers}
        agree = 0
        for n, paper in enumerate(papers):
            found = {}
            for name, reader in readers.items():
                started = time.perf_counter()
                found[name] = [h.paper.arxiv_id for h in similar(store, reader, paper, 10)]
                if n >= 5:  # the first ones warm the caches
                    took[name].append((time.perf_counter() - started) * 1000)
            agree += len({tuple(v) for v in found.values()}) == 1
    result: dict[str, object] = {
        f"{name}_p{q}_ms": _p(ms, q / 100) for name, ms in took.items() for q in (50, 90, 99)
    }
    result["same_top10"] = f"{agree}/{len(papers)}"
    return result


def bench_size(db: Path) -> dict[str, object]:
    with open_store(db) as store:
        papers = store.count()
        space = store.vectors.active()
        assert space is not None
        try:
            row = store.conn.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name IN "
                "('paper_vectors', 'paper_vectors_by_paper')"
            ).fetchone()
            in_store = int(row[0])
        except Exception:  # dbstat not compiled in: the payload alone
            in_store = store.vectors.count(space.id) * space.dims * 4
        model = len(store.vectors.model(space.id))
    cache = Path(f"{db}-vectors")
    cached = sum(f.stat().st_size for f in cache.iterdir()) if cache.exists() else 0
    return {
        "store_bytes_per_paper": round(in_store / papers),
        "cache_bytes_per_paper": round(cached / papers),
        "model_mb": round(model / 1e6, 1),
    }


def run(db: Path, args: argparse.Namespace) -> dict[str, object]:
    with open_store(db) as store:
        papers = store.count()
    print(f"== {papers:,} papers ({db})", file=sys.stderr)
    result: dict[str, object] = {"papers": papers}
    if not args.no_build:
        result["build"] = bench_build(db)
    print(json.dumps(result), file=sys.stderr)
    result["incremental"] = bench_incremental(db)
    result["load"] = bench_load(db)
    result["similar"] = bench_similar(db, args.queries)
    result["similar_papers"] = bench_similar_papers(db, args.queries)
    result["size"] = bench_size(db)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, action="append", default=[], help="scaled sizes")
    parser.add_argument("--workdir", type=Path, default=None, help="keeps the corpora")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--skip-2021", action="store_true")
    parser.add_argument("--no-build", action="store_true", help="keep an index built before")
    parser.add_argument("--store", type=Path, default=None, help="measure this store instead")
    args = parser.parse_args()
    tmp = None
    if args.workdir is None:
        tmp = tempfile.mkdtemp(prefix="paperboy-bench-")
        args.workdir = Path(tmp)
    args.workdir.mkdir(parents=True, exist_ok=True)
    try:
        if args.store is not None:  # a store of your own, as it is (it will grow by 600)
            print(json.dumps(run(args.store, args), indent=2), flush=True)
            return
        sizes = ([] if args.skip_2021 else [0]) + args.papers
        for papers in sizes:
            print(json.dumps(run(corpus(args.workdir, papers), args), indent=2), flush=True)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
