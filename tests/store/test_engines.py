"""The two engines give the same answers: the 2021 data imported into SQLite and into
PostgreSQL, exported, listed, searched, indexed, asked for similar papers and ranked; and a
store copied SQLite -> PostgreSQL -> SQLite, interrupted and resumed, exports the same."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres_server import PostgresServer
from stores import DAY, point_cloud_profile
from typer.testing import CliRunner

from paperboy.cli import app
from paperboy.export import write_collector_archive
from paperboy.formats import collector
from paperboy.listings import listing_of
from paperboy.ranking import rank_day
from paperboy.search import search
from paperboy.similar import similar
from paperboy.store import Store, fts, open_store
from paperboy.store.transfer import BATCH, CopyError, copy_store
from paperboy.vectors import neighbours
from paperboy.vectors.build import index as build_index
from paperboy.vectors.neighbours import VectorIndex

Pair = tuple[Store, Store]  # (SQLite, PostgreSQL)


@pytest.fixture(scope="module")
def stores(indexed_2021: Path, postgres: PostgresServer, postgres_2021: str) -> Iterator[Pair]:
    """The 2021 data as `import` and `index` leave it, in each engine."""
    pg = open_store(postgres.database(template=postgres_2021))
    build_index(pg)
    lite = open_store(indexed_2021)
    yield lite, pg
    lite.close()
    pg.close()


@pytest.fixture(scope="module")
def indexes(stores: Pair) -> tuple[VectorIndex, VectorIndex]:
    lite, pg = (neighbours.load(s) for s in stores)
    assert lite is not None and pg is not None
    return lite, pg


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def test_export_from_postgresql_is_the_archive_byte_for_byte(
    stores: Pair, data_2021: Path, tmp_path: Path
) -> None:
    _, pg = stores
    result = write_collector_archive(pg, tmp_path, "cs.CV")
    assert result.papers == 14_868
    exported = _files(tmp_path / "cs.CV")
    assert len(exported) == 301
    assert exported == _files(data_2021 / "cs.CV")


def test_every_days_listing_is_the_same(stores: Pair) -> None:
    lite, pg = stores
    counts = lite.announcement_counts("cs.CV")
    assert counts == pg.announcement_counts("cs.CV") and len(counts) > 200
    for day in sorted(counts):
        a, b = listing_of(lite, "cs.CV", day), listing_of(pg, "cs.CV", day)
        assert [(x.arxiv_id, x.section) for x in a.lines] == [
            (y.arxiv_id, y.section) for y in b.lines
        ], day


QUERIES = [
    '"image"',
    '"neural radiance" *',
    'title : "transformer"',
    'authors : "kaiming"',
    '("point") AND ("cloud")',
    '("segmentation") NOT ("medical")',
    '("gan") OR ("diffusion")',
    'abstract : "self supervised"',
    'comment : "cvpr"',
    '"3d" AND "detection"',
    # Title terms, which PostgreSQL narrows by its index of titles alone (schema version 3).
    'title : "neural radiance"',
    'title : "segment" *',
    '(title : "transformer") AND ("medical")',
    '(title : "gan") OR (title : "diffusion")',
    '(title : "gan") OR ("diffusion")',
    '(title : "detection") NOT (title : "3d")',
    '("detection") NOT (title : "3d")',
    '(title : "point cloud") AND (abstract : "lidar")',
]


@pytest.mark.parametrize("match", QUERIES)
def test_the_full_text_index_finds_the_same_papers(stores: Pair, match: str) -> None:
    lite, pg = stores
    everything = 20_000
    found = [
        [r.arxiv_id for r in fts.search(s, match, fts.Filters(), everything, order="newest")[0]]
        for s in stores
    ]
    assert found[0] == found[1] and found[0], match
    assert fts.count(lite, match, fts.Filters(), everything) == len(found[0])
    assert fts.count(pg, match, fts.Filters(), everything) == len(found[1])


def test_a_titles_paper_comes_first_in_both(
    stores: Pair, indexes: tuple[VectorIndex, VectorIndex]
) -> None:
    rng = random.Random(7)
    papers = rng.sample(list(stores[0].papers(category="cs.CV")), 25)
    for paper in papers:
        for store, index in zip(stores, indexes, strict=True):
            hits = search(store, paper.title, limit=3, index=index).hits  # hybrid
            assert hits and hits[0].paper.arxiv_id == paper.arxiv_id, (store.name, paper.title)


def test_similar_papers_are_the_same(
    stores: Pair, indexes: tuple[VectorIndex, VectorIndex]
) -> None:
    lite, pg = stores
    rng = random.Random(11)
    for paper in rng.sample(list(lite.papers(category="cs.CV")), 15):
        a = [h.paper.arxiv_id for h in similar(lite, indexes[0], paper, 10)]
        b = [h.paper.arxiv_id for h in similar(pg, indexes[1], paper, 10)]
        assert a == b and len(a) == 10, paper.arxiv_id


def test_search_by_meaning_is_the_same(
    stores: Pair, indexes: tuple[VectorIndex, VectorIndex]
) -> None:
    for text in ("making neural radiance field training faster", "counting people in crowds"):
        a, b = (
            search(s, text, limit=10, mode="semantic", index=i)
            for s, i in zip(stores, indexes, strict=True)
        )
        assert [h.paper.arxiv_id for h in a.hits] == [h.paper.arxiv_id for h in b.hits]
        assert len(a.hits) == 10


def test_a_ranked_day_is_the_same(stores: Pair, indexes: tuple[VectorIndex, VectorIndex]) -> None:
    days = []
    for store, index in zip(stores, indexes, strict=True):
        profile = point_cloud_profile(store, "pc-engines")
        days.append(rank_day(store, profile, DAY, index))
    a, b = ([(h.paper.arxiv_id, h.reasons) for h in d.hits] for d in days)
    assert a == b and len(a) > 130


def test_names_like_a_name_are_the_same(stores: Pair) -> None:
    """Slips of 2021's names (a letter dropped, two swapped) and surnames alone: SQLite's
    trigram index and PostgreSQL's pg_trgm offer the same names in the same order."""
    lite, pg = stores
    rng = random.Random(17)
    names = sorted({a for p in lite.papers(category="cs.CV") for a in p.authors})
    asked = []
    for name in rng.sample(names, 40):
        k = rng.randrange(1, len(name) - 1)
        asked += [name[:k] + name[k + 1 :], name[:k] + name[k + 1] + name[k] + name[k + 2 :]]
    asked += [n.split()[-1] for n in rng.sample(names, 10)]
    for text in asked:
        a, b = lite.similar_authors(text, 5), pg.similar_authors(text, 5)
        assert a == b, text
    assert sum(1 for text in asked if lite.similar_authors(text, 1)) > 80


