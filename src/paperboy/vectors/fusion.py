"""Reciprocal rank fusion: one ranking from several, by rank alone (scores of different
methods, bm25 and cosine, are not comparable)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

# Cormack, Clarke & Buettcher (2009): 60 damps the head of each list.
RRF_K = 60


def rrf(
    rankings: Sequence[Sequence[K]], k: int = RRF_K, weights: Sequence[float] | None = None
) -> list[tuple[K, float]]:
    """Items of every ranking, best first, scored sum(weight / (k + rank)), rank from 1."""
    scores: dict[K, float] = {}
    for n, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[n]
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    # Ties keep the order of first appearance (dicts are ordered; sorted is stable).
    return sorted(scores.items(), key=lambda pair: -pair[1])
