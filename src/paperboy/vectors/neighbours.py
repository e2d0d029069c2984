"""The active vector space loaded for queries: nearest papers by cosine similarity."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from paperboy.store import SQLiteStore
from paperboy.vectors.model import FORMAT, Matrix, TextModel


@dataclass
class VectorIndex:
    space: int
    model: TextModel
    rowids: npt.NDArray[np.int64]  # ascending; row i of `matrix` is paper rowids[i]
    matrix: Matrix  # (papers, dims) unit vectors

    def __len__(self) -> int:
        return len(self.rowids)

    def vector_of(self, rowid: int) -> Matrix | None:
        at = int(np.searchsorted(self.rowids, rowid))
        if at < len(self.rowids) and self.rowids[at] == rowid:
            row: Matrix = self.matrix[at]
            return row
        return None

    def nearest(
        self, vector: Matrix, k: int, exclude: Collection[int] = ()
    ) -> list[tuple[int, float]]:
        """The `k` papers nearest `vector`, as (rowid, cosine), best first."""
        if k <= 0 or not len(self.rowids) or not np.any(vector):
            return []
        scores = self.matrix @ vector
        want = min(len(scores), k + len(exclude))
        top = np.argpartition(-scores, want - 1)[:want]
        top = top[np.argsort(-scores[top], kind="stable")]
        out = [(int(self.rowids[i]), float(scores[i])) for i in top]
        return [(r, s) for r, s in out if r not in exclude][:k]

    def similar_to(self, rowid: int, k: int) -> list[tuple[int, float]]:
        vector = self.vector_of(rowid)
        return [] if vector is None else self.nearest(vector, k, exclude={rowid})

    def query(self, text: str, k: int) -> list[tuple[int, float]]:
        return self.nearest(self.model.transform([text])[0], k)


def load(store: SQLiteStore) -> VectorIndex | None:
    """The store's active space, or None when there is none this paperboy can read."""
    space = store.vectors.active()
    if space is None or space.format != FORMAT:
        return None
    rowids, blobs = [], []
    for rowid, blob in store.vectors.vectors(space.id):
        rowids.append(rowid)
        blobs.append(blob)
    matrix = np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), space.dims)
    return VectorIndex(
        space.id, TextModel.from_bytes(space.model), np.array(rowids, dtype=np.int64), matrix
    )
