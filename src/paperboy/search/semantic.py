"""Search by meaning: the vector neighbours of a query's free words, with its filters.

The vector space is `paperboy.vectors` (built by `paperboy index`). Filters (categories,
days, excluded categories and words, field terms) are checked on the neighbours, nearest
first, reading deeper into the ranking until enough pass: a filter that keeps 2% of the
archive costs about fifty times the page, never a pass over every match.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from paperboy.search.keyword import hits_of
from paperboy.search.query import ParsedQuery
from paperboy.search.results import SearchResult
from paperboy.store import Store, fts
from paperboy.vectors.model import Matrix
from paperboy.vectors.neighbours import VectorIndex

FIRST_DEPTH = 4  # neighbours read at first, per paper wanted
WIDEN = 8  # how much deeper each further read goes


UNKNOWN_WORDS = "None of these words is in the vector index's vocabulary."


def vector_of(index: VectorIndex, query: ParsedQuery) -> Matrix | None:
    """The query's free words as a vector; None when none of them is in the vocabulary."""
    vector: Matrix = index.model.transform([query.words])[0]
    return vector if np.any(vector) else None


def first_depth(query: ParsedQuery, want: int) -> int:
    """How many neighbours `neighbours` reads first for `want` papers."""
    return want + 1 if unfiltered(query) else FIRST_DEPTH * want


def unfiltered(query: ParsedQuery) -> bool:
    return query.filters.empty and query.constraint is None and query.excluded is None


def neighbours(
    store: Store,
    index: VectorIndex,
    query: ParsedQuery,
    vector: Matrix,
    want: int,
    first: Sequence[tuple[int, float]] | None = None,
) -> tuple[list[tuple[int, float]], bool]:
    """The `want` papers nearest `vector` that pass the query's filters, as (rowid,
    cosine) best first, and whether more would qualify. `first`, when given, is what
    `index.nearest(vector, first_depth(query, want))` returns (computed meanwhile by the
    caller, see `hybrid`)."""
    if want <= 0:
        return [], False
    depth = first_depth(query, want)
    while True:
        near = list(first) if first is not None else index.nearest(vector, min(depth, len(index)))
        first = None
        if unfiltered(query):
            kept = near
        else:
            ok = fts.allowed(
                store, [r for r, _ in near], query.filters, query.constraint, query.excluded
            )
            kept = [(r, s) for r, s in near if r in ok]
        if len(kept) > want or depth >= len(index):
            return kept[:want], len(kept) > want
        depth *= WIDEN


def run(
    store: Store, index: VectorIndex, query: ParsedQuery, limit: int, offset: int
) -> SearchResult:
    vector = vector_of(index, query)
    if vector is None:
        return SearchResult(query, [], 0, offset, limit, UNKNOWN_WORDS, "semantic", False)
    # One more than the page, so that the page knows whether another follows.
    ranked, more = neighbours(store, index, query, vector, offset + limit + 1)
    if not ranked:
        nothing = "No papers match this query."
        return SearchResult(query, [], 0, offset, limit, nothing, "semantic", False)
    page = ranked[offset : offset + limit]
    ids = store.vectors.arxiv_ids([r for r, _ in page])
    hits = hits_of(store, query, [(r, ids[r], s) for r, s in page if r in ids])
    message = None if hits else "No more papers match."
    return SearchResult(query, hits, len(ranked), offset, limit, message, "semantic", more)
