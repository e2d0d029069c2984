"""Search by meaning over the 2021 data (issue 11, item 3): the keyword, semantic and
hybrid modes, the default between them, and any text a person types in each."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_search import HOSTILE, SYNTAX
from typer.testing import CliRunner

from paperboy.cli import app
from paperboy.search import MODES, Mode, SearchResult, hybrid, search
from paperboy.search.query import parse
from paperboy.store import Store, fts, open_store
from paperboy.store.fts import Filters
from paperboy.store.sqlite_fts import SCAN_PER_PAPER
from paperboy.vectors import neighbours
from paperboy.vectors.neighbours import VectorIndex

# A paper and its journal follow-up, with abstracts that open word for word alike
# (read in the data): the CVPR 2021 paper and its extended version.
CHM = "2103.16831"  # Convolutional Hough Matching Networks
CHM_FOLLOW_UP = "2109.05221"  # ... for Robust and Efficient Visual Correspondence
# The same work said in other words: "pairs", "trainable" and "layer" are in neither title
# and keyword search (every word must match) finds neither paper.
CHM_PARAPHRASE = "geometric matching of image pairs with a trainable hough transform layer"
ZSL = ("2112.01683", "2112.08643")  # TransZero and TransZero++, the same authors' follow-up
ZSL_PARAPHRASE = "recognising unseen classes by locating attributes with a transformer"


@pytest.fixture(scope="module")
def store(indexed_2021: Path) -> Iterator[Store]:
    with open_store(indexed_2021) as s:
        yield s


@pytest.fixture(scope="module")
def index(store: Store) -> VectorIndex:
    loaded = neighbours.load(store)
    assert loaded is not None and len(loaded) == store.count()
    return loaded


def ids(result: SearchResult) -> list[str]:
    return [h.paper.arxiv_id for h in result.hits]


def test_plain_words_default_to_hybrid_and_field_queries_to_keyword(
    store: Store, index: VectorIndex
) -> None:
    assert search(store, "faster nerf training", index=index).mode == "hybrid"
    assert search(store, "diffusion -survey", index=index).mode == "hybrid"
    for query in ("au:he", "ti:nerf", '"neural radiance"', "nerf OR gan", "segment*", "cat:cs.RO"):
        assert search(store, query, index=index).mode == "keyword", query


def test_without_an_index_every_mode_is_keyword_and_says_why(store: Store) -> None:
    for mode in (None, "semantic", "hybrid"):
        result = search(store, "faster nerf training", mode=mode)
        assert result.mode == "keyword"
        assert any("paperboy index" in n for n in result.all_notes), mode


def test_semantic_finds_a_paper_and_its_follow_up_from_other_words(
    store: Store, index: VectorIndex
) -> None:
    assert not search(store, CHM_PARAPHRASE, mode="keyword").hits
    top = ids(search(store, CHM_PARAPHRASE, mode="semantic", index=index, limit=5))
    assert {CHM, CHM_FOLLOW_UP} <= set(top)
    top = ids(search(store, CHM_PARAPHRASE, mode="hybrid", index=index, limit=5))
    assert {CHM, CHM_FOLLOW_UP} <= set(top)
    # A looser paraphrase: both within the first page (ranks 6 and 16 with tf-idf + SVD).
    top = ids(search(store, ZSL_PARAPHRASE, mode="semantic", index=index, limit=20))
    assert set(ZSL) <= set(top)


def test_exact_titles_come_first_in_hybrid_mode(store: Store, index: VectorIndex) -> None:
    papers = list(store.papers())
    for paper in random.Random(11).sample(papers, 60):
        hit = search(store, paper.title, mode="hybrid", index=index, limit=3).hits[0]
        # Two papers can share a title: the first has that title, word for word.
        same = re.findall(r"\w+", hit.paper.title.lower()) == re.findall(
            r"\w+", paper.title.lower()
        )
        assert hit.paper.arxiv_id == paper.arxiv_id or same, paper.title


def test_an_exact_title_held_by_many_newer_titles_is_still_found(store: Store) -> None:
    """Past the newest `scan` titles holding the phrase, bm25 finds the shortest of them."""
    for paper in sorted(store.papers(), key=lambda p: len(p.title)):
        query = parse(paper.title)
        newest = hybrid.exact_titles(store, query, scan=10**6)
        phrase = " ".join(re.findall(r"\w+", paper.title.lower()))
        holding, _ = fts.search(store, f'title : "{phrase}"', Filters(), 50, order="newest")
        if paper.arxiv_id in newest.values() and holding[0].arxiv_id != paper.arxiv_id:
            break
    else:
        pytest.fail("no short title held by a newer paper's title in the data")
    assert paper.arxiv_id in hybrid.exact_titles(store, query, scan=1).values()


FIELD_QUERIES = [
    "au:kaiming_he",
    "ti:transformer cat:cs.RO",
    '"neural radiance"',
    "ti:(gan OR diffusion) -survey",
    "abs:camouflaged",
    "segment* au:wang",
]


@pytest.mark.parametrize("query", FIELD_QUERIES)
def test_field_queries_give_the_keyword_results(
    store: Store, index: VectorIndex, query: str
) -> None:
    default = search(store, query, index=index, limit=50)
    keyword = search(store, query, mode="keyword", limit=50)
    assert default.mode == "keyword" and default.hits
    assert ids(default) == ids(keyword) and default.total == keyword.total


def test_semantic_mode_applies_every_filter(store: Store, index: VectorIndex) -> None:
    start, end = date(2021, 6, 1), date(2021, 9, 30)
    result = search(
        store,
        "robot grasping from camera images -reinforcement",
        category="cs.RO",
        start=start,
        end=end,
        mode="semantic",
        index=index,
        limit=50,
    )
    assert len(result.hits) == 50
    for hit in result.hits:
        p = hit.paper
        assert "cs.RO" in p.categories and start <= p.submitted_day <= end, p.arxiv_id
        assert "reinforcement" not in f"{p.title} {p.abstract} {p.comment}".lower(), p.arxiv_id
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)  # cosine: higher is closer
    # An excluded category and a field term filter as well.
    result = search(
        store, "cat:cs.CV -cat:cs.LG au:wang image denoising", mode="semantic", index=index
    )
    assert result.mode == "semantic" and result.hits
    for hit in result.hits:
        assert "cs.CV" in hit.paper.categories and "cs.LG" not in hit.paper.categories
        assert any("wang" in a.lower() for a in hit.paper.authors)


def test_scores_fall_down_the_page_in_every_mode(store: Store, index: VectorIndex) -> None:
    for mode in MODES:
        result = search(store, "video object segmentation", mode=mode, index=index, limit=30)
        scores = [h.score for h in result.hits]
        assert result.mode == mode and len(scores) == 30
        assert scores == sorted(scores, reverse=True), mode


def test_pages_of_semantic_results_follow_on(store: Store, index: VectorIndex) -> None:
    first = search(store, "monocular depth", mode="semantic", index=index, limit=10)
    second = search(store, "monocular depth", mode="semantic", index=index, limit=10, offset=10)
    both = search(store, "monocular depth", mode="semantic", index=index, limit=20)
    assert first.has_next and ids(first) + ids(second) == ids(both)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_gives_results_or_a_message_in_every_mode(
    store: Store, index: VectorIndex, query: str, mode: Mode
) -> None:
    result = search(store, query, mode=mode, index=index)
    assert result.hits or result.message
    assert not (result.message or "").startswith("This query could not be run")


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(MODES), st.lists(SYNTAX, max_size=16).map("".join) | st.text(max_size=80))
def test_no_text_raises_in_any_mode(
    store: Store, index: VectorIndex, mode: Mode, query: str
) -> None:
    result = search(store, query, mode=mode, index=index, limit=3)
    assert result.hits or result.message
    assert not (result.message or "").startswith("This query could not be run")


def test_cli_search_modes_print_text_and_json(indexed_2021: Path) -> None:
    runner = CliRunner()
    db = str(indexed_2021)
    out = runner.invoke(app, ["--db", db, "search", CHM_PARAPHRASE, "--mode", "semantic"])
    assert out.exit_code == 0, out.output
    assert "semantic" in out.output and CHM in out.output
    out = runner.invoke(app, ["--db", db, "search", "--json", "au:kaiming_he"])
    data = json.loads(out.output)
    assert data["mode"] == "keyword" and data["hits"]
    out = runner.invoke(app, ["--db", db, "search", "--json", "--mode", "hybrid", "nerf speed"])
    data = json.loads(out.output)
    assert data["mode"] == "hybrid" and data["hits"][0]["score"] > data["hits"][-1]["score"]
    assert {"arxiv_id", "title"} <= set(data["hits"][0]["paper"])
    bad = runner.invoke(app, ["--db", db, "search", "nerf", "--mode", "fuzzy"])
    assert bad.exit_code != 0 and "fuzzy" in bad.output


def test_hybrid_ranks_every_match_not_only_the_newest(store: Store, index: VectorIndex) -> None:
    # A word matching more than 5,000 papers whose best bm25 match is older than the
    # newest 5,000 (found with FTS5 itself): keyword ranking among the newest would miss it.
    for word in ("propose", "image", "which", "based"):
        matches = store.conn.execute(
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? ORDER BY rowid DESC",
            (word,),
        ).fetchall()
        (best,) = store.conn.execute(
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? "
            "ORDER BY bm25(papers_fts, 10.0, 4.0, 1.0, 1.0) LIMIT 1",
            (word,),
        ).fetchone()
        if len(matches) > 5000 and best < matches[4999][0]:
            break
    else:
        pytest.fail("no word whose best match is older than its newest 5,000")
    (arxiv_id,) = store.conn.execute(
        "SELECT arxiv_id FROM papers WHERE rowid = ?", (best,)
    ).fetchone()
    assert arxiv_id in ids(search(store, word, mode="hybrid", index=index, limit=10))


def test_hybrid_finds_a_paper_holding_only_some_of_the_words(
    store: Store, index: VectorIndex
) -> None:
    # Mip-NeRF holds "multiscale", "aliasing" and "radiance" but not "zebrafish" (two
    # other papers do): no paper holds every word, and hybrid still puts it first.
    query = "multiscale aliasing radiance zebrafish"
    assert ids(search(store, query, mode="keyword")) == []
    assert ids(search(store, query, mode="hybrid", index=index))[0] == "2103.13415"


def test_hybrid_leaves_out_every_excluded_word(store: Store, index: VectorIndex) -> None:
    result = search(store, "diffusion models -survey -review", mode="hybrid", index=index, limit=60)
    assert len(result.hits) == 60
    for hit in result.hits:
        text = f"{hit.paper.title} {hit.paper.abstract}"
        assert not re.search(r"\b(survey|review)\b", text, re.IGNORECASE), hit.paper.arxiv_id


def test_hybrid_keyword_side_needs_a_rarer_word_and_ranks_by_every_word(
    store: Store, index: VectorIndex
) -> None:
    """A word in more than COMMON of the papers ("image") still ranks, but no longer brings
    in every paper that holds it: the keyword side is the papers holding a rarer word."""
    everything, papers = 10**9, store.count()
    holding = {w: fts.count(store, f'"{w}"', Filters(), everything) for w in ("image", "hough")}
    assert holding["image"] > hybrid.COMMON * papers > holding["hough"] > 20  # the data
    query = parse("hough image")
    expression, _ = hybrid.keyword_side(query, neighbours.term_stats(store, index))
    assert fts.count(store, expression, Filters(), everything) == holding["hough"]
    ranked, _ = fts.search(store, expression, Filters(), 50, candidates=everything)
    alone, _ = fts.search(store, '"hough"', Filters(), 50, candidates=everything)
    assert {r.rowid for r in ranked} <= {r.rowid for r in alone} or len(alone) == 50
    assert [r.rowid for r in ranked] != [r.rowid for r in alone]  # "image" counts in bm25


def test_hybrid_keyword_side_is_bounded_however_large_the_archive(
    store: Store, index: VectorIndex
) -> None:
    """The words that bring papers in hold at most `budget` papers between them, rarest
    first; when none is that rare, a paper must hold every word and only the newest
    `budget` are ranked (what keeps hybrid's cost flat at 2.6M papers)."""
    everything = 10**9
    stats = neighbours.term_stats(store, index)
    assert stats is not None
    query = parse("hough transform image")
    hough = stats.share("hough") * stats.papers
    assert 20 < hough < stats.share("transform") * stats.papers  # the data
    held = fts.count(store, '"hough"', Filters(), everything)
    # Room for "hough" alone: only its papers come in, every one of them ranked.
    expression, candidates = hybrid.keyword_side(query, stats, budget=int(hough) + 1)
    assert candidates == hybrid.ALL_MATCHES
    assert fts.count(store, expression or "", Filters(), everything) == held
    # Room for none: every word is needed, and the newest `budget` of those rank.
    budget = int(hough) // 2
    expression, candidates = hybrid.keyword_side(query, stats, budget=budget)
    every = '"hough" AND "transform" AND "image"'
    assert candidates == budget
    assert fts.count(store, expression or "", Filters(), everything) == fts.count(
        store, every, Filters(), everything
    )
    # The default budget is above the 2021 archive: nothing changes at its scale.
    assert hybrid.keyword_side(query, stats)[1] == hybrid.ALL_MATCHES


def test_filtering_neighbours_by_words_reads_matches_or_looks_papers_up_alike(
    store: Store,
) -> None:
    """`fts.allowed` checks neighbours against the words a query needs and excludes: by
    reading the words' matches when they are few against the papers checked, else paper by
    paper. Both ways give what the papers' own text says."""
    newest, _ = fts.search(store, '"the"', Filters(), 3000, order="newest")
    rng = random.Random(11)
    texts = {
        p.arxiv_id: f"{p.title} {p.abstract} {p.comment}"
        for p in store.papers(ids=[r.arxiv_id for r in newest])
    }
    word = re.compile(r"\blearning\b", re.IGNORECASE)
    holding = fts.count(store, '"learning"', Filters(), 10**9)
    # 800 papers: fewer matches than SCAN_PER_PAPER per paper, read; 5 papers: looked up.
    assert 5 * SCAN_PER_PAPER < holding < 800 * SCAN_PER_PAPER  # the data straddles the bound
    for size in (800, 5):
        sample = rng.sample(newest, size)
        truth = {r.rowid for r in sample if word.search(texts[r.arxiv_id])}
        assert 0 < len(truth) < size
        rowids = [r.rowid for r in sample]
        assert fts.allowed(store, rowids, Filters(), must='"learning"') == truth
        assert fts.allowed(store, rowids, Filters(), must_not='"learning"') == set(rowids) - truth
        both = fts.allowed(store, rowids, Filters(), must='"learning"', must_not='"deep"')
        assert both == {r.rowid for r in sample if r.rowid in truth and
                        not re.search(r"\bdeep\b", texts[r.arxiv_id], re.IGNORECASE)}  # fmt: skip


def test_exact_titles_found_by_their_rarest_words_are_every_paper_so_titled(
    store: Store, index: VectorIndex
) -> None:
    """With the space's counts, a title is looked up by its rarest words: the papers found
    are exactly those whose titles are the query's words, shared titles included, and a
    category filter still applies."""
    stats = neighbours.term_stats(store, index)
    papers = list(store.papers())
    by_title: dict[tuple[str, ...], set[str]] = {}
    for p in papers:
        by_title.setdefault(tuple(re.findall(r"\w+", p.title.lower())), set()).add(p.arxiv_id)
    shared = [p for p in papers if len(by_title[tuple(re.findall(r"\w+", p.title.lower()))]) > 1]
    assert shared  # the data: some titles are on two papers
    sample = random.Random(5).sample(papers, 80) + shared[:10]
    for paper in sample:
        words = tuple(re.findall(r"\w+", paper.title.lower()))
        found = hybrid.exact_titles(store, parse(paper.title), stats)
        assert set(found.values()) == by_title[words], paper.title
        robotics = hybrid.exact_titles(store, parse(paper.title, category="cs.RO"), stats)
        in_ro = {a for a in by_title[words] if "cs.RO" in store.get(a).categories}  # type: ignore[union-attr]
        assert set(robotics.values()) == in_ro, paper.title
