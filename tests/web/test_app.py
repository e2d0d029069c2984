"""The web app over real HTTP: pages, API, feeds, and paper text that never becomes markup."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from live_web import HOSTILE_DAY, HOSTILE_ID, SCRIPT, Live, hostile_paper, serving
from lxml import etree, html

import paperboy
from paperboy import config
from paperboy.importer import import_paths
from paperboy.store import open_store

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest) -> Live:
    """The app over each engine's store: every test of the pages runs on both."""
    name = "live" if request.param == "sqlite" else "live_postgres"
    served: Live = request.getfixturevalue(name)
    return served


def doc(live: Live, path: str, **params: str) -> html.HtmlElement:
    response = live.get(path, **params)
    assert response.status_code == 200, (path, response.text[:300])
    return html.fromstring(response.text)


def december(live: Live) -> int:
    with open_store(live.db) as store:
        return sum(store.day_counts("cs.CV", date(2021, 12, 1), date(2021, 12, 31)).values())


def test_home_opens_the_latest_complete_announcement(live: Live) -> None:
    response = live.get("/")
    assert response.status_code == 200
    assert str(response.url).endswith("/cs.CV/2022-01-03/listing/")  # seed 004: shown, complete


def test_day_page_lists_that_days_papers_in_submission_order(live: Live) -> None:
    page = doc(live, "/cs.CV/2021-12-20/")
    with open_store(live.db) as store:
        expected = [
            p.arxiv_id for p in store.papers("cs.CV", date(2021, 12, 20), date(2021, 12, 20))
        ]
    assert page.xpath("//article[@class='paper']/@id") == expected
    assert page.xpath("//a[@rel='prev']/@href") == ["/cs.CV/2021-12-19/"]
    assert page.xpath("//a[@rel='next']/@href") == ["/cs.CV/2021-12-21/"]
    assert page.xpath("//nav[@class='tabs']/a[@aria-current]/text()") == ["Submitted this day"]


def replaced_between(live: Live, start: datetime, end: datetime) -> set[str]:
    """Papers of the store whose latest version (v2 or later) was submitted start..end, read
    straight from the papers' fields, not from the dating rules."""
    with open_store(live.db) as store:
        return {
            p.arxiv_id
            for p in store.papers(category="cs.CV")
            if p.version > 1 and start < p.updated <= end and not start < p.published <= end
        }


def test_listing_view_shows_new_submissions_cross_lists_and_replacements(live: Live) -> None:
    page = doc(live, "/cs.CV/2022-01-03/listing/")
    sections = page.xpath("//h2[@class='section']/text()")
    counts = page.xpath("//h2[@class='section']/span/text()")
    assert [s.strip() for s in sections] == ["New submissions", "Cross-lists", "Replacements"]
    # Seed 004 shows 35 new and 23 cross-lists; replacements are the versions submitted in
    # the two batches this listing carried (Wed 29 Dec 14:00 to Fri 31 Dec 14:00 Eastern,
    # Thursday's announcement having been skipped).
    replaced = replaced_between(
        live, datetime(2021, 12, 29, 19, tzinfo=UTC), datetime(2021, 12, 31, 19, tzinfo=UTC)
    )
    assert counts == ["35", "23", str(len(replaced))] and len(replaced) >= 5
    ids = page.xpath("//h2[@id='section-replace']/following-sibling::article/@id")
    assert set(ids) == replaced
    assert len(page.xpath("//article[contains(@class, 'paper')]")) == 58 + len(replaced)
    summary = " ".join(page.xpath("//p[@class='summary']//text()"))
    assert "35 new submissions" in " ".join(summary.split()) and "as arXiv announced it" in summary
    # Listing abstracts keep arXiv's anchors; they show as links to the URL, not as markup.
    assert not any("<a href" in t for t in page.xpath("//p[@class='abstract']//text()"))


def test_listing_view_of_a_day_rebuilt_from_the_store(live: Live) -> None:
    page = doc(live, "/cs.CV/2021-12-14/listing/")
    assert len(page.xpath("//article")) > 50
    assert page.xpath("//a[@rel='prev']/@href") == ["/cs.CV/2021-12-13/listing/"]
    assert page.xpath("//a[@rel='next']/@href") == ["/cs.CV/2021-12-15/listing/"]


def test_year_calendar_is_a_heat_map_linking_every_day_with_papers(live: Live) -> None:
    page = doc(live, "/cs.CV/2021/")
    cells = page.xpath("//div[@class='heatmap']//rect")
    assert len(cells) == 365  # every day of 2021
    assert len(page.xpath("//svg[@class='legend']//rect")) == 5
    links = page.xpath("//div[@class='heatmap']//a/@href")
    assert len(links) == 301  # the 301 days of 2021 the archive holds
    assert "/cs.CV/2021-12-20/" in links
    levels = {c.get("class") for c in cells}
    assert levels == {"c l0", "c l1", "c l2", "c l3", "c l4"}


