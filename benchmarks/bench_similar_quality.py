"""Quality of similar papers and of search by meaning, every method side by side in one run.

    python benchmarks/bench_similar_quality.py [--data DIR] [--sample 500] [--seed 2021]

On the 2021 data, with author names hidden from every method: papers are read with the
importer, their authors replaced by one placeholder (comment and journal fields dropped as
well, since comments can name people), and only then are stores and models built. The real
authors are kept aside to define the ground truth.

- shared author: for `--sample` papers (fixed seed) that share an author with another paper
  of the archive (author names matched lower-cased, accents and punctuation removed), the
  fraction whose 10 nearest neighbours (the paper itself excluded) include such a paper;
- title to abstract: with abstracts alone indexed (models fitted on abstracts, a store whose
  titles are empty), each sampled paper's title is the query; MRR@10 of finding that paper.

Methods: arxiv-sanity-lite's features (its compute.py TfidfVectorizer over title + abstract,
cosine neighbours), the anchor; BM25 from the store's FTS5 index; sparse and dense (LSA)
tf-idf variants; paperboy's TextModel as shipped; and hybrids (paperboy.vectors.fusion.rrf
of the BM25 and vector rankings). For "shared author", BM25 has no paper to start from, so
its query is the paper's own 20 most distinctive terms (tf-idf over the hidden archive, df
at least 2) OR-ed. For "title to abstract", BM25 runs in two ways: `paperboy.search.search`
as it is today (every word must match), and the title's words OR-ed, ranked over all matches.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from paperboy.importer import iter_files, read_digests
from paperboy.record import Paper
from paperboy.search import search
from paperboy.search.query import STOPWORDS
from paperboy.similar import similar
from paperboy.store import SQLiteStore, Store, fts
from paperboy.store.fts import Filters
from paperboy.vectors import neighbours, terms
from paperboy.vectors.build import index
from paperboy.vectors.model import TOKEN_PATTERN, TextModel, paper_text

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cvpapers-2021"
K = 10
DEPTH = 100  # ranks fused by RRF from each list
RERANK = 100  # vector neighbours re-ranked by sparse tf-idf in the re-ranking row
BM25_TERMS = 20
HIDDEN = "Anonymous Author"
_WORD = re.compile(r"[^\W_]+")

Matrix = npt.NDArray[np.float32]
# Unit rows, dense (float32) or sparse (scipy CSR; scipy has no type hints here).
Rows: TypeAlias = Any


# ---------------------------------------------------------------- data


@dataclass
class Corpus:
    papers: list[Paper]  # authors hidden
    authors: list[frozenset[str]]  # the real ones, normalised
    sample: list[int]  # indexes into papers


def person(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z]+", " ", folded).split())


def load(data: Path, size: int, seed: int) -> Corpus:
    papers: dict[str, Paper] = {}
    for path in iter_files([data]):
        for digest in read_digests(path):
            for p in digest.papers or ():
                papers[p.arxiv_id] = p
    ordered = sorted(papers.values(), key=lambda p: p.arxiv_id)
    authors = [frozenset(person(a) for a in p.authors if person(a)) for p in ordered]
    hidden = [p.with_changes(authors=[HIDDEN], comment=None, journal_ref=None) for p in ordered]
    papers_of: Counter[str] = Counter(a for names in authors for a in names)
    eligible = [i for i, names in enumerate(authors) if any(papers_of[a] > 1 for a in names)]
    sample = sorted(random.Random(seed).sample(eligible, min(size, len(eligible))))
    return Corpus(hidden, authors, sample)


def build_store(path: Path, papers: Sequence[Paper]) -> Store:
    store = SQLiteStore(path)
    for at in range(0, len(papers), 2000):
        store.upsert(papers[at : at + 2000], "bench")
    return store


# ---------------------------------------------------------------- vector methods


class Method:
    name = ""

    def fit(self, texts: Sequence[str]) -> None:
        raise NotImplementedError

    def transform(self, texts: Sequence[str]) -> Rows:
        raise NotImplementedError


def _tfidf(**settings: object) -> TfidfVectorizer:
    base: dict[str, object] = {
        "ngram_range": (1, 2),
        "sublinear_tf": True,
        "stop_words": "english",
        "strip_accents": "unicode",
        "token_pattern": TOKEN_PATTERN,
        "dtype": np.float32,
    }
    return TfidfVectorizer(**(base | settings))


class Sparse(Method):
    def __init__(self, name: str, **settings: object) -> None:
        self.name = name
        self.settings = settings

    def fit(self, texts: Sequence[str]) -> None:
        self.vectorizer = _tfidf(**self.settings).fit(texts)

    def transform(self, texts: Sequence[str]) -> Rows:
        return sparse.csr_matrix(self.vectorizer.transform(texts))


class ArxivSanityLite(Sparse):
    """compute.py of karpathy/arxiv-sanity-lite, its settings word for word."""

    def __init__(self) -> None:
        super().__init__(
            "arxiv-sanity-lite tf-idf (anchor)",
            max_features=20000,
            min_df=5,
            max_df=0.1,
            norm="l2",
            use_idf=True,
            smooth_idf=True,
        )


class LSA(Method):
    """Sparse tf-idf (`base`) reduced by randomized truncated SVD. The first `dims`
    components of one 512-component fit serve every smaller size (the same directions, best
    first), so the LSA rows share one fit per text set."""

    def __init__(self, dims: int, fits: dict[tuple[int, str], tuple[Sparse, Matrix]]) -> None:
        self.name = f"LSA {dims} dims over that tf-idf (50k features)"
        self.dims, self.fits = dims, fits

    def fit(self, texts: Sequence[str]) -> None:
        self.key = (len(texts), texts[0] + texts[-1])
        if self.key not in self.fits:
            base = Sparse("", min_df=2, max_df=0.5, stop_words=None, max_features=50_000)
            base.fit(texts)
            svd = TruncatedSVD(512, n_iter=2, random_state=0).fit(base.transform(texts))
            self.fits[self.key] = (base, svd.components_.astype(np.float32))

    def transform(self, texts: Sequence[str]) -> Rows:
        base, components = self.fits[self.key]
        dense = base.transform(texts) @ components[: self.dims].T
        return normalize(np.asarray(dense, dtype=np.float32))


class Hashed(LSA):
    """A dense LSA part and a signed feature-hashing projection of the sparse tf-idf, each
    unit length and weighted by half, in one row: what cosine on one fixed-length vector
    can keep of the exact term matches."""

    def __init__(self, dims: int, fits: dict[tuple[int, str], tuple[Sparse, Matrix]]) -> None:
        super().__init__(dims, fits)
        self.name = f"LSA {dims} + hashed tf-idf {dims} in one row"

    def transform(self, texts: Sequence[str]) -> Rows:
        base = self.fits[self.key][0]
        weights = base.transform(texts)
        features = weights.shape[1]
        rng = np.random.default_rng(0)
        buckets = rng.integers(0, self.dims, features)
        signs = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), features)
        hashing = sparse.csr_matrix(
            (signs, (np.arange(features), buckets)), shape=(features, self.dims)
        )
        hashed = normalize(np.asarray((weights @ hashing).todense(), dtype=np.float32))
        dense = np.asarray(super().transform(texts))
        return np.hstack([dense, hashed]) * np.float32(math.sqrt(0.5))


class Shipped(Method):
    """paperboy.vectors.model.TextModel exactly as `paperboy index` fits and uses it."""

    def __init__(self) -> None:
        self.name = "paperboy TextModel (the default)"
        self.fitted: list[TextModel] = []  # over title + abstract, then over abstracts

    def fit(self, texts: Sequence[str]) -> None:
        self.model = TextModel.fit(texts)
        self.fitted.append(self.model)
        self.name = f"paperboy TextModel, {self.model.dims} dims (the default)"

    def transform(self, texts: Sequence[str]) -> Rows:
        return self.model.transform(texts)


def top_k(
    queries: Rows, docs: Rows, k: int, exclude: Sequence[int] | None = None
) -> list[list[int]]:
    scores = queries @ docs.T
    scores = scores.toarray() if sparse.issparse(scores) else np.asarray(scores)
    if exclude is not None:
        scores[np.arange(len(exclude)), exclude] = -np.inf
    top = np.argpartition(-scores, k, axis=1)[:, :k]
    order = np.take_along_axis(scores, top, axis=1).argsort(axis=1, kind="stable")[:, ::-1]
    ranked: list[list[int]] = np.take_along_axis(top, order, axis=1).tolist()
    return ranked


# ---------------------------------------------------------------- BM25 from the store


def words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.lower())
    return _WORD.findall("".join(c for c in folded if not unicodedata.combining(c)))


def fts_or(terms: Sequence[str]) -> str:
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def bm25_ranked(store: Store, match: str, limit: int, total: int) -> list[str]:
    """arXiv ids best first, bm25 over every match (not only the newest 5,000)."""
    return [arxiv_id for arxiv_id, _ in bm25_scored(store, match, limit, total)]


def bm25_scored(store: Store, match: str, limit: int, total: int) -> list[tuple[str, float]]:
    """(arXiv id, relevance) best first; relevance is -bm25(), so higher is better."""
    if not match:
        return []
    ranked, _ = fts.search(store, match, Filters(), limit, candidates=total)
    return [(r.arxiv_id, -r.score) for r in ranked]


def distinctive(corpus: Corpus) -> list[str]:
    """Each sampled paper's BM25 query: its most distinctive words OR-ed."""
    docs = [Counter(words(paper_text(p.title, p.abstract))) for p in corpus.papers]
    df: Counter[str] = Counter(w for d in docs for w in d)
    n = len(docs)
    out = []
    for i in corpus.sample:
        weight = {
            w: (1 + math.log(c)) * math.log(n / df[w])
            for w, c in docs[i].items()
            if df[w] > 1 and w not in STOPWORDS
        }
        out.append(fts_or(sorted(weight, key=lambda w: (-weight[w], w))[:BM25_TERMS]))
    return out


