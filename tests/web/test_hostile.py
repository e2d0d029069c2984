"""The web app under hostile requests (issue 9, items 13-15): no 500 for any URL, HEAD like
GET, cache validators, links that no Host header can change, and memory that no made-up URL
can grow. Every test talks to a real uvicorn server over loopback."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from live_web import HOSTILE_ID, Live, serving

from paperboy.web.reader import Reader

ATOM = "{http://www.w3.org/2005/Atom}"
HUGE_YEAR = "9" * 5000
PARENS = "(" * 5000
NONCHAR = "\ufffe"


def get(url: str, path: str, **headers: str) -> httpx.Response:
    return httpx.get(url + path, headers=headers, timeout=60)


# ---------------------------------------------------------------- item 15: no 500s

OUT_OF_RANGE = [
    "/cs.CV/9999-12-31/listing/",
    "/cs.CV/0001-01-01/listing/",
    "/cs.CV/9999-12-31/",
    "/cs.CV/0001-01-01/",
    "/api/listings/cs.CV/9999-12-31",
    "/api/listings/cs.CV/0001-01-01",
    "/api/days/cs.CV/0001-01-01",
    f"/cs.CV/{HUGE_YEAR}/",
    f"/cs.CV/{HUGE_YEAR}-01-01/",
    f"/cs.CV/{HUGE_YEAR}-01-01/listing/",
    f"/api/days/cs.CV/{HUGE_YEAR}-01-01",
    f"/api/calendar/cs.CV/{HUGE_YEAR}",
]


@pytest.mark.parametrize("path", OUT_OF_RANGE, ids=lambda p: p[:40])
def test_days_no_calendar_can_hold_are_not_found(live: Live, path: str) -> None:
    response = get(live.url, path)
    # 422 is FastAPI's answer for a query parameter that is no integer: a client error too
    assert response.status_code in (400, 404, 422), response.text[:300]
    head = httpx.head(live.url + path, timeout=60)
    assert head.status_code == response.status_code


@pytest.mark.parametrize("path", ["/search", "/api/search", "/feeds/search.atom"])
def test_a_query_of_5000_parentheses_is_answered(live: Live, path: str) -> None:
    response = httpx.get(live.url + path, params={"q": PARENS}, timeout=60)
    assert response.status_code == 200
    if path == "/api/search":
        notes = response.json()["notes"]
        assert any("nested deeper" in n for n in notes), notes


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_a_search_feed_for_a_noncharacter_is_well_formed_xml(live: Live, kind: str) -> None:
    response = get(live.url, f"/feeds/search.{kind}?q=%EF%BF%BE")
    assert response.status_code == 200
    ET.fromstring(response.content)  # parses: the U+FFFE of the title was left out
    assert NONCHAR not in response.text


# ---------------------------------------------------------------- item 15: HEAD and ETag

PAGES = [
    "/",
    "/healthz",
    "/cs.CV/",
    "/cs.CV/2021/",
    "/cs.CV/2021-06-01/",
    "/cs.CV/2021-06-01/listing/",
    f"/abs/{HOSTILE_ID}/",
    "/search?q=segmentation",
    "/feeds/cs.CV.atom",
    "/feeds/search.rss?q=segmentation",
    "/api",
    "/api/months/cs.CV",
    "/api/days/cs.CV/2021-06-01",
    "/cs.CV/1999-13-01/",
    "/static/style.css",
]


@pytest.mark.parametrize("path", PAGES)
def test_head_answers_like_get(live: Live, path: str) -> None:
    got = httpx.get(live.url + path, timeout=60)
    head = httpx.head(live.url + path, timeout=60)
    assert head.status_code == got.status_code
    assert head.content == b""
    same = {k: v for k, v in got.headers.items() if k != "date"}
    assert {k: v for k, v in head.headers.items() if k != "date"} == same


@pytest.mark.parametrize(
    "path", ["/cs.CV/2021-06-01/", "/cs.CV/2021-06-01/listing/", "/feeds/cs.CV.atom"]
)
def test_pages_and_feeds_send_a_validator_that_answers_304(live: Live, path: str) -> None:
    first = get(live.url, path)
    etag = first.headers.get("etag")
    assert first.status_code == 200 and etag
    assert get(live.url, path).headers["etag"] == etag  # the same page, the same tag
    again = get(live.url, path, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = get(live.url, path, **{"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.content == first.content
    assert get(live.url, "/cs.CV/2021-06-02/").headers["etag"] != etag


# ---------------------------------------------------------------- item 13: Host header


def test_a_forged_host_never_reaches_a_link(web_db: Path) -> None:
    """The forged request comes first, so a cache keyed without the host would serve its
    links to everyone after it."""
    paths = ["/feeds/cs.CV.atom", "/feeds/search.atom?q=segmentation", "/cs.CV/2021-06-01/"]
    with serving(web_db) as url:
        forged = [get(url, p, Host="evil.example") for p in paths]
        later = [get(url, p) for p in paths]
    for response in forged + later:
        assert response.status_code == 200
        assert "evil.example" not in response.text
    feed = ET.fromstring(later[0].content)
    links = [e.get("href", "") for e in feed.iter(f"{ATOM}link")]
    assert links and all(link.startswith(url + "/") for link in links), links


def test_feed_links_follow_the_configured_base_url(web_db: Path) -> None:
    with serving(web_db, base_url="https://papers.example.org/reader") as url:
        feed = ET.fromstring(get(url, "/feeds/cs.CV.atom", Host="evil.example").content)
    entry = feed.find(f"{ATOM}entry")
    assert entry is not None
    link = entry.find(f"{ATOM}link")
    assert link is not None
    assert link.get("href", "").startswith("https://papers.example.org/reader/abs/")


# ---------------------------------------------------------------- item 14: memory


def _reader(server: serving) -> Reader:
    reader: Reader = server.app.state.reader
    return reader


def test_made_up_categories_are_404_and_cost_no_cache(web_db: Path) -> None:
    server = serving(web_db)
    with server as url, httpx.Client(base_url=url, timeout=60) as client:
        for path in PAGES[:6]:
            client.get(path)
        assert client.get("/cs.Xq/2021-06-01/").status_code == 404  # not an empty day page
        cache = _reader(server).cache
        before = (len(cache.entries), cache.bytes)
        for i in range(3000):
            name = "cs.X" + "".join(chr(ord("a") + int(d)) for d in str(i))  # cs.Xbcd
            paths = [f"/{name}/", f"/{name}/2021/", f"/{name}/2021-06-01/", f"/feeds/{name}.atom"]
            response = client.get(paths[i % 4])
            assert response.status_code == 404, (paths[i % 4], response.status_code)
        assert client.get("/api/months/cs.XYZ").status_code == 404
        assert (len(cache.entries), cache.bytes) == before


def test_one_byte_budget_holds_counts_and_pages(web_db: Path) -> None:
    server = serving(web_db, cache_mb=1)
    with server as url, httpx.Client(base_url=url, timeout=60) as client:
        for year in range(1991, 2300):  # a calendar count per year, kept with the pages
            assert client.get(f"/api/calendar/cs.CV/{year}").status_code == 200
        for day in range(1, 31):
            assert client.get(f"/cs.CV/2021-06-{day:02d}/").status_code == 200
        cache = _reader(server).cache
        assert 0 < cache.bytes <= 1024 * 1024
        assert cache.bytes == sum(size for size, _, _ in cache.entries.values())


def test_reader_threads_keep_a_small_sqlite_page_cache(web_db: Path) -> None:
    server = serving(web_db)
    with server:
        store = _reader(server).store  # the connection a server thread opens
        kib = -store.conn.execute("PRAGMA cache_size").fetchone()[0]
    assert 0 < kib <= 8 * 1024