def test_category_page_plots_papers_per_month(live: Live) -> None:
    page = doc(live, "/cs.CV/")
    bars = page.xpath("//svg[@class='months']//rect[@class='bar']")
    titles = page.xpath("//svg[@class='months']//title/text()")
    assert len(bars) == 10 + 3  # Mar-Dec 2021, and the three seed months of 2022-2023
    assert f"Dec 2021: {december(live):,} papers" in titles


def test_search_page_ranks_highlights_and_pages(live: Live) -> None:
    page = doc(live, "/search", q="object detection")
    marks = {m.lower() for m in page.xpath("//article[1]//h3//mark/text()")}
    assert marks == {"object", "detection"}
    following = page.xpath("//a[@rel='next']/@href")
    assert following and "page=2" in following[0]
    second = doc(live, following[0])
    first_ids = page.xpath("//article/@id")
    assert not set(first_ids) & set(second.xpath("//article/@id"))


@pytest.mark.parametrize(
    "query", ['"', "*", "AND(", "((a", "a))", "😀", "x" * 10_000, "NOT", "cat:%", "\x00"]
)
def test_search_page_answers_any_text(live: Live, query: str) -> None:
    response = live.get("/search", q=query, page="x", **{"from": "not a date"})
    assert response.status_code == 200
    page = html.fromstring(response.text)
    assert page.xpath("//article") or page.xpath("//p[@class='message']")


def test_paper_page_shows_every_field_and_reader_links(live: Live) -> None:
    page = doc(live, "/abs/2111.03216")
    text = page.text_content()
    assert "Fast Camouflaged Object Detection" in page.xpath("//h1/text()")[0]
    for field in ("Ge-Peng Ji", "35 pages, 7 figures", "2021-11-05 02:03:54 UTC", "cs.CV"):
        assert field in text
    links = page.xpath("//ul[@class='links']//a/@href")
    assert "https://arxiv.org/abs/2111.03216" in links
    assert "https://arxiv.org/pdf/2111.03216" in links
    assert "https://ar5iv.labs.arxiv.org/html/2111.03216" in links


def test_paper_page_finds_code_links_and_doi(live: Live) -> None:
    page = doc(live, f"/abs/{HOSTILE_ID}")
    links = page.xpath("//ul[@class='links']//a/@href")
    assert "https://github.com/example/zyzzyva" in links
    assert "https://doi.org/10.1000/zyzzyva" in links


@pytest.mark.parametrize("path", [f"/abs/{HOSTILE_ID}", f"/cs.CV/{HOSTILE_DAY}/", "/search"])
def test_paper_text_is_never_markup(live: Live, path: str) -> None:
    response = live.get(path, q="zyzzyva")
    assert response.status_code == 200
    assert SCRIPT not in response.text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in response.text
    page = html.fromstring(response.text)
    assert not page.xpath("//a[contains(@href, 'javascript')] | //img | //*[@onerror]")
    assert not [s for s in page.iter("script") if "__pwned" in (s.text or "")]
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_unknown_things_are_404_pages(live: Live) -> None:
    for path in ("/abs/2112.00000", "/cs.CV/2021-13-45/", "/not a category!/", "/cs.CV/1800/"):
        response = live.get(path)
        assert response.status_code == 404, path
        assert "Nothing here" in response.text
    assert live.get("/api/papers/2112.00000").json() == {
        "detail": "No paper '2112.00000' in this archive"
    }


def test_api_serves_the_same_data(live: Live) -> None:
    paper = live.get("/api/papers/2111.03216").json()
    assert paper["title"].startswith("Fast Camouflaged")
    assert paper["versions"][0]["number"] == 1
    day = live.get("/api/days/cs.CV/2021-12-20").json()
    assert len(day["papers"]) == 55 and day["next"] == "2021-12-21"
    listing = live.get("/api/listings/cs.CV/2022-01-03").json()
    assert [e["section"] for e in listing["entries"]].count("cross") == 23
    found = live.get("/api/search", q="ti:camouflaged", limit="5").json()
    assert found["total"] > 5 and len(found["hits"]) == 5
    hit = found["hits"][0]
    start, end = hit["title_marks"][0]
    assert hit["paper"]["title"][start:end].lower() == "camouflaged"
    calendar = live.get("/api/calendar/cs.CV/2021").json()
    assert calendar["total"] == 14_868 + 1 and calendar["days"]["2021-12-20"] == 55
    months = live.get("/api/months/cs.CV").json()
    assert {"month": "2021-12", "papers": december(live)} in months


def test_openapi_document_describes_the_api(live: Live) -> None:
    schema = live.get("/api/openapi.json").json()
    for path in ("/api/search", "/api/papers/{arxiv_id}", "/api/days/{category}/{day}"):
        assert path in schema["paths"]
    page = doc(live, "/api")
    assert "/api/search" in page.text_content()


