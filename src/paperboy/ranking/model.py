"""A profile's taste as a model over the vector space and its tf-idf: fitted once, scoring
any papers.

The text score of a paper is the sum of four terms, each standardised by its spread over a
fixed sample of the archive (so scores of different days and profiles read alike: about 0
for an average paper, a few units for one like the library). Chosen by
benchmarks/bench_ranking.py; docs/ranking.md says why.
- a linear discriminant over the paper vectors (Fisher's, sharing one shrunk covariance of
  the background sample), the library (saved papers included) against that sample and the
  "not interested" papers: what sets the library apart from the field;
- the mean cosine of the paper's NEAREST library papers in the vector space: a library spans
  several topics, and a paper close to one of them counts even when far from their average;
- the same over the sparse tf-idf (exact terms and bigrams, which the 256 dimensions blur);
- the tf-idf cosine to the library's centroid.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import sparse

from paperboy.vectors.model import Matrix

BACKGROUND = 2_000  # archive papers sampled as negatives (and to scale the scores)
NEAREST = 3  # library papers whose mean cosine is a similarity term
SHRINK = 1.0  # covariance shrinkage toward the identity (x the mean variance)
HIDDEN_WEIGHT = 50.0  # a "not interested" paper counts as this many background papers
HIDDEN_PUSH = 2.0  # how far a hidden paper's likeness pushes down, against the library's
CACHE_SIZE = 256  # fitted profiles kept in memory

Vector = npt.NDArray[np.float32]
Sparse: TypeAlias = sparse.csr_matrix


@dataclass(frozen=True)
class Background:
    """What every profile's fit shares, computed once per vector space: a fixed sample of
    the archive (vectors and tf-idf), its mean, and the inverse of its shrunk covariance."""

    vectors: Matrix  # (BACKGROUND, dims)
    weights: Sparse  # (BACKGROUND, terms) unit tf-idf rows
    mean: Vector
    inverse: Matrix  # (dims, dims)

    @classmethod
    def of(cls, vectors: Matrix, weights: Sparse) -> Background:
        sample = np.asarray(vectors, dtype=np.float64)
        cov = np.cov(sample, rowvar=False)
        # Shrunk toward a multiple of the identity: a library of 5 papers cannot estimate
        # 256 directions, and the shrinkage keeps its model near "closer to the library".
        cov += SHRINK * (np.trace(cov) / len(cov)) * np.eye(len(cov))
        inverse = np.linalg.inv(cov).astype(np.float32)
        mean = sample.mean(axis=0).astype(np.float32)
        return cls(np.asarray(vectors, dtype=np.float32), weights, mean, inverse)


@dataclass(frozen=True)
class ProfileModel:
    library: Matrix  # (L, dims) unit vectors of the library papers, in `library_rows` order
    library_rows: npt.NDArray[np.int64]  # their paper rowids
    library_weights: Sparse  # (L, terms) their unit tf-idf rows
    centroid: Vector  # (terms,) the mean of those rows
    hidden: Matrix  # (H, dims) unit vectors of the hidden papers
    direction: Vector  # the discriminant's (dims,)
    scale: tuple[tuple[float, float], ...]  # each term's mean and spread over the background

    @property
    def nbytes(self) -> int:
        w = self.library_weights
        return int(
            self.library.nbytes
            + self.hidden.nbytes
            + self.direction.nbytes
            + self.centroid.nbytes
            + w.data.nbytes
            + w.indices.nbytes
            + w.indptr.nbytes
        )

    def similarities(self, vectors: Matrix) -> Matrix:
        """(papers, L) cosines of each paper to each library paper."""
        out: Matrix = vectors @ self.library.T
        return out

    def terms(self, vectors: Matrix, weights: Sparse, sims: Matrix) -> list[Vector]:
        sparse_sims = np.asarray((weights @ self.library_weights.T).toarray(), dtype=np.float32)
        return [
            (vectors @ self.direction).astype(np.float32),
            _nearest_mean(sims),
            _nearest_mean(sparse_sims),
            np.asarray(weights @ self.centroid, dtype=np.float32).ravel(),
        ]

    def score(self, vectors: Matrix, weights: Sparse, sims: Matrix | None = None) -> Vector:
        """The text score of each paper: its unit vector and its unit tf-idf row."""
        if sims is None:
            sims = self.similarities(vectors)
        out = np.zeros(len(vectors), dtype=np.float32)
        for term, (mean, sd) in zip(self.terms(vectors, weights, sims), self.scale, strict=True):
            out += (term - mean) / sd
        if len(self.hidden):
            # Down by how close the nearest hidden paper is, on the nearest-library scale.
            mean, sd = self.scale[1]
            hidden = np.max(vectors @ self.hidden.T, axis=1)
            out -= (HIDDEN_PUSH * np.maximum(hidden - mean, 0.0) / sd).astype(np.float32)
        return out


def _nearest_mean(sims: Matrix) -> Vector:
    if sims.shape[1] == 0:
        return np.zeros(sims.shape[0], dtype=np.float32)
    k = min(NEAREST, sims.shape[1])
    top = -np.partition(-sims, k - 1, axis=1)[:, :k]
    out: Vector = top.mean(axis=1).astype(np.float32)
    return out


def background_rows(count: int, size: int = BACKGROUND, seed: int = 0) -> npt.NDArray[np.int64]:
    """Positions of a fixed sample of the index's rows: the same for every profile."""
    rng = np.random.default_rng(seed)
    chosen = rng.choice(count, size=min(count, size), replace=False)
    out: npt.NDArray[np.int64] = np.sort(chosen).astype(np.int64)
    return out


