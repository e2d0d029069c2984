"""Hybrid search: BM25 and the vector space's cosine, fused by score.

The keyword side of a query in plain words ranks, by bm25 over every match, the papers that
hold any of its words but the function words: a description ("making NeRF training
faster") rarely holds every word of the paper it describes. A query using the query language
(fields, quotes, operators) keeps its own meaning there. The vector side ranks the whole
archive by meaning, with the same filters. A paper's score is its bm25 scaled to 0..1 within
the keyword side's first DEPTH (0 when outside) plus COSINE_WEIGHT times its cosine.
Reciprocal rank fusion, tried first, ranked the right paper lower than bm25 alone:
a rank drops how far ahead bm25's best paper is (docs/vectors.md has the figures).

A paper whose title is the query, word for word, comes first: someone who pastes a title
wants that paper, and fusion alone could put a paper with better scores above it.
"""

from __future__ import annotations

import math
import re
from concurrent.futures import ThreadPoolExecutor

from paperboy.search.keyword import hits_of
from paperboy.search.query import STOPWORDS, ParsedQuery
from paperboy.search.results import COUNT_CAP, SearchResult
from paperboy.search.semantic import first_depth, neighbours, vector_of
from paperboy.store import Store, fts
from paperboy.vectors.neighbours import VectorIndex, term_stats
from paperboy.vectors.terms import TermStats

DEPTH = 200  # papers read from each side: fusion beyond them changes no first page
EXACT_WORDS = 3  # a title's rarest words, looked up together for the titles holding them
EXACT_CANDIDATES = 500  # titles compared at most; more, and the title is looked up as a phrase
EXACT_EXPECTED = 5_000  # … or when about this many papers are expected to hold those words
EXACT_SCAN = 100  # papers read, newest first, that hold the query as a phrase in their title
EXACT_AMONG = 10  # … and the best by bm25 when more than EXACT_SCAN do
ALL_MATCHES = 2**62  # bm25 over every match: the keyword side's candidates, uncapped
# Weight of the cosine beside bm25 scaled to 0..1. The title-to-abstract benchmark is flat
# from 0.1 to 1 (MRR 0.904 to 0.906); 0.5 lets meaning lift a paper over weak word matches.
COSINE_WEIGHT = 0.5
COMMON = 0.1  # share of papers above which a word still ranks but brings no paper in
# Papers the words that bring papers in may hold between them (by the space's counts), and
# the newest matches bm25 ranks when no word is that rare, or the query uses the query
# language: the bound that keeps the keyword side's cost flat from 200k to 2.6M papers. The
# 2021 archive (15k papers) is below it, so the quality benchmarks rank every match.
KEYWORD_PAPERS = 20_000
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="paperboy-vectors")
_WORD = re.compile(r"\w+")


def run(
    store: Store, index: VectorIndex, query: ParsedQuery, limit: int, offset: int
) -> SearchResult:
    depth = max(DEPTH, offset + limit + 1)
    vector = vector_of(index, query)
    # The vector side's first read is numpy alone, which lets go of the GIL: it runs on
    # another core while SQLite ranks the keyword side.
    first = None
    if vector is not None:
        first = _POOL.submit(index.nearest, vector, first_depth(query, depth))
    stats = term_stats(store, index)
    match, candidates = keyword_side(query, stats)
    ranked, total = fts.search(store, match, query.filters, depth, candidates=candidates)
    near: list[tuple[int, float]] = []
    more = False
    if vector is not None and first is not None:
        near, more = neighbours(store, index, query, vector, depth, first.result())
    keyword = [r.rowid for r in ranked]
    exact = exact_titles(store, query, stats)
    fused = _first(fuse(ranked, near), exact)
    if not fused:
        return SearchResult(query, [], 0, offset, limit, "No papers match this query.", "hybrid")
    page = fused[offset : offset + limit]
    ids = {r.rowid: r.arxiv_id for r in ranked} | exact
    ids.update(store.vectors.arxiv_ids([r for r, _ in page if r not in ids]))
    hits = hits_of(store, query, [(r, ids[r], s) for r, s in page if r in ids])
    capped = more or (total or 0) >= COUNT_CAP or len(keyword) >= depth
    message = None if hits else "No more papers match."
    return SearchResult(query, hits, len(fused), offset, limit, message, "hybrid", capped)


def keyword_side(
    query: ParsedQuery, stats: TermStats | None = None, budget: int = KEYWORD_PAPERS
) -> tuple[str | None, int]:
    """The keyword side's FTS5 expression, and how many of its newest matches bm25 ranks.

    A query in plain words matches any of its words but the function words. The rarest
    words (by the space's `stats`), while they hold at most `budget` papers together and
    each at most COMMON of them, bring papers in, and every match of theirs is ranked; the
    other words still rank, but a paper holding only those is hardly ever the one sought
    (the vector side reads by meaning anyway). When no word is that rare in an archive of
    more than `budget` papers, a paper must hold every word, and the newest `budget` of
    those are ranked. A query using the query language keeps its own meaning, ranked the
    same way. -exclusions still apply.
    """
    if query.syntax or query.match is None:
        return query.match, budget
    words = list(dict.fromkeys(_WORD.findall(query.words)))
    kept = [w for w in words if w.casefold() not in STOPWORDS] or words
    if not kept:
        return query.match, budget
    match, candidates = _any(kept), ALL_MATCHES
    if stats is not None:
        bringing = _bringing(kept, stats, budget)
        if not bringing and stats.papers > budget:
            match, candidates = " AND ".join(f'"{w}"' for w in kept), budget
        elif bringing and len(bringing) < len(kept):
            # bm25 sums over every phrase of the expression: all the words rank, as before.
            match = f"({_any(bringing)}) AND ({match})"
    # Both sides in parentheses: NOT binds tighter than OR in FTS5.
    return (f"({match}) NOT ({query.excluded})" if query.excluded else match), candidates


