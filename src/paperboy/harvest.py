"""Sources -> the store: date windows, harvest state, resumption, and the lock for `update`.

A window is stored whole, in one transaction together with the fact that it is complete, so
a run killed at any moment leaves either the whole window or none of it; the next run skips
what is complete and fetches the rest. Windows whose papers may still be announced (the
last few days) are fetched every time and never marked complete.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from paperboy.announce import id_sort_key
from paperboy.record import Paper
from paperboy.sources import PoliteClient, arxiv_api, oai_pmh, rss
from paperboy.sources.problems import RecordProblem
from paperboy.store import ListingEntry, Store, UpsertResult
from paperboy.windows import completed, uncovered
from paperboy.wording import plural

# Submissions are announced up to ~4 days later (Friday afternoon -> Monday evening, longer
# over holidays): a window ending within this margin of now may still grow.
SETTLE = timedelta(days=6)
# OAI-PMH sets are group:archive:category; the physics archives sit in group 'physics'.
_PHYSICS = {"astro-ph", "cond-mat", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th",
            "math-ph", "nlin", "nucl-ex", "nucl-th", "physics", "quant-ph"}  # fmt: skip


@dataclass(slots=True)
class HarvestResult:
    source: str
    category: str
    windows: int = 0  # windows fetched now
    skipped: int = 0  # windows already complete
    papers: UpsertResult = field(default_factory=UpsertResult)
    listing_entries: int = 0
    days: set[date] = field(default_factory=set)  # submission days whose papers changed
    problems: list[RecordProblem] = field(default_factory=list)  # records not stored
    deleted: list[str] = field(default_factory=list)  # ids arXiv lists as deleted

    def summary(self, client: PoliteClient | None = None) -> str:
        p = self.papers
        if self.source == "rss":
            text = (
                f"{self.category} via rss: {plural(self.listing_entries, 'announcement')} recorded"
            )
        else:
            text = (
                f"{self.category} via {self.source}: {plural(self.windows, 'window')} fetched, "
                f"{self.skipped} already complete; papers {len(p.new)} new, "
                f"{len(p.updated)} updated, {len(p.unchanged)} unchanged"
            )
        if self.deleted:
            text += f"; {len(self.deleted)} deleted at arXiv (kept, marked deleted)"
        if client is not None:
            text += f"; {plural(client.stats.requests, 'request')}"
        if self.problems:
            shown = "; ".join(str(p) for p in self.problems[:_SHOWN_PROBLEMS])
            more = len(self.problems) - _SHOWN_PROBLEMS
            text += (
                f"; {len(self.problems)} unreadable records, their windows left incomplete "
                f"(a later run asks again): {shown}" + (f"; and {more} more" if more > 0 else "")
            )
        return text


_SHOWN_PROBLEMS = 5


Progress = Callable[[int, int], None]  # (windows done, windows in all)


# ---------------------------------------------------------------- windows


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def month_windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at UTC month boundaries: small enough to resume, large enough to be
    one or a few requests each (a month of cs.CV is under 2000 papers… to ~10000 today)."""
    windows = []
    lo = start
    while lo < end:
        first_next = (lo.replace(day=1) + timedelta(days=32)).replace(
            day=1, hour=0, minute=0, second=0, microsecond=0
        )
        hi = min(first_next, end)
        windows.append((lo, hi))
        lo = hi
    return windows


# ---------------------------------------------------------------- query API


