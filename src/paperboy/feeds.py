"""RSS and Atom feeds (feedgen): the latest papers of a category, or of a saved search.

A saved search is its URL: a feed reader that keeps /feeds/search.atom?q=… gets the newest
papers matching that query whenever it polls. Feed text is plain text; feedgen escapes it.
Feed readers show text as it is, so the LaTeX of titles and abstracts is turned into Unicode.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from feedgen.feed import FeedGenerator

from paperboy.latex import to_unicode
from paperboy.record import Paper
from paperboy.search import search
from paperboy.store import SQLiteStore
from paperboy.textfix import xml_safe

Kind = Literal["atom", "rss"]
MAX_ENTRIES = 200
CATEGORY_DAYS = 7


def latest_papers(store: SQLiteStore, category: str, days: int = CATEGORY_DAYS) -> list[Paper]:
    """The papers of the last `days` submission days the store holds, newest first."""
    span = store.day_span(category)
    if span is None:
        return []
    last = span[1]
    papers = list(store.papers(category=category, start=last - timedelta(days=days - 1), end=last))
    return list(reversed(papers))[:MAX_ENTRIES]


def category_feed(
    store: SQLiteStore,
    category: str,
    kind: Kind,
    self_url: str,
    page_url: Callable[[Paper], str] | None = None,
    site_url: str = "",
) -> bytes:
    title = f"paperboy: {category}"
    subtitle = f"New {category} papers, by submission day"
    return render(
        latest_papers(store, category), kind, title, subtitle, self_url, page_url, site_url
    )


def search_feed(
    store: SQLiteStore,
    query: str,
    kind: Kind,
    self_url: str,
    category: str | None = None,
    page_url: Callable[[Paper], str] | None = None,
    site_url: str = "",
) -> bytes:
    result = search(store, query, category=category, limit=100, order="newest")
    papers = [hit.paper for hit in result.hits]
    scope = f" in {category}" if category else ""
    title = f"paperboy: {query}{scope}"
    subtitle = f"Papers matching {query!r}{scope}, most recently added first"
    return render(papers, kind, title, subtitle, self_url, page_url, site_url)


def listing_feed(
    store: SQLiteStore,
    category: str,
    kind: Kind,
    self_url: str,
    page_url: Callable[[Paper], str] | None = None,
    site_url: str = "",
    today: date | None = None,
) -> bytes:
    """Tonight's announcement: the latest listing the store fully holds, new submissions,
    cross-lists and replacements; its doubt, when it has one, heads the feed."""
    from paperboy import listings

    latest = listings.latest_complete(store, category, today or date.today())
    if latest is None:
        return render([], kind, f"paperboy: {category} listing", "No listing yet", self_url)
    shown = listings.listing_of(store, category, latest)
    papers = [line.paper for line in shown.lines if line.paper is not None]
    counts = ", ".join(f"{n} {listings.SECTIONS[s].lower()}" for s, n in shown.counts().items())
    subtitle = f"arXiv's {category} listing of {latest:%a %-d %b %Y}: {counts}"
    if shown.provisional:
        subtitle += f" ({shown.provisional})"
    title = f"paperboy: {category} listing of {latest:%a %-d %b %Y}"
    return render(papers, kind, title, subtitle, self_url, page_url, site_url)


def render(
    papers: Sequence[Paper],
    kind: Kind,
    title: str,
    subtitle: str,
    self_url: str,
    page_url: Callable[[Paper], str] | None = None,
    site_url: str = "",
) -> bytes:
    """A feed of `papers`; entries link to `page_url(paper)` or else arXiv's abstract page."""
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(_xml_text(title) or "paperboy")
    fg.subtitle(_xml_text(subtitle))
    fg.description(_xml_text(subtitle))
    fg.link(href=self_url, rel="self")
    fg.link(href=site_url or self_url, rel="alternate")
    fg.language("en")
    fg.generator("paperboy")
    fg.updated(max((p.updated for p in papers), default=datetime(1970, 1, 1, tzinfo=UTC)))
    for paper in reversed(papers):  # feedgen puts the last added first
        _entry(fg, paper, page_url)
    body: bytes = fg.atom_str(pretty=True) if kind == "atom" else fg.rss_str(pretty=True)
    return body


def _entry(fg: FeedGenerator, paper: Paper, page_url: Callable[[Paper], str] | None) -> None:
    abs_url = f"https://arxiv.org/abs/{paper.arxiv_id}"
    entry = fg.add_entry()
    entry.id(abs_url)
    entry.guid(abs_url, permalink=True)
    entry.title(_one_line(to_unicode(paper.title)))
    entry.link(href=page_url(paper) if page_url else abs_url)
    entry.published(paper.published)
    entry.updated(paper.updated)
    for name in paper.authors:
        entry.author(name=_xml_text(name))
    for category in paper.categories:
        entry.category(term=category)
    entry.summary(_xml_text(to_unicode(paper.abstract)))


def _one_line(text: str) -> str:
    return _xml_text(" ".join(text.split()))


def _xml_text(text: str) -> str:
    # Stored text is already clean (import repairs it); a feed's title may be a reader's query.
    return xml_safe(text)
