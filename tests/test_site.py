"""The static site from a month of real data: every internal link (and anchor) resolves, pages
are inert text, each paper is written in full once, the site is small enough for the whole
archive on GitHub Pages, a rebuild renders and writes nothing, --from/--to limit it, and its
search (monthly gzip shards) finds titles, authors, abstracts and ids in a real browser."""

from __future__ import annotations

import functools
import gzip
import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from html import unescape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from live_browser import chromium, needs_chromium
from lxml import etree
from typer.testing import CliRunner

from paperboy import listings
from paperboy.cli import app
from paperboy.importer import import_paths
from paperboy.record import Paper
from paperboy.site import MANIFEST, SiteResult, write_site
from paperboy.store import Store, open_store

SCRIPT = "<script>window.__pwned=1</script>"
_LINK = re.compile(r'(?:href|src|data-shards)="([^"]*)"')
_ID = re.compile(r'\sid="([^"]+)"')
# GitHub Pages allows 1 GB; the whole upstream archive (192,108 papers) must fit in 800 MB.
ARCHIVE_PAPERS = 192_108
BUDGET = 800_000_000


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory, data_2021: Path, seeds: Path) -> Store:
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
def site(month: Store, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SiteResult]:
    out = tmp_path_factory.mktemp("site-out")
    return out, write_site(month, out, ["cs.CV"], base_url="https://example.org/papers/")


def internal_links(page: Path) -> Iterator[tuple[str, str]]:
    """(path, fragment) of each link of a page that stays on the site."""
    for raw in _LINK.findall(page.read_text(encoding="utf-8")):
        link = unescape(raw)
        parts = urlsplit(link)
        if link and not parts.scheme and not link.startswith("//"):
            yield parts.path, parts.fragment


def broken_links(out: Path) -> tuple[list[tuple[str, str]], int]:
    """Links to a file that was not written, or to an anchor its page lacks; and how many
    distinct targets were checked."""
    ids: dict[Path, set[str]] = {}
    broken: list[tuple[str, str]] = []
    for page in out.rglob("*.html"):
        for path, fragment in internal_links(page):
            target = (page.parent / unquote(path)).resolve() if path else page.resolve()
            if target not in ids:
                exists = target.is_file()
                text = (
                    target.read_text(encoding="utf-8")
                    if exists and target.suffix == ".html"
                    else ""
                )
                ids[target] = set(_ID.findall(text)) if exists else set()
                if not exists:
                    broken.append((str(page.relative_to(out)), path))
            if fragment and target.suffix == ".html" and unquote(fragment) not in ids[target]:
                broken.append((str(page.relative_to(out)), f"{path}#{fragment}"))
    return broken, len(ids)


def test_every_internal_link_and_anchor_resolves(site: tuple[Path, SiteResult]) -> None:
    out, result = site
    assert len(list(out.rglob("*.html"))) == result.pages
    broken, checked = broken_links(out)
    assert not broken, broken[:10]
    assert checked > 40


def test_every_paper_is_written_in_full_once_on_its_day(
    month: Store, site: tuple[Path, SiteResult]
) -> None:
    out, result = site
    papers = list(month.papers(category="cs.CV"))
    assert result.papers == len(papers)
    abstracts: Counter[str] = Counter()
    for f in out.glob("cs.CV/*/index.html"):
        abstracts.update(re.findall(r'<article class="paper" id="([^"]+)"', f.read_text()))
    assert {p.arxiv_id for p in papers} <= set(abstracts)
    assert max(abstracts.values()) == 1
    page = (out / "cs.CV" / "2021-12-20" / "index.html").read_text()
    first = next(p for p in papers if p.submitted_day == date(2021, 12, 20))
    assert f'id="{first.arxiv_id}"' in page and first.abstract[:60] in unescape(page)
    assert not (out / "abs").exists()  # no page per paper: that is what made the site huge


def test_the_listing_names_each_paper_and_links_to_its_day(site: tuple[Path, SiteResult]) -> None:
    out, _ = site
    listing = (out / "cs.CV" / "2022-01-03" / "listing" / "index.html").read_text()
    # Seed 004 is arXiv's listing of 3 Jan 2022: 35 new submissions and 23 cross-lists.
    assert listing.count('<article class="paper"') == 58
    assert "35 new submissions, 23 cross-lists" in listing
    assert 'href="../../2021-12-31/index.html#' in listing
    assert not (out / "cs.CV" / "2022-01-03" / "index.html").exists()  # nothing submitted
    assert (out / "cs.CV" / "2021" / "index.html").read_text().count('class="day"') == 31


def test_pages_hold_paper_text_as_text(site: tuple[Path, SiteResult]) -> None:
    out, _ = site
    page = (out / "cs.CV" / "2021-12-30" / "index.html").read_text()
    assert "Hostile &lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    for f in out.rglob("*.html"):
        assert SCRIPT not in f.read_text(), f


