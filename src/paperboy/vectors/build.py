"""`paperboy index`: fit a vector space over the store, or project new papers into it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from paperboy.store import SQLiteStore
from paperboy.vectors.model import FORMAT, TextModel, paper_text

BATCH = 5_000


@dataclass(frozen=True, slots=True)
class IndexReport:
    rebuilt: bool
    added: int
    papers: int


def index(store: SQLiteStore, *, full: bool = False) -> IndexReport:
    """Bring the active space up to date with the store."""
    space = store.vectors.active()
    if full or space is None or space.format != FORMAT:
        return _rebuild(store)
    model = TextModel.from_bytes(space.model)
    added = 0
    while batch := store.vectors.missing(space.id, BATCH):
        vectors = model.transform([paper_text(p.title, p.abstract) for p in batch])
        with store.transaction():
            store.vectors.put(space.id, _rows([p.rowid for p in batch], vectors))
        added += len(batch)
    return IndexReport(False, added, store.vectors.count(space.id))


def _rebuild(store: SQLiteStore) -> IndexReport:
    texts, rowids, after = [], [], 0
    while batch := store.vectors.texts(after):
        texts += [paper_text(p.title, p.abstract) for p in batch]
        rowids += [p.rowid for p in batch]
        after = batch[-1].rowid
    if not texts:
        return IndexReport(True, 0, 0)
    model = TextModel.fit(texts)
    with store.transaction():
        store.vectors.drop_inactive()
        space = store.vectors.create(FORMAT, model.dims, len(texts), model.to_bytes())
    for at in range(0, len(texts), BATCH):
        vectors = model.transform(texts[at : at + BATCH])
        with store.transaction():
            store.vectors.put(space, _rows(rowids[at : at + BATCH], vectors))
    with store.transaction():
        store.vectors.activate(space)
    return IndexReport(True, len(texts), len(texts))


def _rows(rowids: list[int], vectors: np.ndarray) -> list[tuple[int, bytes]]:
    data = vectors.astype("<f4")
    return [(rowid, data[i].tobytes()) for i, rowid in enumerate(rowids)]