def title_terms(title: str) -> list[str]:
    return list(dict.fromkeys(w for w in words(title) if w not in STOPWORDS))


# ---------------------------------------------------------------- the two tasks


@dataclass
class Row:
    name: str
    shared: float | None = None
    mrr: float | None = None
    fit_seconds: float | None = None
    a_ranks: list[list[int]] | None = None  # per sampled paper, indexes best first
    b_ranks: list[list[int]] | None = None
    b_scores: list[list[float]] | None = None  # BM25's relevance beside b_ranks


def shared_author(
    corpus: Corpus, ranks: list[list[int]], sample: Sequence[int] | None = None
) -> float:
    sample = corpus.sample if sample is None else sample
    found = sum(
        any(corpus.authors[j] & corpus.authors[i] for j in ranked[:K])
        for i, ranked in zip(sample, ranks, strict=True)
    )
    return found / len(sample)


def mrr(corpus: Corpus, ranks: list[list[int]]) -> float:
    total = 0.0
    for i, ranked in zip(corpus.sample, ranks, strict=True):
        if i in ranked[:K]:
            total += 1 / (ranked.index(i) + 1)
    return total / len(corpus.sample)


def run_vectors(method: Method, corpus: Corpus) -> list[Row]:
    texts = [paper_text(p.title, p.abstract) for p in corpus.papers]
    abstracts = [p.abstract for p in corpus.papers]
    titles = [corpus.papers[i].title for i in corpus.sample]
    began = time.perf_counter()
    method.fit(texts)
    fit_seconds = time.perf_counter() - began
    docs = method.transform(texts)
    a = top_k(docs[corpus.sample], docs, RERANK, exclude=corpus.sample)
    a_sparse = _reranked(method, texts, corpus.sample, a)
    method.fit(abstracts)
    query_vectors = method.transform(titles)
    b = top_k(query_vectors, method.transform(abstracts), RERANK)
    b_sparse = _reranked(method, abstracts, titles, b)
    row = Row(method.name, shared_author(corpus, a), mrr(corpus, b), fit_seconds, a, b)
    if not isinstance(method, Shipped):
        return [row]
    name = f"{method.name}, top {RERANK} re-ranked by its sparse tf-idf (not one vector)"
    reranked = Row(name, shared_author(corpus, a_sparse), mrr(corpus, b_sparse), fit_seconds)
    return [row, reranked]


