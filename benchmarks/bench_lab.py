"""A lab's server under load: 50 members signed in at once while the store is written.

    python benchmarks/bench_lab.py                        # the archive-shaped 192k corpus
    python benchmarks/bench_lab.py --corpus 2021          # the real 2021 data only
    python benchmarks/bench_lab.py --engine postgresql    # the store in PostgreSQL

The store is the archive-shaped corpus (benchmarks/archive_corpus.py, 191,934 papers)
imported into a fresh SQLite store (or, with `--engine postgresql`, a database of a
PostgreSQL cluster started for the run with durable settings), with 50 members and a
profile each. `paperboy serve
--accounts` runs in its own process; each member signs in through /login (a real session
cookie and CSRF token each). wrk (Debian's package) then sends, over `--connections`
connections for `--seconds`, a rotating mix of what members read (`reading_paths`: tonight's
listing most), each request with one member's cookie and, as a browser, taking gzip.
The run is made twice: with the store left alone, and while an update's worth of papers is
written, a few seconds into the run: six real 2021 day files (about 300 papers, new to the
archive-shaped store, whose papers have other ids; with `--corpus 2021` unchanged), imported
in their transactions. Each commit makes the web app's page cache start again, so the run
also measures the re-rendering that follows an update. Each member (a wrk connection) waits
about `--think-ms` between requests (0: the server saturated).
Printed: requests/s, latency p50/p90/p99 from wrk, and the requests that failed (socket
errors, or any status but 200: a 303 would mean a session was lost).

Target (issue 13): zero errors and p99 under 200 ms at 192k papers.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from archive_corpus import build
from bench_search_web import Server

from paperboy.accounts import add_member
from paperboy.importer import import_paths
from paperboy.store import Location, open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from postgres_server import DURABLE, PostgresServer, start_server

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cvpapers-2021"
CATEGORY = "cs.CV"
PASSWORD = "a member's long password"
WORDS = ["transformer", "point cloud", "diffusion", "segmentation", "nerf", "detection",
         "au:Zhang", "ti:depth", "self-supervised", "gaussian splatting", "video"]  # fmt: skip

# The writer: what a daily update writes, a week of papers (six day files, about 300
# papers) in its transactions, a few seconds into the run; arguments: store, folder.
WRITER = """
import sys, time
from pathlib import Path
from paperboy.importer import import_paths
from paperboy.store import location, open_store
db, folder = location(sys.argv[1]), Path(sys.argv[2])
days = sorted(folder.rglob("*.md"))[100:106]
time.sleep(3)
with open_store(db) as store:
    import_paths(store, days)
"""

WRK_SCRIPT = """
cookies = {%(cookies)s}
paths = {%(paths)s}
counter = 0
delay = function()
  if %(think)d == 0 then return 0 end
  return math.random(math.floor(%(think)d / 2), math.floor(%(think)d * 3 / 2))
