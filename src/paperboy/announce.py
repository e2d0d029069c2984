"""Announcement days: the arXiv listing that carried each version of a paper.

Every date here is a *listing date*, the date printed on arXiv's daily "new" page and in
format B ("the listing for Mon 3 Jan 2022"). arXiv closes a batch at 14:00 US Eastern on each
weekday and announces it at 20:00 that evening (Friday's batch on Sunday evening); the listing
carries the next weekday's date. A holiday is a weekday without a listing: its batch is
announced with the next one.

New-style ids (YYMM.NNNNN) are handed out batch by batch, so in id order the listing dates never
go down, and the id month is the month of the batch's cutoff. That lets the ids of the papers
we hold correct the schedule: papers held by moderation sit among later papers in id order, and
take their neighbours' listing date.

Everything here is pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from paperboy.holidays import KnownHolidays
from paperboy.record import Paper, Version, split_id

__all__ = [
    "ANNOUNCED",
    "CUTOFF",
    "EASTERN",
    "HOLIDAYS",
    "NO_HOLIDAYS",
    "ListingEntry",
    "Section",
    "announced_at",
    "announcement_days",
    "cutoff_day",
    "id_sort_key",
    "infer_days",
    "inferred_days",
    "is_announcement_day",
    "listing",
    "listing_day_of_cutoff",
    "next_announcement_day",
    "previous_announcement_day",
    "schedule_day",
    "with_announcements",
]

EASTERN = ZoneInfo("America/New_York")
CUTOFF = time(14, 0)  # Eastern; DST moves it between 18:00 and 19:00 UTC
ANNOUNCED = time(20, 0)  # Eastern, the evening before the listing date
_DAY = timedelta(days=1)
_NEW_ID = re.compile(r"^(?P<month>\d{4})\.(?P<number>\d{4,5})$")
_OLD_ID = re.compile(
    r"^(?P<archive>[a-z][a-z\-]*(?:\.[A-Z]{2})?)/(?P<yymm>\d{4})(?P<number>\d{3})$"
)

# Weekdays without a listing, by listing date (the date the listing would have carried), from
# the holiday table (data/holidays.txt and the user's own file; see paperboy.holidays).
HOLIDAYS: Set[date] = KnownHolidays()
NO_HOLIDAYS: frozenset[date] = frozenset()


# ---------------------------------------------------------------- the schedule


def is_announcement_day(day: date, holidays: Set[date] = HOLIDAYS) -> bool:
    """Whether arXiv publishes a listing dated `day` (weekdays that are not holidays)."""
    return day.weekday() < 5 and day not in holidays


def announced_at(day: date) -> datetime:
    """When the listing dated `day` went out: 20:00 Eastern the evening before."""
    return datetime.combine(day - _DAY, ANNOUNCED, EASTERN)


def next_announcement_day(day: date, holidays: Set[date] = HOLIDAYS) -> date:
    """The first listing date on or after `day`."""
    while not is_announcement_day(day, holidays):
        day += _DAY
    return day


def previous_announcement_day(day: date, holidays: Set[date] = HOLIDAYS) -> date:
    """The last listing date before `day`."""
    day -= _DAY
    while not is_announcement_day(day, holidays):
        day -= _DAY
    return day


def announcement_days(start: date, end: date, holidays: Set[date] = HOLIDAYS) -> list[date]:
    """Every listing date from `start` to `end` inclusive; weekends and holidays left out,
    so a day missing from a store's listings within this list is a real gap."""
    days = (start + i * _DAY for i in range((end - start).days + 1))
    return [d for d in days if is_announcement_day(d, holidays)]


def _next_weekday(day: date) -> date:
    day += _DAY
    while day.weekday() >= 5:
        day += _DAY
    return day