def test_copy_there_and_back_exports_the_same(
    indexed_2021: Path, postgres: PostgresServer, tmp_path: Path, data_2021: Path
) -> None:
    url = postgres.database()
    with open_store(indexed_2021) as source, open_store(url) as middle:
        # Interrupted after two batches of papers (as a kill would leave it): nothing
        # half-written, and the second run goes on from there.
        seen: list[int] = []

        def stop_early(table: str, done: int, total: int) -> None:
            seen.append(done)
            if table == "papers" and len(seen) == 2:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            copy_store(source, middle, progress=stop_early)
        assert middle.count() == 2 * BATCH
        report = copy_store(source, middle)
        assert report.resumed and report.tables["papers"] == 14_868
        assert report.tables["paper_vectors"] == source.table_count("paper_vectors") > 14_000
        assert report.tables["author_names"] == source.table_count("author_names") > 30_000
        assert middle.similar_authors("Kaming He") == source.similar_authors("Kaming He")
    back = tmp_path / "back.sqlite3"
    with open_store(url) as middle, open_store(back) as target:
        copy_store(middle, target)
        write_collector_archive(target, tmp_path / "out", "cs.CV")
        assert target.pending_months() == middle.pending_months()
    assert _files(tmp_path / "out" / "cs.CV") == _files(data_2021 / "cs.CV")


def test_copy_refuses_a_store_that_is_not_empty(
    indexed_2021: Path, postgres: PostgresServer, postgres_2021: str
) -> None:
    with (
        open_store(indexed_2021) as source,
        open_store(postgres.database(template=postgres_2021)) as full,
        pytest.raises(CopyError, match="is not empty"),
    ):
        copy_store(source, full)


def test_the_copy_command_says_what_it_copied(
    tmp_path: Path, postgres: PostgresServer, data_2021: Path
) -> None:
    source = tmp_path / "day.sqlite3"
    with open_store(source) as store:
        store.upsert(collector.read_file(data_2021 / "cs.CV/2021/12/20211231.md").papers, "t")
    url = postgres.database()
    runner = CliRunner()
    done = runner.invoke(app, ["copy", "--from", str(source), "--to", url])
    assert done.exit_code == 0, done.output
    assert "copied 30 papers (" in done.output and "every table's count matches" in done.output
    again = runner.invoke(app, ["copy", "--from", str(source), "--to", url])
    assert again.exit_code == 0 and "(resumed)" in again.output
    other = tmp_path / "other.sqlite3"
    open_store(other).close()
    refused = runner.invoke(app, ["copy", "--from", str(other), "--to", url])
    assert refused.exit_code == 1 and "a copy of another store" in refused.output
    missing = runner.invoke(app, ["copy", "--from", str(tmp_path / "no.sqlite3"), "--to", url])
    assert missing.exit_code == 1 and "no such store" in missing.output
