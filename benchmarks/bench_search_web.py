"""Search latency, page render time and requests per second, at 2021 scale and scaled up.

    python benchmarks/bench_search_web.py                          # 2021 data only
    python benchmarks/bench_search_web.py --papers 2600000 --workdir /tmp/pb-bench

The scaled corpus keeps the 2021 papers and adds synthetic ones with fresh ids: each takes
its title and categories from one real paper, its abstract from another and its authors from
a third, and a submission day spread from 2007 to 2026 with more papers in later years, as on
arXiv. It is written through the store (Store.upsert), kept in --workdir and reused by
later runs with the same --papers.

Figures: search p50/p99 over a fixed mix of queries built from real titles and authors
(paperboy.search.search, end to end: parse, rank, count, snippets, papers); day page and
search page render time over HTTP on 127.0.0.1 (page cache off); requests per second with
wrk against `paperboy serve` in its own process, for a bounded time, page cache off and on.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import httpx

from paperboy.importer import import_paths
from paperboy.record import Paper
from paperboy.search import search
from paperboy.store import Location, Store, open_store

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cvpapers-2021"
CATEGORY = "cs.CV"
_WORD = re.compile(r"[A-Za-z][A-Za-z\-]{3,}")
_STOP = frozenset(
    [
        "with",
        "from",
        "using",
        "that",
        "this",
        "their",
        "into",
        "based",
        "over",
        "for",
        "and",
        "the",
        "via",
        "towards",
        "learning",
    ]
)


# ---------------------------------------------------------------- corpora


def base_store(workdir: Path) -> Path:
    db = workdir / "base-2021.sqlite3"
    if not db.exists():
        with open_store(db) as s:
            import_paths(s, [DATA])
    return db


def scaled_store(workdir: Path, base: Path, papers: int) -> Path:
    db = workdir / f"scaled-{papers}.sqlite3"
    if db.exists():
        with open_store(db) as s:
            if s.count() >= papers:
                return db
        db.unlink()
    shutil.copy(base, db)
    with open_store(base) as b:
        real = list(b.papers())
    started = time.perf_counter()
    with open_store(db) as s:
        extra = papers - s.count()
        for done, batch in enumerate(_batches(_synthetic(real, extra), 20_000)):
            s.upsert(batch, "synthetic")
            _progress(started, (done + 1) * 20_000, extra)
        s.conn.execute("INSERT INTO papers_fts (papers_fts) VALUES ('optimize')")
        s.conn.execute("ANALYZE")
    print(f"built {db} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return db


def _progress(started: float, done: int, total: int) -> None:
    if done % 200_000 == 0:
        rate = done / (time.perf_counter() - started)
        print(f"  {done:,}/{total:,} papers, {rate:,.0f}/s", file=sys.stderr)


def _synthetic(real: Sequence[Paper], count: int) -> Iterator[Paper]:
    rng = random.Random(2026)
    first, months = date(2007, 4, 1), 237  # 2007-04 .. 2026-12
    per_month: Counter[int] = Counter()
    for k in range(count):
        # Density growing linearly with time: month index ~ sqrt(uniform).
        month = min(months - 1, int(months * (k / count) ** 0.5))
        year, mon = first.year + (first.month - 1 + month) // 12, (first.month - 1 + month) % 12 + 1
        seq = 50_000 + per_month[month]  # above every real 2021 id number: no collisions
        per_month[month] += 1
        a, b, c = (real[rng.randrange(len(real))] for _ in range(3))
        day = date(year, mon, 1 + rng.randrange(28))
        published = datetime.combine(day, a.published.time(), UTC)
        yield Paper(
            arxiv_id=f"{year % 100:02d}{mon:02d}.{seq:05d}",
            version=1,
            title=a.title,
            authors=c.authors,
            categories=a.categories,
            primary_category=a.primary_category,
            published=published,
            updated=published,
            abstract=b.abstract,
            comment=a.comment,
            journal_ref=None,
            doi=None,
        )


def _batches(items: Iterator[Paper], size: int) -> Iterator[list[Paper]]:
    batch: list[Paper] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# ---------------------------------------------------------------- queries


@dataclass(frozen=True, slots=True)
class Query:
    kind: str
    text: str


def query_mix(store: Store, count: int, seed: int = 7) -> list[Query]:
    """A fixed mix of what people type, built from the real 2021 papers."""
    rng = random.Random(seed)
    real = [p for p in store.papers() if p.arxiv_id.startswith("21")]
    common = [
        w for w, _ in Counter(w.lower() for p in real for w in _words(p.title)).most_common(40)
    ]
    makers: list[tuple[float, Callable[[Paper], str | None], str]] = [
        (0.35, lambda p: _pick(rng, _words(p.title), 2), "two title words"),
        (0.15, lambda p: _pick(rng, _words(p.title), 3), "three title words"),
        (0.10, lambda p: p.title, "exact title"),
        (0.10, lambda p: f"au:{p.authors[0].split()[-1]}" if p.authors else None, "author"),
        (0.10, lambda p: _phrase(rng, p.title), "phrase"),
        (0.05, lambda p: f"ti:{_pick(rng, _words(p.title), 1)} cat:cs.RO", "field + category"),
        (0.10, lambda p: rng.choice(common), "one common word"),
        (0.05, lambda p: f"{_pick(rng, _words(p.title), 1)} -{rng.choice(common)}", "exclusion"),
    ]
    out: list[Query] = []
    for share, make, kind in makers:
        while sum(q.kind == kind for q in out) < round(share * count):
            text = make(rng.choice(real))
            if text and "None" not in text:
                out.append(Query(kind, text))
    rng.shuffle(out)
    return out


def _words(title: str) -> list[str]:
    return [w for w in _WORD.findall(title) if w.lower() not in _STOP]


def _pick(rng: random.Random, words: Sequence[str], n: int) -> str | None:
    return " ".join(rng.sample(list(words), n)) if len(words) >= n else None


def _phrase(rng: random.Random, title: str) -> str | None:
    words = title.split()
    if len(words) < 3:
        return None
    i = rng.randrange(len(words) - 1)
    return f'"{words[i]} {words[i + 1]}"'


# ---------------------------------------------------------------- measuring


def percentiles(ms: Sequence[float]) -> dict[str, float]:
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50": cuts[49], "p90": cuts[89], "p99": cuts[98], "max": max(ms), "n": len(ms)}


def bench_search(db: Location, queries: Sequence[Query]) -> dict[str, object]:
    with open_store(db) as s:
        for q in queries[:20]:  # warm the page cache
            search(s, q.text)
        by_kind: dict[str, list[float]] = {}
        for q in queries:
            t0 = time.perf_counter()
            search(s, q.text, limit=20)
            by_kind.setdefault(q.kind, []).append((time.perf_counter() - t0) * 1000)
    every = [ms for v in by_kind.values() for ms in v]
    return {
        "all": percentiles(every),
        "by_kind": {k: percentiles(v) for k, v in sorted(by_kind.items())},
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`paperboy serve` in its own process, as a user runs it."""

    def __init__(self, db: Location, cache_mb: int = 64, options: Sequence[str] = ()) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "paperboy", "--db", str(db), "serve", "--port", str(self.port)]
        cmd += ["--cache-mb", str(cache_mb), *options]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                httpx.get(self.url + "/healthz", timeout=1).raise_for_status()
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("paperboy serve did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def page_urls(db: Location, count: int, queries: Sequence[Query]) -> dict[str, list[str]]:
    rng = random.Random(11)
    with open_store(db) as s:
        days = sorted(s.day_counts(CATEGORY))
    picked = [rng.choice(days) for _ in range(count)]
    return {
        "day page": [f"/{CATEGORY}/{d.isoformat()}/" for d in picked],
        "search page": [f"/search?{httpx.QueryParams(q=q.text)}" for q in queries[:count]],
    }


def bench_pages(server: Server, urls: dict[str, list[str]]) -> dict[str, object]:
    out: dict[str, object] = {}
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for kind, paths in urls.items():
            client.get(paths[0])
            ms = []
            for path in paths:
                t0 = time.perf_counter()
                client.get(path).raise_for_status()
                ms.append((time.perf_counter() - t0) * 1000)
            out[kind] = percentiles(ms)
    return out


def bench_wrk(server: Server, urls: dict[str, str], seconds: int, conns: int) -> dict[str, float]:
    out = {}
    for name, path in urls.items():
        result = subprocess.run(
            ["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency", server.url + path],
            capture_output=True,
            text=True,
            check=True,
        )
        m = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
        out[name] = float(m.group(1)) if m else float("nan")
    return out


def run(db: Path, label: str, args: argparse.Namespace) -> dict[str, object]:
    with open_store(db) as s:
        papers = s.count()
    print(f"== {label}: {papers:,} papers", file=sys.stderr)
    with open_store(base_store(args.workdir)) as b:
        queries = query_mix(b, args.queries)
    result: dict[str, object] = {"label": label, "papers": papers}
    result["search_ms"] = bench_search(db, queries)
    with open_store(db) as s:
        span = s.day_span(CATEGORY)
        day = span[1] if span else None
    some = next(q.text for q in queries if q.kind == "two title words")
    wrk_urls = {
        "day page": f"/{CATEGORY}/{day}/",
        "search page": f"/search?{httpx.QueryParams(q=some)}",
        "search API": f"/api/search?{httpx.QueryParams(q=some)}",
    }
    run_wrk = args.wrk_seconds > 0 and shutil.which("wrk") is not None
    # Render times with the page cache off: each request renders. Then requests per second
    # with it off and on (on: a page many readers open is rendered once).
    for cache_mb, mode in ((0, "uncached"), (64, "cached")):
        server = Server(db, cache_mb)
        try:
            if cache_mb == 0:
                result["render_ms"] = bench_pages(server, page_urls(db, args.pages, queries))
            if run_wrk:
                result[f"wrk_rps_{mode}"] = bench_wrk(
                    server, wrk_urls, args.wrk_seconds, args.connections
                )
        finally:
            server.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=0, help="scaled corpus size (0: none)")
    parser.add_argument("--workdir", type=Path, default=None, help="keeps the corpora")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--pages", type=int, default=100, help="requests per page kind")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--skip-2021", action="store_true")
    args = parser.parse_args()
    tmp = None
    if args.workdir is None:
        tmp = tempfile.mkdtemp(prefix="paperboy-bench-")
        args.workdir = Path(tmp)
    args.workdir.mkdir(parents=True, exist_ok=True)
    try:
        base = base_store(args.workdir)
        if not args.skip_2021:
            print(json.dumps(run(base, "2021", args), indent=2))
        if args.papers:
            scaled = scaled_store(args.workdir, base, args.papers)
            print(json.dumps(run(scaled, f"scaled to {args.papers:,}", args), indent=2))
    finally:
        if tmp is not None:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
