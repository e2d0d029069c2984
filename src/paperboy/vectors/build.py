"""`paperboy index`: fit a vector space over the store, or project new papers into it.

Incremental by default: papers without a vector in the active space (new ones, and those
whose title or abstract changed) are projected with its model. A full rebuild fits a new
model when there is no space this paperboy can read (none, or an older FORMAT), on request,
or when the store has grown by REBUILD_GROWTH since the model was fitted.

Kill-safe: a rebuild writes a new, inactive space batch by batch and switches to it in one
transaction, so until then the old space stays in use; the next run removes what a killed
one left. Memory stays bounded: the model is fitted on at most FIT_SAMPLE papers' text, and
vectors are written BATCH papers at a time. A paper's term counts (paperboy.vectors.terms)
are written with its vector; the papers per term are counted over the whole space: by a
rebuild as it goes, written with the switch, and by each batch projected, in its transaction.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from paperboy.store import Store
from paperboy.store.vectors import PaperText, Space
from paperboy.vectors import cache, neighbours, terms
from paperboy.vectors.model import FORMAT, Matrix, TextModel, paper_text
from paperboy.wording import plural

BATCH = 5_000
FIT_SAMPLE = 50_000  # papers the model is fitted on, at most (a random sample above it)
REBUILD_GROWTH = 1.2  # refit when the store has 20% more papers than when the model was fitted
MIN_PAPERS = 2  # fewer, and there is nothing to fit
MAX_TERM_PARTS = 64  # batches' papers per term kept apart before they are folded into one
KEEP_FOR_CACHE = 50_000  # projected vectors kept to extend the cache instead of rewriting it

# (what is being done, papers done, papers in all or None while fitting)
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True, slots=True)
class IndexReport:
    rebuilt: bool
    added: int  # papers given a vector by this run
    papers: int  # papers with a vector in the active space
    dims: int = 0
    reason: str = ""  # why a rebuild: "no index", "older format", "grown 25%", "asked"

    def summary(self, seconds: float) -> str:
        took = f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
        if self.rebuilt and not self.papers:
            return "index: too few papers in the store to build one"
        if self.rebuilt:
            return (
                f"index: {plural(self.papers, 'paper')}, rebuilt ({self.dims} dims, "
                f"{self.reason}) in {took}"
            )
        if self.added:
            return (
                f"index: {plural(self.added, 'new paper')} projected in {took} "
                f"({plural(self.papers, 'paper')})"
            )
        return f"index: up to date ({plural(self.papers, 'paper')})"


def quiet(what: str, done: int, total: int | None) -> None:
    pass


def rebuild_reason(space: Space | None, papers: int, full: bool = False) -> str | None:
    """Why the space must be refitted, or None when projecting new papers is enough."""
    if full:
        return "asked"
    if space is None:
        return "no index"
    if not neighbours.usable(space):
        return "older format"
    if space.fitted_on and papers >= space.fitted_on * REBUILD_GROWTH:
        return f"grown {papers / space.fitted_on - 1:.0%}"
    return None


def index(store: Store, *, full: bool = False, progress: Progress = quiet) -> IndexReport:
    """Bring the active space up to date with the store."""
    with store.transaction():
        store.vectors.drop_inactive()  # what a killed rebuild left
    space = store.vectors.active()
    papers = store.count()
    reason = rebuild_reason(space, papers, full)
    added: list[tuple[list[int], Matrix]] = []
    if reason is not None:
        report = _rebuild(store, papers, reason, progress)
    else:
        assert space is not None
        report = _project(store, space, progress, added)
    if report.added and report.papers >= neighbours.CACHE_MIN:
        progress("caching", 0, None)
        rowids = [r for part, _ in added for r in part]
        # A day of new papers is appended to the cache; anything else rewrites it.
        extended = (
            space is not None
            and reason is None
            and len(rowids) == report.added
            and cache.extend(store, space, rowids, np.concatenate([v for _, v in added]))
        )
        if not extended:
            neighbours.load(store)  # writes the cache beside the store (and the faiss index)
    return report


def _project(
    store: Store, space: Space, progress: Progress, added_rows: list[tuple[list[int], Matrix]]
) -> IndexReport:
    total = store.count() - store.vectors.count(space.id)
    model: TextModel | None = None  # decoded only when there is something to project
    added, after = 0, store.vectors.first_missing(space.id)
    progress("projecting", 0, total)
    while batch := store.vectors.missing(space.id, after, BATCH):
        model = model or _model(store, space)
        vectors = _put(store, space.id, model, batch, counted=True)
        if added < KEEP_FOR_CACHE:  # for the cache beside the store; above, it is rewritten
            added_rows.append(([p.rowid for p in batch], vectors))
        added += len(batch)
        after = batch[-1].rowid
        progress("projecting", added, max(total, added))
    return IndexReport(False, added, store.vectors.count(space.id), space.dims)


def _model(store: Store, space: Space) -> TextModel:
    """The space's model: from the cache beside the store when it holds it (stored, not
    deflated, so decoded several times faster), else from the store."""
    cached = cache.model_file(store, space)
    if cached is not None:
        with contextlib.suppress(OSError, ValueError):
            return TextModel.from_bytes(cached.read_bytes())
    return TextModel.from_bytes(store.vectors.model(space.id))


def _rebuild(store: Store, papers: int, reason: str, progress: Progress) -> IndexReport:
    if papers < MIN_PAPERS:
        return IndexReport(True, 0, 0, reason=reason)
    sample = _fit_sample(store, papers)
    progress(f"fitting on {len(sample):,} papers", 0, None)
    model = TextModel.fit(sample)
    del sample
    with store.transaction():
        space = store.vectors.create(FORMAT, model.dims, papers, model.to_bytes())
    added = after = 0
    df = np.zeros(terms.BUCKETS, dtype=np.uint32)
    progress("projecting", 0, papers)
    while batch := store.vectors.texts(after, BATCH):
        _put(store, space, model, batch, df)
        added += len(batch)
        after = batch[-1].rowid
        progress("projecting", added, max(papers, added))
    with store.transaction():
        # Papers stored while this ran: given a vector before the switch.
        while batch := store.vectors.missing(space, after, BATCH):
            _put(store, space, model, batch, df)
            added += len(batch)
            after = batch[-1].rowid
        store.vectors.set_term_df(space, terms.encode_frequencies(df), added)
        if not store.vectors.activate(space):
            raise RuntimeError("another `paperboy index` replaced this one's space")
    return IndexReport(True, added, store.vectors.count(space), model.dims, reason)


def _fit_sample(store: Store, papers: int) -> list[str]:
    """The text the model is fitted on: every paper's, or a fixed random FIT_SAMPLE."""
    if papers <= FIT_SAMPLE:
        texts, after = [], 0
        while batch := store.vectors.texts(after, BATCH):
            texts += [paper_text(p.title, p.abstract) for p in batch]
            after = batch[-1].rowid
        return texts
    rowids = store.vectors.paper_rowids()
    chosen = sorted(random.Random(0).sample(rowids, FIT_SAMPLE))
    del rowids
    return [paper_text(p.title, p.abstract) for p in store.vectors.sample(chosen)]


