"""A ranked day: every paper of a day's announcement listing, best first for one profile,
each with the reasons it stands where it does."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from scipy import sparse

from paperboy.latex import to_unicode
from paperboy.listings import DayListing, Line, listing_of
from paperboy.ranking.model import (
    Background,
    ModelCache,
    ProfileModel,
    background_rows,
    cache_key,
    fit,
    library_authors,
)
from paperboy.record import Paper
from paperboy.store import Store
from paperboy.store.author_names import name_key
from paperboy.store.profiles import Profile
from paperboy.vectors.model import Matrix, paper_text
from paperboy.vectors.neighbours import VectorIndex

AUTHOR_BONUS = 4.0  # a followed author's paper: about as far up as a paper like the library
KEYWORD_SCALE = 5.0  # a keyword of weight 1 is worth this much score (negative: down)
CATEGORY_BONUS = 0.5  # primary category among the profile's
LIKE = 0.45  # cosine from which a library paper counts as "like" the paper (384-dim space)
SHOWN_TITLES = 3  # library titles named in a reason
HIDDEN_SCORE = -1e6  # a paper marked "not interested" goes last

CACHE = ModelCache()


SECTION_WORDS = {"new": "new", "cross": "cross-list", "replace": "replacement"}


@dataclass(frozen=True, slots=True)
class RankedHit:
    paper: Paper
    score: float
    reasons: list[str]
    section: str  # new | cross | replace

    @property
    def listed_as(self) -> str:
        """The listing section it came from, in words ('cross-list')."""
        return SECTION_WORDS.get(self.section, self.section)


@dataclass(frozen=True, slots=True)
class RankedDay:
    day: date
    category: str
    provisional: str | None  # the listing's doubt, if any
    closed: str | None  # why arXiv announced nothing this day
    total: int  # papers ranked
    hits: list[RankedHit]  # best first, `limit` of them


class RankingError(Exception):
    """A ranking that cannot be made: the message says why, in one line."""


def rank_day(
    store: Store,
    profile: Profile,
    day: date,
    index: VectorIndex,
    category: str | None = None,
    limit: int = 0,
) -> RankedDay:
    """Rank the announcement listing of `day` (all sections) for `profile`; `limit` 0: all."""
    listing = listing_of(store, category or profile.category, day)
    return rank_listing(store, profile, listing, index, limit)


def rank_listing(
    store: Store, profile: Profile, listing: DayListing, index: VectorIndex, limit: int = 0
) -> RankedDay:
    lines = [line for line in listing.lines if line.paper is not None]
    model = profile_model(store, profile, index)
    vectors, weights = _day_features(store, index, lines)
    sims = model.similarities(vectors)
    scores = model.score(vectors, weights)
    titles = _library_titles(store, model)
    taste = _Taste(profile, listing.category, model)
    ranked: list[tuple[float, int, RankedHit]] = []
    for n, line in enumerate(lines):
        paper = line.paper
        assert paper is not None
        score, reasons = taste.adjust(paper, float(scores[n]))
        reasons[:0] = _like_reasons(sims[n], model.library_rows, titles, paper.arxiv_id, profile)
        ranked.append((-score, n, RankedHit(paper, score, reasons, line.section)))
    ranked.sort(key=lambda r: (r[0], r[1]))
    hits = [r[2] for r in ranked]
    return RankedDay(
        listing.day,
        listing.category,
        listing.provisional,
        listing.closed,
        len(hits),
        hits[:limit] if limit > 0 else hits,
    )


def profile_model(store: Store, profile: Profile, index: VectorIndex) -> ProfileModel:
    """The profile's fitted model, from the cache when profile and space are unchanged."""
    hidden_ids = sorted(profile.hidden - set(profile.library_ids))
    found = store.vectors.rowids([*profile.library_ids, *hidden_ids])
    library = [found[i] for i in profile.library_ids if i in found]
    hidden = [found[i] for i in hidden_ids if i in found]
    space = store.vectors.active()
    changes = space.changes if space is not None and space.id == index.space else -1
    key = cache_key(index.space, changes, library, hidden)
    model = CACHE.get(key)
    if model is None:
        lib_rows, lib_vectors = _indexed(index, library)
        hidden_rows, hidden_vectors = _indexed(index, hidden)
        model = fit(
            lib_vectors,
            lib_rows,
            _weights(store, index, lib_rows),
            hidden_vectors,
            _weights(store, index, hidden_rows),
            _authors_of(store, profile.library_ids),
            _background(store, index),
        )
        CACHE.put(key, model)
    return model


