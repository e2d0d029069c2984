"""rss.arxiv.org's feeds, /rss/<cats> and /atom/<cats>, in the 2024+ format.

Layout from ../shared/arxiv-protocol/rss/*.xml. The server holds "today's" announcement (a
day and a list of (Paper, announce_type)), set by the test; a feed lists the items whose
paper is in any of the requested categories ('+'-joined). pubDate is midnight US Eastern of
the announcement day; the Atom entries' `updated` is the build time, with microseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lxml import etree
from lxml.etree import _Element

from arxiv_server.data import LICENSE, split_categories
from paperboy.record import Paper

EASTERN = ZoneInfo("America/New_York")
ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

FeedEntry = tuple[Paper, str]


def midnight_eastern(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=EASTERN)


def rfc822(moment: datetime) -> str:
    """'Thu, 24 Sep 2026 00:00:00 -0400' in English whatever the locale."""
    return (
        f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} "
        f"{moment:%Y %H:%M:%S %z}"
    )


def _el(parent: _Element, tag: str, text: str | None = None, **attrs: str) -> _Element:
    element = etree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _description(paper: Paper, announce_type: str) -> str:
    return f"arXiv:{paper.versioned_id} Announce Type: {announce_type} \nAbstract: {paper.abstract}"


def selected(entries: Sequence[FeedEntry], categories: Sequence[str]) -> list[FeedEntry]:
    wanted = set(categories)
    return [(p, t) for p, t in entries if wanted.intersection(p.categories)]


def render_rss(
    categories: Sequence[str], day: date | None, entries: Sequence[FeedEntry], now: datetime
) -> bytes:
    names = ", ".join(categories)
    url = f"http://rss.arxiv.org/rss/{'+'.join(categories)}"
    nsmap = {"arxiv": ARXIV, "dc": DC, "atom": ATOM, "content": CONTENT}
    root = etree.Element("rss", nsmap=nsmap)
    root.set("version", "2.0")
    channel = _el(root, "channel")
    _el(channel, "title", f"{names} updates on arXiv.org")
    _el(channel, "link", url)
    _el(channel, "description", f"{names} updates on the arXiv.org e-print archive.")
    _el(channel, f"{{{ATOM}}}link", href=url, rel="self", type="application/rss+xml")
    _el(channel, "docs", "http://www.rssboard.org/rss-specification")
    _el(channel, "language", "en-us")
    _el(channel, "lastBuildDate", rfc822(now.astimezone(ZoneInfo("UTC"))))
    _el(channel, "managingEditor", "rss-help@arxiv.org")
    published = rfc822(midnight_eastern(day or now.astimezone(EASTERN).date()))
    _el(channel, "pubDate", published)
    skip = _el(channel, "skipDays")
    _el(skip, "day", "Sunday")
    _el(skip, "day", "Saturday")
    for paper, announce_type in entries:
        item = _el(channel, "item")
        _el(item, "title", paper.title)
        _el(item, "link", f"https://arxiv.org/abs/{paper.arxiv_id}")
        _el(item, "description", _description(paper, announce_type))
        _el(item, "guid", f"oai:arXiv.org:{paper.versioned_id}", isPermaLink="false")
        for term in split_categories(paper)[0]:
            _el(item, "category", term)
        _el(item, "pubDate", published)
        _tail(item, paper, announce_type)
    return _serialize(root)


def _tail(item: _Element, paper: Paper, announce_type: str) -> None:
    _el(item, f"{{{ARXIV}}}announce_type", announce_type)
    _el(item, f"{{{DC}}}rights", LICENSE)
    if paper.journal_ref is not None:
        _el(item, f"{{{ARXIV}}}journal_reference", paper.journal_ref)
    if paper.doi is not None:
        _el(item, f"{{{ARXIV}}}DOI", paper.doi)
    _el(item, f"{{{DC}}}creator", ", ".join(paper.authors))


def render_atom(
    categories: Sequence[str], day: date | None, entries: Sequence[FeedEntry], now: datetime
) -> bytes:
    url = f"http://rss.arxiv.org/atom/{'+'.join(categories)}"
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={"arxiv": ARXIV, "dc": DC, None: ATOM})  # type: ignore[dict-item]
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "en-us")
    _el(root, f"{{{ATOM}}}id", url)
    _el(root, f"{{{ATOM}}}title", f"{', '.join(categories)} updates on arXiv.org")
    built = now.astimezone(ZoneInfo("UTC"))
    _el(root, f"{{{ATOM}}}updated", built.isoformat(timespec="microseconds"))
    _el(root, f"{{{ATOM}}}link", href=url, rel="self", type="application/atom+xml")
    _el(
        root,
        f"{{{ATOM}}}subtitle",
        f"{', '.join(categories)} updates on the arXiv.org e-print archive.",
    )
    published = midnight_eastern(day or now.astimezone(EASTERN).date()).isoformat()
    for i, (paper, announce_type) in enumerate(entries):
        entry = _el(root, f"{{{ATOM}}}entry")
        _el(entry, f"{{{ATOM}}}id", f"oai:arXiv.org:{paper.versioned_id}")
        _el(entry, f"{{{ATOM}}}title", paper.title)
        stamp = built + timedelta(microseconds=180 + 7000 * i)
        _el(entry, f"{{{ATOM}}}updated", stamp.isoformat(timespec="microseconds"))
        href = f"https://arxiv.org/abs/{paper.arxiv_id}"
        _el(entry, f"{{{ATOM}}}link", href=href, rel="alternate", type="text/html")
        _el(entry, f"{{{ATOM}}}summary", _description(paper, announce_type))
        for term in split_categories(paper)[0]:
            _el(entry, f"{{{ATOM}}}category", term=term)
        _el(entry, f"{{{ATOM}}}published", published)
        _tail(entry, paper, announce_type)
    return _serialize(root)


def _serialize(root: _Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