def _reranked(
    method: Method,
    docs: Sequence[str],
    queries: Sequence[int] | Sequence[str],
    ranks: list[list[int]],
) -> list[list[int]]:
    """Candidates from the vectors, ordered by the TextModel's sparse tf-idf cosine."""
    if not isinstance(method, Shipped):
        return ranks
    query_texts = [docs[q] if isinstance(q, int) else q for q in queries]
    query_rows = method.model.weights(query_texts)
    out = []
    for n, candidates in enumerate(ranks):
        scores = (method.model.weights([docs[c] for c in candidates]) @ query_rows[n].T).toarray()
        order = np.argsort(-scores.ravel(), kind="stable")
        out.append([candidates[i] for i in order])
    return out


def run_bm25(corpus: Corpus, full: Store, abstracts: Store) -> list[Row]:
    n = len(corpus.papers)
    at = {p.arxiv_id: i for i, p in enumerate(corpus.papers)}
    a = []
    for i, match in zip(corpus.sample, distinctive(corpus), strict=True):
        ranked = [at[r] for r in bm25_ranked(full, match, DEPTH + 1, n)]
        a.append([j for j in ranked if j != i][:DEPTH])
    titles = [corpus.papers[i].title for i in corpus.sample]
    scored = [bm25_scored(abstracts, fts_or(title_terms(t)), DEPTH, n) for t in titles]
    any_word = [[at[r] for r, _ in hits] for hits in scored]
    every_word = [
        [at[h.paper.arxiv_id] for h in search(abstracts, t, limit=DEPTH).hits] for t in titles
    ]
    return [
        Row(
            "BM25, distinctive / any title word",
            shared_author(corpus, a),
            mrr(corpus, any_word),
            None,
            a,
            any_word,
            [[score for _, score in hits] for hits in scored],
        ),
        Row(
            "BM25, paperboy search today (every word)",
            None,
            mrr(corpus, every_word),
            None,
            None,
            every_word,
        ),
    ]