_BACKGROUND: list[tuple[VectorIndex, Background]] = []  # for the index last used


def _background(store: Store, index: VectorIndex) -> Background:
    """The background sample every profile is fitted against, made once per loaded index."""
    if not (_BACKGROUND and _BACKGROUND[0][0] is index):
        at = background_rows(len(index))
        vectors = np.asarray(index.matrix[at], dtype=np.float32)
        background = Background(vectors, _weights(store, index, index.rowids[at]))
        _BACKGROUND[:] = [(index, background)]
    return _BACKGROUND[0][1]


def _weights(store: Store, index: VectorIndex, rowids: npt.NDArray[np.int64]) -> sparse.csr_matrix:
    """Unit tf-idf rows of the papers `rowids` (ascending), over the space's vocabulary."""
    ids = store.vectors.arxiv_ids(rowids.tolist())
    papers = {p.arxiv_id: p for p in store.papers(ids=list(ids.values()))}
    texts = [
        _text(p.title, p.abstract, p) for r in rowids if (p := papers.get(ids.get(int(r), "")))
    ]
    return index.model.weights(texts)


def _text(title: str, abstract: str, paper: Paper | None) -> str:
    """What the tf-idf side reads: title, abstract and the comment (venue, project page,
    "extension of our CVPR paper"), which the vectors leave out."""
    comment = paper.comment if paper is not None and paper.comment else ""
    return f"{paper_text(title, abstract)}\n{comment}"


def _authors_of(store: Store, ids: Sequence[str]) -> dict[str, int]:
    """The library's recurring authors (folded names) and how many of its papers they are on."""
    return library_authors([name_key(a) for a in p.authors] for p in store.papers(ids=list(ids)))


_DAY: list[tuple[VectorIndex, tuple[str, ...], Matrix, sparse.csr_matrix]] = []


def _day_features(
    store: Store, index: VectorIndex, lines: Sequence[Line]
) -> tuple[Matrix, sparse.csr_matrix]:
    """The listing's vectors and tf-idf rows, kept for the last listing ranked: every
    profile's ranking of a day shares them (100 profiles' day pays for them once)."""
    texts = tuple(_text(x.title, x.abstract, x.paper) for x in lines)
    key = tuple(f"{x.arxiv_id}\n{t}" for x, t in zip(lines, texts, strict=True))
    if not (_DAY and _DAY[0][0] is index and _DAY[0][1] == key):
        _DAY[:] = [(index, key, _vectors(store, index, lines), index.model.weights(texts))]
    return _DAY[0][2], _DAY[0][3]


def _indexed(index: VectorIndex, rowids: Sequence[int]) -> tuple[npt.NDArray[np.int64], Matrix]:
    """The rowids that have a vector in the index, and their vectors."""
    rows = np.asarray(sorted(set(rowids)), dtype=np.int64)
    at = np.searchsorted(index.rowids, rows)
    ok = at < len(index.rowids)
    ok[ok] = index.rowids[at[ok]] == rows[ok]
    vectors = np.asarray(index.matrix[at[ok]], dtype=np.float32).reshape(-1, index.matrix.shape[1])
    return rows[ok], vectors