def _put(
    store: Store,
    space: int,
    model: TextModel,
    batch: list[PaperText],
    df: terms.Frequencies | None = None,
    counted: bool = False,
) -> Matrix:
    """Write the batch's vectors and term counts. Its papers per term are added to `df`
    (a rebuild's running count), or, when `counted`, to the space's own in the same
    transaction."""
    texts = [paper_text(p.title, p.abstract) for p in batch]
    vectors = model.transform(texts)
    data = np.ascontiguousarray(vectors, dtype="<f4")
    found = terms.counts(texts)
    packed = terms.pack(found)
    if df is not None:
        terms.add_frequencies(df, found)
    rows = [(p.rowid, data[i].tobytes(), packed[i]) for i, p in enumerate(batch)]
    with store.transaction():
        store.vectors.put(space, rows)
        if counted:
            parts = store.vectors.add_term_df(space, terms.encode_added(found), len(batch))
            if parts > MAX_TERM_PARTS:
                fold_term_df(store, space)
    return data


def fold_term_df(store: Store, space: int) -> None:
    """The space's papers per term as one part again (inside a transaction)."""
    parts, papers = store.vectors.term_df(space)
    store.vectors.set_term_df(
        space, terms.encode_frequencies(terms.decode_frequencies(parts)), papers
    )
