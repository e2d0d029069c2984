"""Papers' words beside their vectors (paperboy.vectors.terms) and similar papers ordered by
them: counts survive the store, the papers per term are counted over the whole space, and
similar papers' scores are the tf-idf cosines of their words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from paperboy.similar import similar
from paperboy.store import Store, open_store
from paperboy.vectors import neighbours, terms
from paperboy.vectors.model import paper_text

CHM = "2103.16831"  # Convolutional Hough Matching Networks; its journal version is 2109.05221


@pytest.fixture(scope="module")
def store(indexed_2021: Path) -> Iterator[Store]:
    with open_store(indexed_2021) as s:
        yield s


@given(st.lists(st.text(st.sampled_from("ab xyZ3-é"), max_size=80), min_size=1, max_size=6))
def test_packed_counts_come_back_as_counted(texts: list[str]) -> None:
    counted = terms.counts(texts)
    back = terms.unpack(terms.pack(counted))
    expected = counted.copy()
    expected.data = np.minimum(expected.data, terms.MAX_COUNT)
    assert back.shape == counted.shape
    assert (back != expected).nnz == 0


def test_a_count_above_the_cap_is_kept_at_the_cap() -> None:
    back = terms.unpack(terms.pack(terms.counts(["word " * 5000])))
    assert back.max() == terms.MAX_COUNT


def test_every_paper_has_its_words_and_the_space_counts_every_paper(store: Store) -> None:
    space = store.vectors.active()
    assert space is not None
    parts, papers = store.vectors.term_df(space.id)
    assert parts and papers == store.count() == 14868
    df = terms.decode_frequencies(parts)
    texts = {p.arxiv_id: paper_text(p.title, p.abstract) for p in store.papers()}
    rowids = store.vectors.rowids(list(texts))
    stored = store.vectors.terms(space.id, list(rowids.values()))
    assert len(stored) == 14868
    # Papers holding a word, counted by a regex over the text, against the stored count of
    # its bucket (case kept: "Transformer" is not "transformer").
    for word in ("Transformer", "transformer", "NeRF", "Hough"):
        holding = sum(bool(re.search(rf"\b{word}\b", t)) for t in texts.values())
        bucket = terms.counts([word]).indices[0]
        assert holding > 0 and df[bucket] >= holding
        assert df[bucket] <= holding * 1.02 + 2  # collisions in 4M buckets are rare


def test_similar_scores_are_the_tfidf_cosines_of_the_papers_words(store: Store) -> None:
    index = neighbours.load(store)
    assert index is not None
    papers = list(store.papers())
    texts = [paper_text(p.title, p.abstract) for p in papers]
    at = {p.arxiv_id: i for i, p in enumerate(papers)}
    # The same weighting by a vocabulary instead of hashed buckets (sklearn's smoothed idf
    # is the same formula; a term must be in two papers).
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 3),
        lowercase=False,
        token_pattern=terms.TOKEN_PATTERN,
        strip_accents="unicode",
        sublinear_tf=True,
        min_df=2,
    )
    matrix = vectorizer.fit_transform(texts)
    paper = papers[at[CHM]]
    hits = similar(store, index, paper, 10)
    assert hits[0].paper.arxiv_id == "2109.05221"
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    for hit in hits:
        truth = float((matrix[at[CHM]] @ matrix[at[hit.paper.arxiv_id]].T).toarray()[0, 0])
        # Hashing lets some terms of one paper share a bucket with another's, and so weigh
        # something: cosines come out a little lower than over a vocabulary, never higher.
        assert truth - 0.03 <= hit.score <= truth + 0.002, hit.paper.arxiv_id


def test_similarities_are_the_dot_products_of_weighed_rows_and_an_empty_row_scores_zero() -> None:
    texts = [
        "Gaussian splatting for real-time radiance fields",
        "",  # a paper with no words: no term, no score, no division by zero
        "Neural radiance fields for view synthesis, in real time",
        "Point cloud segmentation with transformers",
    ]
    counted = terms.counts(texts)
    stats = terms.TermStats(terms.frequencies(counted), len(texts))
    packed = terms.pack(counted)
    words = np.frombuffer(b"".join(packed), dtype="<u4")
    lengths = np.array([len(p) // 4 for p in packed], dtype=np.int64)
    query = terms.counts(["real-time radiance fields from a few views"])
    scores = terms.similarities(words, lengths, query, stats)
    rows, q = terms.weigh(counted, stats), terms.weigh(query, stats)
    truth = (rows @ q.T).toarray().ravel()
    assert np.allclose(scores, truth, atol=1e-6)
    assert scores[1] == scores[3] == 0.0 and scores[0] > 0.0 and scores[2] > 0.0
