"""A paper's words as hashed n-gram counts, and tf-idf over them.

Similar papers are found by meaning (the dense vectors) and then ordered by the words two
papers share: sublinear tf-idf over word uni-, bi- and trigrams, case kept, every term kept
(no stop words, no feature cap). Of everything measured this finds a paper's research line
best (benchmarks/bench_similar_quality.py, docs/vectors.md): "we propose a novel", a group's
dataset and method names, "GitHub" and "github" told apart by how a group writes them.

Terms are hashed into 2^HASH_BITS buckets, so there is no vocabulary to keep, at any size of
archive. A paper's counts are stored, not its weights: the idf (from the papers per bucket,
counted over the whole space) can change without rewriting any paper. Counts travel packed,
one little-endian uint32 per term: bucket << COUNT_BITS | count (capped).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

# 16M buckets. The 2021 papers alone hold millions of distinct n-grams (most in one paper);
# at 2^20 collisions cost 0.011 of shared author there, and all of arXiv holds far more.
HASH_BITS = 24
BUCKETS = 2**HASH_BITS
COUNT_BITS = 32 - HASH_BITS  # a term's count in one paper, capped at 255
MAX_COUNT = 2**COUNT_BITS - 1
TOKEN_PATTERN = r"(?u)\b\w+\b"  # "3D", "2D" and "x" are words here too

Counts: TypeAlias = Any  # scipy CSR (texts, BUCKETS) of term counts; scipy has no hints
Frequencies = npt.NDArray[np.uint32]  # papers per bucket
Words = npt.NDArray[np.uint32]  # packed term counts (bucket << COUNT_BITS | count), end to end


@cache
def _hasher() -> HashingVectorizer:
    return HashingVectorizer(
        ngram_range=(1, 3),
        n_features=BUCKETS,
        alternate_sign=False,
        norm=None,
        lowercase=False,
        strip_accents="unicode",
        token_pattern=TOKEN_PATTERN,
        dtype=np.float32,
    )


def counts(texts: Sequence[str]) -> Counts:
    matrix = sparse.csr_matrix(_hasher().transform(texts))
    matrix.sort_indices()
    return matrix


def pack(matrix: Counts) -> list[bytes]:
    """Each row of `matrix` as bytes for the store."""
    words = (matrix.indices.astype(np.uint32) << COUNT_BITS) | np.minimum(
        matrix.data, MAX_COUNT
    ).astype(np.uint32)
    data = words.astype("<u4").tobytes()
    return [data[4 * a : 4 * b] for a, b in zip(matrix.indptr[:-1], matrix.indptr[1:], strict=True)]


def unpack(rows: Sequence[bytes]) -> Counts:
    """Rows packed by `pack` back into a count matrix, in the order given."""
    words = np.frombuffer(b"".join(rows), dtype="<u4")
    return from_words(words, np.array([len(r) // 4 for r in rows], dtype=np.int64))


def from_words(words: Words, lengths: npt.NDArray[np.int64]) -> Counts:
    """Packed rows end to end (`lengths` words each) as a count matrix."""
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    indices = (words >> COUNT_BITS).astype(np.int32)
    data = (words & MAX_COUNT).astype(np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(lengths), BUCKETS))


def frequencies(matrix: Counts) -> Frequencies:
    """Papers per bucket among the rows of `matrix`."""
    df = np.zeros(BUCKETS, dtype=np.uint32)
    add_frequencies(df, matrix)
    return df


def add_frequencies(df: Frequencies, matrix: Counts) -> None:
    """Add the papers per bucket among the rows of `matrix` to `df`, in place (touching only
    the buckets they hold: a day of papers, not 16M buckets)."""
    buckets, papers = np.unique(matrix.indices, return_counts=True)
    df[buckets] += papers.astype(np.uint32)


def encode_frequencies(df: Frequencies) -> bytes:
    """Every bucket's count (the store's part 0)."""
    return zlib.compress(df.astype("<u4").tobytes(), 1)


def encode_added(matrix: Counts) -> bytes:
    """The papers per bucket that the rows of `matrix` add, as the buckets they hold and
    their counts (a later part: a few hundred KB for a day of papers)."""
    buckets, papers = np.unique(matrix.indices, return_counts=True)
    return zlib.compress(buckets.astype("<u4").tobytes() + papers.astype("<u4").tobytes(), 1)


def decode_frequencies(parts: Sequence[tuple[int, bytes]]) -> Frequencies:
    """Papers per bucket from the parts the store holds: part 0 every bucket's count (or
    none: zeros), each later part what a batch of papers added."""
    df = np.zeros(BUCKETS, dtype=np.uint32)
    for part, data in parts:
        values = np.frombuffer(zlib.decompress(data), dtype="<u4")
        if part == 0:
            if values.shape != (BUCKETS,):
                raise ValueError(f"term frequencies of {values.shape[0]} buckets, not {BUCKETS}")
            df += values
        else:
            half = len(values) // 2
            df[values[:half]] += values[half:]
    return df


def idf(df: Frequencies, papers: int) -> npt.NDArray[np.float32]:
    """Smoothed idf of terms in `df` papers each; a term in one paper only weighs nothing
    (it can match no other paper, and only dilutes its own), nor does one never counted."""
    weights: npt.NDArray[np.float32] = (np.log((1.0 + papers) / (1.0 + df)) + 1.0).astype(
        np.float32
    )
    weights[df < 2] = 0.0
    return weights


def weigh(matrix: Counts, stats: TermStats) -> Counts:
    """Unit rows of sublinear tf-idf; a row with no weighted term stays all zeros."""
    weighted = matrix.copy()
    weighted.data = (1.0 + np.log(weighted.data)) * idf(stats.df[weighted.indices], stats.papers)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1))).ravel()
    norms[norms == 0] = 1.0
    # Scaled in place: a product with a diagonal matrix walks every column per row.
    weighted.data /= np.repeat(norms, np.diff(weighted.indptr)).astype(np.float32)
    return weighted


def similarities(
    words: Words, lengths: npt.NDArray[np.int64], query: Counts, stats: TermStats
) -> npt.NDArray[np.float64]:
    """Cosines of sublinear tf-idf between each of some papers, given as their packed term
    counts end to end (`lengths` words each, as `pack` writes them), and the counts of one
    text `query` (the dot products of their `weigh`ed rows), without making a matrix.
    Similar papers score a thousand papers (half a million terms) this way per request;
    only the terms the query holds (found through a 2 MB bitmap, not a 64 MB dense row)
    enter the dot products."""
    q = weigh(query, stats)
    q_terms = q.indices.astype(np.int64)
    columns = words >> COUNT_BITS
    weights = _SUBLINEAR[words & MAX_COUNT] * stats.idf[columns]
    bitmap = np.zeros(BUCKETS // 8, dtype=np.uint8)
    np.bitwise_or.at(bitmap, q_terms >> 3, (1 << (q_terms & 7)).astype(np.uint8))
    shared = np.flatnonzero((bitmap[columns >> 3] >> (columns & 7)) & 1)
    products = np.zeros(len(words), dtype=np.float32)
    products[shared] = weights[shared] * q.data[np.searchsorted(q_terms, columns[shared])]
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    norms = np.sqrt(_row_sums(weights * weights, indptr))
    norms[norms == 0] = 1.0
    scores: npt.NDArray[np.float64] = _row_sums(products, indptr) / norms
    return scores


def _row_sums(values: npt.NDArray[np.float32], indptr: npt.NDArray[np.int64]) -> Any:
    """Sum of each CSR row's `values` (float64); 0 for an empty row."""
    padded = np.append(values, np.float32(0)).astype(np.float64)  # a start past the end is valid
    sums = np.add.reduceat(padded, indptr[:-1])
    sums[indptr[:-1] == indptr[1:]] = 0.0
    return sums