def _vectors(store: Store, index: VectorIndex, lines: Sequence[Line]) -> Matrix:
    """The papers' vectors; papers stored since the last `paperboy index` are projected."""
    dims = index.matrix.shape[1]
    out = np.zeros((len(lines), dims), dtype=np.float32)
    found = store.vectors.rowids([line.arxiv_id for line in lines])
    missing: list[int] = []
    for n, line in enumerate(lines):
        rowid = found.get(line.arxiv_id)
        vector = index.vector_of(rowid) if rowid is not None else None
        if vector is None:
            missing.append(n)
        else:
            out[n] = vector
    if missing:
        texts = [paper_text(lines[n].title, lines[n].abstract) for n in missing]
        out[missing] = index.model.transform(texts)
    return out


def _library_titles(store: Store, model: ProfileModel) -> dict[int, str]:
    ids = store.vectors.arxiv_ids([int(r) for r in model.library_rows])
    papers = {p.arxiv_id: p for p in store.papers(ids=list(ids.values()))}
    return {r: _clean(papers[i].title) for r, i in ids.items() if i in papers}


def _like_reasons(
    sims: Matrix,
    rows: npt.NDArray[np.int64],
    titles: dict[int, str],
    arxiv_id: str,
    profile: Profile,
) -> list[str]:
    if arxiv_id in profile.library_ids:
        return ["in your library"]
    if arxiv_id in profile.hidden:
        return ["you marked it not interested"]
    if not len(rows):
        return []
    order = np.argsort(-sims, kind="stable")
    close = [int(i) for i in order if sims[i] >= LIKE]
    if not close:
        best = int(order[0])
        return [f'nearest in your library: "{titles.get(int(rows[best]), "?")}" ({sims[best]:.2f})']
    named = ", ".join(f'"{titles.get(int(rows[i]), "?")}"' for i in close[:SHOWN_TITLES])
    more = "…" if len(close) > SHOWN_TITLES else ""
    papers = "a paper" if len(close) == 1 else f"{len(close)} papers"
    return [f"like {papers} in your library: {named}{more}"]


class _Taste:
    """The profile's explicit wishes: followed authors, keywords, categories, hidden papers."""

    def __init__(self, profile: Profile, category: str, model: ProfileModel) -> None:
        self.model = model
        self.authors = {name_key(a) for a in profile.authors}
        self.keywords = [(k, _phrase(k.term)) for k in profile.keywords]
        self.categories = set(profile.categories)
        self.category = category
        self.hidden = profile.hidden - set(profile.library_ids)

    def adjust(self, paper: Paper, score: float) -> tuple[float, list[str]]:
        reasons: list[str] = []
        if paper.arxiv_id in self.hidden:
            return HIDDEN_SCORE, reasons
        followed = [a for a in paper.authors if name_key(a) in self.authors]
        if followed:
            score += AUTHOR_BONUS
            word = "author" if len(followed) == 1 else "authors"
            reasons.append(f"{word} you follow: {', '.join(followed)}")
        names = {name_key(a): a for a in paper.authors}
        bonus, known = self.model.author_score(n for n in names if n not in self.authors)
        if known:
            score += bonus
            listed = ", ".join(f"{names[n]} ({times} papers)" for n, times in known)
            word = "author" if len(known) == 1 else "authors"
            reasons.append(f"{word} in your library: {listed}")
        text = f"{paper.title}\n{paper.abstract}"
        for keyword, pattern in self.keywords:
            if pattern.search(text):
                score += KEYWORD_SCALE * keyword.weight
                down = " (pushed down)" if keyword.weight < 0 else ""
                reasons.append(f"keyword: {keyword.term}{down}")
        if paper.primary_category in self.categories:
            score += CATEGORY_BONUS
            if paper.primary_category != self.category:
                reasons.append(f"category: {paper.primary_category}")
        return score, reasons


def _phrase(term: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in term.split()]
    return re.compile(r"\b" + r"[\s-]+".join(words) + r"s?\b", re.IGNORECASE)


def _clean(title: str) -> str:
    return " ".join(to_unicode(title).split())
