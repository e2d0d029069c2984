"""The PyPI `arxiv` library, as the seed collector used it, against the local arXiv.

This is the benchmark's scenario: `cat:cs.CV` sorted by submittedDate descending, 100 a
page. Rendered the way the seed collector rendered results, June 2021 comes out byte for
byte, which shows the server serves what the real API served the collector.
"""

from __future__ import annotations

import logging
from datetime import date
from itertools import groupby
from pathlib import Path

import arxiv
import pytest
from arxiv_server import ArxivServer
from arxiv_server.data import day_files

from paperboy.formats.collector import render_day
from paperboy.record import Paper


def as_paper(result: arxiv.Result) -> Paper:
    """What the seed collector wrote for a result, as a Paper."""
    arxiv_id, _, version = result.get_short_id().rpartition("v")
    return Paper(
        arxiv_id=arxiv_id,
        version=int(version),
        title=result.title,
        authors=[a.name for a in result.authors],
        categories=result.categories,
        primary_category=result.primary_category,
        published=result.published,
        updated=result.updated,
        abstract=result.summary,
        comment=result.comment,
        journal_ref=result.journal_ref,
        doi=result.doi,
        abs_url=result.entry_id,
        pdf_url=result.pdf_url or "",
    )


def harvest(server: ArxivServer) -> list[Paper]:
    client = arxiv.Client(page_size=100, delay_seconds=0, num_retries=3)
    client.query_url_format = f"{server.api_url}?{{}}"
    search = arxiv.Search(
        query="cat:cs.CV",
        sort_by=arxiv.SortCriterion.SubmittedDate,
        sort_order=arxiv.SortOrder.Descending,
    )
    return [as_paper(r) for r in client.results(search)]


@pytest.mark.parametrize("folded", [False, True], ids=["2026", "folded"])
def test_arxiv_library_reproduces_the_files(
    june_2021: list[Paper], data_2021: Path, folded: bool
) -> None:
    logging.getLogger("arxiv").setLevel(logging.WARNING)
    with ArxivServer(june_2021, fold=folded) as server:
        newest_first = harvest(server)
        assert server.requests["api"] == 17  # 1616 results, 100 a page
    papers = newest_first[::-1]
    by_day = {d: list(g) for d, g in groupby(papers, key=lambda p: p.submitted_day)}
    for path in day_files(data_2021, 2021, 6):
        day = date(2021, 6, int(path.stem[-2:]))
        assert render_day("cs.CV", day, by_day[day]) == path.read_text(encoding="utf-8"), path


def test_arxiv_library_retries_an_empty_page_after_the_first(june_2021: list[Paper]) -> None:
    logging.getLogger("arxiv").setLevel(logging.ERROR)
    with ArxivServer(june_2021) as server:
        server.inject("empty", endpoint="api", after=3)
        assert len(harvest(server)) == 1616
        assert server.requests["api"] == 18 and server.faults_served == {"empty": 1}
