"""One-click BibTeX (issue 10, item 7): every paper, a whole day, a listing and a search
result download as BibTeX that a BibTeX library parses back."""

from __future__ import annotations

from datetime import date

import httpx
from bibtexparser.entrypoint import parse_string
from live_web import Live
from lxml import html

from paperboy.store import open_store

DAY = date(2021, 12, 20)


def parsed(live: Live, path: str, **params: str) -> list[dict[str, str]]:
    response = httpx.get(live.url + path, params=params, timeout=30)
    assert response.status_code == 200, path
    assert response.headers["content-type"].startswith("application/x-bibtex")
    assert response.headers["content-disposition"].startswith("attachment;")
    library = parse_string(response.text)
    assert not library.failed_blocks
    return [{f.key: str(f.value) for f in e.fields} for e in library.entries]


def test_one_paper(live: Live) -> None:
    [entry] = parsed(live, "/bibtex/paper/2103.15358v2")
    assert entry["eprint"] == "2103.15358" and entry["archivePrefix"] == "arXiv"
    with open_store(live.db) as store:
        paper = store.get("2103.15358")
    assert paper is not None and entry["year"] == "2021"
    assert entry["author"].count(" and ") == len(paper.authors) - 1


def test_a_day_a_listing_and_a_search(live: Live) -> None:
    with open_store(live.db) as store:
        submitted = store.day_counts("cs.CV", DAY, DAY)[DAY]
    day = parsed(live, f"/bibtex/cs.CV/{DAY}")
    assert len(day) == submitted and len({e["eprint"] for e in day}) == submitted
    listing = httpx.get(live.url + "/api/listings/cs.CV/2022-01-03", timeout=30).json()
    held = [e["arxiv_id"] for e in listing["entries"]]
    assert sorted(e["eprint"] for e in parsed(live, "/bibtex/cs.CV/2022-01-03/listing")) == sorted(
        i for i in held if httpx.get(f"{live.url}/api/papers/{i}", timeout=30).status_code == 200
    )
    hits = httpx.get(live.url + "/api/search", params={"q": "gaussian", "limit": "200"}).json()
    found = parsed(live, "/bibtex/search", q="gaussian")
    assert [e["eprint"] for e in found] == [h["paper"]["arxiv_id"] for h in hits["hits"]]


def test_pages_link_the_downloads(live: Live) -> None:
    page = html.fromstring(httpx.get(f"{live.url}/cs.CV/{DAY}/", timeout=30).text)
    links = [str(a.get("href")) for a in page.iter("a") if a.get("class") == "bib"]
    assert f"/bibtex/cs.CV/{DAY}" in links
    papers = sum(1 for e in page.iter("article") if "paper" in (e.get("class") or ""))
    assert len(links) == papers + 1
    assert httpx.get(live.url + "/bibtex/paper/2103.99999", timeout=30).status_code == 404