def fit(
    library: Matrix,
    library_rows: npt.NDArray[np.int64],
    library_weights: Sparse,
    hidden: Matrix,
    background: Background,
) -> ProfileModel:
    """Fit a profile's model. The discriminant is one solve of a dims-sized system with the
    background's inverse covariance, so a profile is fitted in about a millisecond."""
    dims = background.vectors.shape[1]
    direction = np.zeros(dims, dtype=np.float32)
    centroid = np.zeros(library_weights.shape[1], dtype=np.float32)
    if len(library):
        negative = background.mean
        if len(hidden):
            n = len(background.vectors)
            negative = (n * negative + HIDDEN_WEIGHT * hidden.sum(axis=0)) / (
                n + HIDDEN_WEIGHT * len(hidden)
            )
        direction = (background.inverse @ (library.mean(axis=0) - negative)).astype(np.float32)
        centroid = np.asarray(library_weights.mean(axis=0), dtype=np.float32).ravel()
    unscaled = ((0.0, 1.0),) * 4
    model = ProfileModel(
        library, library_rows, library_weights, centroid, hidden, direction, unscaled
    )
    terms = model.terms(
        background.vectors, background.weights, model.similarities(background.vectors)
    )
    scale = tuple((float(t.mean()), float(t.std()) or 1.0) for t in terms)
    return ProfileModel(library, library_rows, library_weights, centroid, hidden, direction, scale)


def cache_key(space: int, changes: int, library: list[int], hidden: list[int]) -> str:
    """What a fitted model depends on: the vector space (and its writes), library, hidden."""
    text = f"{space}:{changes}|{sorted(library)}|{sorted(hidden)}"
    return hashlib.sha256(text.encode()).hexdigest()


class ModelCache:
    """Fitted profile models in memory, least recently used dropped first."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._models: OrderedDict[str, ProfileModel] = OrderedDict()

    def get(self, key: str) -> ProfileModel | None:
        found = self._models.get(key)
        if found is not None:
            self._models.move_to_end(key)
        return found

    def put(self, key: str, model: ProfileModel) -> None:
        self._models[key] = model
        self._models.move_to_end(key)
        while len(self._models) > self.size:
            self._models.popitem(last=False)

    def models(self) -> list[ProfileModel]:
        return list(self._models.values())
