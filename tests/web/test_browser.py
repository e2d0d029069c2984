"""The web reader in a real browser: Debian's Chromium driven by Playwright.

Screenshots of the day page and the calendar land in test-output/web/ for a person to look
at. Playwright never downloads a browser here: it drives /usr/bin/chromium.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from live_browser import chromium, needs_chromium
from live_web import HOSTILE_DAY, HOSTILE_ID, SCRIPT, Live
from lxml import etree
from playwright.sync_api import Browser, Page, expect

from paperboy import config
from paperboy.importer import import_paths
from paperboy.site import write_site
from paperboy.store import open_store

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def ready(page: Page) -> None:
    page.wait_for_function("window.paperboyReady === true")


def test_day_page_moves_with_the_keyboard(live: Live, page: Page, output_dir: Path) -> None:
    page.goto(f"{live.url}/cs.CV/2021-12-20/")
    ready(page)
    page.screenshot(path=str(output_dir / "day.png"))
    papers = page.locator("article.paper")
    page.keyboard.press("j")
    expect(papers.nth(0)).to_have_class("paper current")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(papers.nth(1)).to_have_class("paper current")
    expect(papers.nth(0)).to_have_class("paper")
    page.keyboard.press("n")
    page.wait_for_url("**/cs.CV/2021-12-21/")
    ready(page)
    page.keyboard.press("p")
    page.wait_for_url("**/cs.CV/2021-12-20/")
    ready(page)
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url("**/abs/**")
    expect(page.locator("h1.title")).not_to_be_empty()


def test_abstracts_toggle_and_stay_toggled(live: Live, page: Page) -> None:
    page.goto(f"{live.url}/cs.CV/2021-12-20/")
    ready(page)
    abstract = page.locator("article.paper .abstract").first
    expect(abstract).to_be_hidden()  # titles first
    page.keyboard.press("j")
    page.keyboard.press("e")  # the selected paper's abstract alone
    expect(abstract).to_be_visible()
    expect(page.locator("article.paper .abstract").nth(1)).to_be_hidden()
    page.locator("article.paper").nth(1).get_by_role("button", name="Abstract").click()
    expect(page.locator("article.paper .abstract").nth(1)).to_be_visible()
    page.keyboard.press("a")  # every abstract, remembered
    page.reload()
    ready(page)
    expect(page.locator("article.paper .abstract").first).to_be_visible()
    page.get_by_role("button", name="Hide abstracts").click()
    expect(page.locator("article.paper .abstract").first).to_be_hidden()


def test_triage_chips_keep_papers_with_code_or_of_a_venue(live: Live, page: Page) -> None:
    page.goto(f"{live.url}/cs.CV/2021-12-20/")
    ready(page)
    with open_store(live.db) as store:
        day = list(store.papers(category="cs.CV", start=date(2021, 12, 20), end=date(2021, 12, 20)))
    github = {p.arxiv_id for p in day if "github.com/" in f"{p.abstract} {p.comment}".lower()}
    page.locator("[data-filter=code]").click()
    shown = set(page.locator("article.paper:visible").evaluate_all("els => els.map(e => e.id)"))
    assert github and github <= shown < {p.arxiv_id for p in day}
    texts = {p.arxiv_id: f"{p.abstract} {p.comment}" for p in day}
    assert all("http" in texts[i] or "github" in texts[i].lower() for i in shown)
    page.locator("[data-filter=code]").click()  # off again
    assert page.locator("article.paper:visible").count() == len(day)
    chip = page.locator("[data-filter^='venue:']").first
    venue = (chip.get_attribute("data-filter") or "").removeprefix("venue:")
    chip.click()
    shown = set(page.locator("article.paper:visible").evaluate_all("els => els.map(e => e.id)"))
    name, *rest = venue.split()
    year = next((w for w in rest if w.isdigit()), "")
    comments = {p.arxiv_id: (p.comment or "").lower() for p in day}
    # Each paper kept names that venue (and its year, as 2022 or '22) in its comment.
    assert shown and all(name.lower() in comments[i] for i in shown)
    assert all(year[2:] in comments[i] for i in shown)


def test_calendar_heat_map_leads_to_a_day(live: Live, page: Page, output_dir: Path) -> None:
    page.goto(f"{live.url}/cs.CV/2021/")
    ready(page)
    page.screenshot(path=str(output_dir / "calendar.png"), full_page=True)
    page.locator('.heatmap a[href="/cs.CV/2021-12-20/"]').click()
    page.wait_for_url("**/cs.CV/2021-12-20/")
    expect(page.locator("h1")).to_contain_text("20 December 2021")


def test_category_page_plot(live: Live, page: Page, output_dir: Path) -> None:
    page.goto(f"{live.url}/cs.CV/")
    ready(page)
    page.screenshot(path=str(output_dir / "category.png"))
    page.locator("svg.months a").first.click()
    page.wait_for_url("**/cs.CV/2021/")


def test_search_and_open_a_result(live: Live, page: Page, output_dir: Path) -> None:
    page.goto(f"{live.url}/cs.CV/2021-12-20/")
    ready(page)
    page.keyboard.press("/")
    page.keyboard.type('ti:camouflaged "object detection"')
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    ready(page)
    page.screenshot(path=str(output_dir / "search.png"))
    first = page.locator("article.paper").first
    expect(first.locator("h3 mark").first).to_have_text("Camouflaged")
    title = first.locator("h3").inner_text()
    first.locator("h3 a").click()
    page.wait_for_url("**/abs/**")
    expect(page.locator("h1.title")).to_have_text(title)
    page.screenshot(path=str(output_dir / "paper.png"))


def test_hostile_text_stays_text(live: Live, page: Page) -> None:
    for path in (f"/abs/{HOSTILE_ID}", f"/cs.CV/{HOSTILE_DAY}/", "/search?q=zyzzyva"):
        page.goto(live.url + path)
        ready(page)
        assert page.evaluate("window.__pwned") is None
        expect(page.get_by_text(SCRIPT).first).to_be_visible()


def test_read_a_feed(live: Live, page: Page) -> None:
    page.goto(f"{live.url}/cs.CV/")
    ready(page)
    href = page.locator('link[rel="alternate"][type="application/atom+xml"]').get_attribute("href")
    assert href
    response = page.request.get(live.url + href)
    assert response.ok
    feed = etree.fromstring(response.body())
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{atom}entry")
    assert entries
    first = entries[0].find(f"{atom}link")
    assert first is not None
    page.goto(first.get("href", ""))
    ready(page)
    expect(page.locator("h1.title")).to_have_text(entries[0].findtext(f"{atom}title", ""))


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The static site of the package's sample, served as files (as GitHub Pages would)."""
    root = tmp_path_factory.mktemp("static")
    with open_store(root / "sample.sqlite3") as store:
        import_paths(store, [config.sample_dir()])
        write_site(store, root / "www" / "papers", ["cs.CV"])
    handler = functools.partial(_Quiet, directory=str(root / "www"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/papers"
    server.shutdown()


def test_static_site_searches_in_the_browser(static_site: str, page: Page) -> None:
    # Served under a prefix, like a GitHub Pages project site: every link is relative.
    base = static_site
    page.goto(base + "/index.html")
    page.get_by_role("link", name="Latest day: Fri 31 Dec 2021").click()
    ready(page)
    page.keyboard.press("p")
    page.wait_for_url("**/cs.CV/2021-12-30/index.html")
    page.goto(base + "/search/index.html")
    page.locator("#static-search input").fill("ti:transformer")
    page.keyboard.press("Enter")
    results = page.locator("#results article")
    expect(results.first).to_be_visible()
    assert "transformer" in results.first.locator("h3").inner_text().lower()
    results.first.locator("h3 a").click()
    page.wait_for_url("**/cs.CV/*/index.html#*")  # the paper, in full on its day page
    expect(page.locator("article.paper.current h3")).to_contain_text("ransformer")


def test_front_page_is_tonights_announcement_marked_new_since_the_last_visit(
    live: Live, page: Page, output_dir: Path
) -> None:
    page.goto(live.url + "/")
    ready(page)
    # Seed 004, arXiv's listing of Mon 3 Jan 2022, is the latest the store fully holds.
    assert page.url.endswith("/cs.CV/2022-01-03/listing/")
    headings = page.locator("h2.section").all_inner_texts()
    assert [h.split()[0].lower() for h in headings] == ["new", "cross-lists", "replacements"]
    assert page.locator("#section-replace").is_visible()
    assert page.locator(".counts").inner_text().startswith("35 new submissions")
    assert page.locator(".since").is_hidden()  # a first visit: nothing to compare with
    # The reader last read the listing of Fri 31 Dec; Monday's is new to them.
    page.evaluate("localStorage.setItem('paperboy.seen.cs.CV', '2021-12-29')")
    page.reload()
    ready(page)
    assert page.locator(".since").is_visible()
    assert "2021-12-29" in page.locator(".since").inner_text()
    assert page.locator("article.paper.unseen").count() == page.locator("article.paper").count()
    page.screenshot(path=str(output_dir / "front-page.png"))
    page.reload()  # read now: no longer new
    ready(page)
    assert page.locator(".since").is_hidden() and page.locator("article.unseen").count() == 0
