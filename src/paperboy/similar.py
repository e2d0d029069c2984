"""Similar papers: a paper's nearest neighbours in the vector space, as stored papers."""

from __future__ import annotations

from dataclasses import dataclass

from paperboy.record import Paper
from paperboy.store import SQLiteStore
from paperboy.vectors.model import paper_text
from paperboy.vectors.neighbours import VectorIndex


@dataclass(frozen=True, slots=True)
class SimilarHit:
    paper: Paper
    score: float  # cosine similarity, higher is closer


def similar(store: SQLiteStore, index: VectorIndex, paper: Paper, limit: int) -> list[SimilarHit]:
    """The `limit` papers closest to `paper`, best first. A paper stored since the last
    `paperboy index` (or not stored at all) is projected on the fly."""
    rowid = store.vectors.rowids([paper.arxiv_id]).get(paper.arxiv_id)
    vector = index.vector_of(rowid) if rowid is not None else None
    if vector is None:
        vector = index.model.transform([paper_text(paper.title, paper.abstract)])[0]
    near = index.nearest(vector, limit, exclude=() if rowid is None else {rowid})
    ids = store.vectors.arxiv_ids([r for r, _ in near])
    papers = {p.arxiv_id: p for p in store.papers(ids=list(ids.values()))}
    return [SimilarHit(papers[ids[r]], score) for r, score in near if ids.get(r) in papers]