def cutoff_day(submitted: datetime) -> date:
    """The Eastern date of the 14:00 cutoff that closes the batch holding `submitted`.

    Before 14:00 on a weekday: that day; otherwise the next weekday (Friday 14:00 to Monday
    14:00 all goes to Monday's cutoff).
    """
    if submitted.tzinfo is None:
        raise ValueError(f"submission time without a time zone: {submitted!r}")
    local = submitted.astimezone(EASTERN)
    day = local.date()
    if day.weekday() >= 5 or local.time() >= CUTOFF:
        day = _next_weekday(day)
    return day


def listing_day_of_cutoff(cutoff: date, holidays: Set[date] = HOLIDAYS) -> date:
    """The listing that carries the batch closed at `cutoff`: the next weekday's, or the
    first listing after it when that weekday is a holiday."""
    return next_announcement_day(_next_weekday(cutoff), holidays)


def schedule_day(submitted: datetime, holidays: Set[date] = HOLIDAYS) -> date:
    """The listing date the schedule gives a submission made at `submitted` (aware datetime).

    Pass `holidays=NO_HOLIDAYS` for the regular weekly schedule alone.
    """
    return listing_day_of_cutoff(cutoff_day(submitted), holidays)


# ---------------------------------------------------------------- identifiers


def id_sort_key(arxiv_id: str) -> tuple[int, int, int, str]:
    """Sort key putting ids in the order arXiv assigned them: (year, month, number, archive).

    Old-style ids (archive/YYMMNNN) number each archive separately; they sort by month, then
    number, then archive, which is as close to assignment order as they allow.
    """
    bare, _ = split_id(arxiv_id)
    new = _NEW_ID.match(bare)
    if new is not None:
        yymm = new["month"]
        return 2000 + int(yymm[:2]), int(yymm[2:]), int(new["number"]), ""
    old = _OLD_ID.match(bare)
    if old is None:  # split_id accepted it, so this cannot happen; keep mypy and readers sure
        raise ValueError(f"not an arXiv identifier: {arxiv_id!r}")
    yy = int(old["yymm"][:2])
    return (
        (1900 if yy >= 91 else 2000) + yy,
        int(old["yymm"][2:]),
        int(old["number"]),
        old["archive"],
    )


# ---------------------------------------------------------------- inference from id blocks


def infer_days(
    first_versions: Iterable[tuple[str, datetime]],
    observed: Mapping[str, date] | None = None,
    holidays: Set[date] = HOLIDAYS,
) -> dict[str, date]:
    """The listing date of each paper's first version, from its id and submission time.

    `first_versions` gives (id, v1 submission time); `observed` (by bare id) gives dates a source
    stated, which are kept as they are and anchor their neighbours. New-style ids are read
    per id month, in id order:

    * the largest set of papers whose submission times rise with their ids (among those
      whose cutoff falls in the id month) were announced on schedule;
    * every other paper was held (or its timestamp is off) and is announced with the next
      on-schedule paper in id order: held papers open the batch after the one they missed,
      as seed 004 shows for 2112.14768 and 2112.14772. After a month's last on-schedule
      paper, it stays on that paper's day (a lower bound: later ids are not in the input);
    * no paper comes before its schedule, and one pushed later pushes the higher ids with it;
    * the id month has the last word: a day lies between the listings of its first and last
      weekday cutoff (the 2021 data's one v1 stamped after its batch closed, 2107.14803,
      thus lands a day before its schedule).

    Old-style ids only get the schedule: they are numbered per archive and we hold too few
    neighbours to read blocks from them. The more of arXiv the input holds, the sharper the
    blocks; ids of other categories are simply holes between known ones.
    """
    observed = observed or {}
    by_month: dict[str, list[tuple[int, str, datetime]]] = defaultdict(list)
    days: dict[str, date] = {}
    for arxiv_id, submitted in _first_seen(first_versions).items():
        new = _NEW_ID.match(arxiv_id)
        if new is None:
            days[arxiv_id] = observed.get(arxiv_id) or schedule_day(submitted, holidays)
        else:
            by_month[new["month"]].append((int(new["number"]), arxiv_id, submitted))
    for month, papers in by_month.items():
        papers.sort()
        days.update(_days_in_month(month, papers, observed, holidays))
    return days


