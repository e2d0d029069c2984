"""A profile's taste as a model over the tf-idf of the vector space: fitted once, scoring
any papers.

The text score of a paper is a linear SVM's decision value over its unit tf-idf row (words
and bigrams of the space's vocabulary, function words kept), the library (saved papers
included) the positives, a fixed sample of the archive and the "not interested" papers the
negatives; standardised by its spread over that sample (so scores of different days and
profiles read alike: about 0 for an average paper, a few units for one like the library).
The authors of the library are the second term: a paper by someone on several library papers
goes up by how often they recur there. Chosen by benchmarks/bench_ranking.py;
docs/ranking.md says why.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import sparse

from paperboy.vectors.model import Matrix

BACKGROUND = 2_000  # archive papers sampled as negatives (and to scale the scores)
SVM_C = 0.05  # the SVM's regularisation (bench_ranking: 0.01-0.1 rank alike, 1 worse)
SVM_TOL = 1e-4
HIDDEN_WEIGHT = 50.0  # a "not interested" paper counts as this many background papers
HIDDEN_PUSH = 2.0  # how far a paper close to a hidden one goes down (x its z-score)
LIBRARY_AUTHOR = 1.0  # score per doubling of an author's library papers (2 -> 1, 4 -> 2)
LIBRARY_AUTHOR_MIN = 2  # an author counts from this many library papers
LIBRARY_AUTHOR_CAP = 4.0  # at most this much from library authors (a followed author's bonus)
CACHE_SIZE = 256  # fitted profiles kept in memory

Vector = npt.NDArray[np.float32]
Sparse: TypeAlias = sparse.csr_matrix


@dataclass(frozen=True)
class Background:
    """What every profile's fit shares, computed once per vector space: a fixed sample of
    the archive, its unit vectors and unit tf-idf rows."""

    vectors: Matrix  # (BACKGROUND, dims)
    weights: Sparse  # (BACKGROUND, terms)


@dataclass(frozen=True)
class ProfileModel:
    library: Matrix  # (L, dims) unit vectors of the library papers, in `library_rows` order
    library_rows: npt.NDArray[np.int64]  # their paper rowids
    hidden: Matrix  # (H, dims) unit vectors of the hidden papers
    coef: Vector  # (terms,) the SVM's weights over the tf-idf
    intercept: float
    scale: tuple[float, float]  # the decision value's mean and spread over the background
    hidden_scale: tuple[float, float]  # the same for the cosine to the nearest hidden paper
    authors: dict[str, int]  # folded author name -> library papers they are on (>= MIN)

    @property
    def nbytes(self) -> int:
        names = sum(len(a) + 8 for a in self.authors)
        return int(self.library.nbytes + self.hidden.nbytes + self.coef.nbytes + names)

    def similarities(self, vectors: Matrix) -> Matrix:
        """(papers, L) cosines of each paper to each library paper."""
        out: Matrix = vectors @ self.library.T
        return out

    def text_score(self, weights: Sparse) -> Vector:
        mean, sd = self.scale
        raw = np.asarray(weights @ self.coef, dtype=np.float32).ravel() + self.intercept
        out: Vector = ((raw - mean) / sd).astype(np.float32)
        return out

    def score(self, vectors: Matrix, weights: Sparse) -> Vector:
        """The text score of each paper: its unit vector and its unit tf-idf row."""
        out = self.text_score(weights)
        if len(self.hidden):
            mean, sd = self.hidden_scale
            near = np.max(vectors @ self.hidden.T, axis=1)
            out -= (HIDDEN_PUSH * np.maximum(near - mean, 0.0) / sd).astype(np.float32)
        return out

    def author_score(self, names: Iterable[str]) -> tuple[float, list[tuple[str, int]]]:
        """What a paper's authors (folded names) add, and which library authors they are."""
        found = [(n, self.authors[n]) for n in dict.fromkeys(names) if n in self.authors]
        total = sum(LIBRARY_AUTHOR * math.log2(times) for _, times in found)
        return min(total, LIBRARY_AUTHOR_CAP), found


def library_authors(papers: Iterable[Sequence[str]]) -> dict[str, int]:
    """Folded author names on at least LIBRARY_AUTHOR_MIN of the library's papers."""
    counts = Counter(name for names in papers for name in dict.fromkeys(names))
    return {n: k for n, k in counts.items() if k >= LIBRARY_AUTHOR_MIN}


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
    hidden_weights: Sparse,
    authors: dict[str, int],
    background: Background,
) -> ProfileModel:
    """Fit a profile's model: one linear SVM over about BACKGROUND + L sparse rows (tens of
    milliseconds), the library against the background sample and the hidden papers."""
    from sklearn.svm import LinearSVC

    terms = background.weights.shape[1]
    coef = np.zeros(terms, dtype=np.float32)
    intercept = 0.0
    if library_weights.shape[0]:
        x = sparse.vstack([library_weights, background.weights, hidden_weights], format="csr")
        n_lib, n_bg = library_weights.shape[0], background.weights.shape[0]
        y = np.zeros(x.shape[0])
        y[:n_lib] = 1
        # Balanced: the library weighs as much as the background, however small it is.
        weight = np.ones(x.shape[0])
        weight[:n_lib] = n_bg / (2 * n_lib)
        weight[n_lib : n_lib + n_bg] = 0.5
        weight[n_lib + n_bg :] = 0.5 * HIDDEN_WEIGHT
        svm = LinearSVC(C=SVM_C, tol=SVM_TOL, max_iter=10_000)
        svm.fit(x, y, sample_weight=weight)
        coef = svm.coef_.ravel().astype(np.float32)
        intercept = float(svm.intercept_[0])
    raw = np.asarray(background.weights @ coef, dtype=np.float32).ravel() + intercept
    scale = (float(raw.mean()), float(raw.std()) or 1.0)
    hidden_scale = (0.0, 1.0)
    if len(hidden):
        near = np.max(background.vectors @ hidden.T, axis=1)
        hidden_scale = (float(near.mean()), float(near.std()) or 1.0)
    return ProfileModel(
        library, library_rows, hidden, coef, intercept, scale, hidden_scale, authors
    )


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
