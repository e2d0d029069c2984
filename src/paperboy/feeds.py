"""RSS and Atom feeds (feedgen): the latest papers of a category, of a saved search, of
tonight's listing, or of a profile's last days ranked for it.

A saved search is its URL: a feed reader that keeps /feeds/search.atom?q=… gets the newest
papers matching that query whenever it polls. A profile's feed is its e-mail digest as a feed:
the top papers of each of the last announcement days, best first, each with its reasons.

Feed text is plain text; feedgen escapes it. Feed readers show text as it is, so the LaTeX of
titles and abstracts is turned into Unicode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from paperboy import announce, config
from paperboy.latex import to_unicode
from paperboy.record import Paper
from paperboy.search import search
from paperboy.store import Store
from paperboy.textfix import xml_safe

if TYPE_CHECKING:
    from paperboy.ranking import RankedDay, RankedHit
    from paperboy.store.profiles import Profile
    from paperboy.vectors.neighbours import VectorIndex

Kind = Literal["atom", "rss"]
MAX_ENTRIES = 200
CATEGORY_DAYS = 7
PROFILE_DAYS = 5  # a working week of listings: a reader away for days misses none
LOOK_BACK = 21  # calendar days searched for them (holidays, a store harvested late)
NO_INDEX = "No vector index yet: run `paperboy index` to rank the days for this profile"


def latest_papers(store: Store, category: str, days: int = CATEGORY_DAYS) -> list[Paper]:
    """The papers of the last `days` submission days the store holds, newest first."""
    span = store.day_span(category)
    if span is None:
        return []
    last = span[1]
    papers = list(store.papers(category=category, start=last - timedelta(days=days - 1), end=last))
    return list(reversed(papers))[:MAX_ENTRIES]


def category_feed(
    store: Store,
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
    store: Store,
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
    store: Store,
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


def profile_feed(
    store: Store,
    profile: Profile,
    index: VectorIndex | None,
    kind: Kind,
    self_url: str,
    page_url: Callable[[Paper], str] | None = None,
    site_url: str = "",
    today: date | None = None,
) -> bytes:
    """The last PROFILE_DAYS listings of the profile's category, each ranked for it as its
    digest is: the top DIGEST_SIZE papers of a day, best first, their reasons leading the
    summary. An entry is a paper on a day, so a paper listed again (a replacement) is new."""
    category = profile.category
    title = f"paperboy: {category} for {profile.name}"
    if index is None:
        return render([], kind, title, NO_INDEX, self_url, site_url=site_url)
    days = _listing_days(store, category, today or date.today())
    ranked = [_ranked(store, profile, day, index, category) for day in days]
    shown = ", ".join(f"{d.day:%a %-d %b}" for d in ranked) or "no listing yet"
    subtitle = f"The top {config.DIGEST_SIZE} {category} papers of each day for {profile.name}: "
    fg = _generator(title, subtitle + shown, self_url, site_url)
    fg.updated(max((announce.announced_at(d.day) for d in ranked), default=_EPOCH))
    entries = [(d.day, n, hit) for d in ranked for n, hit in enumerate(d.hits, start=1)]
    for day, n, hit in reversed(entries):  # feedgen puts the last added first
        _ranked_entry(fg, hit, day, n, profile.name, self_url, page_url)
    return _body(fg, kind)


def _listing_days(store: Store, category: str, today: date) -> Iterator[date]:
    """The latest complete listing and the announcement days before it, newest first."""
    from paperboy import listings

    latest = listings.latest_complete(store, category, today)
    if latest is None:
        return
    day, found = latest, 0
    while found < PROFILE_DAYS and day > latest - timedelta(days=LOOK_BACK):
        if announce.is_announcement_day(day) and listings.day_listing(store, category, day):
            found += 1
            yield day
        day -= timedelta(days=1)


def _ranked(
    store: Store, profile: Profile, day: date, index: VectorIndex, category: str
) -> RankedDay:
    from paperboy.ranking import rank_day  # numpy and scipy: loaded on first use

    return rank_day(store, profile, day, index, category, config.DIGEST_SIZE)


def _ranked_entry(
    fg: FeedGenerator,
    hit: RankedHit,
    day: date,
    rank: int,
    profile: str,
    self_url: str,
    page_url: Callable[[Paper], str] | None,
) -> None:
    entry = _entry(fg, hit.paper, page_url)
    # One entry per paper and day; the feed's own URL keeps two profiles' entries apart.
    entry_id = f"{self_url}#{day.isoformat()}/{hit.paper.arxiv_id}"
    entry.id(entry_id)
    entry.guid(entry_id, permalink=False)
    when = announce.announced_at(day)
    entry.published(when)
    entry.updated(when)
    heading = f"{day:%a %-d %b %Y}, no. {rank} for {profile}"
    heading += "" if hit.section == "new" else f" ({hit.listed_as})"
    why = "".join(f"\n- {reason}" for reason in hit.reasons)
    entry.summary(_xml_text(f"{heading}{why}\n\n{to_unicode(hit.paper.abstract)}"))


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
    fg = _generator(title, subtitle, self_url, site_url)
    fg.updated(max((p.updated for p in papers), default=_EPOCH))
    for paper in reversed(papers):  # feedgen puts the last added first
        _entry(fg, paper, page_url)
    return _body(fg, kind)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _generator(title: str, subtitle: str, self_url: str, site_url: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(_xml_text(title) or "paperboy")
    fg.subtitle(_xml_text(subtitle))
    fg.description(_xml_text(subtitle))
    fg.link(href=self_url, rel="self")
    fg.link(href=site_url or self_url, rel="alternate")
    fg.language("en")
    fg.generator("paperboy")
    return fg


def _body(fg: FeedGenerator, kind: Kind) -> bytes:
    body: bytes = fg.atom_str(pretty=True) if kind == "atom" else fg.rss_str(pretty=True)
    return body


def _entry(fg: FeedGenerator, paper: Paper, page_url: Callable[[Paper], str] | None) -> FeedEntry:
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
    return entry


def _one_line(text: str) -> str:
    return _xml_text(" ".join(text.split()))


def _xml_text(text: str) -> str:
    # Stored text is already clean (import repairs it); a feed's title may be a reader's query.
    return xml_safe(text)
