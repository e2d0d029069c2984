"""The active vector space loaded for queries: nearest papers by cosine similarity.

Up to EXACT_LIMIT papers every query scores every paper (numpy, exact). Above it, an
approximate index from faiss (IVF, inner product over unit vectors = cosine) answers instead;
its recall@10 against exact search is measured by benchmarks/bench_vectors.py.

The store holds the truth (one vector and one paper's term counts per paper,
paperboy.store.vectors). A store of CACHE_MIN papers or more keeps a copy beside it, read
by memory map (paperboy.vectors.cache): what every command would otherwise read back from
SQLite, in seconds.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from paperboy.store import Store
from paperboy.store.vectors import Space
from paperboy.vectors import cache, terms
from paperboy.vectors.model import FORMAT, Matrix, TextModel
from paperboy.vectors.terms import TermStats, decode_frequencies

# Papers scored exactly; above, approximate (faiss IVF). The IVF's recall@10 is 0.999 at 192k
# (benchmarks/bench_vectors.py) while an exact scan there reads 295 MB per query.
EXACT_LIMIT = 100_000
CACHE_MIN = 50_000  # papers from which a cache beside the store pays for itself
NPROBE = 48  # lists an approximate query visits: recall@10 >= 0.95 (bench_vectors.py)
TRAIN_SAMPLE = 100_000  # vectors the IVF lists are trained on


@dataclass
class VectorIndex:
    space: int
    rowids: npt.NDArray[np.int64]  # ascending; row i of `matrix` is paper rowids[i]
    matrix: Matrix  # (papers, dims) unit vectors; memory-mapped when `ann` answers
    ann: Any = field(default=None, repr=False)  # a faiss IndexIVFFlat, when approximate
    ann_rows: int | None = None  # rows the IVF holds (None: all); later ones scored exactly
    cached: cache.Cached | None = field(default=None, repr=False)  # the cache's files
    from_cache: bool = False  # read from a cache made before (not written by this load)
    # The model, as bytes or a file of the cache: read and decoded on first use (similar
    # papers need only the vectors; the model is tens of MB).
    model_data: bytes | None = field(default=None, repr=False)
    model_file: Path | None = None
    # papers per term over the space (paperboy.vectors.terms), read on first use
    term_stats: TermStats | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.rowids)

    @cached_property
    def model(self) -> TextModel:
        data = self.model_data
        if data is None:
            assert self.model_file is not None
            data = self.model_file.read_bytes()
        return TextModel.from_bytes(data)

    @property
    def exact(self) -> bool:
        return self.ann is None

    def vector_of(self, rowid: int) -> Matrix | None:
        at = int(np.searchsorted(self.rowids, rowid))
        if at < len(self.rowids) and self.rowids[at] == rowid:
            row: Matrix = np.asarray(self.matrix[at])
            return row
        return None

    def nearest(
        self, vector: Matrix, k: int, exclude: Collection[int] = ()
    ) -> list[tuple[int, float]]:
        """The `k` papers nearest `vector`, as (rowid, cosine), best first."""
        if k <= 0 or not len(self.rowids) or not np.any(vector):
            return []
        want = min(len(self.rowids), k + len(exclude))
        if self.ann is not None:
            found = self._approximate(vector, want)
        else:
            found = self._exact(vector, want)
        return [(r, s) for r, s in found if r not in exclude][:k]

    def _exact(self, vector: Matrix, want: int) -> list[tuple[int, float]]:
        scores = self.matrix @ vector.astype(np.float32)
        top = np.argpartition(-scores, want - 1)[:want]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self.rowids[i]), float(scores[i])) for i in top]

    def _approximate(self, vector: Matrix, want: int) -> list[tuple[int, float]]:
        assert self.ann is not None
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        scores, rows = self.ann.search(query, want)
        found = [(int(i), float(s)) for i, s in zip(rows[0], scores[0], strict=True) if i >= 0]
        held = len(self.rowids) if self.ann_rows is None else self.ann_rows
        if held < len(self.rowids):  # papers added since the IVF was written
            tail = np.asarray(self.matrix[held:]) @ vector.astype(np.float32)
            top = np.argsort(-tail, kind="stable")[:want]
            found += [(held + int(i), float(tail[i])) for i in top]
            found.sort(key=lambda pair: -pair[1])
        return [(int(self.rowids[i]), s) for i, s in found[:want]]

    def similar_to(self, rowid: int, k: int) -> list[tuple[int, float]]:
        vector = self.vector_of(rowid)
        return [] if vector is None else self.nearest(vector, k, exclude={rowid})

    def query(self, text: str, k: int) -> list[tuple[int, float]]:
        return self.nearest(self.model.transform([text])[0], k)


def term_stats(store: Store, index: VectorIndex) -> TermStats | None:
    """The papers per term of the index's space (None for a space written without them),
    read once per index: 64 MB, a few tenths of a second."""
    if index.term_stats is None:
        if index.cached is not None and index.cached.df is not None:
            papers = int(index.cached.meta["term_papers"])
            index.term_stats = TermStats(index.cached.df, papers)
            return index.term_stats
        parts, papers = store.vectors.term_df(index.space)
        if not parts:
            return None
        index.term_stats = TermStats(decode_frequencies(parts), papers)
    return index.term_stats


def term_words(
    store: Store, index: VectorIndex, rowids: Sequence[int]
) -> tuple[list[int], terms.Words, npt.NDArray[np.int64]]:
    """The packed term counts of those of `rowids` the space holds: (their rowids, in the
    order given; their words end to end; each one's length). From the cache's memory map when
    there is one, else from the store."""
    if index.cached is None:
        stored = store.vectors.terms(index.space, rowids)
        have = [r for r in rowids if r in stored]
        words = np.frombuffer(b"".join(stored[r] for r in have), dtype="<u4")
        return have, words, np.array([len(stored[r]) // 4 for r in have], dtype=np.int64)
    wanted = np.asarray(rowids, dtype=np.int64)
    at = np.minimum(np.searchsorted(index.rowids, wanted), max(len(index.rowids) - 1, 0))
    held = (index.rowids[at] == wanted) if len(index.rowids) else np.zeros(0, dtype=bool)
    at = at[held]
    ends = index.cached.ends
    starts = np.where(at > 0, ends[np.maximum(at - 1, 0)], 0)
    lengths = (ends[at] - starts).astype(np.int64)
    # every word of the chosen rows, end to end: one gather from the memory map
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    words = np.asarray(index.cached.terms[offsets], dtype=np.uint32)
    return [int(r) for r in wanted[held]], words, lengths


def usable(space: Space | None) -> bool:
    """A space this paperboy can read: one of an older FORMAT is rebuilt, never used."""
    return space is not None and space.format == FORMAT


def load(
    store: Store, *, exact_limit: int = EXACT_LIMIT, cache_min: int = CACHE_MIN
) -> VectorIndex | None:
    """The store's active space, or None when there is none this paperboy can read."""
    space = store.vectors.active()
    if space is None or not usable(space):
        return None
    path = cache.folder(store)
    if path is not None:
        cached = cache.read(path, cache.identity(store, space))
        if cached is not None and (len(cached.rowids) <= exact_limit or cached.meta.get("ann")):
            index = _from_cache(space, cached, exact_limit)
            index.from_cache = True
            return index
        if store.vectors.count(space.id) >= cache_min:
            with contextlib.suppress(OSError):  # a read-only place: read from the store
                made = cache.write(store, path, space, _ann_builder(store, space, exact_limit))
                if made is not None:
                    return _from_cache(space, made, exact_limit)
    _, rowids, data = store.vectors.snapshot(space.id, space.dims)
    matrix = np.frombuffer(data, dtype="<f4").reshape(len(rowids), space.dims)
    index = VectorIndex(space.id, np.frombuffer(rowids, dtype=np.int64), matrix)
    index.model_data = store.vectors.model(space.id)
    if len(index) > exact_limit:
        index.ann = build_ann(matrix)
    return index


def _ann_builder(store: Store, space: Space, exact_limit: int) -> Any | None:
    """build_ann, for a space that needs an approximate index; None for one that does not."""
    return build_ann if store.vectors.count(space.id) > exact_limit else None


def _from_cache(space: Space, cached: cache.Cached, exact_limit: int) -> VectorIndex:
    rowids = np.asarray(cached.rowids)
    if len(rowids) <= exact_limit:
        # Exact scoring reads every row per query: from memory, twice as fast as from a map.
        matrix = np.array(cached.matrix)
        return VectorIndex(space.id, rowids, matrix, cached=cached, model_file=cached.model)
    ann_rows = int(cached.meta["ann_rows"])
    index = VectorIndex(space.id, rowids, cached.matrix, cached.ann(), ann_rows, cached)
    index.model_file = cached.model
    return index


def build_ann(matrix: Matrix, nprobe: int = NPROBE, seed: int = 0) -> Any:
    """An IVF index over the rows of `matrix` (inner product), trained on a sample."""
    import faiss

    papers, dims = matrix.shape
    lists = max(1, min(int(4 * math.sqrt(papers)), papers // 39))
    quantizer = faiss.IndexFlatIP(dims)
    ann = faiss.IndexIVFFlat(quantizer, dims, lists, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(papers, size=min(papers, TRAIN_SAMPLE), replace=False))
    ann.train(np.ascontiguousarray(matrix[sample], dtype=np.float32))
    for at in range(0, papers, 100_000):
        ann.add(np.ascontiguousarray(matrix[at : at + 100_000], dtype=np.float32))
    ann.nprobe = nprobe
    return ann
