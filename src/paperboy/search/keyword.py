"""Keyword search: BM25 over the full-text index (title weighted), or newest first."""

from __future__ import annotations

from collections.abc import Sequence

from paperboy.record import Paper
from paperboy.search.marks import lead
from paperboy.search.query import ParsedQuery
from paperboy.search.results import COUNT_CAP, Hit, SearchResult
from paperboy.store import Store, fts
from paperboy.store.fts import Order


def run(store: Store, query: ParsedQuery, limit: int, offset: int, order: Order) -> SearchResult:
    ranked, total = fts.search(store, query.match, query.filters, limit, offset, order)
    if total is None:
        total = fts.count(store, query.match, query.filters, COUNT_CAP)
    # bm25 is lower-is-better; every mode's score is higher-is-better.
    hits = hits_of(store, query, [(r.rowid, r.arxiv_id, -r.score) for r in ranked])
    message = None if hits else "No more papers match." if offset else "No papers match this query."
    return SearchResult(query, hits, total, offset, limit, message)


def hits_of(
    store: Store, query: ParsedQuery, ranked: Sequence[tuple[int, str, float]]
) -> list[Hit]:
    """Hits for (rowid, arxiv_id, score), best first: matched words marked where the
    paper matches the query's words, else its title and the opening of its abstract."""
    rowids = [rowid for rowid, _, _ in ranked]
    marks = fts.marked(store, query.match, rowids) if query.match else {}
    papers: dict[str, Paper] = {p.arxiv_id: p for p in store.papers(ids=[a for _, a, _ in ranked])}
    hits = []
    for rowid, arxiv_id, score in ranked:
        paper = papers.get(arxiv_id)
        if paper is None:  # removed since it was ranked
            continue
        mark = marks.get(rowid)
        title = mark.title if mark else paper.title
        snippet = mark.snippet if mark else lead(paper.abstract)
        hits.append(Hit(paper, score, title, snippet))
    return hits