# 1 + log(count) for every count a term can have in one paper (0 for none)
_SUBLINEAR = np.concatenate([[0.0], 1.0 + np.log(np.arange(1, MAX_COUNT + 1))]).astype(np.float32)


@dataclass
class TermStats:
    """Papers per bucket over a space, and what follows from them."""

    df: Frequencies
    papers: int

    @cached_property
    def idf(self) -> npt.NDArray[np.float32]:
        """Every bucket's idf (64 MB), computed once: similar papers weigh about 500,000
        terms per request."""
        return idf(self.df, self.papers)

    def share(self, word: str) -> float:
        """About the fraction of papers holding `word` as written, lower-cased, capitalised
        or upper-cased (a word in two of them is counted twice)."""
        return self.shares([word])[word]

    def shares(self, words: Sequence[str]) -> dict[str, float]:
        """`share` of each of `words`, hashed in one pass (hashing costs most of it)."""
        variants = [sorted({w, w.lower(), w.capitalize(), w.upper()}) for w in words]
        rows = counts([v for vs in variants for v in vs])
        out, row = {}, 0
        for word, vs in zip(words, variants, strict=True):
            buckets = rows[row : row + len(vs)].indices
            out[word] = float(self.df[np.unique(buckets)].sum()) / max(self.papers, 1)
            row += len(vs)
        return out
