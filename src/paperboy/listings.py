"""Announcement listings from the store: date every stored version, then read any day's listing.

`announce` holds the pure rules (schedule, holidays, id blocks). This module applies them to
what the store holds and reads listings back: a listing a source showed us (a format B file,
an RSS feed) is the truth for its day; any other day is rebuilt from the dated versions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from paperboy import announce, holidays
from paperboy.formats import listing as format_b
from paperboy.record import Paper
from paperboy.store import ListingEntry, Store
from paperboy.windows import completed, uncovered


@dataclass(frozen=True, slots=True)
class Line:
    """One entry of a day's listing, with the text to show for it."""

    arxiv_id: str
    section: str  # new | cross | replace
    title: str
    abstract: str
    paper: Paper | None  # None when only the listing source knows the paper
    observed: bool  # True when a source showed this listing, False when rebuilt


def refresh_announcements(store: Store, months: Iterable[str] | None = None) -> int:
    """Date every version of the papers in these id months (the pending ones when None);
    returns papers.

    Each id month is read whole, since the id blocks of a month correct each other. Its days
    are written, and its pending mark cleared, in one transaction: a run killed at any point
    leaves the month pending, and the next run (any import, harvest or listing read) dates it.
    """
    chosen = sorted(set(months)) if months is not None else store.pending_months()
    dated = 0
    for month in chosen:
        # Old-style ids start with a letter and sort after every new-style id.
        first, last = ("a", "{") if month == "old" else (f"{month}.", f"{month}.~")
        # Read, dated and cleared under one write lock: a writer that marks the month again
        # meanwhile waits, so its versions are in what is read here or stay marked.
        with store.transaction():
            papers = store.dating_input(first, last)
            # Only the days that change are written: re-dating a month rewrites little.
            rows = [
                (arxiv_id, number, day, False)
                for arxiv_id, number, day, before in announce.inferred_days(papers)
                if day is not None and day != before
            ]
            store.date_month(month, rows)
        dated += len(papers)
    return dated


def day_listing(store: Store, category: str, day: date) -> list[Line]:
    """The listing of `category` for `day`: as a source showed it, else rebuilt; a shown
    listing without replacements gets those of the dated versions.

    Months left undated by an interrupted run are dated first, so no listing reads stale days.
    """
    refresh_announcements(store)
    shown = store.listing(category, day)
    if not shown:
        return _rebuilt(store, category, day)
    papers = {p.arxiv_id: p for p in store.papers(ids=[e.arxiv_id for e in shown])}
    lines = [_shown_line(e, papers.get(e.arxiv_id)) for e in shown]
    if any(line.section == "replace" for line in lines):
        return lines
    # A listing in format B shows no replacements: the dated versions give them.
    listed = {line.arxiv_id for line in lines}
    rebuilt = _rebuilt(store, category, day)
    return lines + [r for r in rebuilt if r.section == "replace" and r.arxiv_id not in listed]


def _rebuilt(store: Store, category: str, day: date) -> list[Line]:
    entries = announce.listing(store.announced_on(category, day), day, category)
    return [
        Line(e.paper.arxiv_id, e.section, e.paper.title, e.paper.abstract, e.paper, False)
        for e in entries
    ]


# Papers held in the weeks around a listing from which a weekday without submissions is a
# gap in the store, not a quiet day: cs.CV has had hundreds a week for years, at first a few.
BUSY_WEEKS = 30
SECTIONS = {"new": "New submissions", "cross": "Cross-lists", "replace": "Replacements"}


@dataclass(frozen=True, slots=True)
class DayListing:
    """A day's listing as a reader sees it: its lines, and whether it can be trusted."""

    category: str
    day: date
    lines: list[Line]
    provisional: str | None  # why the store cannot fully know this listing, or None
    closed: str | None  # why arXiv announced nothing this day (weekend, holiday), or None

    def section(self, name: str) -> list[Line]:
        return [line for line in self.lines if line.section == name]

    @property
    def observed(self) -> bool:
        return bool(self.lines) and self.lines[0].observed

    def counts(self) -> dict[str, int]:
        """Lines per section, in arXiv's order."""
        return {name: len(self.section(name)) for name in SECTIONS}


def listing_of(store: Store, category: str, day: date) -> DayListing:
    """The listing of `day` with its doubts: see `provisional_reason` and `closed_reason`."""
    lines = day_listing(store, category, day)
    closed = None if lines else closed_reason(day)
    doubt = None if closed else provisional_reason(store, category, day, lines)
    if not lines and not closed and doubt is None:
        doubt = f"provisional: the store holds no {category} paper this listing announces"
    return DayListing(category, day, lines, doubt, closed)