def rrf(rankings: Sequence[Sequence[int]], weights: tuple[float, float]) -> list[tuple[int, float]]:
    """Reciprocal rank fusion (Cormack et al. 2009, k = 60), weighted: what hybrid search
    did before score fusion, kept for comparison."""
    scores: dict[int, float] = {}
    for weight, ranking in zip(weights, rankings, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (60 + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])


def hybrid(name: str, corpus: Corpus, bm25: Row, vectors: Row, weights: tuple[float, float]) -> Row:
    def fuse(x: list[list[int]] | None, y: list[list[int]] | None) -> list[list[int]] | None:
        if x is None or y is None:
            return None
        return [
            [i for i, _ in rrf([p[:DEPTH], q[:DEPTH]], weights=weights)]
            for p, q in zip(x, y, strict=True)
        ]

    a, b = fuse(bm25.a_ranks, vectors.a_ranks), fuse(bm25.b_ranks, vectors.b_ranks)
    return Row(
        name,
        None if a is None else shared_author(corpus, a),
        None if b is None else mrr(corpus, b),
        vectors.fit_seconds,
        a,
        b,
    )


# ---------------------------------------------------------------- combined scores
# What can be stored per paper beside its vector, and combined with it at query time.

FINGERPRINT = 256  # top tf-idf terms kept per paper in the fingerprint row
FUSION_LAMBDAS = (0.1, 0.2, 0.3, 0.5, 1.0)  # weight of the cosine beside normalised BM25
HASH_BITS = 22  # buckets of the hashed tf-idf: 4M, so few terms collide


