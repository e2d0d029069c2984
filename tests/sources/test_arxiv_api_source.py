"""The query-API source: recorded responses, and June 2021 harvested from the local arXiv."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from pathlib import Path

import pytest
from arxiv_server import ArxivServer
from arxiv_server.data import day_files
from arxiv_server.fixtures import ServerFactory

from paperboy.formats.collector import render_day, render_paper
from paperboy.record import Paper, Version
from paperboy.sources import arxiv_api
from paperboy.sources.arxiv_api import (
    ApiError,
    IncompleteWindow,
    MalformedRecords,
    WindowTooLarge,
    fetch_ids,
    fetch_range,
    fetch_window,
    parse_feed,
    split_window,
    window_query,
)
from paperboy.sources.http import PoliteClient, SourceError
from paperboy.sources.problems import RecordProblem

JUNE = (datetime(2021, 6, 1, tzinfo=UTC), datetime(2021, 7, 1, tzinfo=UTC))


def client(**options: float) -> PoliteClient:
    return PoliteClient(delay=0, backoff=0.0, **options)  # type: ignore[arg-type]


def assert_renders_like_the_files(papers: Iterable[Paper], data_2021: Path) -> None:
    by_day = {day: list(group) for day, group in groupby(papers, key=lambda p: p.submitted_day)}
    files = day_files(data_2021, 2021, 6)
    assert sorted(by_day) == [date(2021, 6, int(f.stem[-2:])) for f in files]
    for path in files:
        day = date(2021, 6, int(path.stem[-2:]))
        assert render_day("cs.CV", day, by_day[day]) == path.read_text(encoding="utf-8"), path


# ---------------------------------------------------------------- recorded responses


@pytest.mark.parametrize(
    ("old", "new", "field", "says"),
    [
        ("http://arxiv.org/abs/2509.", "http://arxiv.org/abs/2509.", "", ""),  # untouched
        ("v1</id>", "</id>", "id", "entry id without a version"),
        ("<published>2", "<published>yesterday 2", "published", "not an ISO 8601 timestamp"),
        ("<published>", "<publishd>", "published", "entry lacks <a:published>"),
        ("Z</updated>", "</updated>", "updated", "timestamp without a time zone"),
    ],
)
def test_an_unreadable_entry_is_a_problem_naming_its_field(
    protocol: Path, old: str, new: str, field: str, says: str
) -> None:
    body = (protocol / "api/query_search-testing_start0_max10.xml").read_text(encoding="utf-8")
    head, first, rest = body.partition("<entry>")
    entry, end, tail = rest.partition("</entry>")
    if new.startswith("<publishd>"):
        entry = entry.replace("</published>", "</publishd>", 1)
    broken = f"{head}{first}{entry.replace(old, new, 1)}{end}{tail}"
    page = parse_feed(broken.encode(), "http://recorded")
    assert page.entries == 10
    if not field:
        assert len(page.papers) == 10 and not page.problems
        return
    (problem,) = page.problems
    assert len(page.papers) == 9 and problem.field == field and says in problem.message
    first_id = entry.split("<id>", 1)[1].split("</id>", 1)[0].rsplit("/", 1)[1]
    assert problem.arxiv_id == (first_id.removesuffix("v1") if field == "id" else first_id)
    assert problem.where == "http://recorded"


def test_recorded_2026_entry_parses_like_the_arxiv_library(protocol: Path) -> None:
    page = parse_feed((protocol / "api/idlist_astro-ph-0601001.xml").read_bytes())
    assert (page.total, page.start, page.items_per_page) == (1, 0, 100)
    (paper,) = page.papers
    assert paper.arxiv_id == "astro-ph/0601001" and paper.version == 1
    assert paper.abs_url == "http://arxiv.org/abs/astro-ph/0601001v1"
    assert paper.pdf_url == "https://arxiv.org/pdf/astro-ph/0601001v1"
    assert paper.abstract.startswith("We derive the frequencies")  # two leading spaces trimmed
    assert paper.authors == ["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"]
    assert paper.categories == ["astro-ph"] and paper.primary_category == "astro-ph"
    assert paper.journal_ref == "ActaAstron.56:1-50,2006" and paper.doi is None
    assert paper.published == datetime(2006, 1, 2, 14, 57, 58, tzinfo=UTC)
    assert paper.versions == [Version(1, paper.published)]


def test_recorded_doi_and_related_link(protocol: Path) -> None:
    page = parse_feed((protocol / "api/query_search-testing_start0_max10.xml").read_bytes())
    first = page.papers[0]
    assert first.doi == "10.1109/ICSTW55395.2022.00035"
    assert first.categories == ["cs.SE", "cs.LG"] and first.primary_category == "cs.SE"
    assert (page.total, len(page.papers)) == (214881, 10)


def test_legacy_2016_folded_entry_is_unfolded(protocol: Path) -> None:
    page = parse_feed((protocol / "api/legacy-2016/idlist_1111.2011v2.xml").read_bytes())
    (paper,) = page.papers
    assert paper.title == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert paper.version == 2 and paper.primary_category == "cond-mat.str-el"
    assert paper.abstract.startswith("Theoretical description") and paper.abstract.endswith("node.")
    rendered = render_paper(paper)
    assert "- **Summary**: Theoretical description of anisotropic systems, such as layered " in (
        rendered
    )
    assert paper.versions == [Version(1, paper.published), Version(2, paper.updated)]


def test_recorded_empty_results_are_empty(protocol: Path) -> None:
    for name in ("idlist_0000.0000_empty.xml", "idlist_0808.05394_empty.xml"):
        page = parse_feed((protocol / "api" / name).read_bytes())
        assert (page.total, page.papers) == (0, [])


def test_recorded_http_400_error_feed_raises(protocol: Path) -> None:
    with pytest.raises(ApiError, match="incorrect id format for abc"):
        parse_feed((protocol / "api/idlist_abc_error-http400.xml").read_bytes())


def test_window_query_uses_inclusive_minutes() -> None:
    start, end = datetime(2021, 6, 1, tzinfo=UTC), datetime(2021, 6, 2, tzinfo=UTC)
    assert window_query("cs.CV", start, end) == (
        "cat:cs.CV AND submittedDate:[202106010000 TO 202106012359]"
    )


# ---------------------------------------------------------------- June 2021, live


def test_june_harvest_renders_every_day_byte_for_byte(
    arxiv_server: ArxivServer, june_2021: list[Paper], data_2021: Path
) -> None:
    with client() as c:
        papers = list(fetch_window(c, "cs.CV", *JUNE, base_url=arxiv_server.api_url))
    assert [p.abs_url for p in papers] == [p.abs_url for p in june_2021]
    assert arxiv_server.requests["api"] == 1 + 1  # one page, one second count
    assert_renders_like_the_files(papers, data_2021)


def test_folded_titles_and_abstracts_render_the_same(
    folded_arxiv_server: ArxivServer, data_2021: Path
) -> None:
    with client() as c:
        papers = list(fetch_window(c, "cs.CV", *JUNE, base_url=folded_arxiv_server.api_url))
    assert_renders_like_the_files(papers, data_2021)


def test_day_windows_page_and_cover_the_month(
    arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    papers: list[Paper] = []
    with client() as c:
        day = JUNE[0]
        while day < JUNE[1]:
            following = day + timedelta(days=1)
            window = fetch_window(c, "cs.CV", day, following, base_url=arxiv_server.api_url,
                                  page_size=40)  # fmt: skip
            papers.extend(window)
            day = following
    assert [p.arxiv_id for p in papers] == [p.arxiv_id for p in june_2021]
    assert arxiv_server.requests["api"] == c.stats.requests > 30


def test_windows_need_not_be_whole_minutes(
    arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    start = june_2021[10].published  # seconds precision: within its minute
    end = june_2021[20].published
    with client() as c:
        got = list(fetch_window(c, "cs.CV", start, end, base_url=arxiv_server.api_url))
    assert got and all(start <= p.published < end for p in got)
    assert [p.arxiv_id for p in got] == [
        p.arxiv_id for p in june_2021 if start <= p.published < end
    ]


def test_faults_lose_and_duplicate_nothing(
    arxiv_server: ArxivServer, june_2021: list[Paper], data_2021: Path
) -> None:
    kinds = ("503", "reset", "empty", "truncate", "429", "cut", "500", "empty")
    for i, kind in enumerate(kinds):
        # Every other fault lets one request through first: faults spread over the pages.
        arxiv_server.inject(kind, endpoint="api", retry_after=0, after=i % 2)  # type: ignore[arg-type]
    with client() as c:
        papers = list(fetch_window(c, "cs.CV", *JUNE, base_url=arxiv_server.api_url,
                                   page_size=250))  # fmt: skip
    assert [p.arxiv_id for p in papers] == [p.arxiv_id for p in june_2021]
    assert arxiv_server.pending_faults() == 0
    assert c.stats.retries == 8 and c.stats.requests == 7 + 1 + 8  # pages, count, retries
    assert arxiv_server.requests["api"] == c.stats.requests
    faulted_pages = {e.target.split("start=")[1].split("&")[0] for e in arxiv_server.log if e.fault}
    assert len(faulted_pages) >= 4
    assert_renders_like_the_files(papers, data_2021)


def test_faults_beyond_the_budget_raise_naming_the_url(arxiv_server: ArxivServer) -> None:
    arxiv_server.inject("empty", 5, endpoint="api")
    with client(max_retries=2) as c, pytest.raises(SourceError) as caught:
        list(fetch_window(c, "cs.CV", *JUNE, base_url=arxiv_server.api_url))
    message = str(caught.value)
    assert message.startswith("window cs.CV 2021-06-01T00:00:00+00:00..2021-07-01T00:00:00+00:00")
    assert arxiv_server.api_url in message and "submittedDate" in message
    assert "empty page at start=0 of 1616" in message
    assert arxiv_server.requests["api"] == 3


def test_a_page_that_leaves_a_paper_out_gets_a_second_pass(
    arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    arxiv_server.inject("short", endpoint="api", after=1)  # page 2 loses its first entry
    with client() as c:
        papers = list(fetch_window(c, "cs.CV", *JUNE, base_url=arxiv_server.api_url,
                                   page_size=500))  # fmt: skip
    assert sorted(p.arxiv_id for p in papers) == sorted(p.arxiv_id for p in june_2021)
    assert len(papers) == len(june_2021)
    assert papers[-1].arxiv_id == june_2021[500].arxiv_id  # recovered by the second pass
    assert arxiv_server.requests["api"] == 4 + 4 + 1  # two passes, one second count


def test_a_paper_missing_on_every_pass_raises_incomplete(arxiv_server: ArxivServer) -> None:
    # Each pass asks two pages (1615 entries arrive, then start=1615); all four are short.
    arxiv_server.inject("short", 4, endpoint="api")
    with client() as c, pytest.raises(IncompleteWindow, match="announced 1616 results but 1615"):
        list(fetch_window(c, "cs.CV", *JUNE, base_url=arxiv_server.api_url))


def test_an_unreadable_entry_is_named_not_a_traceback(
    make_arxiv_server: ServerFactory, june_2021: list[Paper]
) -> None:
    bad = june_2021[3]
    unversioned = bad.with_changes(abs_url=f"http://arxiv.org/abs/{bad.arxiv_id}")
    server = make_arxiv_server([unversioned if p is bad else p for p in june_2021])
    with client() as c:
        problems: list[RecordProblem] = []
        got = list(fetch_window(c, "cs.CV", *JUNE, base_url=server.api_url, problems=problems))
        assert len(got) == 1615 and [p.arxiv_id for p in problems] == [bad.arxiv_id]
        assert str(problems[0]).startswith("window cs.CV 2021-06-01T00:00:00+00:00..")
        # Without a list to report to, the window fails naming the record, after the rest.
        window = fetch_range(c, "cs.CV", *JUNE, base_url=server.api_url)
        with pytest.raises(MalformedRecords, match=f"record {bad.arxiv_id}, id: entry id"):
            list(window)


def test_counts_that_never_agree_raise_incomplete(
    arxiv_server: ArxivServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arxiv_api, "MAX_RECOUNT_SPLITS", 2)
    arxiv_server.inject("undercount", 100, endpoint="api", limit=1)  # always "1 result"
    with client() as c, pytest.raises(IncompleteWindow, match="after 2 halvings"):
        list(fetch_range(c, "cs.CV", *JUNE, base_url=arxiv_server.api_url))


def test_under_reported_totals_are_split_until_they_agree(
    arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    arxiv_server.inject("undercount", 100, endpoint="api", limit=300)
    with client() as c:
        got = list(fetch_range(c, "cs.CV", *JUNE, base_url=arxiv_server.api_url))
    assert sorted(p.arxiv_id for p in got) == sorted(p.arxiv_id for p in june_2021)
    assert len(got) == len(june_2021)


def test_the_api_error_feed_raises_api_error(arxiv_server: ArxivServer) -> None:
    with client() as c, pytest.raises(ApiError, match="max_results must be at most 2000"):
        list(fetch_window(c, "cs.CV", *JUNE, base_url=arxiv_server.api_url, page_size=2001))
    assert c.stats.requests == 1  # a 400 is not retried


def test_too_large_window_raises_before_yielding(arxiv_server: ArxivServer) -> None:
    with client() as c:
        window = fetch_window(c, "cs.CV", *JUNE, base_url=arxiv_server.api_url, max_total=1000)
        with pytest.raises(WindowTooLarge) as caught:
            next(window)
    assert caught.value.total == 1616 and caught.value.start == JUNE[0]


def test_fetch_range_splits_until_each_window_fits(
    arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    with client() as c:
        papers = list(fetch_range(c, "cs.CV", *JUNE, base_url=arxiv_server.api_url,
                                  max_total=300, page_size=100))  # fmt: skip
    assert [p.arxiv_id for p in papers] == [p.arxiv_id for p in june_2021]


def test_the_real_30000_cap(june_2021: list[Paper]) -> None:
    template = june_2021[0]
    many = [
        template.with_changes(
            arxiv_id=f"2106.{i:05d}", abs_url="", pdf_url="",
            published=template.published + timedelta(seconds=i % 3000),
        )
        for i in range(30001)
    ]  # fmt: skip
    with ArxivServer(many) as server, client() as c:
        with pytest.raises(WindowTooLarge) as caught:
            next(fetch_window(c, "cs.CV", *JUNE, base_url=server.api_url, page_size=10))
        assert caught.value.total == 30001


def test_split_window_halves_on_whole_minutes() -> None:
    first, second = split_window(*JUNE)
    assert first == (JUNE[0], datetime(2021, 6, 16, tzinfo=UTC)) and second[1] == JUNE[1]
    minute = (JUNE[0], JUNE[0] + timedelta(minutes=1))
    with pytest.raises(SourceError, match="cannot be split"):
        split_window(*minute)


def test_changing_totals_mid_window_raise_incomplete(
    arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    with client() as c:
        window = fetch_window(c, "cs.CV", *JUNE, base_url=arxiv_server.api_url, page_size=100)
        got = [next(window) for _ in range(100)]
        arxiv_server.set_papers(june_2021[50:])  # arXiv's index changed under us
        with pytest.raises(IncompleteWindow, match="changed from 1616 to 1566"):
            list(window)
    assert len(got) == 100


def test_fetch_ids(arxiv_server: ArxivServer, june_2021: list[Paper]) -> None:
    wanted = [june_2021[7].arxiv_id, "0808.05394", june_2021[2].versioned_id]
    with client() as c:
        got = list(fetch_ids(c, wanted, base_url=arxiv_server.api_url))
    assert [p.arxiv_id for p in got] == [june_2021[7].arxiv_id, june_2021[2].arxiv_id]


def test_base_url_comes_from_the_environment(
    arxiv_server: ArxivServer, monkeypatch: pytest.MonkeyPatch, june_2021: list[Paper]
) -> None:
    monkeypatch.setenv("PAPERBOY_ARXIV_API_URL", arxiv_server.api_url)
    with client() as c:
        got = list(fetch_window(c, "cs.CV", JUNE[0], JUNE[0] + timedelta(hours=6)))
    assert got and got[0].arxiv_id == june_2021[0].arxiv_id
