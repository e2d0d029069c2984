"""`paperboy index` as a library call on real stores of the 2021 data: incremental projection
against a rebuild, spaces of an older format, the cache beside the store, the approximate
index against exact search."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from paperboy.record import Paper
from paperboy.store import open_store
from paperboy.store.vectors import Space
from paperboy.vectors import build, cache, neighbours, terms
from paperboy.vectors.model import FORMAT, TextModel, paper_text

HELD_OUT = 300  # a day of new papers
# Projected with the space's own model, an added paper's vector and neighbours are exactly what
# projecting every paper with that model gives (ties in 10th place aside). A full rebuild
# refits the model on 2% more papers and moves the space a little: the added papers' 10
# nearest neighbours in the two share 0.90 on average (median 0.9, worst 0.5: measured
# 2026-12-02, docs/benchmarks.md); the tolerance leaves room for noise and model changes.
REBUILD_OVERLAP = 0.75


def _top(index: neighbours.VectorIndex, rowid: int, k: int = 10) -> list[int]:
    return [r for r, _ in index.similar_to(rowid, k)]


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory, plain_2021: Path) -> tuple[Path, list[Paper]]:
    """The 2021 data less its last 300 papers, indexed, then those 300 stored and indexed
    incrementally."""
    with open_store(plain_2021) as full:
        papers = sorted(full.papers(), key=lambda p: (p.published, p.arxiv_id))
    path = tmp_path_factory.mktemp("grown") / "p.db"
    with open_store(path) as store:
        store.upsert(papers[:-HELD_OUT], "test")
        first = build.index(store)
        assert first.rebuilt and first.papers == len(papers) - HELD_OUT
        store.upsert(papers[-HELD_OUT:], "test")
        second = build.index(store)
        assert not second.rebuilt and second.added == HELD_OUT
        assert second.papers == len(papers)
    return path, papers[-HELD_OUT:]


def test_papers_per_term_count_every_paper_of_a_grown_space_and_fold_into_one(
    grown: tuple[Path, list[Paper]], tmp_path: Path
) -> None:
    path, _ = grown
    copy = tmp_path / "p.db"
    shutil.copyfile(path, copy)
    with open_store(copy) as store:
        space = store.vectors.active()
        assert space is not None
        parts, papers = store.vectors.term_df(space.id)
        # the rebuild's count of every bucket, and what the day of 300 added
        assert [part for part, _ in parts] == [0, 1] and papers == store.count()
        every = store.vectors.terms(space.id, store.vectors.paper_rowids())
        truth = terms.frequencies(terms.unpack(list(every.values())))
        assert np.array_equal(terms.decode_frequencies(parts), truth)
        with store.transaction():
            build.fold_term_df(store, space.id)
        folded, papers_after = store.vectors.term_df(space.id)
    assert [part for part, _ in folded] == [0] and papers_after == papers
    assert np.array_equal(terms.decode_frequencies(folded), truth)


def test_added_papers_get_the_vectors_and_neighbours_of_the_same_model(
    grown: tuple[Path, list[Paper]],
) -> None:
    path, added = grown
    with open_store(path) as store:
        index = neighbours.load(store)
        assert index is not None
        model = index.model
        # Every paper projected from scratch with the space's model: the exact reference.
        everyone = list(store.vectors.texts(0, 100_000))
        matrix = model.transform([paper_text(p.title, p.abstract) for p in everyone])
        rowids = np.array([p.rowid for p in everyone])
        reference = neighbours.VectorIndex(index.space, rowids, matrix)
        ids = store.vectors.rowids([p.arxiv_id for p in added])
    assert np.array_equal(rowids, index.rowids)
    for paper in added:
        rowid = ids[paper.arxiv_id]
        mine = index.vector_of(rowid)
        assert mine is not None
        expected = model.transform([paper_text(paper.title, paper.abstract)])[0]
        assert np.allclose(mine, expected, atol=1e-5)
        # Tolerance: ties in the 10th place may order either way; nothing else differs.
        assert len(set(_top(index, rowid)) & set(_top(reference, rowid))) >= 9


def test_added_papers_neighbours_match_a_full_rebuild_within_the_tolerance(
    grown: tuple[Path, list[Paper]], indexed_2021: Path
) -> None:
    """The rebuild: a model fitted on all 2021 papers (the session's indexed store)."""
    path, added = grown
    ids = [p.arxiv_id for p in added]
    tops = []
    for db in (path, indexed_2021):
        with open_store(db) as store:
            index = neighbours.load(store)
            assert index is not None
            rowids = store.vectors.rowids(ids)
            near = {a: _top(index, rowids[a]) for a in ids}
            names = store.vectors.arxiv_ids([r for top in near.values() for r in top])
            tops.append({a: {names[r] for r in top} for a, top in near.items()})
    overlaps = [len(tops[0][a] & tops[1][a]) / 10 for a in ids]
    assert np.mean(overlaps) >= REBUILD_OVERLAP, np.mean(overlaps)


def _space(fitted_on: int, format: int = FORMAT) -> Space:
    return Space(id=1, format=format, dims=256, fitted_on=fitted_on, changes=0)


def test_a_rebuild_is_due_for_no_space_an_older_format_growth_of_a_fifth_or_asking() -> None:
    assert build.rebuild_reason(None, 10) == "no index"
    assert build.rebuild_reason(_space(1000, FORMAT - 1), 1000) == "older format"
    assert build.rebuild_reason(_space(1000), 1199) is None
    assert build.rebuild_reason(_space(1000), 1200) == "grown 20%"
    assert build.rebuild_reason(_space(1000), 1000, full=True) == "asked"


def test_a_changed_abstract_is_projected_again(
    indexed_2021: Path, tmp_path: Path, copy_store: Callable[[Path, Path], Path]
) -> None:
    db = copy_store(indexed_2021, tmp_path / "p.db")
    with open_store(db) as store:
        space = store.vectors.active()
        assert space is not None
        before = neighbours.load(store, cache_min=0)
        changed = next(iter(store.papers(ids=["2103.15358"])))
        store.upsert([dataclasses.replace(changed, abstract="Ducks, all about ducks.")], "t")
        assert store.vectors.count(space.id) == 14867
        report = build.index(store)
        assert not report.rebuilt and report.added == 1 and report.papers == 14868
        # The cache made before names older vectors: not used.
        after = neighbours.load(store, cache_min=0)
        assert before is not None and after is not None
        assert before.from_cache is False and after.from_cache is False
        rowid = store.vectors.rowids(["2103.15358"])["2103.15358"]
        old, new = before.vector_of(rowid), after.vector_of(rowid)
        assert old is not None and new is not None and not np.allclose(old, new)


def _set_format(db: Path, value: int) -> None:
    """What an older paperboy left: its space written with another FORMAT."""
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE vector_spaces SET format = ?", (value,))
    conn.close()


def test_an_index_of_an_older_format_is_not_used_and_is_rebuilt(
    indexed_2021: Path, tmp_path: Path, copy_store: Callable[[Path, Path], Path]
) -> None:
    db = copy_store(indexed_2021, tmp_path / "p.db")
    _set_format(db, FORMAT - 1)
    with open_store(db) as store:
        assert neighbours.load(store) is None
        report = build.index(store)
        assert report.rebuilt and report.reason == "older format"
        index = neighbours.load(store)
        assert index is not None and len(index) == 14868


def _random_space(db: Path, papers: list[Paper], seed: int) -> None:
    """A store holding `papers` and a space of random unit vectors (no model is fitted: the
    cache is about vectors, and its identity)."""
    rng = np.random.default_rng(seed)
    with open_store(db) as store:
        store.upsert(papers, "test")
        rowids = sorted(store.vectors.rowids([p.arxiv_id for p in papers]).values())
        vectors = rng.standard_normal((len(rowids), 8)).astype("<f4")
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        with store.transaction():
            space = store.vectors.create(FORMAT, 8, len(rowids), b"no model")
            store.vectors.put(space, [(r, vectors[i].tobytes(), b"") for i, r in enumerate(rowids)])
            store.vectors.activate(space)


def test_a_cache_from_another_store_is_not_used(tmp_path: Path, plain_2021: Path) -> None:
    with open_store(plain_2021) as full:
        papers = list(full.papers())[:1400]
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    _random_space(a, papers[:700], seed=1)
    _random_space(b, papers[700:], seed=2)
    for db in (a, b):
        with open_store(db) as store:
            written = neighbours.load(store, cache_min=0)
            cached = neighbours.load(store, cache_min=0)
            assert written is not None and not written.from_cache
            assert cached is not None and cached.from_cache  # its own cache is used
            assert np.array_equal(cached.matrix, written.matrix)
    # B's space has the same id, format, dims, count and changes as A's: only the store id
    # tells them apart.
    shutil.rmtree(f"{b}-vectors")
    shutil.copytree(f"{a}-vectors", f"{b}-vectors")
    with open_store(b) as store:
        loaded = neighbours.load(store, cache_min=0)
        _, rowids, data = store.vectors.snapshot(1, 8)
    assert loaded is not None and not loaded.from_cache
    assert np.array_equal(loaded.rowids, np.frombuffer(rowids, dtype=np.int64))
    assert np.array_equal(loaded.matrix.ravel(), np.frombuffer(data, dtype="<f4"))


def test_a_half_written_cache_is_not_used(tmp_path: Path, plain_2021: Path) -> None:
    with open_store(plain_2021) as full:
        papers = list(full.papers())[:600]
    db = tmp_path / "p.db"
    _random_space(db, papers, seed=3)
    with open_store(db) as store:
        assert neighbours.load(store, cache_min=0) is not None
        matrix = next(Path(f"{db}-vectors").glob("*.matrix.bin"))
        matrix.write_bytes(matrix.read_bytes()[:5000])  # as if the write had been killed
        again = neighbours.load(store, cache_min=0)
        assert again is not None and not again.from_cache and len(again) == 600


def test_the_approximate_index_finds_the_exact_neighbours(indexed_2021: Path) -> None:
    with open_store(indexed_2021) as store:
        exact = neighbours.load(store)
        approximate = neighbours.load(store, exact_limit=0)
    assert exact is not None and approximate is not None
    assert exact.exact and not approximate.exact
    sample = exact.rowids[:: len(exact) // 300][:300]
    recall = np.mean(
        [len(set(_top(exact, int(r))) & set(_top(approximate, int(r)))) / 10 for r in sample]
    )
    assert recall >= 0.95, recall


def test_the_approximate_index_is_cached_with_the_vectors(
    indexed_2021: Path, tmp_path: Path, copy_store: Callable[[Path, Path], Path]
) -> None:
    db = copy_store(indexed_2021, tmp_path / "p.db")
    with open_store(db) as store:
        built = neighbours.load(store, exact_limit=0, cache_min=0)
        cached = neighbours.load(store, exact_limit=0, cache_min=0)
        assert built is not None and cached is not None
        assert cached.from_cache and not cached.exact
        rowid = int(built.rowids[1234])
        assert built.similar_to(rowid, 10) == cached.similar_to(rowid, 10)
        # The same cache read for exact search: made for ANN, it still holds the exact vectors.
        exact = neighbours.load(store, cache_min=0)
        assert exact is not None and exact.exact
        assert [r for r, _ in exact.similar_to(rowid, 1)] == [
            r for r, _ in built.similar_to(rowid, 1)
        ]


def test_the_model_is_decoded_only_for_text(indexed_2021: Path) -> None:
    with open_store(indexed_2021) as store:
        index = neighbours.load(store)
    assert index is not None
    assert "model" not in index.__dict__  # similar papers did not need it
    assert isinstance(index.model, TextModel)
    hits = index.query("vision transformer for high resolution images", 5)
    assert len(hits) == 5


def test_new_papers_extend_the_cache_to_what_the_store_holds(
    tmp_path: Path, plain_2021: Path
) -> None:
    with open_store(plain_2021) as full:
        papers = list(full.papers())[:700]
    db = tmp_path / "p.db"
    _random_space(db, papers[:600], seed=4)
    with open_store(db) as store:
        assert neighbours.load(store, cache_min=0) is not None
        before = store.vectors.active()
        assert before is not None
        store.upsert(papers[600:], "test")
        rowids = sorted(store.vectors.rowids([p.arxiv_id for p in papers[600:]]).values())
        vectors = np.eye(8, dtype="<f4")[np.arange(len(rowids)) % 8]
        with store.transaction():
            store.vectors.put(
                before.id, [(r, vectors[i].tobytes(), b"") for i, r in enumerate(rowids)]
            )
        assert cache.extend(store, before, rowids, vectors)
        extended = neighbours.load(store, cache_min=0)
        _, truth_rowids, data = store.vectors.snapshot(before.id, 8)
        # A changed paper replaces a row: not an extension.
        assert not cache.extend(store, before, rowids[:1], vectors[:1])
    assert extended is not None and extended.from_cache and len(extended) == 700
    assert np.array_equal(extended.rowids, np.frombuffer(truth_rowids, dtype=np.int64))
    assert np.array_equal(extended.matrix.ravel(), np.frombuffer(data, dtype="<f4"))
