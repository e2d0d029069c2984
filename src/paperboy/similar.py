"""Similar papers: a paper's nearest neighbours in the vector space, as stored papers."""

from __future__ import annotations

from dataclasses import dataclass

from paperboy.record import Paper
from paperboy.store import SQLiteStore
from paperboy.vectors.neighbours import VectorIndex


@dataclass(frozen=True, slots=True)
class SimilarHit:
    paper: Paper
    score: float  # cosine similarity, higher is closer


def similar(store: SQLiteStore, index: VectorIndex, paper: Paper, limit: int) -> list[SimilarHit]:
    """The `limit` papers closest to `paper`, best first ([] when it has no vector yet)."""
    rowid = store.vectors.rowids([paper.arxiv_id]).get(paper.arxiv_id)
    if rowid is None:
        return []
    near = index.similar_to(rowid, limit)
    ids = store.vectors.arxiv_ids([r for r, _ in near])
    papers = {p.arxiv_id: p for p in store.papers(ids=list(ids.values()))}
    return [SimilarHit(papers[ids[r]], score) for r, score in near if ids.get(r) in papers]
