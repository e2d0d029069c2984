"""SQLite and PostgreSQL side by side over the same archive: import, search, listing, day page.

    python benchmarks/bench_engines.py                   # the archive-shaped 192k corpus
    python benchmarks/bench_engines.py --corpus 2021     # the real 2021 data only
    python benchmarks/bench_engines.py --papers 2600000  # 2021 and synthetic papers, 2.6M

The corpus (benchmarks/archive_corpus.py, 191,934 papers; or the 2021 data, 14,868) is
imported with `paperboy.importer` into a fresh SQLite file and into a fresh database of a
PostgreSQL cluster started for the run; with `--papers N`, the 2021 data is imported and
synthetic papers are written on top with `Store.upsert` in batches of 20,000, as
bench_search_web's scaled corpus, up to N papers (the figure is that write's time).
The cluster: Debian's server, durable settings (fsync and synchronous commit on), 1 GB
shared buffers. Then, for each engine in turn: search
p50/p99 over a fixed query mix (bench_search_web.query_mix: title words, exact titles,
authors, phrases, fields with categories, exclusions), twice (right after the import, then
again); a day's announcement
listing (paperboy.listings.listing_of) p50/p99 over `--days` days; and the day page through
`paperboy serve` (page cache off: every request renders) p50/p99.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from archive_corpus import build
from bench_search_web import (
    Server,
    _batches,
    _synthetic,
    bench_pages,
    bench_search,
    percentiles,
    query_mix,
)

from paperboy.importer import import_paths
from paperboy.listings import listing_of
from paperboy.store import Location, open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from postgres_server import DURABLE, PostgresServer, start_server

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cvpapers-2021"
CATEGORY = "cs.CV"


def imported(where: Location, source: Path) -> float:
    started = time.perf_counter()
    with open_store(where) as store:
        import_paths(store, [source])
    return time.perf_counter() - started


def scaled(where: Location, papers: int) -> float:
    """The 2021 data, then synthetic papers on top up to `papers`: seconds taken."""
    started = time.perf_counter()
    with open_store(where) as store:
        import_paths(store, [DATA])
        real = list(store.papers())
        extra = papers - store.count()
        for done, batch in enumerate(_batches(_synthetic(real, extra), 20_000)):
            store.upsert(batch, "synthetic")
            if (done + 1) % 10 == 0:
                rate = (done + 1) * 20_000 / (time.perf_counter() - started)
                print(f"  {(done + 1) * 20_000:,}/{extra:,} papers, {rate:,.0f}/s", file=sys.stderr)
    return time.perf_counter() - started


def bench_listing(where: Location, days: int) -> dict[str, float]:
    with open_store(where) as store:
        listed = sorted(store.announcement_counts(CATEGORY))
        picked = random.Random(5).sample(listed, min(days, len(listed)))
        listing_of(store, CATEGORY, picked[0])  # warm
        ms = []
        for day in picked:
            t0 = time.perf_counter()
            listing_of(store, CATEGORY, day)
            ms.append((time.perf_counter() - t0) * 1000)
    return percentiles(ms)


def day_pages(where: Location, count: int) -> dict[str, list[str]]:
    with open_store(where) as store:
        days = sorted(store.day_counts(CATEGORY))
    rng = random.Random(11)
    return {"day page": [f"/{CATEGORY}/{rng.choice(days).isoformat()}/" for _ in range(count)]}


def measure(where: Location, label: str, args: argparse.Namespace) -> dict[str, object]:
    print(f"== {label}", file=sys.stderr)
    with open_store(where) as store:
        papers = store.count()
        queries = query_mix(store, args.queries)
    result: dict[str, object] = {"engine": label, "papers": papers}
    # Twice: right after the import (what the server's cache holds of it), then again.
    result["search_first_ms"] = bench_search(where, queries)["all"]
    again = bench_search(where, queries)
    result["search_ms"], result["search_by_kind_ms"] = again["all"], again["by_kind"]
    result["listing_ms"] = bench_listing(where, args.days)
    server = Server(where, cache_mb=0)
    try:
        result["day_page_ms"] = bench_pages(server, day_pages(where, args.pages))["day page"]
    finally:
        server.stop()
    return result


def table(results: list[dict[str, object]]) -> str:
    rows = ["| | " + " | ".join(str(r["engine"]) for r in results) + " |"]
    rows.append("|---|" + "---|" * len(results))
    rows.append("| import (s) | " + " | ".join(f"{r['import_s']:.1f}" for r in results) + " |")
    kinds = (
        ("search_first_ms", "search, first pass"),
        ("search_ms", "search, again"),
        ("listing_ms", "listing"),
        ("day_page_ms", "day page"),
    )
    for key, name in kinds:
        for cut in ("p50", "p99"):
            cells = [f"{r[key][cut]:.1f}" for r in results]  # type: ignore[index]
            rows.append(f"| {name} {cut} (ms) | " + " | ".join(cells) + " |")
    kinds_seen = sorted(results[0]["search_by_kind_ms"])  # type: ignore[call-overload]
    for kind in kinds_seen:
        cells = [
            "{p50:.1f} / {p99:.1f}".format(**r["search_by_kind_ms"][kind])  # type: ignore[index]
            for r in results
        ]
        rows.append(f"| search p50 / p99 (ms): {kind} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["archive", "2021"], default="archive")
    parser.add_argument("--papers", type=int, default=0, help="scaled corpus size (0: none)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running, to look")
    parser.add_argument(
        "--engines", choices=["both", "sqlite", "postgresql"], default="both", help="which to run"
    )
    parser.add_argument("--days", type=int, default=50)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "pb-lab")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    source = DATA if args.corpus == "2021" or args.papers else build(DATA, args.workdir / "corpus")
    name = f"scaled-{args.papers}" if args.papers else args.corpus
    lite = args.workdir / f"engines-{name}.sqlite3"
    lite.unlink(missing_ok=True)
    server: PostgresServer = start_server(shared_buffers="1GB", **DURABLE)
    try:
        pg = server.database()
        results = []
        engines = [("SQLite", lite, "sqlite"), ("PostgreSQL", pg, "postgresql")]
        for label, where, name in engines:
            if args.engines not in ("both", name):
                continue
            seconds = scaled(where, args.papers) if args.papers else imported(where, source)
            print(f"{label}: imported in {seconds:.1f} s", file=sys.stderr)
            result = measure(where, label, args)
            result["import_s"] = seconds
            results.append(result)
        print(json.dumps(results, indent=1))
        print(table(results))
    finally:
        if args.keep:
            print(f"the cluster is left running: {pg} (data in {server.root})", file=sys.stderr)
        else:
            server.stop()
            shutil.rmtree(server.root, ignore_errors=True)


if __name__ == "__main__":
    main()
