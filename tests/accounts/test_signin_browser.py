"""A member in Debian's Chromium (Playwright): signs in through the form, lands on the page
asked for, and saves a paper with the s key — the page's script sends the session's CSRF
token, so the mark is stored in the member's own profile."""

from __future__ import annotations

import time

from lab import PASSWORDS, Lab
from live_browser import chromium, needs_chromium
from playwright.sync_api import expect
from stores import DAY

from paperboy.store import Location, open_store

pytestmark = needs_chromium


def marks_of(db: Location, name: str) -> dict[str, str]:
    with open_store(db) as store:
        profile = store.profiles.get(name)
        assert profile is not None
        return {m.arxiv_id: m.mark for m in profile.marks}


def test_sign_in_then_save_with_the_keyboard(lab: Lab) -> None:
    with chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{lab.url}/cs.CV/{DAY}/listing/")
        expect(page).to_have_url(f"{lab.url}/login?next=%2Fcs.CV%2F{DAY}%2Flisting%2F")
        page.fill("input[name=name]", "bob")
        page.fill("input[name=password]", PASSWORDS["bob"])
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{lab.url}/cs.CV/{DAY}/listing/")
        page.wait_for_function("() => window.paperboyReady === true && window.paperboyMarksReady")
        expect(page.locator("nav.tabs a.foryou")).to_have_text(["For bobs"])
        first = page.locator(".papers article.paper").first
        one = first.get_attribute("id")
        assert one
        page.keyboard.press("j")
        page.keyboard.press("s")
        expect(first).to_have_attribute("data-mark", "saved")
        deadline = time.monotonic() + 10
        while marks_of(lab.db, "bobs") != {one: "saved"} and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marks_of(lab.db, "bobs") == {one: "saved"}
        assert marks_of(lab.db, "alices") == {}
        page.keyboard.press("s")  # and back
        expect(first).not_to_have_attribute("data-mark", "saved")
        browser.close()


def test_a_paper_page_adds_the_paper_to_a_reading_list(lab: Lab) -> None:
    with open_store(lab.db) as store:
        store.reading_lists.create("browser-list", None)
        some = next(iter(store.papers(category="cs.CV", start=DAY, end=DAY))).arxiv_id
    with chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{lab.url}/login?next=/abs/{some}/")
        page.fill("input[name=name]", "carol")
        page.fill("input[name=password]", PASSWORDS["carol"])
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{lab.url}/abs/{some}/")
        form = page.locator("form[data-tolist]")
        expect(form).to_be_visible()
        form.locator("select").select_option("browser-list")
        form.locator("input[name=note]").fill("for Monday")
        form.locator("button").click()
        expect(page.locator("[data-toast]")).to_contain_text("Added to browser-list")
        browser.close()
    with open_store(lab.db) as store:
        listed = store.reading_lists.get("browser-list")
        assert listed is not None
        assert [(p.arxiv_id, p.note, p.added_by) for p in listed.papers] == [
            (some, "for Monday", "carol")
        ]
        store.reading_lists.remove("browser-list")
