"""Ranking a day for a profile: held-out authors over the 2021 data, and ranking speed.

    python benchmarks/bench_ranking.py --workdir /tmp/pb-rank            # quality + 2021 speed
    python benchmarks/bench_ranking.py --workdir /tmp/pb-rank --speed-only \
        --scaled /work/pb-bench/vectors-192000.sqlite3   # ranking speed at 2021 and 192k

Quality: authors with at least MIN_BEFORE papers submitted before CUT and MIN_AFTER after it
(every such author: the issue's "all targets"). A profile's library is the author's earlier
papers (ids only: no followed authors, keywords or categories). Each later paper (a target)
is ranked among the papers of the listing that announced it (paperboy's listings: new,
cross-lists and replacements, the library's own papers left out), by every method; recall@10
and MRR are over all targets, and recall@10 over the even and the odd authors (two disjoint
halves) as a check that a difference is not one split's. Two runs:
- visible: author names are part of the data. arxiv-sanity-lite's tf-idf reads them, as it
  does; paperboy reads the library papers' authors from the store (its library-author term);
- hidden: every author name replaced by the same word before anything is built: in the
  archive arxiv-sanity-lite is fitted over, and in the papers of each listing paperboy ranks
  (so its library-author term can match nobody). Only title and abstract count. paperboy's
  vectors are of title and abstract alone, so its index is the same in both runs.

Methods, side by side:
- arxiv-sanity-lite, exactly: its TfidfVectorizer over title, abstract and authors of the
  whole archive and a LinearSVC (balanced, C=0.01) fitted over the whole archive with the
  library as positives, scored by decision_function (karpathy/arxiv-sanity-lite, compute.py
  and serve.py);
- zotero-arxiv-daily: the library sorted newest first, weights 1/(1+log10(rank+1))
  normalised, score = weighted sum of cosines to the library (its rerank_paper), on
  paperboy's vectors;
- keyword-only: BM25 (k1 1.2, b 0.75) of title and abstract, the query being the words of
  the library's titles (each as often as it occurs);
- random;
- paperboy's default: `paperboy.ranking.rank_listing`, the product's own path.

Speed: `rank_listing` for one profile's day, p50 with the profile's model cached and with
it fitted (first ranking after a change), and 100 profiles' day in a row (each fitted);
memory per profile (its fitted model). With --scaled, the same at that store's size (a copy
of it in --workdir, with the cache beside it).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import sparse

from paperboy import announce, listings
from paperboy.importer import import_paths
from paperboy.ranking import rank, rank_listing
from paperboy.ranking.model import ModelCache
from paperboy.record import Paper
from paperboy.store import Store, open_store
from paperboy.store.profiles import LibraryPaper, Profile
from paperboy.vectors import build, neighbours
from paperboy.vectors.neighbours import VectorIndex

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cvpapers-2021"
CATEGORY = "cs.CV"
CUT = date(2021, 10, 1)
MIN_BEFORE, MIN_AFTER = 5, 2
ANONYMOUS = "Anonymous"

Scores = npt.NDArray[np.float64]


@dataclass
class Case:
    author: str
    library: list[str]  # arXiv ids, oldest first
    targets: list[tuple[str, date]]  # (arXiv id, the day that announced it)


@dataclass
class Corpus:
    papers: list[Paper]
    position: dict[str, int]
    day_lines: dict[date, listings.DayListing]


def store_2021(workdir: Path) -> Path:
    path = workdir / "ranking-2021.sqlite3"
    if not path.exists():
        partial = workdir / "ranking-2021.partial.sqlite3"
        partial.unlink(missing_ok=True)
        t = time.perf_counter()
        with open_store(partial) as store:
            import_paths(store, [DATA])
            build.index(store)
        partial.rename(path)
        print(f"built {path} (import + index) in {time.perf_counter() - t:.0f} s")
    return path


def current_index(store: Store) -> VectorIndex:
    """The store's index, rebuilt first when an older paperboy made it (as `index` does)."""
    index = neighbours.load(store)
    if index is None:
        t = time.perf_counter()
        build.index(store)
        print(f"rebuilt the vector index of an older format in {time.perf_counter() - t:.0f} s")
        index = neighbours.load(store)
    assert index is not None
    return index