def test_search_shards_hold_titles_authors_and_abstracts(
    month: Store, site: tuple[Path, SiteResult]
) -> None:
    out, result = site
    index = json.loads((out / "search" / "shards.json").read_text())
    assert index["categories"] == ["cs.CV"] and index["papers"] == result.papers
    assert [s[0] for s in index["shards"]] == ["2021-12"]
    rows = json.loads(gzip.decompress((out / "search" / "2021-12.json.gz").read_bytes()))
    assert len(rows) == index["shards"][0][1] == result.papers
    hostile = ["2112.99999", "2021-12-30", 0, f"Hostile {SCRIPT}", f"Mallory {SCRIPT}",
               "cs.CV cs.LG", f"Abstract {SCRIPT}"]  # fmt: skip
    assert hostile in rows
    stored = month.get(rows[5][0])
    assert stored is not None and rows[5][6] == " ".join(stored.abstract.split())
    page = (out / "search" / "index.html").read_text()
    assert 'data-shards="shards.json"' in page and "titles, authors and abstracts" in page


def test_feeds_link_to_the_papers_on_the_published_site(site: tuple[Path, SiteResult]) -> None:
    out, _ = site
    atom = etree.parse(str(out / "feeds" / "cs.CV.atom")).getroot()
    ns = "{http://www.w3.org/2005/Atom}"
    links = [link.get("href", "") for link in atom.iter(f"{ns}link") if link.get("rel") is None]
    assert links and all(
        re.fullmatch(r"https://example\.org/papers/cs\.CV/2021-12-\d\d/#\d{4}\.\d{5}", link)
        for link in links
    ), links[:3]
    assert etree.parse(str(out / "feeds" / "cs.CV.rss")).getroot().find("channel/item") is not None


def test_a_month_fits_the_archive_budget(site: tuple[Path, SiteResult]) -> None:
    """Bytes per paper on a real month, times the archive's papers, stay under 800 MB.

    The feeds (the last week's papers) and the static files are the same size whatever the
    archive holds: they are counted once, not per paper.
    """
    out, result = site
    files = [f for f in out.rglob("*") if f.is_file()]
    fixed = sum(f.stat().st_size for f in files if f.parent.name in ("feeds", "static"))
    size = sum(f.stat().st_size for f in files) - fixed
    per_paper = size / result.papers
    assert fixed < 2_000_000 and per_paper * ARCHIVE_PAPERS + fixed < BUDGET, per_paper
    assert per_paper > 1000  # the abstracts are in it: the measure measures the site


def test_a_rebuild_renders_and_writes_nothing(month: Store, site: tuple[Path, SiteResult]) -> None:
    out, first = site
    times = {f: f.stat().st_mtime_ns for f in out.rglob("*") if f.is_file()}
    again = write_site(month, out, ["cs.CV"], base_url="https://example.org/papers/")
    assert again.pages == first.pages and again.rendered == 0 and again.written == 0
    assert {f: f.stat().st_mtime_ns for f in out.rglob("*") if f.is_file()} == times


def test_a_changed_paper_renders_its_day_only(data_2021: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "days.sqlite3")
    days = data_2021 / "cs.CV" / "2021" / "12"
    import_paths(store, [days / "20211201.md", days / "20211202.md", days / "20211203.md"])
    out = tmp_path / "site"
    write_site(store, out, ["cs.CV"])
    paper = next(store.papers(category="cs.CV", start=date(2021, 12, 2), end=date(2021, 12, 2)))
    store.upsert([replace(paper, title="A corrected title", version=paper.version + 1)], "test")
    again = write_site(store, out, ["cs.CV"])
    day = (out / "cs.CV" / "2021-12-02" / "index.html").read_text()
    assert "A corrected title" in day
    # that day, the listings naming the paper, search page and home: not the other two days
    assert again.rendered < 8, again
    manifest = json.loads((out / MANIFEST).read_text())
    assert "cs.CV/2021-12-01/index.html" in manifest


