"""What each page shows: view models built from the store, for the web app and the static
site alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from markupsafe import Markup

from paperboy import announce
from paperboy.listings import SECTIONS, DayListing, Line, listing_of
from paperboy.record import Paper, Version
from paperboy.store import Store
from paperboy.web.charts import month_plot, year_heatmap
from paperboy.web.rendering import Link, paper_links
from paperboy.web.urls import Urls

if TYPE_CHECKING:
    from paperboy.similar import SimilarHit
    from paperboy.vectors.neighbours import VectorIndex

SIMILAR = 10  # papers in a paper page's "Similar papers"
NO_INDEX = "No vector index yet: run `paperboy index` to see papers similar to this one."
NO_VECTOR = "This paper has no vector yet: run `paperboy index` to place it among the others."


@dataclass(frozen=True, slots=True)
class ListingItem:
    number: int
    line: Line  # its paper (None when only the listing source knows it) gives authors


@dataclass(frozen=True, slots=True)
class DayPage:
    category: str
    day: date
    view: str  # submitted | listing
    papers: list[Paper]
    listing: list[ListingItem]
    previous: date | None
    next: date | None
    has_year: bool  # the category has papers in this day's year: its calendar exists
    announcement: DayListing | None = None  # the listing view's doubts and counts

    def section(self, name: str) -> list[ListingItem]:
        return [i for i in self.listing if i.line.section == name]

    @property
    def sections(self) -> list[tuple[str, str, list[ListingItem]]]:
        """(section, heading, items) of the listing, in arXiv's order, empty ones left out."""
        parts = [(name, title, self.section(name)) for name, title in SECTIONS.items()]
        return [part for part in parts if part[2]]


def day_page(store: Store, category: str, day: date, view: str) -> DayPage:
    before, after = store.adjacent_days(category, day)
    if view == "listing":
        announcement = listing_of(store, category, day)
        items = [ListingItem(n, line) for n, line in enumerate(announcement.lines, 1)]
        previous, following = _adjacent_listing_days(store, category, day)
        has_year = _year_held(day, before, after, False)
        return DayPage(category, day, view, [], items, previous, following, has_year, announcement)
    held = list(store.papers(category=category, start=day, end=day))
    has_year = _year_held(day, before, after, bool(held))
    return DayPage(category, day, "submitted", held, [], before, after, has_year)


def _year_held(day: date, before: date | None, after: date | None, today: bool) -> bool:
    """Whether the category has papers in `day`'s year (so that its calendar exists)."""
    return today or any(d is not None and d.year == day.year for d in (before, after))


def _adjacent_listing_days(
    store: Store, category: str, day: date
) -> tuple[date | None, date | None]:
    """Listing days by arXiv's schedule, within the span of the archive (plus the week after
    its last submission, when those papers are announced)."""
    span = store.day_span(category)
    if span is None:
        return None, None
    first, last = span[0], span[1] + timedelta(days=7)
    before = announce.previous_announcement_day(day)
    after = announce.next_announcement_day(day + timedelta(days=1))
    return (before if before >= first else None, after if after <= last else None)


@dataclass(frozen=True, slots=True)
class SimilarSection:
    hits: list[SimilarHit]
    missing: str | None = None  # why there are none to show


def similar_section(
    store: Store, index: VectorIndex | None, paper: Paper, limit: int = SIMILAR
) -> SimilarSection:
    """A paper's nearest papers in the vector space, or why there are none."""
    if index is None:
        return SimilarSection([], NO_INDEX)
    from paperboy.similar import similar

    hits = similar(store, index, paper, limit)
    return SimilarSection(hits, None if hits else NO_VECTOR)


@dataclass(frozen=True, slots=True)
class PaperPage:
    paper: Paper
    versions: list[Version]
    links: list[Link]
    day_category: str  # whose day pages list it: the primary one, or one a static site holds
    listing_days: tuple[date, date] | None  # listing pages that exist (None: every day)
    similar: SimilarSection | None = None

    def has_listing(self, day: date) -> bool:
        span = self.listing_days
        return span is None or span[0] <= day <= span[1]


def paper_page(
    store: Store,
    arxiv_id: str,
    day_category: str | None = None,
    listing_days: tuple[date, date] | None = None,
    index: VectorIndex | None = None,
) -> PaperPage | None:
    """The paper's page, with its similar papers from `index` (None: none yet)."""
    paper = store.get(arxiv_id)
    if paper is None:
        return None
    return PaperPage(
        paper,
        store.versions(arxiv_id),
        paper_links(paper),
        day_category or paper.primary_category,
        listing_days,
        similar_section(store, index, paper),
    )


@dataclass(frozen=True, slots=True)
class YearPage:
    category: str
    year: int
    total: int
    busiest: tuple[date, int] | None
    years: list[int]
    heatmap: Markup


def year_page(
    category: str, year: int, counts: Mapping[date, int], years: Sequence[int], urls: Urls
) -> YearPage:
    busiest = max(counts.items(), key=lambda kv: kv[1]) if counts else None
    svg = year_heatmap(year, counts, lambda d: urls.day(category, d))
    return YearPage(category, year, sum(counts.values()), busiest, list(years), svg)


@dataclass(frozen=True, slots=True)
class CategoryPage:
    category: str
    total: int
    first: date | None
    last: date | None
    years: list[tuple[int, int]]  # (year, papers)
    plot: Markup


def category_page(
    category: str, months: Mapping[tuple[int, int], int], span: tuple[date, date] | None, urls: Urls
) -> CategoryPage:
    per_year: dict[int, int] = {}
    for (y, _), n in months.items():
        per_year[y] = per_year.get(y, 0) + n
    plot = month_plot(months, lambda y: urls.year(category, y))
    first, last = span if span else (None, None)
    return CategoryPage(category, sum(months.values()), first, last, sorted(per_year.items()), plot)
