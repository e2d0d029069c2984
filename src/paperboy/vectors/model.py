"""Text to vectors: tf-idf over title and abstract, reduced by truncated SVD (LSA).

English function words are kept: their bigrams ("to this end", "we propose a") carry a
research group's way of writing, which finds a group's other papers better than topic
words alone (benchmarks/bench_similar_quality.py; docs/vectors.md has the figures).

A fitted model is plain arrays (vocabulary, idf, SVD components) in numpy's .npz format:
nothing is unpickled, so a store from elsewhere cannot run code.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

# Bumped whenever a change makes stored vectors or models unreadable or incomparable.
FORMAT = 3  # 3: papers' term counts beside their vectors
DIMS = 384
FEATURES = 50_000
# Fitting reads at most this many texts, an evenly spaced (so deterministic) sample: the
# space of a 2.6M-paper archive is fitted as fast as a 50k one; the rest are projected.
FIT_SAMPLE = 50_000
SMALL = 20
SVD_ITERATIONS = 2  # randomized SVD power iterations: 4 cost twice the time for no gain
TOKEN_PATTERN = r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b"

Matrix = npt.NDArray[np.float32]
_ARRAYS = "vocabulary, idf, components"


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
        sample = texts[:: -(-len(texts) // FIT_SAMPLE)] if texts else texts
        tfidf = TfidfVectorizer(
            ngram_range=(1, 2),
            # A term must recur to be worth a feature, and must not be in half the papers;
            # a handful of texts (tests, a new store) keeps every term.
            min_df=2 if len(sample) >= SMALL else 1,
            max_df=0.5 if len(sample) >= SMALL else 1.0,
            max_features=FEATURES,
            sublinear_tf=True,
            strip_accents="unicode",
            token_pattern=TOKEN_PATTERN,
            dtype=np.float32,
        )
        weights = tfidf.fit_transform(sample)
        dims = max(1, min(dims, weights.shape[1] - 1, weights.shape[0] - 1))
        svd = TruncatedSVD(n_components=dims, n_iter=SVD_ITERATIONS, random_state=seed)
        svd.fit(weights)
        vocabulary = tfidf.get_feature_names_out().tolist()
        # Kept at float16 precision, as stored: a model read back gives identical vectors.
        components = svd.components_.astype(np.float16).astype(np.float32)
        return cls(vocabulary, tfidf.idf_.astype(np.float32), components)

    def transform(self, texts: Sequence[str]) -> Matrix:
        """Unit vectors (float32, one row per text); a text with no known term is all zeros."""
        weights = self.weights(texts)
        vectors = np.asarray(weights @ self.components.T, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        out: Matrix = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
        return out

    def weights(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The sparse tf-idf rows (unit length) the vectors are projected from."""
        # On the CSR arrays themselves: scipy's elementwise products cost milliseconds of
        # overhead, which a search's one query text would pay for a few terms.
        weighted = sparse.csr_matrix(self._counter.transform(texts), dtype=np.float32)
        weighted.data = (1.0 + np.log(weighted.data)) * self.idf[weighted.indices]  # sublinear
        rows = np.repeat(np.arange(weighted.shape[0]), np.diff(weighted.indptr))
        norms = np.sqrt(np.bincount(rows, weighted.data**2, minlength=weighted.shape[0]))
        norms[norms == 0] = 1.0
        weighted.data = (weighted.data / norms[rows]).astype(np.float32)
        return weighted

    @cached_property
    def _counter(self) -> CountVectorizer:
        return CountVectorizer(
            ngram_range=(1, 2),
            vocabulary={term: i for i, term in enumerate(self.vocabulary)},
            strip_accents="unicode",
            token_pattern=TOKEN_PATTERN,
        )

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        np.savez_compressed(
            out,
            vocabulary=np.array(self.vocabulary, dtype=np.str_),
            idf=self.idf,
            components=self.components.astype(np.float16),  # half the size, same neighbours
        )
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TextModel:
        """A model written by `to_bytes`; anything else (a pickle, garbage, arrays of the
        wrong kind) is a ValueError saying so, and nothing in it is run."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
                vocabulary = arrays["vocabulary"]
                idf = arrays["idf"]
                components = arrays["components"]
        except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, AttributeError) as e:
            raise ValueError(f"not a paperboy text model (.npz of {_ARRAYS}): {e}") from None
        if (
            vocabulary.dtype.kind != "U"
            or idf.dtype.kind != "f"
            or components.dtype.kind != "f"
            or vocabulary.ndim != 1
            or components.ndim != 2
            or idf.shape != vocabulary.shape
            or components.shape[1] != len(vocabulary)
        ):
            raise ValueError("not a paperboy text model: arrays of the wrong kind or shape")
        return cls(vocabulary.tolist(), idf.astype(np.float32), components.astype(np.float32))