def harvest_api(
    store: Store,
    client: PoliteClient,
    category: str,
    start: date,
    end: date,
    *,
    force: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> HarvestResult:
    """Every paper of `category` first submitted on the UTC days start..end (inclusive)."""
    result = HarvestResult("api", category)
    lo, hi = day_start(start), day_start(end + timedelta(days=1))
    done = [] if force else completed(store, "api", category)
    todo = [w for gap in uncovered(lo, hi, done) for w in month_windows(*gap)]
    result.skipped = sum(1 for d_lo, d_hi in done if d_lo < hi and d_hi > lo)
    settled_before = (now or datetime.now(UTC)) - SETTLE
    for k, (w_lo, w_hi) in enumerate(todo):
        settled = w_hi <= settled_before
        problems: list[RecordProblem] = []
        # Only a window that can be recorded complete needs its count checked twice: the
        # others are fetched again by every run until they settle.
        fetched = arxiv_api.fetch_range(client, category, w_lo, w_hi, problems=problems,
                                        verify=settled)  # fmt: skip
        papers = list(fetched)
        with store.transaction():
            _store_papers(store, papers, f"api:{category}", result)
            if settled and not problems:
                window = (w_lo.isoformat(), w_hi.isoformat())
                store.complete_window("api", category, *window, len(papers))
        result.problems.extend(problems)
        result.windows += 1
        if progress is not None:
            progress(k + 1, len(todo))
    return result


def _store_papers(store: Store, papers: list[Paper], source: str, result: HarvestResult) -> None:
    upserted = store.upsert(papers, source)
    result.papers.add(upserted)
    changed = set(upserted.new) | set(upserted.updated)
    result.days.update(p.submitted_day for p in papers if p.arxiv_id in changed)


# ---------------------------------------------------------------- OAI-PMH


def set_spec(category: str) -> str:
    """cs.CV -> cs:cs:CV, physics.optics -> physics:physics:optics, hep-th -> physics:hep-th."""
    archive, _, sub = category.partition(".")
    group = "physics" if archive in _PHYSICS else archive
    return f"{group}:{archive}:{sub}" if sub else f"{group}:{archive}"


def harvest_oai(
    store: Store,
    client: PoliteClient,
    category: str,
    start: date,
    end: date,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> HarvestResult:
    """Records of `category` modified (OAI datestamp) on start..end: new papers and new versions.

    Each page is stored with the resumption token that follows it, in one transaction, so
    a killed run continues from the next page; an expired token restarts the window.
    """
    result = HarvestResult("oai", category)
    key = f"oai-token:{category}:{start}:{end}"
    window = (day_start(start).isoformat(), day_start(end + timedelta(days=1)).isoformat())
    if not force and window in {(s, e) for s, e, _ in store.completed_windows("oai", category)}:
        result.skipped = 1
        return result
    token = store.get_state(key)
    unread = f"{key}:unread"  # set when a page of this window held an unreadable record
    if token is None:
        with store.transaction():
            store.set_state(unread, None)  # a start from the first page reads every record
    try:
        _oai_pages(store, client, category, start, end, token, key, result, progress)
    except oai_pmh.BadResumptionToken:
        with store.transaction():  # expired: the window starts again (upserts are idempotent)
            store.set_state(key, None)
            store.set_state(unread, None)  # the restart reads every record again
        result.problems.clear()
        result.deleted.clear()
        _oai_pages(store, client, category, start, end, None, key, result, progress)
    with store.transaction():
        # A record that could not be read, in this run or in a killed one before it, keeps
        # the window open: the next run starts it again and asks for that record once more.
        if not result.problems and store.get_state(unread) is None:
            store.complete_window("oai", category, *window, result.papers.count())
        store.set_state(key, None)
        store.set_state(unread, None)
    result.windows = 1
    return result


def _oai_pages(
    store: Store,
    client: PoliteClient,
    category: str,
    start: date,
    end: date,
    token: str | None,
    key: str,
    result: HarvestResult,
    progress: Progress | None,
) -> None:
    pages = oai_pmh.list_pages(client, set_spec(category), start, end, token)
    for k, page in enumerate(pages):
        with store.transaction():
            # OAI sets hold the whole archive's group; keep the category's papers only.
            mine = [p for p in page.papers if category in p.categories]
            _store_papers(store, mine, f"oai:{category}", result)
            if page.deleted:
                store.mark_deleted(page.deleted, f"oai:{category}")
            if page.problems:
                store.set_state(f"{key}:unread", str(len(page.problems)))
            store.set_state(key, page.next_token)
        result.deleted.extend(page.deleted)
        result.problems.extend(replace(p, where=f"oai {category} {start}..{end}")
                               for p in page.problems)  # fmt: skip
        if progress is not None and page.complete_list_size:
            progress(min(k + 1, page.complete_list_size), page.complete_list_size)


# ---------------------------------------------------------------- RSS


def harvest_rss(store: Store, client: PoliteClient, category: str) -> HarvestResult:
    """Today's announcement: which papers were announced, as what, on which listing day.

    Feed items carry no submission times, so they are not full records: they become the
    observed listing of their day and the observed announcement date of their versions.
    """
    result = HarvestResult("rss", category)
    items = rss.fetch_feed(client, [category])
    by_day: dict[date, list[rss.FeedItem]] = {}
    for item in items:
        by_day.setdefault(item.announced, []).append(item)
    with store.transaction():
        for day, day_items in by_day.items():
            store.put_listing(category, day, _listing_order(day_items), source="rss")
            store.set_announced(
                (i.paper.arxiv_id, _announced_version(i), day, True) for i in day_items
            )
            result.listing_entries += len(day_items)
    result.windows = 1
    return result


_SECTION_ORDER = {"new": 0, "cross": 1, "replace": 2, "replace-cross": 3}


def _listing_order(items: list[rss.FeedItem]) -> list[ListingEntry]:
    """arXiv's listing order: new, cross-lists, replacements; each by descending id."""
    by_id = sorted(items, key=lambda i: id_sort_key(i.paper.arxiv_id), reverse=True)
    ordered = sorted(by_id, key=lambda i: _SECTION_ORDER.get(i.announce_type, 9))
    return [
        ListingEntry(
            i.paper.arxiv_id, i.announce_type, i.paper.title, i.paper.abstract, i.paper.version
        )
        for i in ordered
    ]


def _announced_version(item: rss.FeedItem) -> int:
    return 1 if item.announce_type in ("new", "cross") else item.paper.version


# ---------------------------------------------------------------- gaps


@dataclass(frozen=True, slots=True)
class Gap:
    day: date
    count: int
    expected: float
    reason: str


def find_gaps(counts: dict[date, int], days: list[date], ratio: float = 0.3) -> list[Gap]:
    """Announcement days whose count is zero, or far below the median of their neighbours."""
    gaps = []
    for k, day in enumerate(days):
        n = counts.get(day, 0)
        around = [counts.get(d, 0) for d in days[max(0, k - 5) : k + 6] if d != day]
        around = [c for c in around if c > 0]
        expected = sorted(around)[len(around) // 2] if around else 0.0
        if n == 0:
            gaps.append(Gap(day, n, expected, "nothing on an announcement day"))
        elif expected and n < ratio * expected:
            gaps.append(Gap(day, n, expected, f"far below its neighbours (~{expected:.0f})"))
    return gaps
