"""The local arXiv's query language, limits, paging, tokens and injected faults."""

from __future__ import annotations

import time
from urllib.parse import quote

import httpx
import pytest
from lxml import etree

from arxiv_server import ArxivServer
from paperboy.record import Paper
from paperboy.sources.arxiv_api import NS

WINDOW = "cat:cs.CV AND submittedDate:[202106010000 TO 202106012359]"


def ids(body: bytes) -> list[str]:
    root = etree.fromstring(body)
    return [(e.findtext("a:id", namespaces=NS) or "") for e in root.findall("a:entry", NS)]


def total(body: bytes) -> int:
    return int(etree.fromstring(body).findtext("os:totalResults", namespaces=NS) or -1)


def query(server: ArxivServer, raw_query: str) -> httpx.Response:
    return httpx.get(f"{server.api_url}?{raw_query}")


def test_window_query_selects_the_days_papers_in_order(
    arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    june_1 = [p.abs_url for p in june_2021 if p.published.day == 1]
    params = {"search_query": WINDOW, "sortBy": "submittedDate", "sortOrder": "ascending",
              "max_results": "2000"}  # fmt: skip
    body = httpx.get(arxiv_server.api_url, params=params).content
    assert ids(body) == june_1 and total(body) == len(june_1)
    params["sortOrder"] = "descending"
    assert ids(httpx.get(arxiv_server.api_url, params=params).content) == june_1[::-1]


@pytest.mark.parametrize(
    "spelling",
    [
        "search_query=cat:cs.CV+AND+submittedDate:[202106010000+TO+202106012359]",
        "search_query=cat:cs.CV%20AND%20submittedDate:%5B202106010000%20TO%20202106012359%5D",
        "search_query=" + quote(WINDOW, safe=""),
    ],
)
def test_plus_and_percent_spacing_are_the_same_query(
    arxiv_server: ArxivServer, spelling: str
) -> None:
    reference = httpx.get(arxiv_server.api_url, params={"search_query": WINDOW}).content
    body = query(arxiv_server, spelling + "&max_results=10").content
    assert total(body) == total(reference) > 0
    assert ids(body) == ids(reference)


def test_upper_bound_minute_is_inclusive(arxiv_server: ArxivServer, june_2021: list[Paper]) -> None:
    paper = june_2021[0]  # 2021-06-01 00:45:32
    for bound, found in [("202106010045", True), ("202106010044", False)]:
        q = f"cat:cs.CV AND submittedDate:[202106010000 TO {bound}]"
        body = httpx.get(arxiv_server.api_url, params={"search_query": q}).content
        assert (paper.abs_url in ids(body)) is found


def test_paging_start_and_max_results(arxiv_server: ArxivServer) -> None:
    params = {"search_query": "cat:cs.CV", "sortBy": "submittedDate", "sortOrder": "ascending"}
    whole = ids(httpx.get(arxiv_server.api_url, params={**params, "max_results": "50"}).content)
    page = httpx.get(arxiv_server.api_url, params={**params, "start": "20", "max_results": "5"})
    assert ids(page.content) == whole[20:25]
    root = etree.fromstring(page.content)
    assert root.findtext("os:startIndex", namespaces=NS) == "20"
    assert root.findtext("os:itemsPerPage", namespaces=NS) == "5"


def test_query_language_operators(arxiv_server: ArxivServer, june_2021: list[Paper]) -> None:
    def count(q: str) -> int:
        return total(httpx.get(arxiv_server.api_url, params={"search_query": q}).content)

    lg = sum("cs.LG" in p.categories for p in june_2021)
    assert count("cat:cs.LG") == lg
    assert count("cat:cs.CV ANDNOT cat:cs.LG") == len(june_2021) - lg
    assert count("(cat:cs.LG OR cat:cs.AI) AND cat:cs.CV") == sum(
        bool({"cs.LG", "cs.AI"} & set(p.categories)) for p in june_2021
    )
    assert count('ti:"semi-supervised"') == sum(
        "semi-supervised" in p.title.lower() for p in june_2021
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("search_query=cat:cs.CV&max_results=2001", "max_results must be at most 2000"),
        ("search_query=cat:cs.CV&start=28001&max_results=2000", "must be at most 30000"),
        ("search_query=cat:cs.CV&sortBy=popularity", "unknown sortBy"),
        ("search_query=cat:cs.CV&start=-1", "start must be"),
        ("id_list=abc", "incorrect id format for abc"),
    ],
)
def test_limits_answer_http_400_error_feeds(
    arxiv_server: ArxivServer, raw: str, message: str
) -> None:
    response = query(arxiv_server, raw)
    assert response.status_code == 400
    root = etree.fromstring(response.content)
    assert root.findtext("a:entry/a:title", namespaces=NS) == "Error"
    assert message in (root.findtext("a:entry/a:summary", namespaces=NS) or "")


