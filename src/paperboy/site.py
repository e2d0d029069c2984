"""The static site: the web reader's day, calendar and paper pages written as plain files.

Every link is relative and names index.html, so the site works under any prefix (a GitHub
Pages project site) and from the disk. Search runs in the browser over a prebuilt index of
titles, authors and categories (abstracts would make it too large); past `search_limit`
papers the index is left out and the search page says so. Files whose content is unchanged
are not rewritten, so a daily rebuild uploads only what changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from jinja2 import Environment

from paperboy import config, feeds
from paperboy.export import write_if_changed
from paperboy.record import Paper
from paperboy.store import SQLiteStore
from paperboy.web import rendering, views
from paperboy.web.urls import Urls, page_path

SEARCH_LIMIT = 250_000
# After the last submission day, the listings that announce those papers.
LISTING_TAIL = timedelta(days=7)


@dataclass(slots=True)
class SiteResult:
    out: Path
    pages: int = 0
    written: int = 0  # pages whose content changed
    papers: int = 0
    search_index: bool = False
    categories: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Writer:
    out: Path
    env: Environment
    categories: Sequence[str]
    result: SiteResult

    def page(self, path: str, template: str, *, category: str, title: str, **ctx: object) -> None:
        """Render `template` to <out>/<path>index.html (or <out>/<path> for a file name)."""
        urls = Urls(path, static=True)
        html = rendering.render(
            self.env, template, urls, category=category, title=title, static_site=True, **ctx
        )
        self.file(path + "index.html" if path == "" or path.endswith("/") else path, html)
        self.result.pages += 1

    def file(self, relative: str, text: str | bytes) -> None:
        if write_if_changed(self.out / relative, text):
            self.result.written += 1


def write_site(
    store: SQLiteStore,
    out: Path,
    categories: Sequence[str] | None = None,
    *,
    base_url: str = "",
    search_limit: int = SEARCH_LIMIT,
) -> SiteResult:
    """Write the site for `categories` (default: the ones `paperboy update` keeps)."""
    wanted = list(categories or config.categories())
    held = [c for c in wanted if store.day_span(c) is not None]
    result = SiteResult(out, categories=held)
    writer = _Writer(out, rendering.environment(), held, result)
    _copy_static(out)
    for category in held:
        _write_category(store, writer, category, base_url)
    papers = _write_papers(store, writer)
    result.papers = len(papers)
    result.search_index = len(papers) <= search_limit
    _write_search(writer, papers if result.search_index else [], base_url)
    _write_home(store, writer)
    return result


def _copy_static(out: Path) -> None:
    for f in rendering.STATIC.iterdir():
        if f.is_file():
            write_if_changed(out / "static" / f.name, f.read_bytes())
    write_if_changed(out / ".nojekyll", b"")  # serve paths as they are on GitHub Pages


def _write_category(store: SQLiteStore, w: _Writer, category: str, base_url: str) -> None:
    months = store.month_counts(category)
    span = store.day_span(category)
    assert span is not None
    path = page_path("category", category)
    page = views.category_page(category, months, span, Urls(path, static=True))
    others = [(c, n) for c, n in store.categories() if c in w.categories and c != category]
    w.page(path, "category.html", category=category, title=category, page=page, others=others)
    years = sorted({y for y, _ in months})
    for year in years:
        counts = store.day_counts(category, date(year, 1, 1), date(year, 12, 31))
        path = page_path("year", category, year=year)
        ypage = views.year_page(category, year, counts, years, Urls(path, static=True))
        w.page(path, "year.html", category=category, title=f"{category} in {year}", page=ypage)
    for day in _days(span[0], span[1] + LISTING_TAIL):
        for view in ("submitted", "listing"):
            dpage = views.day_page(store, category, day, view)
            kind = "listing" if view == "listing" else "day"
            title = f"{category} · {day:%a} {day.day} {day:%b %Y}"
            path = page_path(kind, category, day)
            w.page(path, "day.html", category=category, title=title, page=dpage)
    _write_feeds(store, w, category, base_url)


def _write_feeds(store: SQLiteStore, w: _Writer, category: str, base_url: str) -> None:
    root = base_url.rstrip("/") + "/" if base_url else ""
    for kind in ("atom", "rss"):
        self_url = f"{root}feeds/{category}.{kind}"
        body = feeds.category_feed(
            store,
            category,
            kind,
            self_url,
            page_url=(lambda p: f"{root}abs/{p.arxiv_id}/") if root else None,
            site_url=root or f"https://arxiv.org/list/{category}/new",
        )
        w.file(f"feeds/{category}.{kind}", body)


def _write_papers(store: SQLiteStore, w: _Writer) -> list[tuple[Paper, str]]:
    """A page per paper of the site's categories; returns (paper, category of its day page)."""
    seen: dict[str, tuple[Paper, str]] = {}
    for category in w.categories:
        for paper in store.papers(category=category):
            if paper.arxiv_id not in seen:
                home = (
                    paper.primary_category if paper.primary_category in w.categories else category
                )
                seen[paper.arxiv_id] = (paper, home)
    spans = {c: store.day_span(c) for c in w.categories}
    for paper, home in seen.values():
        span = spans[home]
        listing_days = None if span is None else (span[0], span[1] + LISTING_TAIL)
        page = views.paper_page(store, paper.arxiv_id, home, listing_days)
        assert page is not None
        path = page_path("paper", arxiv_id=paper.arxiv_id)
        w.page(path, "paper.html", category=home, title=paper.title, page=page)
    return list(seen.values())


def _write_search(w: _Writer, papers: Sequence[tuple[Paper, str]], base_url: str) -> None:
    """search/index.html, and the index it loads: [id, title, authors, day, categories]."""
    rows = [
        [p.arxiv_id, " ".join(p.title.split()), ", ".join(p.authors), p.submitted_day.isoformat(),
         " ".join(p.categories)]
        for p, _ in sorted(papers, key=lambda item: item[0].published, reverse=True)
    ]  # fmt: skip
    if papers:
        w.file("search/index.json", json.dumps(rows, ensure_ascii=False, separators=(",", ":")))
    category = w.categories[0] if w.categories else config.DEFAULT_CATEGORY
    w.page(
        "search/",
        "static_search.html",
        category=category,
        title="Search",
        indexed=len(rows),
        limit=SEARCH_LIMIT,
    )


def _write_home(store: SQLiteStore, w: _Writer) -> None:
    cards = []
    for category in w.categories:
        span = store.day_span(category)
        months = store.month_counts(category)
        cards.append((category, sum(months.values()), span))
    category = w.categories[0] if w.categories else config.DEFAULT_CATEGORY
    w.page("", "home.html", category=category, title="paperboy", cards=cards)
    w.page("404.html", "error.html", category=category, title="Not found", message="No such page.")


def _days(first: date, last: date) -> Iterator[date]:
    for k in range((last - first).days + 1):
        yield first + timedelta(days=k)
