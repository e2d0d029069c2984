"""Text to vectors: tf-idf over title and abstract, reduced by truncated SVD (LSA).

A fitted model is plain arrays (vocabulary, idf, SVD components) in numpy's .npz format:
nothing is unpickled, so a store from elsewhere cannot run code. The method and its
settings are chosen by benchmarks/bench_similar_quality.py; docs/vectors.md says why.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

# Bumped whenever a change makes stored vectors or models unreadable or incomparable.
FORMAT = 1
DIMS = 256
TOKEN_PATTERN = r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b"

Matrix = npt.NDArray[np.float32]


def paper_text(title: str, abstract: str) -> str:
    return f"{title}\n{abstract}"


@dataclass
class TextModel:
    vocabulary: list[str]
    idf: npt.NDArray[np.float32]
    components: Matrix  # (dims, len(vocabulary))

    @property
    def dims(self) -> int:
        return int(self.components.shape[0])

    @classmethod
    def fit(cls, texts: Sequence[str], dims: int = DIMS, seed: int = 0) -> TextModel:
        tfidf = TfidfVectorizer(
            ngram_range=(1, 2),
            min_df=min(5, max(1, len(texts) // 1000)),
            max_df=0.5,
            max_features=100_000,
            sublinear_tf=True,
            stop_words="english",
            strip_accents="unicode",
            token_pattern=TOKEN_PATTERN,
            dtype=np.float32,
        )
        weights = tfidf.fit_transform(texts)
        dims = max(1, min(dims, weights.shape[1] - 1, weights.shape[0] - 1))
        svd = TruncatedSVD(n_components=dims, random_state=seed).fit(weights)
        vocabulary = tfidf.get_feature_names_out().tolist()
        return cls(vocabulary, tfidf.idf_.astype(np.float32), svd.components_.astype(np.float32))

    def transform(self, texts: Sequence[str]) -> Matrix:
        """Unit vectors (float32, one row per text); a text with no known term is all zeros."""
        weights = self._weights(texts)
        vectors = np.asarray(weights @ self.components.T, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        out: Matrix = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
        return out

    def _weights(self, texts: Sequence[str]) -> sparse.csr_matrix:
        counts = self._counter.transform(texts).astype(np.float32)
        counts.data = 1.0 + np.log(counts.data)  # sublinear tf
        weighted = counts.multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1))).ravel()
        norms[norms == 0] = 1.0
        return sparse.csr_matrix(sparse.diags(1.0 / norms) @ weighted)

    @cached_property
    def _counter(self) -> CountVectorizer:
        return CountVectorizer(
            ngram_range=(1, 2),
            vocabulary={term: i for i, term in enumerate(self.vocabulary)},
            stop_words="english",
            strip_accents="unicode",
            token_pattern=TOKEN_PATTERN,
        )

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        np.savez_compressed(
            out,
            vocabulary=np.array(self.vocabulary, dtype=np.str_),
            idf=self.idf,
            components=self.components,
        )
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TextModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            return cls(
                arrays["vocabulary"].tolist(),
                arrays["idf"].astype(np.float32),
                arrays["components"].astype(np.float32),
            )