def _bringing(words: list[str], stats: TermStats, budget: int) -> list[str]:
    """The rarest words, in the query's order, while they hold at most `budget` papers
    between them and each at most COMMON of all papers."""
    share = stats.shares(words)
    chosen, held = set(), 0.0
    for word in sorted(words, key=share.__getitem__):
        held += share[word] * stats.papers
        if share[word] > COMMON or held > budget:
            break
        chosen.add(word)
    return [w for w in words if w in chosen]


def _any(words: list[str]) -> str:
    return " OR ".join(f'"{w}"' for w in words)


def fuse(ranked: list[fts.Ranked], near: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """(rowid, score) best first over both sides: bm25 scaled to 0..1 among `ranked` (its
    score is bm25(), lower is better) plus COSINE_WEIGHT times the cosine from `near`."""
    relevance = {r.rowid: -r.score for r in ranked}
    if relevance:
        low, high = min(relevance.values()), max(relevance.values())
        spread = (high - low) or 1.0
        relevance = {r: (v - low) / spread for r, v in relevance.items()}
    cosine = dict(near)
    both = dict.fromkeys([*relevance, *cosine])
    scores = {r: relevance.get(r, 0.0) + COSINE_WEIGHT * cosine.get(r, 0.0) for r in both}
    return sorted(scores.items(), key=lambda item: -item[1])


def exact_titles(
    store: Store, query: ParsedQuery, stats: TermStats | None = None, scan: int = EXACT_SCAN
) -> dict[int, str]:
    """The papers (rowid -> id) whose title is the query's text, its words in any case, that
    pass its filters: wherever fusion ranks them (a long title of common words can put other
    papers above its own), they come first.

    Found by the query's EXACT_WORDS rarest words (by the space's `stats`) in a title
    together, every such title compared; when those words are in more than
    EXACT_CANDIDATES titles or expected in more than EXACT_EXPECTED papers (or there are no
    `stats`), by the title as a phrase (`_by_phrase`)."""
    wanted = _words(query.text)
    if not wanted:
        return {}
    found = _by_rarest_words(store, wanted, stats) if stats is not None else None
    if found is None:
        return _by_phrase(store, query, wanted, scan)
    rowids = store.vectors.rowids(found)
    kept = fts.allowed(store, list(rowids.values()), query.filters)
    newest = sorted(((r, a) for a, r in rowids.items() if r in kept), reverse=True)
    return dict(newest)


def _by_rarest_words(store: Store, wanted: list[str], stats: TermStats) -> list[str] | None:
    """The ids of the papers titled `wanted`, from the titles holding its rarest words (a
    few milliseconds, where the whole title as a phrase reads every word's index entry in
    step: 100 ms for a title of common words at 2.6M papers); None when too many titles
    hold them to compare."""
    # Whole words only: a part of one ("caf" of "café") is no token of the title's.
    tokens = sorted({w for w in wanted if fts.TITLE_TOKEN.fullmatch(w)})
    if not tokens:
        return None
    share = stats.shares(tokens)
    rarest = sorted(tokens, key=share.__getitem__)[:EXACT_WORDS]
    # Papers expected to hold them all, were words independent: past a few thousand, the
    # lookup would read its EXACT_CANDIDATES titles for nothing ("deep learning").
    if stats.papers * math.prod(share[t] for t in rarest) > EXACT_EXPECTED:
        return None
    titles = store.text.titled(rarest, EXACT_CANDIDATES)
    if len(titles) == EXACT_CANDIDATES:
        return None
    return [a for a, title in titles if _words(title) == wanted]


def _by_phrase(store: Store, query: ParsedQuery, wanted: list[str], scan: int) -> dict[int, str]:
    """Exact titles among the newest `scan` titles holding the query as a phrase (by bm25
    when more do, where the shortest titles holding it come first)."""
    phrase = f'title : "{" ".join(wanted)}"'
    found, _ = fts.search(store, phrase, query.filters, scan, order="newest")
    if len(found) == scan:
        found, _ = fts.search(store, phrase, query.filters, EXACT_AMONG)
    titled = {p.arxiv_id for p in store.papers(ids=[r.arxiv_id for r in found])
              if _words(p.title) == wanted}  # fmt: skip
    return {r.rowid: r.arxiv_id for r in found if r.arxiv_id in titled}


def _first(fused: list[tuple[int, float]], exact: dict[int, str]) -> list[tuple[int, float]]:
    """`fused` with the `exact` papers on top, scored above the best so that scores still
    fall down the list."""
    if not exact:
        return fused
    best = (fused[0][1] if fused else 0.0) + 1.0
    return [(r, best) for r in exact] + [p for p in fused if p[0] not in exact]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())