def test_start_plus_max_results_at_30000_is_allowed(arxiv_server: ArxivServer) -> None:
    response = query(arxiv_server, "search_query=cat:cs.CV&start=28000&max_results=2000")
    assert response.status_code == 200 and ids(response.content) == []


def test_id_list_keeps_its_order_and_drops_unknown_ids(
    arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    a, b = june_2021[3], june_2021[1]
    body = query(arxiv_server, f"id_list={a.arxiv_id},0808.05394,{b.versioned_id}").content
    assert ids(body) == [a.abs_url, b.abs_url]


# ---------------------------------------------------------------- faults


def test_status_faults_carry_retry_after_and_are_counted(arxiv_server: ArxivServer) -> None:
    arxiv_server.inject("503", retry_after=7)
    arxiv_server.inject("429", retry_after=2)
    arxiv_server.inject("500")
    with httpx.Client() as client:
        first = client.get(arxiv_server.api_url, params={"search_query": "cat:cs.CV"})
        second = client.get(arxiv_server.oai_url, params={"verb": "Identify"})
        third = client.get(arxiv_server.api_url)
        fourth = client.get(arxiv_server.api_url, params={"search_query": "cat:cs.CV"})
    assert (first.status_code, first.headers["Retry-After"]) == (503, "7")
    assert (second.status_code, second.headers["Retry-After"]) == (429, "2")
    assert third.status_code == 500 and "Retry-After" not in third.headers
    assert fourth.status_code == 200
    assert arxiv_server.requests == {"api": 3, "oai": 1}
    assert arxiv_server.faults_served == {"503": 1, "429": 1, "500": 1}
    assert [entry.fault for entry in arxiv_server.log] == ["503", "429", "500", None]


def test_faults_can_target_one_endpoint(arxiv_server: ArxivServer) -> None:
    arxiv_server.inject("503", endpoint="oai")
    assert httpx.get(arxiv_server.api_url).status_code == 200
    assert httpx.get(arxiv_server.oai_url).status_code == 503
    assert arxiv_server.pending_faults() == 0


def test_reset_and_cut_break_the_transport(arxiv_server: ArxivServer) -> None:
    arxiv_server.inject("reset")
    with pytest.raises(httpx.TransportError):
        httpx.get(arxiv_server.api_url, params={"search_query": "cat:cs.CV"})
    arxiv_server.inject("cut")
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(arxiv_server.api_url, params={"search_query": "cat:cs.CV"})
    assert httpx.get(arxiv_server.api_url).status_code == 200


def test_truncate_sends_half_a_document(arxiv_server: ArxivServer) -> None:
    arxiv_server.inject("truncate")
    response = httpx.get(arxiv_server.api_url, params={"search_query": "cat:cs.CV"})
    assert response.status_code == 200
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(response.content)


def test_empty_page_reports_results_but_holds_none(arxiv_server: ArxivServer) -> None:
    arxiv_server.inject("empty", endpoint="api")
    body = httpx.get(arxiv_server.api_url, params={"search_query": "cat:cs.CV"}).content
    assert total(body) == 1616 and ids(body) == []


def test_slow_answers_late_but_complete(arxiv_server: ArxivServer) -> None:
    arxiv_server.inject("slow", seconds=0.3)
    began = time.monotonic()
    response = httpx.get(arxiv_server.api_url, params={"search_query": "cat:cs.CV"})
    assert time.monotonic() - began >= 0.3 and response.status_code == 200


def test_oai_tokens_page_through_a_snapshot_and_expire(june_2021: list[Paper]) -> None:
    with ArxivServer(june_2021, oai_page_size=700) as server:
        params = {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "cs:cs:CV"}
        seen: list[str] = []
        tokens = []
        while True:
            root = etree.fromstring(httpx.get(server.oai_url, params=params).content)
            seen += [
                e.text or "" for e in root.iter("{http://www.openarchives.org/OAI/2.0/}identifier")
            ]
            token = root.find(".//{http://www.openarchives.org/OAI/2.0/}resumptionToken")
            if token is None or not token.text:
                break
            tokens.append((token.get("cursor"), token.get("completeListSize")))
            params = {"verb": "ListRecords", "resumptionToken": token.text}
        assert tokens == [("0", "1616"), ("700", "1616")]
        assert token is not None and token.get("cursor") == "1400"
        assert len(seen) == len(set(seen)) == 1616
        server.oai_state.expire()
        body = httpx.get(
            server.oai_url, params={"verb": "ListRecords", "resumptionToken": f"{726959}|701"}
        )
        assert b'<error code="badResumptionToken">' in body.content