def closed_reason(day: date) -> str | None:
    """Why no listing carries this date, when arXiv's schedule says so."""
    if day.weekday() >= 5:
        return f"{day:%A}: arXiv makes no announcement on weekends"
    if not announce.is_announcement_day(day):
        return "arXiv holiday: no announcement"
    return None


def window(day: date) -> tuple[datetime, datetime]:
    """The submission times a listing dated `day` announces: after the cutoff that closed
    the previous listing's last batch, up to the cutoff of the weekday before `day`."""
    return _cutoff_before(announce.previous_announcement_day(day)), _cutoff_before(day)


def _cutoff_before(day: date) -> datetime:
    """The 14:00 Eastern cutoff of the weekday before `day`."""
    cutoff = day - timedelta(days=1)
    while cutoff.weekday() >= 5:
        cutoff -= timedelta(days=1)
    return datetime.combine(cutoff, announce.CUTOFF, announce.EASTERN)


def provisional_reason(store: Store, category: str, day: date, lines: Sequence[Line]) -> str | None:
    """Why a rebuilt listing may be wrong or incomplete, or None when a source showed it or
    the store holds every submission it announces.

    The store holds a listing's submissions when it holds the category's papers from before
    the listing's window to after it (or a harvest window that covers it): a listing past
    the last submission held, or before the first, is missing papers. Without arXiv's holiday
    list for the year, a skipped announcement goes unseen.
    """
    if lines and lines[0].observed:
        return None
    missing = missing_reason(store, category, day)
    if missing:
        return missing
    if not holidays.year_is_known(day.year):
        return (
            f"provisional: arXiv's holidays of {day.year} are not in the holiday table, so this "
            "listing is rebuilt from the schedule and the id blocks alone"
        )
    return None


def missing_reason(store: Store, category: str, day: date) -> str | None:
    """Why the store may lack submissions a listing of `day` announces, or None.

    It holds them when a completed harvest covers the listing's window, or when it holds
    the category's papers from the week before the window to a submission after it, with no
    weekday of the window empty in a busy week (a day file never imported).
    """
    start, end = window(day)
    if _harvested(store, category, start, end):
        return None
    first, last = start.astimezone(UTC).date(), end.astimezone(UTC).date()
    week = timedelta(days=7)
    held = store.day_counts(category, first - week, last + week)
    if not any(d <= first for d in held):
        return (
            f"provisional: the store holds no {category} submissions of the week before "
            f"{start:%a %-d %b %Y}, so this listing may miss ones it announces"
        )
    after = store.submission_times(category, last, last + week)
    if after is None or after[1] <= end:
        return (
            f"provisional: the store holds no {category} submission made after "
            f"{end:%a %-d %b %Y} 14:00 US Eastern, when the last batch of this listing closed, "
            "so it may miss papers it announces"
        )
    if sum(held.values()) >= BUSY_WEEKS:
        for gap in _weekdays(first, last):
            if gap not in held:
                return (
                    f"provisional: the store holds no {category} submissions of "
                    f"{gap:%a %-d %b %Y}, a day whose papers this listing announces"
                )
    return None


def _weekdays(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def _harvested(store: Store, category: str, start: datetime, end: datetime) -> bool:
    """Whether completed query-API windows of the category cover start..end."""
    return not uncovered(start, end, completed(store, "api", category))


def latest_complete(store: Store, category: str, today: date) -> date | None:
    """The latest listing up to `today` that a source showed or whose submissions the store
    fully holds (a year missing from the holiday table still counts: its doubt is shown)."""
    refresh_announcements(store)
    candidates = [d for d in store.listing_days(category) if d <= today]
    bounds = store.submission_bounds(category)
    if bounds is not None:
        day = min(today, bounds[1].date() + timedelta(days=7))
        while day > bounds[0].date() and not (candidates and day <= candidates[-1]):
            if announce.is_announcement_day(day) and window(day)[1] < bounds[1]:
                lines = day_listing(store, category, day)
                if lines and missing_reason(store, category, day) is None:
                    candidates.append(day)
                    break
            day -= timedelta(days=1)
    return max(candidates) if candidates else None


def _shown_line(entry: ListingEntry, paper: Paper | None) -> Line:
    title = entry.title if entry.title is not None else (paper.title if paper else "")
    abstract = entry.abstract if entry.abstract is not None else (paper.abstract if paper else "")
    return Line(entry.arxiv_id, entry.section, title, abstract, paper, True)


def format_b_entries(lines: Iterable[Line]) -> list[format_b.Entry]:
    """The new submissions and cross-lists of a listing, as format B writes them."""
    return [
        format_b.Entry(line.arxiv_id, line.title, line.abstract, line.section)
        for line in lines
        if line.section in ("new", "cross")
    ]
