"""Hybrid search: BM25 ranks and vector ranks fused by reciprocal rank fusion.

The keyword side ranks papers that hold every word (bm25 among the newest
`fts.CANDIDATES` matches when there are more); the vector side ranks the whole archive by
meaning, whatever its age and whether or not it uses those words, with the same filters.
A paper whose title is the query, word for word, comes first: someone who pastes a title
wants that paper, and fusion alone could put a paper with better ranks on both sides above it.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from paperboy.search.keyword import hits_of
from paperboy.search.query import ParsedQuery
from paperboy.search.results import COUNT_CAP, SearchResult
from paperboy.search.semantic import first_depth, neighbours, vector_of
from paperboy.store import SQLiteStore, fts
from paperboy.vectors.fusion import rrf
from paperboy.vectors.neighbours import VectorIndex

DEPTH = 200  # papers read from each side: fusion beyond them changes no first page
EXACT_AMONG = 10
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="paperboy-vectors")
_WORD = re.compile(r"\w+")


def run(
    store: SQLiteStore, index: VectorIndex, query: ParsedQuery, limit: int, offset: int
) -> SearchResult:
    depth = max(DEPTH, offset + limit + 1)
    vector = vector_of(index, query)
    # The vector side's first read is numpy alone, which lets go of the GIL: it runs on
    # another core while SQLite ranks the keyword side.
    first = None
    if vector is not None:
        first = _POOL.submit(index.nearest, vector, first_depth(query, depth))
    ranked, total = fts.search(store, query.match, query.filters, depth)
    near: list[tuple[int, float]] = []
    more = False
    if vector is not None and first is not None:
        near, more = neighbours(store, index, query, vector, depth, first.result())
    keyword = [r.rowid for r in ranked]
    fused = _exact_titles_first(store, rrf([keyword, [r for r, _ in near]]), ranked, query.text)
    if not fused:
        return SearchResult(query, [], 0, offset, limit, "No papers match this query.", "hybrid")
    page = fused[offset : offset + limit]
    ids = {r.rowid: r.arxiv_id for r in ranked}
    ids.update(store.vectors.arxiv_ids([r for r, _ in page if r not in ids]))
    hits = hits_of(store, query, [(r, ids[r], s) for r, s in page if r in ids])
    capped = more or (total or 0) >= COUNT_CAP or len(keyword) >= depth
    message = None if hits else "No more papers match."
    return SearchResult(query, hits, len(fused), offset, limit, message, "hybrid", capped)


def _exact_titles_first(
    store: SQLiteStore, fused: list[tuple[int, float]], ranked: list[fts.Ranked], text: str
) -> list[tuple[int, float]]:
    """`fused` with the papers whose title is `text` (its words, any case) moved to the top,
    scored above the best so that scores still fall down the list. Only bm25's first few
    can be such papers: a title hit weighs ten abstract hits."""
    wanted = _words(text)
    top = {r.arxiv_id: r.rowid for r in ranked[:EXACT_AMONG]}
    exact = {top[p.arxiv_id] for p in store.papers(ids=list(top)) if _words(p.title) == wanted}
    if not exact or not fused:
        return fused
    best = fused[0][1]
    first = [(r, best + s) for r, s in fused if r in exact]
    return first + [p for p in fused if p[0] not in exact]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())
