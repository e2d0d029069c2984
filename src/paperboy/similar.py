"""Similar papers: a paper's nearest neighbours by meaning, ordered by the words they share.

The vector space finds the CANDIDATES papers nearest in meaning (exact, or the approximate
index at scale); their stored term counts (paperboy.vectors.terms) then order them by
tf-idf cosine with the paper's own. Of what benchmarks/bench_similar_quality.py measured,
this finds a paper's research line best: better than the vectors alone, and than
arxiv-sanity-lite's tf-idf (docs/vectors.md has the figures).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from paperboy.record import Paper
from paperboy.store import Store
from paperboy.vectors import neighbours, terms
from paperboy.vectors.model import paper_text
from paperboy.vectors.neighbours import VectorIndex

CANDIDATES = 1_000  # as good as every pair (0.404 vs 0.406 shared author); 500 lose a little


@dataclass(frozen=True, slots=True)
class SimilarHit:
    paper: Paper
    score: float  # tf-idf cosine of the two papers' words, higher is closer


def similar(store: Store, index: VectorIndex, paper: Paper, limit: int) -> list[SimilarHit]:
    """The `limit` papers closest to `paper`, best first. A paper stored since the last
    `paperboy index` (or not stored at all) is projected on the fly."""
    text = paper_text(paper.title, paper.abstract)
    rowid = store.vectors.rowids([paper.arxiv_id]).get(paper.arxiv_id)
    vector = index.vector_of(rowid) if rowid is not None else None
    if vector is None:
        vector = index.model.transform([text])[0]
    exclude = () if rowid is None else {rowid}
    near = index.nearest(vector, max(CANDIDATES, limit), exclude=exclude)
    ranked = _by_words(store, index, text, [r for r, _ in near])[:limit]
    ids = store.vectors.arxiv_ids([r for r, _ in ranked])
    papers = {p.arxiv_id: p for p in store.papers(ids=list(ids.values()))}
    return [SimilarHit(papers[ids[r]], score) for r, score in ranked if ids.get(r) in papers]


def _by_words(
    store: Store, index: VectorIndex, text: str, rowids: list[int]
) -> list[tuple[int, float]]:
    """`rowids` (the vector's neighbours, best first) ordered by tf-idf cosine with `text`;
    ties, and papers without term counts, keep the vectors' order."""
    stats = neighbours.term_stats(store, index)
    have, words, lengths = neighbours.term_words(store, index, rowids)
    if stats is None or not have:
        return [(r, 0.0) for r in rowids]
    scores = terms.similarities(words, lengths, terms.counts([text]), stats)
    order = np.argsort(-scores, kind="stable")
    seen = set(have)
    return [(have[i], float(scores[i])) for i in order] + [
        (r, 0.0) for r in rowids if r not in seen
    ]
