"""The active vector space loaded for queries: nearest papers by cosine similarity.

Up to EXACT_LIMIT papers every query scores every paper (numpy, exact). Above it, an
approximate index from faiss (IVF, inner product over unit vectors = cosine) answers instead;
its recall@10 against exact search is measured by benchmarks/bench_vectors.py.

The store holds the truth (one vector per paper, paperboy.store.vectors). Reading a large
space back from SQLite on every command takes seconds, so a store of CACHE_MIN papers or more
keeps a copy beside it, `<db>-vectors/`: the rowids and the matrix as .npy files (memory-mapped
on load) and the faiss index, named by `meta.json`. The meta carries the store's random id,
the space, its format and its `changes` count: a cache that names anything else (another
store, an older space, vectors written since) is ignored and rewritten. Files are written
under new names and `meta.json` is replaced last, in one rename, so a killed write leaves the
old cache in use or none.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from paperboy.store import SQLiteStore
from paperboy.store.vectors import Space
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
    from_cache: bool = False
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
        pairs = zip(rows[0], scores[0], strict=True)
        return [(int(self.rowids[i]), float(s)) for i, s in pairs if i >= 0]

    def similar_to(self, rowid: int, k: int) -> list[tuple[int, float]]:
        vector = self.vector_of(rowid)
        return [] if vector is None else self.nearest(vector, k, exclude={rowid})

    def query(self, text: str, k: int) -> list[tuple[int, float]]:
        return self.nearest(self.model.transform([text])[0], k)


def term_stats(store: SQLiteStore, index: VectorIndex) -> TermStats | None:
    """The papers per term of the index's space (None for a space written without them),
    read once per index: 64 MB, a few tenths of a second."""
    if index.term_stats is None:
        data, papers = store.vectors.term_df(index.space)
        if data is None:
            return None
        index.term_stats = TermStats(decode_frequencies(data), papers)
    return index.term_stats


def usable(space: Space | None) -> bool:
    """A space this paperboy can read: one of an older FORMAT is rebuilt, never used."""
    return space is not None and space.format == FORMAT


def load(
    store: SQLiteStore, *, exact_limit: int = EXACT_LIMIT, cache_min: int = CACHE_MIN
) -> VectorIndex | None:
    """The store's active space, or None when there is none this paperboy can read."""
    space = store.vectors.active()
    if space is None or not usable(space):
        return None
    identity = _identity(store, space)
    cache = cache_dir(store)
    if cache is not None:
        cached = _read_cache(cache, identity, space, exact_limit)
        if cached is not None:
            return cached
    changes, rowids, data = store.vectors.snapshot(space.id, space.dims)
    identity["changes"] = changes
    matrix = np.frombuffer(data, dtype="<f4").reshape(len(rowids), space.dims)
    index = VectorIndex(space.id, np.frombuffer(rowids, dtype=np.int64), matrix)
    index.model_data = store.vectors.model(space.id)
    if len(index) > exact_limit:
        index.ann = build_ann(matrix)
    if cache is not None and len(index) >= cache_min:
        with contextlib.suppress(OSError):  # a read-only place: the next load reads the store
            _write_cache(cache, identity, index)
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


# ---------------------------------------------------------------- the cache beside the store


def cache_dir(store: SQLiteStore) -> Path | None:
    if str(store.path) == ":memory:":
        return None
    return store.path.with_name(store.path.name + "-vectors")


def _identity(store: SQLiteStore, space: Space) -> dict[str, Any]:
    return {
        "store_id": store.vectors.store_id(),
        "space": space.id,
        "format": space.format,
        "dims": space.dims,
        "changes": space.changes,
    }


def extend_cache(store: SQLiteStore, before: Space, rowids: list[int], vectors: Matrix) -> bool:
    """Append papers just projected (all above every rowid the cache holds) to the cache made
    for the space as it was `before`: a day of new papers costs a write of the cache, not a
    read of every vector from the store. False when there is no such cache, or the papers
    are not all new (a changed text replaces a row: `load` rewrites the cache instead)."""
    cache = cache_dir(store)
    after = store.vectors.active()
    if cache is None or after is None or after.id != before.id or not rowids:
        return False
    old = _read_cache(cache, _identity(store, before), before, EXACT_LIMIT, writable=True)
    if old is None or (len(old) and rowids[0] <= old.rowids[-1]):
        return False
    added = np.ascontiguousarray(vectors, dtype=np.float32)
    index = VectorIndex(
        before.id,
        np.concatenate([old.rowids, np.asarray(rowids, dtype=np.int64)]),
        np.concatenate([old.matrix, added]),
        old.ann,
        model_file=old.model_file,
    )
    if index.ann is not None:
        index.ann.add(added)
    elif len(index) > EXACT_LIMIT:
        index.ann = build_ann(index.matrix)
    try:
        _write_cache(cache, _identity(store, after), index)
    except OSError:
        return False
    return True


def _read_cache(
    cache: Path, identity: dict[str, Any], space: Space, exact_limit: int, writable: bool = False
) -> VectorIndex | None:
    try:
        meta = json.loads((cache / "meta.json").read_text())
        if {k: meta.get(k) for k in identity} != identity:
            return None
        approximate = meta["count"] > exact_limit
        rowids = np.load(cache / meta["rowids"], allow_pickle=False)
        # Exact scoring reads every row per query: from memory it is twice as fast as from
        # a memory map. The approximate index only looks rows up.
        path = cache / meta["matrix"]
        if approximate:
            matrix = np.load(path, mmap_mode="r", allow_pickle=False)
        else:
            matrix = np.load(path, allow_pickle=False)
        if len(rowids) != meta["count"] or matrix.shape != (meta["count"], space.dims):
            return None
        ann: Any = None
        if approximate:
            if not meta.get("ann"):
                return None  # made for exact search: build the approximate index
            import faiss

            flags = 0 if writable else faiss.IO_FLAG_MMAP
            ann = faiss.read_index(str(cache / meta["ann"]), flags)
            ann.nprobe = meta.get("nprobe", NPROBE)
        model = cache / meta["model"]
        if not model.exists():
            return None
    except (OSError, ValueError, KeyError, TypeError, RuntimeError):
        return None  # missing, partial or foreign: rebuilt from the store
    return VectorIndex(space.id, rowids, matrix, ann, from_cache=True, model_file=model)


def _write_cache(cache: Path, identity: dict[str, Any], index: VectorIndex) -> None:
    cache.mkdir(exist_ok=True)
    token = secrets.token_hex(4)
    meta = {**identity, "count": len(index), "rowids": f"{token}.rowids.npy"}
    meta["matrix"], meta["model"] = f"{token}.matrix.npy", f"{token}.model.npz"
    if index.model_file is not None and index.model_file.parent == cache:
        meta["model"] = index.model_file.name  # the same model: kept, not copied
    else:
        (cache / meta["model"]).write_bytes(index.model_data or b"")
    np.save(cache / meta["rowids"], index.rowids, allow_pickle=False)
    np.save(cache / meta["matrix"], index.matrix, allow_pickle=False)
    if index.ann is not None:
        import faiss

        meta["ann"], meta["nprobe"] = f"{token}.ivf.faiss", index.ann.nprobe
        faiss.write_index(index.ann, str(cache / meta["ann"]))
    pending = cache / f"{token}.meta.json"
    pending.write_text(json.dumps(meta))
    os.replace(pending, cache / "meta.json")  # the switch: old cache or new, never half
    keep = {"meta.json", meta["rowids"], meta["matrix"], meta["model"], meta.get("ann")}
    for old in cache.iterdir():
        if old.name not in keep:
            old.unlink(missing_ok=True)
