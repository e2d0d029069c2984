"""Requests and simulated wall time to harvest cs.CV: paperboy's windows vs the seed collector.

    python benchmarks/bench_harvest.py

Serves the real 2021 data (14,868 papers, 2021-03-06 … 2021-12-31) from the local arXiv of
the test suite on 127.0.0.1 and harvests one day, one month and the whole span:
- paperboy: `harvest.harvest_api` into a fresh store, one query per date window, 2000 a page;
- the seed method: the `arxiv` library paging `cat:cs.CV` by submitted date, newest first,
  100 a page, until it passes the first day wanted (as the seed collector does).
Wall time is simulated with arXiv's rule of one request every 3 s (no real sleeping): for
paperboy the polite client's virtual clock, for the seed method (requests - 1) x 3 s. The
newest day served stands in for "today", so "a day a year back" is the oldest day served.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import arxiv

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from arxiv_server import ArxivServer, load_all

from paperboy import harvest
from paperboy.sources import PoliteClient
from paperboy.store import open_store

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cvpapers-2021"
CASES = {
    "one day (2021-06-15)": (date(2021, 6, 15), date(2021, 6, 15)),
    "a day ~10 months back (2021-03-08)": (date(2021, 3, 8), date(2021, 3, 8)),
    "one month (2021-06)": (date(2021, 6, 1), date(2021, 6, 30)),
    "the whole span (2021-03-06..12-31)": (date(2021, 3, 6), date(2021, 12, 31)),
}


def paperboy_harvest(server: ArxivServer, start: date, end: date) -> tuple[int, float, int]:
    server.reset_counts()
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "b.sqlite3") as store:
        client = PoliteClient.virtual(delay=3.0)
        result = harvest.harvest_api(store, client, "cs.CV", start, end)
        client.close()
        return client.stats.requests, client.stats.waited, len(result.papers.new)


def seed_harvest(server: ArxivServer, start: date, end: date) -> tuple[int, float, int]:
    server.reset_counts()
    client = arxiv.Client(page_size=100, delay_seconds=0, num_retries=0)
    search = arxiv.Search(
        query="cat:cs.CV",
        max_results=None,
        sort_by=arxiv.SortCriterion.SubmittedDate,
        sort_order=arxiv.SortOrder.Descending,
    )
    first = datetime(start.year, start.month, start.day, tzinfo=UTC)
    found = 0
    for result in client.results(search):
        day = result.published.date()
        if result.published < first:
            break
        if day <= end:
            found += 1
    requests = server.requests["api"]
    return requests, max(0, requests - 1) * 3.0, found


def main() -> None:
    if not DATA.exists():
        sys.exit(f"{DATA} is missing: the benchmark reads ../shared beside the checkout")
    papers = load_all(DATA)
    print(f"serving {len(papers)} papers on 127.0.0.1")
    print(f"{'case':38} {'method':9} {'papers':>7} {'requests':>9} {'wall (3 s rule)':>16}")
    with ArxivServer(papers) as server:
        arxiv.Client.query_url_format = server.api_url + "?{}"  # the library's base URL
        os.environ["PAPERBOY_ARXIV_API_URL"] = server.api_url
        for name, (start, end) in CASES.items():
            ours = paperboy_harvest(server, start, end)
            seed = seed_harvest(server, start, end)
            span = (harvest.day_start(start), harvest.day_start(end + timedelta(days=1)))
            windows = len(harvest.month_windows(*span))
            for method, (requests, wall, count) in (("paperboy", ours), ("seed", seed)):
                print(f"{name:38} {method:9} {count:>7} {requests:>9} {wall:>14.0f} s")
            bound = -(-ours[2] // 2000) + max(1, windows)
            print(
                f"{'':38} {'ratio':9} {'':>7} {seed[0] / max(1, ours[0]):>8.0f}x "
                f"  (target for paperboy: <= ceil(papers/2000) + windows = {bound})"
            )


if __name__ == "__main__":
    main()