def fingerprints(weights: Rows, terms: int) -> Rows:
    """Each row's `terms` largest tf-idf weights, renormalised, at float16 precision as
    they would be stored."""
    weights = sparse.csr_matrix(weights)
    rows, cols, vals = [], [], []
    for r in range(weights.shape[0]):
        start, end = weights.indptr[r], weights.indptr[r + 1]
        data, index = weights.data[start:end], weights.indices[start:end]
        if len(data) > terms:
            keep = np.argpartition(-data, terms)[:terms]
            data, index = data[keep], index[keep]
        rows += [r] * len(data)
        cols += index.tolist()
        vals += data.astype(np.float16).astype(np.float32).tolist()
    kept = sparse.csr_matrix((vals, (rows, cols)), shape=weights.shape, dtype=np.float32)
    return normalize(kept)


def hashed_tfidf(texts: Sequence[str], max_df: float) -> Rows:
    """Sublinear tf-idf of unigrams and bigrams (function words kept) with terms hashed to
    2^HASH_BITS buckets: no vocabulary to store, any archive size. Buckets seen in one
    paper only (or in more than `max_df` of them) weigh nothing, as min_df 2 would do."""
    counter = HashingVectorizer(
        ngram_range=(1, 2),
        n_features=2**HASH_BITS,
        alternate_sign=False,
        norm=None,
        strip_accents="unicode",
        token_pattern=TOKEN_PATTERN,
        dtype=np.float32,
    )
    counts = sparse.csr_matrix(counter.transform(texts))
    df = np.bincount(counts.indices, minlength=2**HASH_BITS)
    idf = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
    idf[(df < 2) | (df > max_df * len(texts))] = 0.0
    counts.data = 1.0 + np.log(counts.data)
    weights = sparse.csr_matrix(counts.multiply(idf))
    weights.eliminate_zeros()
    return normalize(weights)


def ranked_by(scores: Matrix, k: int = K) -> list[list[int]]:
    top = np.argpartition(-scores, k, axis=1)[:, :k]
    order = np.take_along_axis(scores, top, axis=1).argsort(axis=1, kind="stable")[:, ::-1]
    ranked: list[list[int]] = np.take_along_axis(top, order, axis=1).tolist()
    return ranked


def within(candidates: npt.NDArray[np.int64], scores: Matrix) -> Matrix:
    """`scores` with everything outside each row's candidates at -inf."""
    out = np.full_like(scores, -np.inf)
    np.put_along_axis(out, candidates, np.take_along_axis(scores, candidates, axis=1), axis=1)
    return out


