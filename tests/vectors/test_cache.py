"""The cache beside the store (paperboy.vectors.cache) on real stores of the 2021 data: it
holds what the store holds, a day of papers is appended (and an append killed half way is
cut off), and papers appended past the approximate index are found until they join it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np

from paperboy.similar import similar
from paperboy.store import Store, open_store
from paperboy.vectors import build, cache, neighbours
from paperboy.vectors.model import TextModel


def _from_store(index: neighbours.VectorIndex) -> neighbours.VectorIndex:
    """The same space read without its cache: words and papers per term from SQLite."""
    return dataclasses.replace(index, cached=None, term_stats=None)


def test_the_cache_holds_the_stores_words_and_similar_papers_do_not_change(
    indexed_2021: Path, tmp_path: Path, copy_store: Callable[[Path, Path], Path]
) -> None:
    db = copy_store(indexed_2021, tmp_path / "p.db")
    with open_store(db) as store:
        index = neighbours.load(store, cache_min=0)
        assert index is not None and index.cached is not None
        plain = _from_store(index)
        sample = [int(r) for r in index.rowids[::700]][::-1]  # any order, kept
        mine, words, lengths = neighbours.term_words(store, index, [*sample, 10**9])
        truth, stored_words, stored_lengths = neighbours.term_words(store, plain, sample)
        assert mine == truth == sample  # a rowid the space lacks is left out
        assert np.array_equal(words, stored_words) and np.array_equal(lengths, stored_lengths)
        assert lengths.min() > 0
        cached_stats, stored_stats = (neighbours.term_stats(store, i) for i in (index, plain))
        assert cached_stats is not None and stored_stats is not None
        assert np.array_equal(cached_stats.df, stored_stats.df)
        assert cached_stats.papers == stored_stats.papers == len(index)
        for arxiv_id in ("2103.15358", "2104.14294", "2111.06377"):
            paper = next(iter(store.papers(ids=[arxiv_id])))
            fast = [(h.paper.arxiv_id, round(h.score, 5)) for h in similar(store, index, paper, 10)]
            slow = [(h.paper.arxiv_id, round(h.score, 5)) for h in similar(store, plain, paper, 10)]
            assert fast == slow and len(fast) == 10
        space = store.vectors.active()
        assert space is not None
        model_file = cache.model_file(store, space)
        assert model_file is not None
        kept, truth_model = (
            TextModel.from_bytes(model_file.read_bytes()),
            TextModel.from_bytes(store.vectors.model(space.id)),
        )
        assert kept.vocabulary == truth_model.vocabulary
        assert np.array_equal(kept.components, truth_model.components)


def _add_papers(store: Store, count: int, year: int) -> tuple[list[int], np.ndarray]:
    """`count` new papers (text of stored ones, ids in `year`, one no store uses) projected
    by `paperboy index`: their rowids and vectors as the store holds them."""
    real = list(store.papers(ids=[p.arxiv_id for p in store.vectors.texts(0, count * 7)][::7]))
    fresh = [
        dataclasses.replace(p, arxiv_id=f"{year % 100:02d}01.{90000 + n:05d}")
        for n, p in enumerate(real[:count])
    ]
    store.upsert(fresh, "test")
    report = build.index(store)
    assert not report.rebuilt and report.added == count
    rowids = sorted(store.vectors.rowids([p.arxiv_id for p in fresh]).values())
    space = store.vectors.active()
    assert space is not None
    found = dict((r, v) for r, v in store.vectors.vectors(space.id, rowids[0] - 1))
    vectors = np.stack([np.frombuffer(found[r], dtype="<f4") for r in rowids])
    return rowids, vectors


def _assert_cache_is_the_store(store: Store, index: neighbours.VectorIndex) -> None:
    space = store.vectors.active()
    assert space is not None and index.cached is not None
    _, rowids, data = store.vectors.snapshot(space.id, space.dims)
    assert np.array_equal(index.rowids, np.frombuffer(rowids, dtype=np.int64))
    assert np.array_equal(np.asarray(index.matrix).ravel(), np.frombuffer(data, dtype="<f4"))
    every = [int(r) for r in index.rowids]
    _, words, lengths = neighbours.term_words(store, index, every)
    _, truth, truth_lengths = neighbours.term_words(store, _from_store(index), every)
    assert np.array_equal(words, truth) and np.array_equal(lengths, truth_lengths)


def test_a_day_is_appended_and_what_a_killed_append_left_is_cut_off(
    indexed_2021: Path, tmp_path: Path, copy_store: Callable[[Path, Path], Path]
) -> None:
    db = copy_store(indexed_2021, tmp_path / "p.db")
    with open_store(db) as store:
        first = neighbours.load(store, cache_min=0)
        before = store.vectors.active()
        assert first is not None and first.cached is not None and before is not None
        old_rows = np.array(first.matrix)
        rowids, vectors = _add_papers(store, 40, 2027)
        folder = cache.folder(store)
        assert folder is not None
        # As if an earlier append had been killed after writing half of its rows.
        for kind in ("rowids", "matrix", "ends", "terms"):
            with (folder / first.cached.meta[kind]).open("ab") as file:
                file.write(b"\xff" * 1000)
        stale = neighbours.load(store, cache_min=10**9)  # never rewrites the cache
        assert stale is not None and not stale.from_cache  # the cache names older vectors
        assert cache.extend(store, before, rowids, vectors)
        grown = neighbours.load(store, cache_min=10**9)
        assert grown is not None and grown.from_cache and len(grown) == len(first) + 40
        _assert_cache_is_the_store(store, grown)
        assert np.array_equal(np.asarray(first.matrix), old_rows)  # a reader's view holds
        # Papers that are not new (a rowid the cache holds) are no append: refused.
        after = store.vectors.active()
        assert after is not None
        assert not cache.extend(store, after, rowids[:1], vectors[:1])


def test_papers_past_the_approximate_index_are_found_until_they_join_it(
    indexed_2021: Path, tmp_path: Path, copy_store: Callable[[Path, Path], Path]
) -> None:
    db = copy_store(indexed_2021, tmp_path / "p.db")
    with open_store(db) as store:
        first = neighbours.load(store, exact_limit=0, cache_min=0)
        assert first is not None and not first.exact and first.ann_rows == len(first)
        day: list[int] = []
        for year, tail_limit in ((2027, 1_000), (2028, 50)):
            before = store.vectors.active()
            assert before is not None
            rowids, vectors = _add_papers(store, 30, year)
            assert cache.extend(store, before, rowids, vectors, tail_limit=tail_limit)
            day += rowids
            index = neighbours.load(store, exact_limit=0, cache_min=10**9)
            assert index is not None and index.from_cache and not index.exact
            # 30 past the index, under the limit; then 60, over it: added to the index.
            assert index.ann_rows == (len(first) if year == 2027 else len(first) + 60)
            for rowid in day:
                vector = index.vector_of(rowid)
                assert vector is not None
                nearest = index.nearest(vector, 3)
                assert rowid in [r for r, _ in nearest], (year, rowid)
            _assert_cache_is_the_store(store, index)
