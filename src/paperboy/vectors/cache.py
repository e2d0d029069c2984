"""The copy of a large vector space kept beside the store, `<db>-vectors/`.

Reading a space back from SQLite takes seconds at 192k papers, and similar papers would read
a thousand papers' words from it per request, so a store of CACHE_MIN papers or more keeps
beside it, as raw little-endian files memory-mapped on load:

- rowids (int64, ascending), the matrix (float32, `dims` per paper), where each paper's term
  counts end (int64) and the term counts end to end (uint32 words, paperboy.vectors.terms);
- the papers per term (uint32, one per bucket), the model (its .npz stored, not deflated:
  decoded in a fraction of the time) and, for a large space, a faiss IVF index over its
  first `ann_rows` papers.

`meta.json` names the files, how much of each is valid, the store's random id, the space, its
format and its `changes`: a cache that names anything else (another store, an older space,
vectors written since) is ignored and rewritten. A day of new papers is appended: each file
is cut back to what meta.json counts (dropping what a killed append left), written on, and
meta.json is replaced last, in one rename, so a reader sees the old cache or the new, never
half. Papers appended past the IVF are scored exactly until there are TAIL_LIMIT of them,
when they are added to it. Writers hold an exclusive lock on `lock` in the folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import secrets
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from paperboy.store import Store
from paperboy.store.vectors import Space
from paperboy.vectors import terms
from paperboy.vectors.model import Matrix

FORMAT = 2  # 2: raw files that grow, term counts and papers per term; 1: .npy files
TAIL_LIMIT = 20_000  # papers past the IVF scored exactly (30 MB at 384 dims) before it grows
_CHUNK = 5_000  # rows written at a time when the cache is made from the store
# file kind -> (dtype, values per row of that file); terms have no fixed width
_KINDS = {"rowids": ("<i8", 1), "matrix": ("<f4", 0), "ends": ("<i8", 1), "terms": ("<u4", 0)}


def folder(store: Store) -> Path | None:
    return store.folder("vectors")


def identity(store: Store, space: Space, changes: int | None = None) -> dict[str, Any]:
    """What a cache must name to be this space's as it is now (or after `changes` writes)."""
    return {
        "cache": FORMAT,
        "store_id": store.vectors.store_id(),
        "space": space.id,
        "format": space.format,
        "dims": space.dims,
        "changes": space.changes if changes is None else changes,
    }


class Cached:
    """A cache as read: its meta and memory maps of its files (valid rows only)."""

    def __init__(self, path: Path, meta: dict[str, Any]) -> None:
        self.path, self.meta = path, meta
        count, dims = int(meta["count"]), int(meta["dims"])
        self.rowids: npt.NDArray[np.int64] = self._map("rowids", count)
        self.matrix: Matrix = self._map("matrix", count * dims).reshape(count, dims)
        self.ends: npt.NDArray[np.int64] = self._map("ends", count)
        self.terms: npt.NDArray[np.uint32] = self._map("terms", int(meta["nnz"]))
        self.df: npt.NDArray[np.uint32] | None = None
        if meta.get("df"):
            self.df = np.memmap(path / meta["df"], dtype="<u4", mode="r", shape=(terms.BUCKETS,))
        self.model = path / meta["model"]
        if not self.model.exists():
            raise FileNotFoundError(self.model)

    def _map(self, kind: str, values: int) -> Any:
        dtype = np.dtype(_KINDS[kind][0])
        file = self.path / self.meta[kind]
        if file.stat().st_size < values * dtype.itemsize:
            raise ValueError(f"{file} holds fewer than the {values} values meta.json counts")
        if values == 0:
            return np.zeros(0, dtype=dtype)
        return np.memmap(file, dtype=dtype, mode="r", shape=(values,))

    def ann(self, writable: bool = False) -> Any:
        """The IVF index over the first `ann_rows` papers, or None."""
        if not self.meta.get("ann"):
            return None
        import faiss

        flags = 0 if writable else faiss.IO_FLAG_MMAP
        ann: Any = faiss.read_index(str(self.path / self.meta["ann"]), flags)
        ann.nprobe = self.meta.get("nprobe", ann.nprobe)
        return ann


def read(path: Path, expected: dict[str, Any]) -> Cached | None:
    """The cache in `path` when it is the one `expected` names; None when it is missing,
    partial, foreign or stale (the caller rebuilds it from the store)."""
    try:
        meta = json.loads((path / "meta.json").read_text())
        if not isinstance(meta, dict) or {k: meta.get(k) for k in expected} != expected:
            return None
        return Cached(path, meta)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(store: Store, path: Path, space: Space, build_ann: Any | None) -> Cached | None:
    """Make the cache of `space` from the store, streaming its rows (memory stays flat at any
    size); `build_ann(matrix)` makes the IVF index when the space needs one."""
    path.mkdir(exist_ok=True)
    with _locked(path):
        token = secrets.token_hex(4)
        meta: dict[str, Any] = {kind: f"{token}.{kind}.bin" for kind in _KINDS}
        with store.reading():
            meta.update(identity(store, space, store.vectors.changes(space.id)))
            count, nnz = _write_rows(store, path, space, meta)
            df, papers = store.vectors.term_df(space.id)
            model = store.vectors.model(space.id)
        meta.update(count=count, nnz=nnz, term_papers=papers, model=f"{token}.model.npz")
        (path / meta["model"]).write_bytes(_stored(model))
        if df:
            meta["df"] = f"{token}.df.bin"
            terms.decode_frequencies(df).astype("<u4").tofile(path / meta["df"])
        cached = Cached(path, meta)
        if build_ann is not None:
            ann = build_ann(cached.matrix)
            meta.update(ann=f"{token}.ivf.faiss", ann_rows=count, nprobe=ann.nprobe)
            _write_ann(ann, path / meta["ann"])
        _commit(path, meta)
    return read(path, {k: meta[k] for k in identity(store, space)})