def combined_shared(corpus: Corpus, model: TextModel, fit_seconds: float | None) -> list[Row]:
    """Shared author when the default's dense neighbours are re-ranked by a sparse tf-idf
    row stored per paper (and a few combinations that did not help, for comparison)."""
    texts = [paper_text(p.title, p.abstract) for p in corpus.papers]
    q, n = np.array(corpus.sample), np.arange(len(corpus.sample))
    dense = model.transform(texts)
    cos_dense = np.asarray(dense[q] @ dense.T, dtype=np.float32)
    by_dense = np.argsort(-cos_dense, axis=1, kind="stable")
    rows = []

    def row(name: str, scores: Matrix) -> None:
        scores = scores.copy()
        scores[n, q] = -np.inf  # the paper itself
        rows.append(Row(name, shared_author(corpus, ranked_by(scores)), None, fit_seconds))

    def cosine(weights: Rows) -> Matrix:
        return np.asarray((weights[q] @ weights.T).toarray(), dtype=np.float32)

    def uncapped(max_df: float) -> Rows:
        vectorizer = Sparse("", min_df=2, max_df=max_df, stop_words=None)
        vectorizer.fit(texts)
        return vectorizer.transform(texts)

    capped = cosine(model.weights(texts))
    row("exact: the default's own sparse tf-idf (50k features), all papers", capped)
    row(
        "dense top 1000, re-ranked by the default's sparse tf-idf (50k)",
        within(by_dense[:, :1000], capped),
    )
    full = uncapped(0.5)
    cos_full = cosine(full)
    row("exact: sparse tf-idf, function words kept, no cap, max_df 0.5", cos_full)
    for size in (500, 1000):
        row(f"dense top {size}, re-ranked by that sparse row", within(by_dense[:, :size], cos_full))
    row(
        "dense top 1000, re-ranked by that sparse row + 0.25·dense",
        within(by_dense[:, :1000], cos_full + 0.25 * cos_dense),
    )
    row(
        f"dense top 1000, re-ranked by its top-{FINGERPRINT}-term fingerprint",
        within(by_dense[:, :1000], cosine(fingerprints(full, FINGERPRINT))),
    )
    cos_all = cosine(uncapped(1.0))
    row("exact: sparse tf-idf, function words kept, no cap, no max_df", cos_all)
    row(
        "dense top 1000, re-ranked by that sparse row (no max_df)",
        within(by_dense[:, :1000], cos_all),
    )
    cos_hashed = cosine(hashed_tfidf(texts, 1.0))
    row(f"exact: hashed sparse tf-idf (2^{HASH_BITS} buckets, no max_df)", cos_hashed)
    row(
        f"dense top 1000, re-ranked by hashed sparse tf-idf (2^{HASH_BITS}, no max_df)",
        within(by_dense[:, :1000], cos_hashed),
    )
    counted = terms.counts(texts)
    words = terms.weigh(counted, terms.TermStats(terms.frequencies(counted), len(texts)))
    cos_words = cosine(words)
    row("exact: the default's words (hashed 1-3-grams, case kept, every term)", cos_words)
    row("dense top 1000, re-ranked by the default's words", within(by_dense[:, :1000], cos_words))
    expanded = dense[q] + 0.5 * dense[by_dense[:, :5]].mean(axis=1)
    row(
        "dense pseudo-relevance feedback (q + 0.5·mean of top 5)",
        np.asarray(normalize(expanded) @ dense.T, dtype=np.float32),
    )
    return rows


def combined_titles(corpus: Corpus, model: TextModel, bm25: Row) -> list[Row]:
    """Title to abstract: BM25 (any title word, all matches) fused with the dense cosine
    by score rather than rank, over the union of both top-100 lists."""
    assert bm25.b_ranks is not None and bm25.b_scores is not None
    abstracts = [p.abstract for p in corpus.papers]
    titles = [corpus.papers[i].title for i in corpus.sample]
    cosine = np.asarray(model.transform(titles) @ model.transform(abstracts).T, np.float32)
    by_vector = ranked_by(cosine, DEPTH)
    rows = []
    for norm, lambdas in (("min-max", FUSION_LAMBDAS), ("z", (0.2,))):
        for lam in lambdas:
            ranks = [
                fused(ids, scores, vec, cosine[r], norm, lam)
                for r, (ids, scores, vec) in enumerate(
                    zip(bm25.b_ranks, bm25.b_scores, by_vector, strict=True)
                )
            ]
            name = f"hybrid: BM25 ({norm} in its top {DEPTH}) + {lam:g}·cosine"
            rows.append(Row(name, None, mrr(corpus, ranks), None, None, ranks))
    ranks = [
        first(ids, scores, vec, cosine[r])
        for r, (ids, scores, vec) in enumerate(
            zip(bm25.b_ranks, bm25.b_scores, by_vector, strict=True)
        )
    ]
    name = "hybrid: BM25 first, cosine breaks its ties and fills"
    rows.append(Row(name, None, mrr(corpus, ranks), None, None, ranks))
    return rows


