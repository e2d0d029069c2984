"""Announcement listings from the store: date every stored version, then read any day's listing.

`announce` holds the pure rules (schedule, holidays, id blocks). This module applies them to
what the store holds and reads listings back: a listing a source showed us (a format B file,
an RSS feed) is the truth for its day; any other day is rebuilt from the dated versions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from paperboy import announce, holidays
from paperboy.formats import listing as format_b
from paperboy.record import Paper
from paperboy.store import ListingEntry, SQLiteStore


@dataclass(frozen=True, slots=True)
class Line:
    """One entry of a day's listing, with the text to show for it."""

    arxiv_id: str
    section: str  # new | cross | replace
    title: str
    abstract: str
    paper: Paper | None  # None when only the listing source knows the paper
    observed: bool  # True when a source showed this listing, False when rebuilt


def refresh_announcements(store: SQLiteStore, months: Iterable[str] | None = None) -> int:
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


def day_listing(store: SQLiteStore, category: str, day: date) -> list[Line]:
    """The listing of `category` for `day`: as a source showed it, else rebuilt.

    Months left undated by an interrupted run are dated first, so no listing reads stale days.
    """
    refresh_announcements(store)
    shown = store.listing(category, day)
    if shown:
        papers = {p.arxiv_id: p for p in store.papers(ids=[e.arxiv_id for e in shown])}
        return [_shown_line(e, papers.get(e.arxiv_id)) for e in shown]
    entries = announce.listing(store.announced_on(category, day), day, category)
    return [
        Line(e.paper.arxiv_id, e.section, e.paper.title, e.paper.abstract, e.paper, False)
        for e in entries
    ]


def provisional_reason(lines: Sequence[Line], day: date) -> str | None:
    """Why a rebuilt listing may be wrong, or None when a source showed it or nothing is in
    doubt: without arXiv's holiday list for the year, a skipped announcement goes unseen."""
    if not lines or lines[0].observed or holidays.year_is_known(day.year):
        return None
    return (
        f"provisional: arXiv's holidays of {day.year} are not in the holiday table, so this "
        "listing is rebuilt from the schedule and the id blocks alone"
    )


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