def test_category_feeds_hold_the_latest_papers(live: Live) -> None:
    atom = etree.fromstring(live.get("/feeds/cs.CV.atom").content)
    entries = atom.findall(f"{ATOM}entry")
    assert entries and all(e.findtext(f"{ATOM}title") for e in entries)
    link = entries[0].find(f"{ATOM}link")
    assert link is not None
    href = link.get("href", "")
    assert href.startswith(live.url + "/abs/")
    assert live.get(href.removeprefix(live.url)).status_code == 200
    rss = etree.fromstring(live.get("/feeds/cs.CV.rss").content)
    assert len(rss.findall("channel/item")) == len(entries)


def test_saved_search_feed(live: Live) -> None:
    response = live.get("/feeds/search.atom", q="zyzzyva")
    assert response.headers["content-type"].startswith("application/atom+xml")
    atom = etree.fromstring(response.content)
    titles = [e.findtext(f"{ATOM}title") for e in atom.findall(f"{ATOM}entry")]
    assert titles == [f"Zyzzyva {SCRIPT} attack title"]  # text, escaped by the XML writer
    assert b"<script>" not in response.content


def test_an_empty_archive_says_how_to_fill_it(tmp_path_factory: pytest.TempPathFactory) -> None:
    db = tmp_path_factory.mktemp("empty") / "empty.sqlite3"
    open_store(db).close()
    with serving(db) as url:
        response = Live(url, db).get("/")
    assert response.status_code == 200
    assert "No papers yet" in response.text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen[bytes]) -> httpx.Response:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            return httpx.get(url, timeout=5, follow_redirects=True)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url}")


@pytest.mark.parametrize("command", [["demo"], ["--db", "{db}", "serve"]])
def test_demo_and_serve_commands_answer_on_loopback(
    live: Live, command: list[str], tmp_path: Path
) -> None:
    port = _free_port()
    args = [a.replace("{db}", str(live.db)) for a in command]
    src = str(Path(paperboy.__file__).parents[1])  # the package under test, wherever it is
    env = {**os.environ, "PYTHONPATH": src, "PAPERBOY_DB": str(tmp_path / "unused.sqlite3")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperboy", *args, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/", proc)
        assert response.status_code == 200
        assert "/cs.CV/" in str(response.url) and '<article class="paper"' in response.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cached_pages_follow_the_store(tmp_path: Path) -> None:
    """A page served from the cache shows a paper written by another connection afterwards."""
    db = tmp_path / "sample.sqlite3"
    with open_store(db) as store:
        import_paths(store, [config.sample_dir()])
    with serving(db) as url:
        live = Live(url, db)
        before = live.get("/cs.CV/2021-12-31/").text
        assert before == live.get("/cs.CV/2021-12-31/").text and HOSTILE_ID not in before
        with open_store(db) as writer:
            writer.upsert([hostile_paper()], "test")
        assert HOSTILE_ID in live.get("/cs.CV/2021-12-31/").text
        assert live.get("/api/calendar/cs.CV/2021").json()["days"]["2021-12-31"] == (
            before.count('<article class="paper"') + 1
        )


def test_pages_are_compressed_for_clients_that_accept_gzip(live: Live) -> None:
    plain = httpx.get(live.url + "/cs.CV/2021-12-20/", headers={"Accept-Encoding": "identity"})
    packed = httpx.get(live.url + "/cs.CV/2021-12-20/", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.text == plain.text  # httpx unpacks it
    assert int(packed.headers["content-length"]) * 3 < len(plain.content)
    head = httpx.head(live.url + "/cs.CV/2021-12-20/", headers={"Accept-Encoding": "gzip"})
    assert head.status_code == 200 and head.headers["content-encoding"] == "gzip"


def test_each_encoding_of_a_cached_page_has_its_own_validator(live: Live) -> None:
    """The cache keeps a page gzipped: sent as kept to a browser, unpacked for a client that
    takes no gzip, each with an ETag of its own that answers 304 to itself only."""
    path = live.url + "/cs.CV/2021-12-20/"
    plain = httpx.get(path, headers={"Accept-Encoding": "identity"})
    packed = httpx.get(path, headers={"Accept-Encoding": "gzip"})
    again = httpx.get(path, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["etag"] != plain.headers["etag"]
    assert again.headers["etag"] == packed.headers["etag"] and again.text == plain.text
    assert "accept-encoding" in packed.headers["vary"].lower()
    for sent, encoding in ((plain, "identity"), (packed, "gzip")):
        same = httpx.get(
            path, headers={"Accept-Encoding": encoding, "If-None-Match": sent.headers["etag"]}
        )
        assert same.status_code == 304
    other = httpx.get(
        path, headers={"Accept-Encoding": "identity", "If-None-Match": packed.headers["etag"]}
    )
    assert other.status_code == 200 and other.text == plain.text