def _first_seen(first_versions: Iterable[tuple[str, datetime]]) -> dict[str, datetime]:
    """Bare id -> earliest submission time given for it (inputs may repeat a paper)."""
    seen: dict[str, datetime] = {}
    for arxiv_id, submitted in first_versions:
        bare, _ = split_id(arxiv_id)
        if bare not in seen or submitted < seen[bare]:
            seen[bare] = submitted
    return seen


def _days_in_month(
    month: str,
    papers: Sequence[tuple[int, str, datetime]],
    observed: Mapping[str, date],
    holidays: Set[date],
) -> dict[str, date]:
    floor, ceiling = _month_bounds(month, holidays)
    cutoffs = [cutoff_day(sub) for _, _, sub in papers]
    scheduled = [listing_day_of_cutoff(c, holidays) for c in cutoffs]
    # Only papers whose cutoff falls in the id month can have been announced on schedule.
    in_month = [i for i, c in enumerate(cutoffs) if f"{c:%y%m}" == month]
    # Read from the end, so that of two equally long runs the one keeping the lower id wins:
    # a paper older than an id before it is the held one.
    stamps = [-papers[i][2].timestamp() for i in reversed(in_month)]
    on_time = {in_month[-1 - k] for k in _rising(stamps)}
    anchors = {i: scheduled[i] for i in on_time}
    anchors.update((i, observed[p[1]]) for i, p in enumerate(papers) if p[1] in observed)
    later = _next_anchor_days(len(papers), anchors, floor)
    days: dict[str, date] = {}
    earliest = floor
    for (_, arxiv_id, _), day, due in zip(papers, later, scheduled, strict=True):
        # Never before the schedule; pushing one paper later pushes every higher id with it.
        earliest = max(earliest, day, due)
        days[arxiv_id] = observed.get(arxiv_id) or min(earliest, ceiling)
    return days


def _next_anchor_days(count: int, anchors: Mapping[int, date], default: date) -> list[date]:
    """For each position, the day of the first anchor at or after it; past the last anchor,
    that anchor's day (or `default` when there is none)."""
    day = anchors[max(anchors)] if anchors else default
    out = [default] * count
    for i in reversed(range(count)):
        day = anchors.get(i, day)
        out[i] = day
    return out


def _month_bounds(month: str, holidays: Set[date]) -> tuple[date, date]:
    """Earliest and latest listing date for a batch whose ids carry `month` (YYMM)."""
    first = date(2000 + int(month[:2]), int(month[2:]), 1)
    after = (first + timedelta(days=32)).replace(day=1)
    first_cutoff = first if first.weekday() < 5 else _next_weekday(first)
    last_cutoff = after - _DAY
    while last_cutoff.weekday() >= 5:
        last_cutoff -= _DAY
    return (
        listing_day_of_cutoff(first_cutoff, holidays),
        listing_day_of_cutoff(last_cutoff, holidays),
    )