def fused(
    ids: list[int], scores: list[float], vec: list[int], cosine: Matrix, norm: str, lam: float
) -> list[int]:
    relevance = np.array(scores, dtype=np.float64)
    if norm == "z":
        spread = relevance.std() or 1.0
        relevance = (relevance - relevance.mean()) / spread
        floor = float(relevance.min()) if len(relevance) else 0.0
    else:
        low = float(relevance.min()) if len(relevance) else 0.0
        spread = (float(relevance.max()) - low) or 1.0
        relevance = (relevance - low) / spread
        floor = 0.0
    bm = dict(zip(ids, relevance.tolist(), strict=True))
    union = list(dict.fromkeys([*ids, *vec]))
    total = {i: bm.get(i, floor) + lam * float(cosine[i]) for i in union}
    return sorted(union, key=lambda i: -total[i])


def first(ids: list[int], scores: list[float], vec: list[int], cosine: Matrix) -> list[int]:
    order = sorted(range(len(ids)), key=lambda n: (-scores[n], -float(cosine[ids[n]])))
    head = [ids[n] for n in order]
    seen = set(head)
    return head + [i for i in vec if i not in seen]


# ---------------------------------------------------------------- paperboy as shipped

DEFAULT = "paperboy default, end to end (similar; hybrid search)"


def run_default(
    corpus: Corpus, full: Store, abstracts: Store, seeds: Sequence[int]
) -> tuple[Row, dict[int, float]]:
    """`paperboy index` over each store, then `similar` for shared author and `search`
    (mode hybrid) for title to abstract: the code users run, not a model of it. Shared
    author is also measured on the samples of `seeds`."""
    began = time.perf_counter()
    index(full)
    index(abstracts)
    fit_seconds = time.perf_counter() - began
    at = {p.arxiv_id: i for i, p in enumerate(corpus.papers)}
    loaded = neighbours.load(full)
    assert loaded is not None
    space = loaded

    def neighbours_of(sample: Sequence[int]) -> list[list[int]]:
        hits = (similar(full, space, corpus.papers[i], K) for i in sample)
        return [[at[h.paper.arxiv_id] for h in found] for found in hits]

    a = neighbours_of(corpus.sample)
    other = {
        seed: shared_author(corpus, neighbours_of(resample(corpus, seed)), resample(corpus, seed))
        for seed in seeds
    }
    titles = [corpus.papers[i].title for i in corpus.sample]
    by_abstract = neighbours.load(abstracts)
    assert by_abstract is not None
    found = (search(abstracts, t, limit=K, mode="hybrid", index=by_abstract).hits for t in titles)
    b = [[at[h.paper.arxiv_id] for h in hits] for hits in found]
    row = Row(DEFAULT, shared_author(corpus, a), mrr(corpus, b), fit_seconds, a, b)
    return row, other


def resample(corpus: Corpus, seed: int) -> list[int]:
    """Another sample of the eligible papers, as `load` draws one."""
    papers_of: Counter[str] = Counter(a for names in corpus.authors for a in names)
    eligible = [i for i, names in enumerate(corpus.authors) if any(papers_of[a] > 1 for a in names)]
    return sorted(random.Random(seed).sample(eligible, min(len(corpus.sample), len(eligible))))


def anchor_on(corpus: Corpus, seeds: Sequence[int]) -> dict[int, float]:
    """The anchor's shared author on the samples of `seeds`."""
    method = ArxivSanityLite()
    texts = [paper_text(p.title, p.abstract) for p in corpus.papers]
    method.fit(texts)
    docs = method.transform(texts)
    out = {}
    for seed in seeds:
        sample = resample(corpus, seed)
        out[seed] = shared_author(corpus, top_k(docs[sample], docs, K, exclude=sample), sample)
    return out


# ---------------------------------------------------------------- output


