"""For you and the marks in Debian's Chromium (Playwright): the view shows each paper's
reasons, and s / x on the selected paper store the mark in the profile and show it; pressed
again, they take it back. A screenshot lands in test-output/web/foryou.png."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from live_browser import chromium, needs_chromium
from live_web import REPO, Live
from playwright.sync_api import Browser, Page, expect
from stores import DAY, point_cloud_profile

from paperboy.store import Location, open_store
from paperboy.store.profiles import Mark

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(30_000)  # the first ranking fits the profile's model
    tab = context.new_page()
    yield tab
    context.close()


def ready(page: Page) -> None:
    # A function, not an expression: polling an expression evals it, which the CSP forbids.
    page.wait_for_function("() => window.paperboyReady === true && window.paperboyMarksReady")


def stored_marks(db: Location, name: str) -> dict[str, Mark]:
    with open_store(db) as store:
        profile = store.profiles.get(name)
        assert profile is not None
        return {m.arxiv_id: m.mark for m in profile.marks}


def wait_for_marks(db: Location, name: str, wanted: dict[str, Mark]) -> None:
    deadline = time.monotonic() + 10
    while stored_marks(db, name) != wanted and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stored_marks(db, name) == wanted


def test_for_you_shows_each_papers_reasons(served: Live, page: Page) -> None:
    page.goto(f"{served.url}/cs.CV/{DAY}/for/pc/")
    ready(page)
    out = REPO / "test-output" / "web"
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / "foryou.png"))
    first = page.locator(".papers article.paper").first
    reasons = first.locator("ul.reasons li")
    expect(reasons.first).to_be_visible()
    expect(reasons.first).to_contain_text("like")
    expect(reasons.first).to_contain_text("in your library")
    expect(page.locator("nav.tabs a[aria-current='page']")).to_have_text("For pc")
    # The marks go to this page's profile: their buttons are shown.
    expect(first.locator("[data-action='save']")).to_be_visible()


def test_s_and_x_store_the_mark_and_show_it(served: Live, page: Page) -> None:
    with open_store(served.db) as store:
        point_cloud_profile(store, "keys")
    page.goto(f"{served.url}/cs.CV/{DAY}/for/keys/")
    ready(page)
    papers = page.locator(".papers article.paper")
    first, second = papers.nth(0), papers.nth(1)
    one, two = first.get_attribute("id"), second.get_attribute("id")
    assert one and two
    page.keyboard.press("j")
    page.keyboard.press("s")
    expect(first).to_have_attribute("data-mark", "saved")
    expect(first.locator("[data-action='save']")).to_have_attribute("aria-pressed", "true")
    expect(first.locator("[data-action='save']")).to_have_text("Saved")
    expect(page.locator("[data-toast]")).to_contain_text("Saved to keys")
    wait_for_marks(served.db, "keys", {one: "saved"})
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(second).to_have_attribute("data-mark", "hidden")
    expect(second.locator("[data-action='hide']")).to_have_attribute("aria-pressed", "true")
    wait_for_marks(served.db, "keys", {one: "saved", two: "hidden"})
    # Pressed again, x and s take their marks back.
    page.keyboard.press("x")
    expect(second).not_to_have_attribute("data-mark", "hidden")
    wait_for_marks(served.db, "keys", {one: "saved"})
    page.keyboard.press("k")
    page.keyboard.press("s")
    expect(first.locator("[data-action='save']")).to_have_attribute("aria-pressed", "false")
    wait_for_marks(served.db, "keys", {})
    page.keyboard.press("x")
    wait_for_marks(served.db, "keys", {one: "hidden"})
    # Reloaded, the ranking has taken the mark in: the hidden paper is last, shown hidden.
    page.reload()
    ready(page)
    last = papers.last
    expect(last).to_have_attribute("id", one)
    expect(last).to_have_attribute("data-mark", "hidden")
    expect(last.locator("ul.reasons li")).to_have_text(["you marked it not interested"])


def test_the_remembered_profile_marks_papers_on_other_pages(served: Live, page: Page) -> None:
    with open_store(served.db) as store:
        point_cloud_profile(store, "remembered")
    page.goto(f"{served.url}/cs.CV/{DAY}/for/remembered/")  # reading it chooses the profile
    ready(page)
    page.goto(f"{served.url}/cs.CV/{DAY}/listing/")
    ready(page)
    papers = page.locator(".papers article.paper")
    third = papers.nth(2)
    arxiv_id = third.get_attribute("id")
    assert arxiv_id
    for _ in range(3):
        page.keyboard.press("j")
    page.keyboard.press("x")
    expect(third).to_have_attribute("data-mark", "hidden")
    wait_for_marks(served.db, "remembered", {arxiv_id: "hidden"})
    # On the paper's own page the mark shows, and s saves it there.
    page.goto(f"{served.url}/abs/{arxiv_id}/")
    ready(page)
    article = page.locator("article.paperpage")
    expect(article).to_have_attribute("data-mark", "hidden")
    page.keyboard.press("s")
    expect(article).to_have_attribute("data-mark", "saved")
    wait_for_marks(served.db, "remembered", {arxiv_id: "saved"})
    # Clicking works as the key does.
    article.locator("[data-action='save']").click()
    expect(article).not_to_have_attribute("data-mark", "saved")
    wait_for_marks(served.db, "remembered", {})
