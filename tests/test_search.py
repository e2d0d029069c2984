"""Full-text search over the 2021 data: field filters, ranking, and any text a person types."""

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
from postgres_server import PostgresServer
from typer.testing import CliRunner

from paperboy.cli import app
from paperboy.importer import import_paths
from paperboy.search import NOTHING_TO_SEARCH, SearchResult, parse, search, split_marks
from paperboy.store import Store, open_store

HOSTILE = [
    '"',
    '""',
    "'",
    "*",
    "**",
    "AND(",
    "OR",
    "NOT",
    "a AND",
    "((((",
    "))))",
    "a) OR (b",
    '"unbalanced phrase',
    "😀🔥",
    "ti:😀",
    "-",
    "--",
    "x -",
    "^start",
    "NEAR(a b, 3)",
    "{title}: x",
    "title:x:y",
    "col:umn",
    "cat:",
    "cat:*",
    "cat:%",
    "cat:cs.*",
    "au:",
    "\x00",
    "\ud800",
    "'; DROP TABLE papers; --",
    "SELECT * FROM papers",
    "x" * 10_000,
    "camouflaged " * 900,  # ~10 kB of words
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(
    tmp_path_factory: pytest.TempPathFactory, data_2021: Path, request: pytest.FixtureRequest
) -> Iterator[Store]:
    """The 2021 data imported into each engine: every test here runs on both."""
    if request.param == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres")
        s = open_store(server.database(template=request.getfixturevalue("postgres_2021")))
    else:
        s = open_store(tmp_path_factory.mktemp("search") / "search.sqlite3")
        import_paths(s, [data_2021])
    yield s
    s.close()


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def test_words_must_all_match(store: Store) -> None:
    result = search(store, "camouflaged detection", limit=50)
    assert result.total >= 5
    for hit in result.hits:
        text = words(f"{hit.paper.title} {hit.paper.abstract} {hit.paper.comment}")
        assert {"camouflaged", "detection"} <= text


def test_title_filter(store: Store) -> None:
    result = search(store, "ti:transformer", limit=100)
    assert result.total > 100
    assert all("transformer" in words(h.paper.title) for h in result.hits)


def test_author_filter_with_arxiv_underscores(store: Store) -> None:
    quoted = search(store, 'au:"Kaiming He"', limit=100)
    underscored = search(store, "au:kaiming_he", limit=100)
    assert quoted.total >= 3
    assert [h.paper.arxiv_id for h in quoted.hits] == [h.paper.arxiv_id for h in underscored.hits]
    assert all("Kaiming He" in h.paper.authors for h in quoted.hits)


def test_abstract_filter_and_comment_filter(store: Store) -> None:
    result = search(store, "abs:camouflaged", limit=100)
    assert result.hits and all("camouflaged" in words(h.paper.abstract) for h in result.hits)
    cvpr = search(store, "co:cvpr", limit=100)
    assert cvpr.hits and all("cvpr" in words(h.paper.comment or "") for h in cvpr.hits)


def test_category_filters(store: Store) -> None:
    robotics = search(store, "cat:cs.RO grasp", limit=100)
    assert robotics.hits and all("cs.RO" in h.paper.categories for h in robotics.hits)
    not_lg = search(store, "grasp -cat:cs.LG", limit=100)
    assert not_lg.hits and all("cs.LG" not in h.paper.categories for h in not_lg.hits)
    eess = search(store, "cat:eess.* denoising", limit=100)
    assert eess.hits
    assert all(any(c.startswith("eess.") for c in h.paper.categories) for h in eess.hits)
    either = search(store, "cat:cs.RO OR cat:cs.GR", limit=200)
    assert all({"cs.RO", "cs.GR"} & set(h.paper.categories) for h in either.hits)


def test_browsing_a_category_without_words_is_newest_first(store: Store) -> None:
    result = search(store, "cat:cs.RO", limit=30)
    days = [h.paper.submitted_day for h in result.hits]
    assert days == sorted(days, reverse=True) and result.total > 30


def test_phrases_and_exclusions(store: Store) -> None:
    phrase = search(store, '"camouflaged object detection"', limit=100)
    assert phrase.hits
    for hit in phrase.hits:
        text = " ".join(re.findall(r"\w+", f"{hit.paper.title} {hit.paper.abstract}".lower()))
        assert "camouflaged object detection" in text
    excluded = search(store, "camouflaged -salient", limit=100)
    assert excluded.hits
    for hit in excluded.hits:
        assert "salient" not in words(f"{hit.paper.title} {hit.paper.abstract} {hit.paper.comment}")
    assert [h.paper.arxiv_id for h in search(store, "camouflaged ANDNOT salient").hits] == [
        h.paper.arxiv_id for h in search(store, "camouflaged NOT salient").hits
    ]


def test_or_and_grouping(store: Store) -> None:
    either = search(store, "ti:(nerf OR radiance) dynamic", limit=200)
    assert either.hits
    for hit in either.hits:
        assert {"nerf", "radiance"} & words(hit.paper.title)


def test_prefix(store: Store) -> None:
    result = search(store, "ti:segment*", limit=50)
    assert {"segmentation", "segment"} & {w for h in result.hits for w in words(h.paper.title)}


def test_date_and_category_options(store: Store) -> None:
    result = search(
        store, "detection", category="cs.RO", start=date(2021, 6, 1), end=date(2021, 6, 30)
    )
    assert result.hits
    for hit in result.hits:
        assert date(2021, 6, 1) <= hit.paper.submitted_day <= date(2021, 6, 30)
        assert "cs.RO" in hit.paper.categories


def test_an_exact_title_ranks_its_paper_first(store: Store) -> None:
    papers = list(store.papers())
    titles: dict[str, int] = {}
    for p in papers:
        titles[p.title.lower()] = titles.get(p.title.lower(), 0) + 1
    sample = random.Random(2021).sample([p for p in papers if titles[p.title.lower()] == 1], 60)
    for paper in sample:
        hits = search(store, paper.title, limit=3).hits
        assert hits and hits[0].paper.arxiv_id == paper.arxiv_id, paper.title
    top = search(
        store, "Fast Camouflaged Object Detection via Edge-based Reversible Re-calibration"
    )
    assert top.hits[0].paper.arxiv_id == "2111.03216"


def test_title_matches_rank_above_abstract_matches(store: Store) -> None:
    hits = search(store, "camouflaged", limit=10).hits
    assert all("camouflaged" in words(h.paper.title) for h in hits)


def test_snippets_mark_the_matched_terms(store: Store) -> None:
    hit = search(store, "camouflaged", limit=1).hits[0]
    marked = [t.lower() for t, m in split_marks(hit.title) if m]
    assert marked == ["camouflaged"]
    assert any(m and t.lower().startswith("camouflage") for t, m in split_marks(hit.snippet))
    plain = "".join(t for t, _ in split_marks(hit.title))
    assert plain == hit.paper.title


def test_pages_do_not_overlap(store: Store) -> None:
    first = search(store, "segmentation", limit=20)
    second = search(store, "segmentation", limit=20, offset=20)
    assert first.has_next and len(second.hits) == 20
    assert not {h.paper.arxiv_id for h in first.hits} & {h.paper.arxiv_id for h in second.hits}


def test_very_broad_queries_say_they_are_capped(store: Store) -> None:
    result = search(store, "the")
    assert result.total_is_capped and len(result.hits) == 20


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_gives_results_or_a_message(store: Store, query: str) -> None:
    result = search(store, query)
    assert result.hits or result.message
    assert not (result.message or "").startswith("This query could not be run")


def test_nothing_to_search_for_is_said_plainly(store: Store) -> None:
    for query in ("", "   ", "*", "😀", "AND(", "-nothing"):
        assert search(store, query).message == NOTHING_TO_SEARCH, query


def test_notes_explain_what_was_ignored() -> None:
    assert parse("((nerf").notes == ("An unclosed parenthesis was closed at the end of the query.",)
    assert parse("x" * 5000).notes[0].startswith("Only the first 1000 characters")
    assert parse("cat:%").notes == ("'%' is not an arXiv category name.",)


def test_user_text_never_becomes_fts_syntax() -> None:
    # Every word is an FTS5 string; operators and columns come only from the parser.
    assert parse('x"b OR NEAR(c) title:d').match == '("x") AND ("b OR NEAR(c) title:d")'
    assert parse("x AND y").match == '("x") AND ("y")'
    assert parse("ti:x").match == 'title : "x"'
    assert parse('say"hi""').match == '("say") AND ("hi")'
    assert parse('ti:"quote "" inside"').match == '(title : "quote ") AND (" inside")'


def test_function_words_are_left_out_unless_alone_or_quoted() -> None:
    assert parse("the attention of a transformer").match == '("attention") AND ("transformer")'
    assert parse("the").match == '"the"'
    assert parse('"the" attention').match == '("the") AND ("attention")'
    assert parse("ti:the attention").match == '(title : "the") AND ("attention")'


def _ran(result: SearchResult) -> bool:
    return not (result.message or "").startswith("This query could not be run")


# Pieces of query syntax, to be glued into soups a fuzzer of plain text rarely finds.
_PIECES = ["ti:", "au:", "cat:", "abs:", "AND", "OR", "NOT", "ANDNOT", "NEAR", "nerf", "gan"]
SYNTAX = st.sampled_from([*"\"()*-:^{}+ ,.\\'\t😀", *_PIECES, "cs.CV", "title", "*)", "-("])


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=200))
def test_no_text_raises(store: Store, query: str) -> None:
    assert _ran(search(store, query, limit=3))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(SYNTAX, max_size=16).map("".join))
def test_no_syntax_soup_raises(store: Store, query: str) -> None:
    result = search(store, query, limit=3)
    assert _ran(result)
    assert result.hits or result.message


def test_cli_search_prints_results_and_json(tmp_path: Path, store: Store) -> None:
    runner = CliRunner()
    db = str(store.location)
    text = runner.invoke(app, ["--db", db, "search", "ti:camouflaged", "--limit", "3"])
    assert text.exit_code == 0, text.output
    assert "Camouflaged" in text.output and " 1. " in text.output
    out = runner.invoke(app, ["--db", db, "search", "--json", "--", "camouflaged", "-salient"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["hits"] and data["match"] == '(("camouflaged")) NOT (("salient"))'
    assert {"arxiv_id", "title", "versions"} <= set(data["hits"][0]["paper"])
    empty = runner.invoke(app, ["--db", db, "search", "AND("])
    assert empty.exit_code == 0 and "Nothing to search for" in empty.output