def extend(
    store: Store,
    before: Space,
    rowids: list[int],
    vectors: Matrix,
    tail_limit: int = TAIL_LIMIT,
) -> bool:
    """Append papers just projected (all above every rowid the cache holds) to the cache made
    for the space as it was `before`: a day of new papers costs an append, not a rewrite.
    False when there is no such cache, or the papers are not all new (a changed text
    replaces a row: the caller rewrites the cache instead)."""
    path = folder(store)
    after = store.vectors.active()
    if path is None or after is None or after.id != before.id or not rowids or not path.exists():
        return False
    with _locked(path):
        old = read(path, identity(store, before))
        if old is None or (len(old.rowids) and rowids[0] <= int(old.rowids[-1])):
            return False
        packed = store.vectors.terms(before.id, rowids)
        if len(packed) != len(rowids):
            return False
        meta = dict(old.meta)
        added = np.ascontiguousarray(vectors, dtype="<f4")
        words = np.frombuffer(b"".join(packed[r] for r in rowids), dtype="<u4")
        lengths = np.array([len(packed[r]) // 4 for r in rowids], dtype=np.int64)
        counts = terms.from_words(words, lengths)
        ends = int(meta["nnz"]) + np.cumsum(lengths)
        count, dims = int(meta["count"]), int(meta["dims"])
        _append(path / meta["rowids"], count * 8, np.asarray(rowids, dtype="<i8"))
        _append(path / meta["matrix"], count * dims * 4, added)
        _append(path / meta["ends"], count * 8, ends.astype("<i8"))
        _append(path / meta["terms"], int(meta["nnz"]) * 4, words)
        token = secrets.token_hex(4)
        if old.df is not None:
            meta["df"] = f"{token}.df.bin"
            df = np.array(old.df, dtype=np.uint32)
            terms.add_frequencies(df, counts)
            df.astype("<u4").tofile(path / meta["df"])
        meta.update(identity(store, after))
        meta.update(count=count + len(rowids), nnz=int(ends[-1]))
        meta["term_papers"] = int(meta.get("term_papers", 0)) + len(rowids)
        if meta.get("ann") and meta["count"] - int(meta["ann_rows"]) > tail_limit:
            ann = old.ann(writable=True)
            tail = Cached(path, meta).matrix[int(meta["ann_rows"]) :]
            ann.add(np.ascontiguousarray(tail, dtype=np.float32))
            meta.update(ann=f"{token}.ivf.faiss", ann_rows=meta["count"])
            _write_ann(ann, path / meta["ann"])
        _commit(path, meta)
    return True


def model_file(store: Store, space: Space) -> Path | None:
    """The cache's copy of the space's model (the same whatever `changes` says), if any."""
    path = folder(store)
    if path is None:
        return None
    expected = {k: v for k, v in identity(store, space).items() if k != "changes"}
    cached = read(path, expected)
    return None if cached is None else cached.model


# ------------------------------------------------------------------------------ files


def _write_rows(store: Store, path: Path, space: Space, meta: dict[str, Any]) -> tuple[int, int]:
    count = nnz = 0
    files = {kind: (path / meta[kind]).open("wb") for kind in _KINDS}
    try:
        rows = store.vectors.rows(space.id)
        while chunk := [row for _, row in zip(range(_CHUNK), rows, strict=False)]:
            lengths = np.array([len(t) // 4 for _, _, t in chunk], dtype=np.int64)
            np.array([r for r, _, _ in chunk], dtype="<i8").tofile(files["rowids"])
            files["matrix"].write(b"".join(v for _, v, _ in chunk))
            (nnz + np.cumsum(lengths)).astype("<i8").tofile(files["ends"])
            files["terms"].write(b"".join(t for _, _, t in chunk))
            count, nnz = count + len(chunk), nnz + int(lengths.sum())
    finally:
        for file in files.values():
            file.close()
    return count, nnz


def _append(file: Path, valid: int, values: npt.NDArray[Any]) -> None:
    """Cut `file` back to its `valid` bytes (what a killed append left goes) and append."""
    with file.open("r+b") as out:
        out.truncate(valid)
        out.seek(valid)
        out.write(values.tobytes())


def _stored(model: bytes) -> bytes:
    """The model's .npz with its arrays stored rather than deflated; bytes that are not a
    zip are kept as they are (reading them later says what is wrong)."""
    try:
        with zipfile.ZipFile(io.BytesIO(model)) as source:
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
                for name in source.namelist():
                    target.writestr(name, source.read(name))
            return out.getvalue()
    except (zipfile.BadZipFile, OSError):
        return model


def _write_ann(ann: Any, file: Path) -> None:
    import faiss

    faiss.write_index(ann, str(file))


def _commit(path: Path, meta: dict[str, Any]) -> None:
    """Switch to `meta` (one rename), then remove every file it does not name."""
    pending = path / f"{secrets.token_hex(4)}.meta.json"
    pending.write_text(json.dumps(meta))
    os.replace(pending, path / "meta.json")
    keep = {"meta.json", "lock", meta["model"], meta.get("df"), meta.get("ann")}
    keep |= {meta[kind] for kind in _KINDS}
    for old in path.iterdir():
        if old.name not in keep:
            old.unlink(missing_ok=True)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[BinaryIO]:
    with (path / "lock").open("ab") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield lock
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
