"""The static site from a month of real data: every internal link resolves, pages are inert
text, feeds and the browser search index are there, and a rebuild changes nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree
from typer.testing import CliRunner

from paperboy import listings
from paperboy.cli import app
from paperboy.importer import import_paths
from paperboy.record import Paper
from paperboy.site import SiteResult, write_site
from paperboy.store import SQLiteStore, open_store

SCRIPT = "<script>window.__pwned=1</script>"
_LINK = re.compile(r'(?:href|src|data-index)="([^"]*)"')


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory, data_2021: Path, seeds: Path) -> SQLiteStore:
    """December 2021, the listing of 3 Jan 2022 that announces its last days, a hostile paper."""
    store = open_store(tmp_path_factory.mktemp("site") / "month.sqlite3")
    import_paths(store, [data_2021 / "cs.CV" / "2021" / "12", seeds / "004_751528becd0547dd.txt"])
    when = datetime(2021, 12, 30, 12, 0, tzinfo=UTC)
    hostile = Paper(
        "2112.99999", 1, f"Hostile {SCRIPT}", [f"Mallory {SCRIPT}"], ["cs.CV", "cs.LG"], "cs.CV",
        when, when, f"Abstract {SCRIPT}",
    )  # fmt: skip
    store.upsert([hostile], "test")
    listings.refresh_announcements(store)
    return store


@pytest.fixture(scope="module")
def site(month: SQLiteStore, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SiteResult]:
    out = tmp_path_factory.mktemp("site-out")
    return out, write_site(month, out, ["cs.CV"], base_url="https://example.org/papers/")


def internal_links(page: Path) -> Iterator[str]:
    for raw in _LINK.findall(page.read_text(encoding="utf-8")):
        link = unescape(raw)
        parts = urlsplit(link)
        if link and not parts.scheme and not link.startswith(("#", "//")):
            yield parts.path


def test_every_internal_link_resolves(site: tuple[Path, SiteResult]) -> None:
    out, result = site
    pages = list(out.rglob("*.html"))
    assert len(pages) == result.pages
    broken: list[tuple[str, str]] = []
    checked: set[Path] = set()
    for page in pages:
        for link in internal_links(page):
            target = (page.parent / unquote(link)).resolve()
            if target not in checked:
                if not target.exists():
                    broken.append((str(page.relative_to(out)), link))
                checked.add(target)
    assert not broken, broken[:10]
    assert len(checked) > 1000


def test_every_paper_has_a_page_and_every_day_its_two_views(
    month: SQLiteStore, site: tuple[Path, SiteResult]
) -> None:
    out, result = site
    papers = list(month.papers(category="cs.CV"))
    assert result.papers == len(papers)
    for paper in papers:
        assert (out / "abs" / paper.arxiv_id / "index.html").exists()
    for day in ("2021-12-01", "2021-12-31", "2022-01-03"):
        assert (out / "cs.CV" / day / "index.html").exists()
        assert (out / "cs.CV" / day / "listing" / "index.html").exists()
    listing = (out / "cs.CV" / "2022-01-03" / "listing" / "index.html").read_text()
    assert listing.count('<article class="paper"') == 58
    assert (out / "cs.CV" / "2021" / "index.html").read_text().count('class="day"') == 31


def test_pages_hold_paper_text_as_text(site: tuple[Path, SiteResult]) -> None:
    out, _ = site
    page = (out / "abs" / "2112.99999" / "index.html").read_text()
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    for f in out.rglob("*.html"):
        assert SCRIPT not in f.read_text(), f


def test_search_index_and_page(month: SQLiteStore, site: tuple[Path, SiteResult]) -> None:
    out, result = site
    rows = json.loads((out / "search" / "index.json").read_text())
    assert result.search_index and len(rows) == result.papers
    assert [
        "2112.99999",
        f"Hostile {SCRIPT}",
        f"Mallory {SCRIPT}",
        "2021-12-30",
        "cs.CV cs.LG",
    ] in rows
    days = [row[3] for row in rows]
    assert days == sorted(days, reverse=True)  # newest first
    page = (out / "search" / "index.html").read_text()
    assert 'data-index="index.json"' in page and "../static/search.js" in page


def test_feeds_link_to_the_published_site(site: tuple[Path, SiteResult]) -> None:
    out, _ = site
    atom = etree.parse(str(out / "feeds" / "cs.CV.atom")).getroot()
    ns = "{http://www.w3.org/2005/Atom}"
    links = [link.get("href", "") for link in atom.iter(f"{ns}link") if link.get("rel") is None]
    assert links and all(link.startswith("https://example.org/papers/abs/") for link in links)
    assert etree.parse(str(out / "feeds" / "cs.CV.rss")).getroot().find("channel/item") is not None


def test_a_rebuild_changes_no_file(month: SQLiteStore, site: tuple[Path, SiteResult]) -> None:
    out, first = site
    again = write_site(month, out, ["cs.CV"], base_url="https://example.org/papers/")
    assert again.pages == first.pages and again.written == 0


def test_too_many_papers_for_browser_search_leaves_a_note(
    month: SQLiteStore, tmp_path: Path
) -> None:
    result = write_site(month, tmp_path, ["cs.CV"], search_limit=10)
    assert not result.search_index
    assert not (tmp_path / "search" / "index.json").exists()
    assert (
        "Search is left out of this static site" in (tmp_path / "search" / "index.html").read_text()
    )


def test_site_command(month: SQLiteStore, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = CliRunner().invoke(app, ["--db", str(month.path), "site", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "with browser search" in result.output
    assert (out / "index.html").exists() and (out / ".nojekyll").exists()