def gain(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "—"
    return f"{(value / base - 1) * 100:+.0f}%"


def table(rows: Sequence[Row], anchor: Row) -> str:
    def figure(value: float | None) -> str:
        return "—" if value is None else f"{value:.3f}"

    lines = [
        "| method | shared author | MRR@10 | vs anchor (shared / MRR) | fit s |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        fit = "—" if r.fit_seconds is None else f"{r.fit_seconds:.1f}"
        lines.append(
            f"| {r.name} | {figure(r.shared)} | {figure(r.mrr)} | "
            f"{gain(r.shared, anchor.shared)} / {gain(r.mrr, anchor.mrr)} | {fit} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument(
        "--seeds",
        type=lambda v: [int(x) for x in v.split(",") if x],
        default=[1, 2, 3],
        help="more samples for shared author, default vs anchor (comma-separated seeds)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="only the anchor, BM25, the default and its hybrids"
    )
    args = parser.parse_args()
    began = time.perf_counter()
    corpus = load(args.data, args.sample, args.seed)
    print(
        f"{len(corpus.papers):,} papers, {len(corpus.sample)} sampled (seed {args.seed}), "
        f"authors hidden",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="pb-quality-") as tmp:
        full = build_store(Path(tmp) / "full.sqlite", corpus.papers)
        abstracts = build_store(
            Path(tmp) / "abstracts.sqlite", [p.with_changes(title="") for p in corpus.papers]
        )
        bm25, keyword = run_bm25(corpus, full, abstracts)
        print(f"  BM25 from the store: {time.perf_counter() - began:.0f} s", flush=True)
        began_default = time.perf_counter()
        default, default_on = run_default(corpus, full, abstracts, args.seeds)
        print(f"  {DEFAULT}: {time.perf_counter() - began_default:.0f} s", flush=True)
        full.close()
        abstracts.close()
    rows = [default, bm25, keyword]
    fits: dict[tuple[int, str], tuple[Sparse, Matrix]] = {}
    anchor_method = ArxivSanityLite()
    shipped_method = Shipped()
    methods: list[Method] = [
        anchor_method,
        Sparse("sparse tf-idf (min_df 2, max_df 0.5, no cap)", min_df=2, max_df=0.5),
        Sparse("sparse tf-idf, function words kept", min_df=2, max_df=0.5, stop_words=None),
        LSA(512, fits),
        LSA(256, fits),
        Hashed(256, fits),
        shipped_method,
    ]
    if args.quick:
        methods = [anchor_method, shipped_method]
    for method in methods:
        began_method = time.perf_counter()
        got = run_vectors(method, corpus)
        rows += got
        print(
            f"  {got[0].name}: fit {got[0].fit_seconds:.1f} s, "
            f"both tasks {time.perf_counter() - began_method:.0f} s",
            flush=True,
        )
    anchor = next(r for r in rows if r.name == anchor_method.name)
    shipped = next(r for r in rows if r.name.endswith("(the default)"))
    for weights in ((1.0, 1.0), (2.0, 1.0), (4.0, 1.0), (8.0, 1.0), (16.0, 1.0)):
        rows.append(
            hybrid(
                f"hybrid: RRF(BM25 any word, TextModel), weights {weights[0]:g}:{weights[1]:g}",
                corpus,
                bm25,
                shipped,
                weights,
            )
        )
    rows.append(
        hybrid("hybrid: RRF(BM25 every word, TextModel)", corpus, keyword, shipped, (1.0, 1.0))
    )
    rows.append(hybrid("hybrid: RRF(BM25 any word, anchor)", corpus, bm25, anchor, (1.0, 1.0)))
    began_combined = time.perf_counter()
    full_model, abstract_model = shipped_method.fitted
    rows += combined_shared(corpus, full_model, shipped.fit_seconds)
    rows += combined_titles(corpus, abstract_model, bm25)
    print(f"  combined scores: {time.perf_counter() - began_combined:.0f} s", flush=True)
    print()
    print(table(rows, anchor))
    if args.seeds:
        print("\nshared author on other samples (seed: anchor, default, gain)")
        for seed, anchor_shared in anchor_on(corpus, args.seeds).items():
            ours = default_on[seed]
            print(f"  {seed}: {anchor_shared:.3f}  {ours:.3f}  {gain(ours, anchor_shared)}")
    print(f"\n(whole run {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