def corpus(store: Store) -> Corpus:
    papers = list(store.papers())
    position = {p.arxiv_id: n for n, p in enumerate(papers)}
    days: dict[date, listings.DayListing] = {}
    day = CUT
    last = max(p.published for p in papers).date() + timedelta(days=7)
    while day <= last:
        if announce.is_announcement_day(day):
            shown = listings.listing_of(store, CATEGORY, day)
            if shown.lines:
                days[day] = shown
        day += timedelta(days=1)
    return Corpus(papers, position, days)


def cases(c: Corpus) -> list[Case]:
    announced = {
        line.arxiv_id: day
        for day, shown in c.day_lines.items()
        for line in shown.lines
        if line.section in ("new", "cross")
    }
    before: dict[str, list[str]] = defaultdict(list)
    after: dict[str, list[tuple[str, date]]] = defaultdict(list)
    for p in c.papers:
        for a in p.authors:
            if p.published.date() < CUT:
                before[a].append(p.arxiv_id)
            elif p.arxiv_id in announced:
                after[a].append((p.arxiv_id, announced[p.arxiv_id]))
    return [
        Case(a, before[a], after[a])
        for a in sorted(before)
        if len(before[a]) >= MIN_BEFORE and len(after[a]) >= MIN_AFTER
    ]


def profile_of(case: Case, c: Corpus) -> Profile:
    """The author's profile: their earlier papers, ids only."""
    library = tuple(
        LibraryPaper(i, c.papers[c.position[i]].published.isoformat(), "bench")
        for i in case.library
    )
    return Profile(0, case.author, "", library, (), (), (), ())


def anonymous(line: listings.Line) -> listings.Line:
    """The listing line with every author name replaced by the same word."""
    if line.paper is None:
        return line
    return replace(line, paper=replace(line.paper, authors=[ANONYMOUS] * len(line.paper.authors)))


# ---------------------------------------------------------------- the other methods

Method = Callable[[Case], Scores]  # a score for every paper of the archive


def arxiv_sanity_lite(c: Corpus, hidden: bool) -> Method:
    from sklearn import svm
    from sklearn.feature_extraction.text import TfidfVectorizer

    def text(p: Paper) -> str:
        names = [ANONYMOUS] * len(p.authors) if hidden else p.authors
        return " ".join([p.title, p.abstract, " ".join(names)])

    v = TfidfVectorizer(
        input="content",
        encoding="utf-8",
        decode_error="replace",
        strip_accents="unicode",
        lowercase=True,
        analyzer="word",
        stop_words="english",
        token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
        ngram_range=(1, 2),
        max_features=20000,
        norm="l2",
        use_idf=True,
        smooth_idf=True,
        sublinear_tf=True,
        max_df=0.1,
        min_df=5,
    )
    x = v.fit_transform([text(p) for p in c.papers])

    def score(case: Case) -> Scores:
        y = np.zeros(x.shape[0])
        y[[c.position[i] for i in case.library]] = 1
        clf = svm.LinearSVC(class_weight="balanced", verbose=0, max_iter=10000, tol=1e-6, C=0.01)
        clf.fit(x, y)
        out: Scores = clf.decision_function(x)
        return out

    return score


def archive_matrix(c: Corpus, store: Store, index: VectorIndex) -> npt.NDArray[np.float32]:
    rowids = store.vectors.rowids([p.arxiv_id for p in c.papers])
    at = np.searchsorted(index.rowids, [rowids[p.arxiv_id] for p in c.papers])
    out: npt.NDArray[np.float32] = np.asarray(index.matrix[at], dtype=np.float32)
    return out


def zotero_arxiv_daily(c: Corpus, vectors: npt.NDArray[np.float32]) -> Method:
    def score(case: Case) -> Scores:
        newest = sorted(case.library, key=lambda i: c.papers[c.position[i]].published, reverse=True)
        weight = 1 / (1 + np.log10(np.arange(len(newest)) + 1))
        weight = weight / weight.sum()
        sims = vectors @ vectors[[c.position[i] for i in newest]].T
        out: Scores = (sims * weight).sum(axis=1) * 10
        return out

    return score


