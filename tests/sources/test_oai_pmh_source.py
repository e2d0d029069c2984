"""The OAI-PMH source: recorded arXivRaw responses, and June 2021 from the local arXiv."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from arxiv_server import ArxivServer
from arxiv_server.data import version_dates
from arxiv_server.fixtures import ServerFactory

from paperboy.record import Paper, Version
from paperboy.sources.http import PoliteClient, SourceError
from paperboy.sources.oai_pmh import (
    BadResumptionToken,
    OaiError,
    get_record,
    list_pages,
    list_records,
    parse_page,
    split_authors,
)

CV = "cs:cs:CV"


def client(**options: float) -> PoliteClient:
    return PoliteClient(delay=0, backoff=0.0, **options)  # type: ignore[arg-type]


def _name(name: str) -> str:
    # arXiv's own API split some author strings badly ('and Sy-Yen Kuo', 'Yong Tang and');
    # a stray 'and' at either end of a name cannot survive arXivRaw's one-string form.
    return re.sub(r"^and |\s+and$", "", name)


def assert_same_fields(got: Paper, served: Paper, *, folded: bool = False) -> None:
    assert (got.arxiv_id, got.version) == (served.arxiv_id, served.version)
    assert got.title == served.title
    assert [_name(a) for a in got.authors] == [_name(a) for a in served.authors]
    assert got.categories == served.categories
    assert got.primary_category == served.primary_category
    assert (got.comment, got.journal_ref, got.doi) == (
        served.comment, served.journal_ref, served.doi,
    )  # fmt: skip
    abstract = got.abstract.replace("\n", " ") if folded else got.abstract
    assert abstract == served.abstract
    assert (got.published, got.updated) == (served.published, served.updated)
    assert got.versions == [Version(n, d) for n, d in version_dates(served)]
    assert (got.abs_url, got.pdf_url) == (served.abs_url, served.pdf_url)


# ---------------------------------------------------------------- recorded responses


def test_recorded_get_record(protocol: Path) -> None:
    page = parse_page((protocol / "oai/2015_GetRecord_arXivRaw_1302.2146.xml").read_bytes())
    (paper,) = page.papers
    assert paper.arxiv_id == "1302.2146" and paper.version == 2
    assert paper.versions == [
        Version(1, datetime(2013, 2, 8, 21, 0, 1, tzinfo=UTC)),
        Version(2, datetime(2013, 4, 2, 1, 50, 8, tzinfo=UTC)),
    ]
    assert (paper.published, paper.updated) == (
        paper.versions[0].submitted,
        paper.versions[1].submitted,
    )
    assert paper.authors == ["Joshua Berger", "Maxim Perelstein", "Michael Saelim", "Philip Tanedo"]
    assert paper.categories == ["hep-ph", "hep-ex"] and paper.primary_category == "hep-ph"
    assert paper.comment == "18 pages, 6 figures; v2: References added"
    assert paper.abstract.startswith("The lack of observation") and paper.abstract.endswith("set.")
    assert paper.abs_url == "http://arxiv.org/abs/1302.2146v2"
    assert page.next_token is None


def test_recorded_list_records_page(protocol: Path) -> None:
    name = "oai/2015_ListRecords_arXivRaw_from-2014-10-01_page1_trimmed.xml"
    page = parse_page((protocol / name).read_bytes())
    assert [p.arxiv_id for p in page.papers] == [
        "0704.0471", "0704.0716", "0704.0874", "0704.1109", "0704.1114", "0704.1586",
    ]  # fmt: skip
    assert (page.next_token, page.cursor, page.complete_list_size) == ("726959|1001", 0, 58011)
    shetty, richard, farkas = page.papers[:3]
    assert shetty.authors == ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"]  # Oxford comma
    assert shetty.doi == "10.1103/PhysRevC.76.024606 10.1103/PhysRevC.76.039902"
    assert shetty.title.startswith("Density dependence of the symmetry energy and the nuclear")
    assert "equation of state" in shetty.title  # folded title collapsed
    assert [v.number for v in richard.versions] == [1, 2, 3, 4]
    assert richard.categories == ["math-ph", "math.MP", "05A15", "05A16"]  # MSC appended
    assert richard.comment is not None and "v3 changes in\n  some proofs" in richard.comment
    assert farkas.categories == ["math.AG", "14H10", "14N10"]


def test_recorded_errors(protocol: Path) -> None:
    with pytest.raises(BadResumptionToken) as caught:
        parse_page((protocol / "oai/2015_error_badResumptionToken.xml").read_bytes())
    assert caught.value.token == "3" and "'3'" in str(caught.value)
    with pytest.raises(OaiError, match="illegal argument 'identifier'") as bad:
        parse_page((protocol / "oai/2015_error_badArgument.xml").read_bytes())
    assert bad.value.code == "badArgument"
    with pytest.raises(OaiError) as missing:
        parse_page((protocol / "oai/2015_error_idDoesNotExist_arXivRaw.xml").read_bytes())
    assert missing.value.code == "idDoesNotExist"
    for name in ("2015_error_noRecordsMatch_unknown-set.xml",
                 "2016_error_noRecordsMatch_date-range_reformatted.xml"):  # fmt: skip
        page = parse_page((protocol / "oai" / name).read_bytes())
        assert (page.papers, page.next_token) == ([], None)


def test_other_formats_are_refused(protocol: Path) -> None:
    name = "oai/2026_ListRecords_arXiv_set-physics-plasm-ph_2026-01-05_oaipmh-new.xml"
    with pytest.raises(SourceError, match="arXivRaw"):
        parse_page((protocol / name).read_bytes())


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("A, B and C", ["A", "B", "C"]),
        ("A, B, and C", ["A", "B", "C"]),
        ("A and B", ["A", "B"]),
        ("Solo", ["Solo"]),
        ("A. One (MIT and CMU), B. Two", ["A. One (MIT and CMU)", "B. Two"]),
        ("A (1), B (2) ((1) MIT, (2) CMU)", ["A (1)", "B (2)"]),
        ("A,\n  B and\n  C", ["A", "B", "C"]),
    ],
)
def test_split_authors(text: str, names: list[str]) -> None:
    assert split_authors(text) == names


# ---------------------------------------------------------------- June 2021, live


def test_june_through_oai_has_every_field(
    arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    with client() as c:
        got = list(list_records(c, CV, date(2021, 6, 1), None, base_url=arxiv_server.oai_url))
    served = {p.arxiv_id: p for p in june_2021}
    ids = [p.arxiv_id for p, _ in got]
    assert len(ids) == len(set(ids)) and set(ids) == set(served)
    for paper, _ in got:
        assert_same_fields(paper, served[paper.arxiv_id])
    assert [token for _, token in got][-1] is None
    assert c.stats.requests == 2  # 1000 records a page


def test_folded_arxiv_raw_keeps_every_field(
    folded_arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    served = {p.arxiv_id: p for p in june_2021}
    with client() as c:
        for paper, _ in list_records(c, CV, None, None, base_url=folded_arxiv_server.oai_url):
            assert_same_fields(paper, served[paper.arxiv_id], folded=True)


def test_pages_carry_tokens_and_a_killed_run_resumes(
    make_arxiv_server: ServerFactory, june_2021: list[Paper]
) -> None:
    server = make_arxiv_server(june_2021, oai_page_size=500)
    with client() as c:
        pages = list_pages(c, CV, None, None, base_url=server.oai_url)
        first, second = next(pages), next(pages)
        saved = second.next_token  # persisted with page 2's papers; then the run dies
        assert (first.token, first.cursor, first.complete_list_size) == (None, 0, 1616)
        assert second.token == first.next_token and second.cursor == 500
        rest = list(list_pages(c, CV, None, None, saved, base_url=server.oai_url))
    assert [p.cursor for p in rest] == [1000, 1500] and rest[-1].next_token is None
    ids = [p.arxiv_id for page in (first, second, *rest) for p in page.papers]
    assert len(ids) == len(set(ids)) == len(june_2021)


def test_expired_token_raises_naming_it(arxiv_server: ArxivServer) -> None:
    with client() as c:
        token = next(list_pages(c, CV, None, None, base_url=arxiv_server.oai_url)).next_token
        assert token is not None
        arxiv_server.oai_state.expire()
        with pytest.raises(BadResumptionToken) as caught:
            list(list_pages(c, CV, None, None, token, base_url=arxiv_server.oai_url))
    assert caught.value.token == token and token in str(caught.value)


def test_datestamp_window_selects_by_latest_version(
    arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    low, high = date(2021, 6, 10), date(2021, 6, 20)
    with client() as c:
        got = {p.arxiv_id for p, _ in list_records(c, CV, low, high, base_url=arxiv_server.oai_url)}
    assert got == {p.arxiv_id for p in june_2021 if low <= p.updated.date() <= high}
    assert 0 < len(got) < len(june_2021)


def test_no_records_is_an_empty_harvest(arxiv_server: ArxivServer) -> None:
    with client() as c:
        pages = list(list_pages(c, CV, date(2030, 1, 1), None, base_url=arxiv_server.oai_url))
        assert [(p.papers, p.next_token) for p in pages] == [([], None)]
        assert (
            list(list_records(c, "math:math:AG", None, None, base_url=arxiv_server.oai_url)) == []
        )


def test_faults_lose_and_duplicate_nothing(
    make_arxiv_server: ServerFactory, june_2021: list[Paper]
) -> None:
    server = make_arxiv_server(june_2021, oai_page_size=400)
    for kind in ("503", "truncate", "reset", "cut", "429", "500"):
        server.inject(kind, endpoint="oai", retry_after=0)
    with client(max_retries=6) as c:
        ids = [p.arxiv_id for p, _ in list_records(c, CV, None, None, base_url=server.oai_url)]
    assert len(ids) == len(set(ids)) == len(june_2021)
    assert c.stats.retries == 6 and server.requests["oai"] == 5 + 6


def test_faults_beyond_the_budget_raise_naming_the_url(arxiv_server: ArxivServer) -> None:
    arxiv_server.inject("truncate", 4, endpoint="oai")
    with client(max_retries=3) as c, pytest.raises(SourceError) as caught:
        list(list_records(c, CV, None, None, base_url=arxiv_server.oai_url))
    assert arxiv_server.oai_url in str(caught.value) and "set=cs%3Acs%3ACV" in str(caught.value)
    assert "truncated XML" in str(caught.value)


def test_get_record_has_every_version(arxiv_server: ArxivServer, june_2021: list[Paper]) -> None:
    served = next(p for p in june_2021 if p.arxiv_id == "2106.00178")
    with client() as c:
        paper = get_record(c, "2106.00178", base_url=arxiv_server.oai_url)
        assert_same_fields(paper, served)
        assert [v.number for v in paper.versions] == [1, 2, 3]
        with pytest.raises(OaiError, match="idDoesNotExist"):
            get_record(c, "2106.99999", base_url=arxiv_server.oai_url)


def test_base_url_comes_from_the_environment(
    arxiv_server: ArxivServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERBOY_ARXIV_OAI_URL", arxiv_server.oai_url)
    with client() as c:
        assert next(list_records(c, CV, date(2021, 6, 1), date(2021, 6, 1)))[0].arxiv_id