def test_from_and_to_limit_the_site(month: Store, tmp_path: Path) -> None:
    out = tmp_path / "public"
    args = ["--db", str(month.location), "site", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--from", "2021-12-10", "--to", "2021-12-12"])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (out / "cs.CV").iterdir() if p.name.startswith("2021-"))
    assert written == ["2021-12-10", "2021-12-11", "2021-12-12"]
    assert "with browser search" in result.output
    broken, _ = broken_links(out)
    assert not broken, broken[:10]
    rows = json.loads(gzip.decompress((out / "search" / "2021-12.json.gz").read_bytes()))
    assert {r[1] for r in rows} == {"2021-12-10", "2021-12-11", "2021-12-12"}


def test_a_reversed_range_is_an_error(month: Store, tmp_path: Path) -> None:
    out = tmp_path / "public"
    args = ["--db", str(month.location), "site", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--from", "2021-12-12", "--to", "2021-12-10"])
    assert result.exit_code != 0
    assert "--from 2021-12-12 is after --to 2021-12-10" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_site_command(month: Store, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = CliRunner().invoke(app, ["--db", str(month.location), "site", "--out", str(out)])
    assert result.exit_code == 0, result.output
    papers = sum(1 for _ in month.papers(category="cs.CV"))
    assert f"{papers} papers, with browser search in 1 monthly shard:" in result.output
    assert (out / "index.html").exists() and (out / ".nojekyll").exists()


# ---------------------------------------------------------------- in a real browser


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: tuple[Path, SiteResult]) -> Iterator[str]:
    """The month's site served as files by a real HTTP server, as GitHub Pages would."""
    handler = functools.partial(_Quiet, directory=str(site[0]))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def tab() -> Iterator[object]:
    with chromium() as browser:
        context = browser.new_context()
        context.set_default_timeout(10_000)
        yield context.new_page()


def only_in(papers: list[Paper], field: str) -> tuple[str, Paper]:
    """A word that occurs in one paper's `field` and nowhere in any paper's title, authors
    or abstract but there: found in the data, not taken from the site."""
    seen: Counter[str] = Counter()
    where: dict[str, Paper] = {}
    for p in papers:
        words = set(
            re.findall(r"[a-z]{9,}", f"{p.title} {' '.join(p.authors)} {p.abstract}".lower())
        )
        seen.update(words)
        for w in re.findall(r"[a-z]{9,}", str(getattr(p, field)).lower()):
            where.setdefault(w, p)
    word = next(w for w, n in sorted(seen.items()) if n == 1 and w in where)
    return word, where[word]


def search_for(tab: object, base: str, query: str) -> list[str]:
    from playwright.sync_api import Page

    assert isinstance(tab, Page)
    tab.goto(f"{base}/search/index.html")
    tab.locator("#static-search input").fill(query)
    tab.keyboard.press("Enter")
    tab.wait_for_function(
        "!['', 'Searching…'].includes(document.getElementById('status').textContent) &&"
        "!document.getElementById('status').textContent.startsWith('Searches')"
    )
    return [a.get_attribute("href") or "" for a in tab.locator("#results h3 a").all()]


@needs_chromium
def test_search_finds_a_title_word_an_author_and_an_abstract_word(
    month: Store, served: str, tab: object
) -> None:
    papers = list(month.papers(category="cs.CV"))
    for field in ("title", "abstract"):
        word, paper = only_in(papers, field)
        hits = search_for(tab, served, word)
        assert len(hits) == 1 and hits[0].endswith(f"#{paper.arxiv_id}"), (field, word, hits)
    author = papers[7].authors[0]
    expected = {p.arxiv_id for p in papers if author in p.authors}
    hits = search_for(tab, served, f'au:"{author}"')
    assert {h.rsplit("#", 1)[1] for h in hits} >= expected


@needs_chromium
def test_an_author_link_searches_and_a_result_opens_the_paper(
    month: Store, served: str, tab: object
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(tab, Page)
    tab.goto(f"{served}/cs.CV/2021-12-20/index.html")
    author = tab.locator("article.paper .authors a").first
    name = author.inner_text()
    author.click()
    tab.wait_for_url("**/search/index.html?au=*")
    first = tab.locator("#results article .authors").first
    expect(first).to_contain_text(name)
    tab.locator("#results h3 a").first.click()
    tab.wait_for_url("**/cs.CV/2021-12-*/index.html#*")
    expect(tab.locator("article.paper.current .authors")).to_contain_text(name)


@needs_chromium
@pytest.mark.parametrize(
    "query",
    ["2112.11111", "arXiv:2112.11111v2", "https://arxiv.org/abs/2112.11111v1",
     "https://arxiv.org/pdf/2112.11111"],
)  # fmt: skip
def test_an_arxiv_id_opens_its_paper(month: Store, served: str, tab: object, query: str) -> None:
    from playwright.sync_api import Page

    assert isinstance(tab, Page)
    paper = next(p for p in month.papers(category="cs.CV") if p.arxiv_id >= "2112.11111")
    query = query.replace("2112.11111", paper.arxiv_id)
    tab.goto(f"{served}/search/index.html")
    tab.locator("#static-search input").fill(query)
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"**/cs.CV/{paper.submitted_day.isoformat()}/index.html#{paper.arxiv_id}")


@needs_chromium
def test_from_the_disk_search_says_to_serve_the_folder(
    site: tuple[Path, SiteResult], tab: object
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(tab, Page)
    tab.goto((site[0] / "search" / "index.html").as_uri() + "?q=diffusion")
    expect(tab.locator("#status")).to_contain_text("python3 -m http.server")
    expect(tab.locator("#status")).to_contain_text("file://")