_WORD = re.compile(r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b")


def keyword_only(c: Corpus) -> Method:
    from sklearn.feature_extraction.text import CountVectorizer

    cv = CountVectorizer(stop_words="english", token_pattern=_WORD.pattern, lowercase=True)
    tf = sparse.csc_matrix(cv.fit_transform([f"{p.title} {p.abstract}" for p in c.papers]))
    lengths = np.asarray(tf.sum(axis=1)).ravel()
    df = np.diff(tf.indptr)
    n = tf.shape[0]
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    k1, b = 1.2, 0.75
    norm = k1 * (1 - b + b * lengths / lengths.mean())
    vocabulary = cv.vocabulary_

    def score(case: Case) -> Scores:
        words = Counter(
            w.lower() for i in case.library for w in _WORD.findall(c.papers[c.position[i]].title)
        )
        out: Scores = np.zeros(n)
        for word, times in words.items():
            j = vocabulary.get(word)
            if j is None:
                continue
            lo, hi = tf.indptr[j], tf.indptr[j + 1]
            rows, f = tf.indices[lo:hi], tf.data[lo:hi]
            out[rows] += times * idf[j] * f * (k1 + 1) / (f + norm[rows])
        return out

    return score


def random_method(c: Corpus) -> Method:
    def score(case: Case) -> Scores:
        rng = np.random.default_rng(zlib.crc32(case.author.encode()))
        out: Scores = rng.random(len(c.papers))
        return out

    return score


# ---------------------------------------------------------------- evaluation


def pool(c: Corpus, day: date, library: set[str]) -> list[str]:
    return [
        line.arxiv_id
        for line in c.day_lines[day].lines
        if line.paper is not None and line.arxiv_id not in library
    ]


def rank_of(scores: Scores, c: Corpus, candidates: Sequence[str], target: str) -> float:
    """1-based rank of the target among the candidates; ties count half."""
    s = scores[[c.position[i] for i in candidates]]
    mine = scores[c.position[target]]
    return 1 + float(np.sum(s > mine)) + 0.5 * (float(np.sum(s == mine)) - 1)


def evaluate(
    methods: dict[str, Method],
    c: Corpus,
    all_cases: list[Case],
    store: Store,
    index: VectorIndex,
    hidden: bool,
) -> dict[str, list[float]]:
    ranks: dict[str, list[float]] = {name: [] for name in [*methods, "paperboy"]}
    for case in all_cases:
        library = set(case.library)
        for name, method in methods.items():
            scores = method(case)
            for target, day in case.targets:
                ranks[name].append(rank_of(scores, c, pool(c, day, library), target))
        profile = profile_of(case, c)
        for target, day in case.targets:
            shown = c.day_lines[day]
            kept = [line for line in shown.lines if line.arxiv_id not in library]
            if hidden:
                kept = [anonymous(line) for line in kept]
            day_listing = listings.DayListing(CATEGORY, day, kept, None, None)
            ranked = rank_listing(store, profile, day_listing, index)
            order = [h.paper.arxiv_id for h in ranked.hits]
            ranks["paperboy"].append(order.index(target) + 1)
    return ranks


def table(runs: dict[str, dict[str, list[float]]], halves: dict[str, list[int]]) -> None:
    names = list(next(iter(runs.values())))
    label = {
        "asl": "arxiv-sanity-lite (tf-idf + SVM)",
        "zotero": "zotero-arxiv-daily (decayed mean cosine)",
        "keyword": "keyword-only (BM25 of library titles)",
        "random": "random",
        "paperboy": "paperboy default",
    }
    head = " | ".join(f"{run} recall@10 (even / odd) | {run} MRR" for run in runs)
    print(f"| method | {head} |")
    print("|" + " --- |" * (1 + 2 * len(runs)))
    for name in names:
        cells = []
        for run, ranks in runs.items():
            r = np.asarray(ranks[name])
            half = [np.mean(r[np.asarray(halves[run]) == h] <= 10) for h in (0, 1)]
            cells += [
                f"{np.mean(r <= 10):.3f} ({half[0]:.3f} / {half[1]:.3f})",
                f"{np.mean(1 / r):.3f}",
            ]
        print(f"| {label.get(name, name)} | " + " | ".join(cells) + " |")
    for run, ranks in runs.items():
        base = np.mean(np.asarray(ranks["asl"]) <= 10)
        mine = np.mean(np.asarray(ranks["paperboy"]) <= 10)
        others = max(np.mean(np.asarray(r) <= 10) for n, r in ranks.items() if n != "paperboy")
        print(
            f"{run}: paperboy / arxiv-sanity-lite recall@10 = {mine / base:.3f}x (target 1.15x; "
            f"best possible {1 / base:.3f}x); ahead of every other method: {mine > others}"
        )


# ---------------------------------------------------------------- speed


def speed(store: Store, index: VectorIndex, profiles: list[Profile], day: date) -> None:
    shown = listings.listing_of(store, CATEGORY, day)
    t = time.perf_counter()
    listings.listing_of(store, CATEGORY, day)
    listing_ms = (time.perf_counter() - t) * 1000
    rank.CACHE = ModelCache()
    cold, warm = [], []
    for profile in profiles[:100]:
        t = time.perf_counter()
        rank_listing(store, profile, shown, index)
        cold.append(time.perf_counter() - t)
    for profile in profiles[:100]:
        t = time.perf_counter()
        rank_listing(store, profile, shown, index)
        warm.append(time.perf_counter() - t)
    first = []  # a day no profile has been ranked on yet: its vectors and tf-idf computed
    for profile in profiles[:10]:
        rank._DAY.clear()
        t = time.perf_counter()
        rank_listing(store, profile, shown, index)
        first.append(time.perf_counter() - t)
    sizes = [m.nbytes for m in rank.CACHE.models()]
    print(
        f"  {len(index):,} papers, listing of {day} ({len(shown.lines)} papers, read in "
        f"{listing_ms:.0f} ms): rank one profile's day p50 {statistics.median(warm) * 1000:.1f} "
        f"ms (model cached), {statistics.median(cold) * 1000:.1f} ms (model fitted), "
        f"{statistics.median(first) * 1000:.1f} ms (model cached, the day's first ranking); "
        f"{len(cold)} profiles {sum(cold):.2f} s fitted, {sum(warm):.2f} s cached; "
        f"model {statistics.median(sizes) / 1024:.0f} KiB per profile (median)"
    )


def busiest_day(store: Store) -> date:
    counts = store.announcement_counts(CATEGORY)
    return max(counts, key=lambda d: (counts[d], d))


def scaled_profiles(store: Store, index: VectorIndex, count: int) -> list[Profile]:
    """Profiles of 20 random papers each (ids drawn from the scaled store)."""
    rng = np.random.default_rng(1)
    rows = index.rowids[rng.choice(len(index), size=(count, 20), replace=False)]
    ids = store.vectors.arxiv_ids([int(r) for r in rows.ravel()])
    return [
        Profile(
            n,
            f"p{n}",
            "",
            tuple(LibraryPaper(ids[int(r)], "", "bench") for r in part),
            (),
            (),
            (),
            (),
        )
        for n, part in enumerate(rows)
    ]


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--scaled", type=Path, help="an indexed larger store (copied to --workdir)")
    ap.add_argument("--every", type=int, default=1, help="every Nth author, by name (time)")
    ap.add_argument("--speed-only", action="store_true", help="skip the quality runs")
    args = ap.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open_store(store_2021(args.workdir)) as store:
        index = current_index(store)
        c = corpus(store)
        all_cases = cases(c)[:: args.every]
        targets = sum(len(k.targets) for k in all_cases)
        print(
            f"{len(c.papers):,} papers; cut {CUT}; {len(all_cases)} authors (every "
            f"{args.every}) with >= {MIN_BEFORE} "
            f"papers before and >= {MIN_AFTER} after; {targets} targets in "
            f"{len(c.day_lines)} listings"
        )
        vectors = archive_matrix(c, store, index)
        runs = {}
        halves = {}
        for run, hidden in () if args.speed_only else (("visible", False), ("hidden", True)):
            t = time.perf_counter()
            methods = {
                "asl": arxiv_sanity_lite(c, hidden),
                "zotero": zotero_arxiv_daily(c, vectors),
                "keyword": keyword_only(c),
                "random": random_method(c),
            }
            runs[run] = evaluate(methods, c, all_cases, store, index, hidden)
            halves[run] = [n % 2 for n, k in enumerate(all_cases) for _ in k.targets]
            print(f"{run} run in {time.perf_counter() - t:.0f} s")
        if runs:
            table(runs, halves)
        print("speed:")
        profiles = [profile_of(k, c) for k in all_cases]
        speed(store, index, profiles, busiest_day(store))
    if args.scaled is not None:
        copy = args.workdir / args.scaled.name
        if not copy.exists():
            shutil.copy(args.scaled, copy)
            cache = Path(f"{args.scaled}-vectors")
            if cache.exists():
                shutil.copytree(cache, Path(f"{copy}-vectors"), dirs_exist_ok=True)
        with open_store(copy) as store:
            index = current_index(store)
            speed(store, index, scaled_profiles(store, index, 100), busiest_day(store))
    print(f"benchmark run in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