def _rising(values: Sequence[float]) -> list[int]:
    """Indices of one longest non-decreasing subsequence of `values` (patience sorting)."""
    tails: list[float] = []  # smallest last value of a rising run of each length
    tail_index: list[int] = []
    previous = [-1] * len(values)
    for i, value in enumerate(values):
        k = bisect_right(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[k] = value
            tail_index[k] = i
        previous[i] = tail_index[k - 1] if k else -1
    chain: list[int] = []
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        chain.append(i)
        i = previous[i]
    return chain[::-1]


# ---------------------------------------------------------------- versions and listings


def with_announcements(papers: Iterable[Paper], holidays: Set[date] = HOLIDAYS) -> list[Paper]:
    """The papers again, each version carrying its listing date (see `inferred_days`).

    Papers without version records get the two the collector format knows: v1 (published)
    and, when later, the latest version (updated).
    """
    papers = list(papers)
    versions = {p.arxiv_id: p.versions or _known_versions(p) for p in papers}
    days = {
        (arxiv_id, number): day
        for arxiv_id, number, day, _ in inferred_days(
            ((p.arxiv_id, p.published, versions[p.arxiv_id]) for p in papers), holidays
        )
    }
    return [
        p.with_changes(versions=[_with_day(p.arxiv_id, v, days) for v in versions[p.arxiv_id]])
        for p in papers
    ]


def inferred_days(
    papers: Iterable[tuple[str, datetime, Sequence[Version]]], holidays: Set[date] = HOLIDAYS
) -> Iterator[tuple[str, int, date | None, date | None]]:
    """(id, version number, listing date, the date it had) of every version no source
    observed, from (id, first version's time, versions) of papers read together.

    A date a source observed is kept (and not given here). Otherwise it is inferred: the
    first version's from its id block (`infer_days`, observed first versions as anchors), a
    replacement's from the schedule of its submission time, never before the first version's.
    A version with neither an observation nor a submission time stays undated (None). The
    first version's time is that of its version record when known, else the given one.
    """
    papers = list(papers)
    observed = {
        arxiv_id: v.announced
        for arxiv_id, _, versions in papers
        for v in versions
        if v.number == 1 and v.announced is not None and v.announced_observed
    }
    first = infer_days(
        ((arxiv_id, _first_submitted(published, vs)) for arxiv_id, published, vs in papers),
        observed,
        holidays,
    )
    for arxiv_id, _, versions in papers:
        for v in versions:
            if not (v.announced is not None and v.announced_observed):
                yield arxiv_id, v.number, _day(v, first[arxiv_id], holidays), v.announced


def _known_versions(paper: Paper) -> list[Version]:
    known = [Version(1, paper.published)]
    if paper.version > 1:
        known.append(Version(paper.version, paper.updated))
    return known


def _first_submitted(published: datetime, versions: Sequence[Version]) -> datetime:
    for v in versions:
        if v.number == 1 and v.submitted is not None:
            return v.submitted
    return published


def _day(version: Version, first_day: date, holidays: Set[date]) -> date | None:
    if version.number == 1:
        return first_day
    if version.submitted is not None:
        # A replacement made before the first announcement is announced with it.
        return max(schedule_day(version.submitted, holidays), first_day)
    return None


def _with_day(arxiv_id: str, v: Version, days: Mapping[tuple[str, int], date | None]) -> Version:
    key = (arxiv_id, v.number)
    if key not in days:
        return v  # observed
    return Version(v.number, v.submitted, days[key], announced_observed=False)


Section = Literal["new", "cross", "replace"]
_SECTIONS: tuple[Section, ...] = ("new", "cross", "replace")


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """One line of a daily listing: the paper, its section and the version announced."""

    paper: Paper
    section: Section
    version: int


def listing(papers: Iterable[Paper], day: date, category: str) -> list[ListingEntry]:
    """arXiv's listing of `category` dated `day`, from papers whose versions carry listing
    dates (see `with_announcements`).

    New submissions (primary category `category`) first, then cross-lists (`category` among
    the others), then replacements of either; each section in descending id order. A paper
    counts as new or cross on its first version's day only; replacements are the later
    versions announced that day (the highest one when several were).
    """
    sections: dict[Section, list[ListingEntry]] = {s: [] for s in _SECTIONS}
    for paper in papers:
        if category not in paper.categories and paper.primary_category != category:
            continue
        entry = _entry(paper, day, category)
        if entry is not None:
            sections[entry.section].append(entry)
    return [
        entry
        for section in _SECTIONS
        for entry in sorted(
            sections[section], key=lambda e: id_sort_key(e.paper.arxiv_id), reverse=True
        )
    ]


def _entry(paper: Paper, day: date, category: str) -> ListingEntry | None:
    that_day = [v.number for v in paper.versions if v.announced == day]
    if not that_day:
        return None
    if 1 in that_day:
        section: Section = "new" if paper.primary_category == category else "cross"
        return ListingEntry(paper, section, max(that_day))
    return ListingEntry(paper, "replace", max(that_day))
