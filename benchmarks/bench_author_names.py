"""Names like a mistyped one (`Store.similar_authors`), SQLite and PostgreSQL side by side,
at the number of distinct author names of all of arXiv.

    python benchmarks/bench_author_names.py                  # 2,000,000 names
    python benchmarks/bench_author_names.py --names 300000   # about 192k papers' worth

The names: every distinct name of the 2021 data (38,859), and the rest made by pairing the
given names of 2021 with its surnames, each with a paper count drawn from a long tail. They
are written through the store's own counting (`Store.upsert` of papers carrying them, 50
names a paper) into a fresh SQLite file and a fresh database of a PostgreSQL cluster started
for the run. Asked: `--queries` real 2021 names, each with one slip (a letter dropped, two
swapped, or one replaced), half of them as the full name and half as the surname alone.
Printed per engine: the time to write the names, p50/p99 of `similar_authors(limit=5)`, and
how often the first answer is the name the slip was made from (for a surname, a name with
that surname), with the two engines' answers compared.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from paperboy.formats import collector
from paperboy.importer import import_paths
from paperboy.record import Paper
from paperboy.store import Location, open_store
from paperboy.store.author_names import AuthorName, name_key

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from postgres_server import DURABLE, start_server

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cvpapers-2021"
PER_PAPER = 50


def real_names(store_path: Path) -> list[str]:
    with open_store(store_path) as s:
        return sorted({a for p in s.papers() for a in p.authors})


def made_names(real: Sequence[str], count: int, rng: random.Random) -> list[str]:
    """`count` names not among `real`: a 2021 given name with a 2021 surname."""
    given = sorted({n.split()[0] for n in real if len(n.split()) > 1})
    family = sorted({n.split()[-1] for n in real if len(n.split()) > 1})
    taken, out = set(real), list[str]()
    while len(out) < count:
        name = f"{rng.choice(given)} {rng.choice(family)}"
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def carriers(template: Paper, names: Sequence[str], rng: random.Random) -> Iterator[Paper]:
    """Papers that put each name on a few papers (a long tail: most on one)."""
    spread = [n for n in names for _ in range(min(20, int(rng.paretovariate(1.5))))]
    rng.shuffle(spread)
    for n, k in enumerate(range(0, len(spread), PER_PAPER)):
        month, number = 2601 + n // 99_999 % 12, n % 99_999 + 1
        yield replace(
            template,
            arxiv_id=f"{month:04d}.{number:05d}",
            authors=list(dict.fromkeys(spread[k : k + PER_PAPER])),
        )


def slip(name: str, rng: random.Random) -> str:
    k = rng.randrange(1, len(name) - 1)
    how = rng.randrange(3)
    if how == 0:
        return name[:k] + name[k + 1 :]
    if how == 1:
        return name[:k] + name[k + 1] + name[k] + name[k + 2 :]
    return name[:k] + rng.choice("aeiounrst") + name[k + 1 :]


def write(where: Location, base: Path, papers: Sequence[Paper]) -> float:
    started = time.perf_counter()
    with open_store(where) as s:
        import_paths(s, [base])
        for k in range(0, len(papers), 2_000):
            s.upsert(papers[k : k + 2_000], "names")
    return time.perf_counter() - started


def ask(
    where: Location, asked: Sequence[tuple[str, str, bool]]
) -> tuple[list[float], list[list[AuthorName]]]:
    with open_store(where) as s:
        for text, _, _ in asked[:10]:
            s.similar_authors(text, 5)  # warm
        ms, answers = [], []
        for text, _, _ in asked:
            t0 = time.perf_counter()
            answers.append(s.similar_authors(text, 5))
            ms.append((time.perf_counter() - t0) * 1000)
    return ms, answers


def found(asked: Sequence[tuple[str, str, bool]], answers: Sequence[list[AuthorName]]) -> float:
    """How often the first answer is the name slipped from (a surname: a name with it)."""
    hits = 0
    for (_, meant, surname), got in zip(asked, answers, strict=True):
        first = name_key(got[0].name) if got else ""
        if (meant.split()[-1] in first.split()) if surname else first == meant:
            hits += 1
    return hits / len(asked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=2_000_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "pb-names")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(29)
    base = args.workdir / "base.sqlite3"
    base.unlink(missing_ok=True)
    with open_store(base) as s:
        import_paths(s, [DATA])
    real = real_names(base)
    extra = made_names(real, max(0, args.names - len(real)), rng)
    template = collector.read_file(DATA / "cs.CV/2021/12/20211231.md").papers[0]
    papers = list(carriers(template, extra, rng))
    picked = rng.sample([n for n in real if len(n) > 6 and len(n.split()) > 1], args.queries)
    asked = []
    for k, name in enumerate(picked):
        surname = k % 2 == 1
        text = name.split()[-1] if surname else name
        if len(text) > 3:
            asked.append((slip(text, rng), name_key(name), surname))
    lite = args.workdir / "names.sqlite3"
    lite.unlink(missing_ok=True)
    server = start_server(shared_buffers="1GB", **DURABLE)
    try:
        results = {}
        for label, where in (("SQLite", lite), ("PostgreSQL", server.database())):
            seconds = write(where, DATA, papers)
            ms, answers = ask(where, asked)
            results[label] = answers
            cuts = statistics.quantiles(ms, n=100, method="inclusive")
            with open_store(where) as s:
                names = s.table_count("author_names")
            print(
                f"{label}: {names:,} names written in {seconds:.0f} s; similar_authors p50 "
                f"{cuts[49]:.1f} ms, p99 {cuts[98]:.1f} ms; the name slipped from found "
                f"{found(asked, answers):.1%} of {len(asked)}"
            )
        same = sum(a == b for a, b in zip(results["SQLite"], results["PostgreSQL"], strict=True))
        print(f"same answers in both engines: {same} of {len(asked)}")
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


if __name__ == "__main__":
    main()