end
request = function()
  counter = counter + 1
  local cookie = cookies[(counter %% #cookies) + 1]
  local path = paths[(counter * 7 %% #paths) + 1]
  return wrk.format("GET", path, {["Cookie"] = cookie, ["Accept-Encoding"] = "gzip"})
end
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("JSON {\\"requests\\": %%d, \\"non2xx\\": %%d, \\"connect\\": %%d, " ..
    "\\"read\\": %%d, \\"write\\": %%d, \\"timeout\\": %%d, \\"p50\\": %%g, \\"p90\\": %%g, " ..
    "\\"p99\\": %%g, \\"seconds\\": %%g}\\n",
    summary.requests, errors.status, errors.connect, errors.read, errors.write,
    errors.timeout, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, summary.duration / 1e6))
end
"""


def make_store(workdir: Path, corpus: str, pg: PostgresServer | None) -> Location:
    db: Location = workdir / f"lab-{corpus}.sqlite3" if pg is None else pg.database()
    if isinstance(db, Path) and db.exists():
        db.unlink()
    source = DATA if corpus == "2021" else build(DATA, workdir / "corpus")
    started = time.perf_counter()
    with open_store(db) as store:
        import_paths(store, [source])
    print(f"imported {source} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return db


def add_members(db: Location, count: int) -> list[str]:
    names = [f"member{n:02d}" for n in range(count)]
    with open_store(db) as store:
        add_member(store, "admin", PASSWORD, "admin")
        for name in names:
            user = add_member(store, name, PASSWORD)
            store.profiles.ensure(f"{name}-reading", user.id)
    return names


def session_cookies(url: str, names: list[str]) -> list[str]:
    cookies = []
    for name in names:
        with httpx.Client(base_url=url, timeout=60) as client:
            page = client.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert token is not None
            done = client.post(
                "/login", data={"name": name, "password": PASSWORD, "csrf_token": token[1]}
            )
            assert done.status_code in (200, 303), done.status_code
            cookies.append(f"paperboy_session={client.cookies['paperboy_session']}")
    return cookies


def reading_paths(db: Location, count: int, seed: int = 13) -> list[str]:
    """What members read, in these shares: tonight's listing 3/10, the four listings before
    it 1/10, an older day page 1/10, a search 2/10, a paper page 2/10 (of the last week's
    listings), their profiles 1/10."""
    rng = random.Random(seed)
    with open_store(db) as store:
        days = sorted(store.day_counts(CATEGORY))[-400:]
        listed = store.listing_days(CATEGORY)[-5:] or days[-5:]
        ids = [p.arxiv_id for p in store.papers(category=CATEGORY, start=listed[0])]
    kinds = ["tonight"] * 3 + ["recent", "older"] + ["search"] * 2 + ["paper"] * 2 + ["mine"]
    paths = []
    for n in range(count):
        kind = kinds[n % len(kinds)]
        if kind == "tonight":
            paths.append(f"/{CATEGORY}/{listed[-1].isoformat()}/listing/")
        elif kind == "recent":
            paths.append(f"/{CATEGORY}/{rng.choice(listed[:-1]).isoformat()}/listing/")
        elif kind == "older":
            paths.append(f"/{CATEGORY}/{rng.choice(days).isoformat()}/")
        elif kind == "search":
            paths.append(f"/search?{httpx.QueryParams(q=rng.choice(WORDS))}")
        elif kind == "paper":
            paths.append(f"/abs/{rng.choice(ids)}/")
        else:
            paths.append("/api/profiles")
    return paths


def lua_list(items: list[str]) -> str:
    return ", ".join(json.dumps(i) for i in items)


def wrk(
    url: str, cookies: list[str], paths: list[str], seconds: int, conns: int, think: int
) -> dict[str, float]:
    """wrk over `conns` connections; each waits about `think` ms between its requests (a
    member reading), or none (the server saturated)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            WRK_SCRIPT % {"cookies": lua_list(cookies), "paths": lua_list(paths), "think": think}
        )
    cmd = ["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--timeout", "10s", "-s", script.name]
    done = subprocess.run([*cmd, url], capture_output=True, text=True, check=True)
    Path(script.name).unlink()
    line = next((x for x in done.stdout.splitlines() if x.startswith("JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures: {done.stdout}{done.stderr}")
    figures: dict[str, float] = json.loads(line[5:])
    figures["rps"] = figures["requests"] / figures["seconds"]
    figures["errors"] = sum(figures[k] for k in ("non2xx", "connect", "read", "write", "timeout"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["archive", "2021"], default="archive")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument(
        "--think-ms", type=int, default=1000, help="each member's pause between requests"
    )
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "pb-lab")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: sudo apt-get install wrk")
    args.workdir.mkdir(parents=True, exist_ok=True)
    pg = start_server(shared_buffers="1GB", **DURABLE) if args.engine == "postgresql" else None
    try:
        run(args, pg)
    finally:
        if pg is not None:
            pg.stop()
            shutil.rmtree(pg.root, ignore_errors=True)


def run(args: argparse.Namespace, pg: PostgresServer | None) -> None:
    db = make_store(args.workdir, args.corpus, pg)
    names = add_members(db, args.members)
    with open_store(db) as store:
        papers = store.count()
    server = Server(db, options=["--accounts"])
    try:
        cookies = session_cookies(server.url, names)
        paths = reading_paths(db, 500)
        warm_started = time.perf_counter()
        for path in paths:  # each page rendered once: the load then reads what members read
            httpx.get(server.url + path, headers={"Cookie": cookies[0]}, timeout=60)
        warm = time.perf_counter() - warm_started
        print(f"first renders of {len(paths)} pages: {warm:.1f} s", file=sys.stderr)

        def load() -> dict[str, float]:
            return wrk(server.url, cookies, paths, args.seconds, args.connections, args.think_ms)

        results: dict[str, object] = {
            "papers": papers,
            "engine": args.engine,
            "first_render_ms": round(warm / len(paths) * 1000, 1),
            "think_ms": args.think_ms,
            "quiet": load(),
        }
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), str(DATA)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        started = time.perf_counter()
        results["writing"] = load()
        _, err = writer.communicate()
        results["writer_seconds"] = round(time.perf_counter() - started, 1)
        results["writer_status"] = writer.returncode
        if writer.returncode:
            print(err, file=sys.stderr)
    finally:
        server.stop()
    for run in ("quiet", "writing"):
        r = results[run]
        assert isinstance(r, dict)
        print(
            f"{run:8s} {r['rps']:7.1f} req/s  p50 {r['p50']:6.1f} ms  p90 {r['p90']:6.1f} ms  "
            f"p99 {r['p99']:6.1f} ms  errors {int(r['errors'])} of {int(r['requests'])}"
        )
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
