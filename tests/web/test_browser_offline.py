"""The reader in Debian's Chromium as a phone and a desk would show it: math typeset by the
vendored KaTeX, no request leaving 127.0.0.1 (Swagger UI included), and no page wider than a
390 px phone screen, on the real 2021 pages that were too wide (a long URL in a comment)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from live_browser import chromium, needs_chromium
from live_web import Live
from playwright.sync_api import Browser, Page, expect

from paperboy.store import open_store

PHONE = 390

# Real 2021 papers: $C^3$ in the title and abstract; 190{\deg} in an abstract; a comment
# holding a 150-character URL, on the day page that was 1,173 px wide at 390 px.
MATH_ID = "2106.08914"
DEGREE_ID = "2103.17001"
LONG_URL_ID = "2107.14444"
LONG_URL_DAY = "2021-07-30"
LONG_URL_LISTING = "2021-08-02"  # the Monday that announced it
# Every page a reader opens, the API's included.
PAGES = [
    f"/cs.CV/{LONG_URL_DAY}/",
    f"/cs.CV/{LONG_URL_LISTING}/listing/",
    f"/abs/{LONG_URL_ID}",
    "/search?q=centripetal",
    "/api",
    "/api/docs",
    "/",  # the front page: the latest complete announcement
]

pytestmark = needs_chromium


@pytest.fixture(scope="module", name="chromium")
def chromium_browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _tab(browser: Browser, width: int) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def desk(chromium: Browser) -> Iterator[Page]:
    yield from _tab(chromium, 1100)


@pytest.fixture
def phone(chromium: Browser) -> Iterator[Page]:
    for tab in _tab(chromium, PHONE):
        # Abstracts and comments open (the reader's choice, remembered): the long URLs in
        # them are what would push the page wide.
        tab.add_init_script("localStorage.setItem('paperboy.noAbstracts', '0')")
        yield tab


def settle(page: Page, path: str) -> None:
    if path == "/api/docs":
        page.wait_for_selector(".swagger-ui .opblock")
    else:
        page.wait_for_function("window.paperboyReady === true")


def test_the_pages_hold_the_papers_they_are_tested_on(live: Live) -> None:
    """The raw text really has the markup the browser tests expect gone."""
    with open_store(live.db) as store:
        math = store.get(MATH_ID)
        degree = store.get(DEGREE_ID)
        long_url = store.get(LONG_URL_ID)
    assert math is not None and "$C^3$" in math.title and "$C^3$" in math.abstract
    assert degree is not None and "190{\\deg}" in degree.abstract
    assert long_url is not None and long_url.submitted_day.isoformat() == LONG_URL_DAY
    assert long_url.comment and max(len(w) for w in long_url.comment.split()) > 140


def test_math_is_typeset_and_no_dollar_is_left(live: Live, desk: Page, output_dir: Path) -> None:
    desk.goto(f"{live.url}/abs/{MATH_ID}")
    settle(desk, "")
    desk.screenshot(path=str(output_dir / "math-paper.png"))
    for where in ("h1.title", ".paperpage .abstract"):
        element = desk.locator(where)
        expect(element.locator(".katex .msupsub").first).to_be_attached()  # the ^3, typeset
        assert "$" not in element.inner_text()
    expect(desk.locator("h1.title .katex annotation")).to_have_text("C^3")


def test_text_mode_latex_is_unicode_in_the_page(live: Live, desk: Page) -> None:
    desk.goto(f"{live.url}/abs/{DEGREE_ID}")
    settle(desk, "")
    abstract = desk.locator(".paperpage .abstract").inner_text()
    assert "190°+" in abstract
    assert "\\deg" not in abstract


def test_a_day_of_titles_and_abstracts_is_typeset(live: Live, desk: Page) -> None:
    desk.goto(f"{live.url}/cs.CV/2021-06-16/")
    settle(desk, "")
    assert desk.locator("article.paper .katex").count() >= 5
    # What is left outside KaTeX's output holds no math delimiter.
    leftover = desk.evaluate(
        """() => [...document.querySelectorAll('article.paper .title, article.paper .abstract')]
             .map(el => { const c = el.cloneNode(true);
                          c.querySelectorAll('.katex').forEach(k => k.remove());
                          return c.textContent; })
             .filter(t => t.includes('$'))"""
    )
    assert leftover == []


@pytest.mark.parametrize("path", [*PAGES, f"/abs/{MATH_ID}", "/cs.CV/", "/cs.CV/2021/"])
def test_no_request_leaves_the_host(live: Live, desk: Page, path: str) -> None:
    requests: list[str] = []
    violations: list[str] = []
    desk.on("request", lambda r: requests.append(r.url))
    desk.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    desk.goto(live.url + path)
    settle(desk, path)
    desk.wait_for_load_state("networkidle")
    host = urlsplit(live.url).netloc
    assert requests and all(urlsplit(u).netloc == host for u in requests), requests
    assert violations == []
    if path == "/api/docs":
        expect(desk.locator(".swagger-ui .info .title")).to_contain_text("paperboy")
        assert desk.locator(".swagger-ui .opblock").count() >= 5


@pytest.mark.parametrize("path", PAGES)
def test_no_sideways_scrolling_on_a_phone(
    live: Live, phone: Page, path: str, output_dir: Path
) -> None:
    phone.goto(live.url + path)
    settle(phone, path)
    if path != "/api/docs":
        name = path.strip("/").replace("/", "-").replace("?", "-") or "home"
        phone.screenshot(path=str(output_dir / f"phone-{name}.png"))
    if LONG_URL_ID in path or LONG_URL_DAY in path or LONG_URL_LISTING in path or "search" in path:
        expect(phone.locator('a[href*="Ding_Centripetal_SGD"]').first).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, f"{path} is {width} px wide at {PHONE} px"
