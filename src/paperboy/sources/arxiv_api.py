"""arXiv's query API (Atom 1.0): harvest one category by submission-date windows.

`fetch_window` asks ONE query, `cat:<cat> AND submittedDate:[start TO end]`, in pages of
2000 sorted by submission date, and checks that everything the API announced
(`opensearch:totalResults`) arrived. The API serves at most 30000 results per query; a
window holding more raises `WindowTooLarge` before yielding anything, and `fetch_range`
splits such windows in half until each fits.

Parsing reproduces what the seed collector (the `arxiv` library) made of an entry, so a
harvested paper renders in the collector format byte for byte: the title's whitespace runs
collapsed to one space, the abstract trimmed at both ends (its inner line breaks are kept;
the collector renderer turns them into spaces), the comment keeping arXiv's own line
breaks, `abs_url` the entry's <id>, `pdf_url` the link titled "pdf". Both the 2026 layout
and the 2016 one (folded text, per-element namespace declarations) parse.

The API only tells the first version's date (<published>) and the latest one's
(<updated>), so `Paper.versions` holds those two and nothing in between.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import httpx
from lxml import etree

from paperboy.record import Paper, RecordError, Version, split_id
from paperboy.sources.http import HttpStatusError, PoliteClient, Retry, SourceError
from paperboy.sources.problems import FieldError, RecordProblem, reading

log = logging.getLogger(__name__)

API_URL_ENV = "PAPERBOY_ARXIV_API_URL"
DEFAULT_API_URL = "https://export.arxiv.org/api/query"
MAX_PAGE = 2000  # results per call, as arXiv documents (HTTP 400 above)
MAX_TOTAL = 30000  # results per query, as arXiv documents (HTTP 400 beyond)

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
ARXIV = "http://arxiv.org/schemas/atom"
NS = {"a": ATOM, "os": OPENSEARCH, "arxiv": ARXIV}
ERROR_ID_PREFIX = "https://arxiv.org/api/errors"
_WHITESPACE = re.compile(r"\s+")
_MINUTE = timedelta(minutes=1)


class ApiError(SourceError):
    """The API answered with its own error feed (HTTP 400, one entry titled "Error")."""


class WindowTooLarge(SourceError):
    """A window holds more results than one query may page through; split it."""

    def __init__(self, message: str, *, url: str, total: int, start: datetime, end: datetime):
        super().__init__(message, url=url)
        self.total = total
        self.start = start
        self.end = end


class IncompleteWindow(SourceError):
    """Fewer distinct papers arrived than the API announced, even after retries."""


class CountsDisagree(IncompleteWindow):
    """A second count of part of the window disagrees with what arrived: split, re-ask."""


class MalformedRecords(SourceError):
    """Entries of a window could not be read (raised when the caller keeps no problem list)."""


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One parsed page of results."""

    total: int
    start: int
    items_per_page: int
    papers: list[Paper]
    problems: list[RecordProblem] = field(default_factory=list)  # entries that cannot be read

    @property
    def entries(self) -> int:
        """Entries on the page, readable or not: each takes one position of the results."""
        return len(self.papers) + len(self.problems)


def api_url() -> str:
    return os.environ.get(API_URL_ENV, "").strip() or DEFAULT_API_URL


# ---------------------------------------------------------------- parsing


def parse_feed(body: bytes, url: str = "<feed>") -> FeedPage:
    """Parse one Atom page. Raises ApiError for arXiv's error feed, Retry for broken XML."""
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise Retry(f"unparsable or truncated XML: {exc}") from None
    if root.tag != f"{{{ATOM}}}feed":
        raise Retry(f"not an Atom feed: root element {root.tag!r}")
    entries = root.findall("a:entry", NS)
    error = _error_message(entries)
    if error is not None:
        raise ApiError(f"arXiv API error for {url}: {error}", url=url)
    papers: list[Paper] = []
    problems: list[RecordProblem] = []
    for entry in entries:
        try:
            papers.append(parse_entry(entry))
        except FieldError as exc:
            problems.append(RecordProblem(url, _entry_id(entry), exc.field, exc.message))
    return FeedPage(
        total=_int(root, "os:totalResults"),
        start=_int(root, "os:startIndex"),
        items_per_page=_int(root, "os:itemsPerPage"),
        papers=papers,
        problems=problems,
    )


def _entry_id(entry: etree._Element) -> str:
    """The id as the entry gives it, version or not: to name an entry that cannot be read."""
    text = entry.findtext("a:id", default="", namespaces=NS).strip()
    return text.rsplit("/abs/", 1)[-1]


def _parser() -> etree.XMLParser:
    # resolve_entities=False and no_network: the feed is data, never a fetch instruction.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _int(root: etree._Element, path: str) -> int:
    text = root.findtext(path, namespaces=NS)
    if text is None or not text.strip().isdigit():
        raise Retry(f"feed lacks a numeric <{path}>")
    return int(text)


def _error_message(entries: list[etree._Element]) -> str | None:
    for entry in entries:
        entry_id = entry.findtext("a:id", default="", namespaces=NS).strip()
        if entry_id.startswith(ERROR_ID_PREFIX):
            summary = entry.findtext("a:summary", default="", namespaces=NS).strip()
            return summary or entry_id
    return None


def parse_entry(entry: etree._Element) -> Paper:
    """One <entry> as the seed collector saw it (see the module docstring).

    Raises FieldError naming the element that cannot be read.
    """
    with reading("id"):
        abs_url = _text(entry, "a:id")
        arxiv_id, version = split_id(abs_url.rsplit("/abs/", 1)[-1])
        if version is None:
            raise RecordError(f"entry id without a version: {abs_url!r}")
    with reading("published"):
        published = _timestamp(_text(entry, "a:published"))
    with reading("updated"):
        updated = _timestamp(_text(entry, "a:updated"))
    versions = [Version(1, published)]
    if version > 1:
        versions.append(Version(version, updated))
    with reading("category"):
        primary = entry.find("arxiv:primary_category", NS)
        categories = [c.get("term", "") for c in entry.findall("a:category", NS)]
        main = primary.get("term", "") if primary is not None else categories[0]
        if not main:
            raise RecordError("entry without a primary category")
    with reading("title"):
        title = collapse(_text(entry, "a:title"))
    with reading("summary"):
        abstract = _text(entry, "a:summary").strip()
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        authors=[_WHITESPACE.sub(" ", n.strip()) for n in _names(entry)],
        categories=categories,
        primary_category=main,
        published=published,
        updated=updated,
        abstract=abstract,
        comment=_optional(entry, "arxiv:comment"),
        journal_ref=_optional(entry, "arxiv:journal_ref"),
        doi=_optional(entry, "arxiv:doi"),
        abs_url=abs_url,
        pdf_url=_pdf_link(entry),
        versions=versions,
    )


def collapse(text: str) -> str:
    """Whitespace runs to one space, ends trimmed: what the arxiv library does to titles."""
    return _WHITESPACE.sub(" ", text.strip())


def _text(entry: etree._Element, path: str) -> str:
    found = entry.find(path, NS)
    if found is None:
        raise RecordError(f"entry lacks <{path}>")
    return found.text or ""


def _optional(entry: etree._Element, path: str) -> str | None:
    # Ends trimmed like the arxiv library (feedparser) does; inner line breaks stay.
    text = entry.findtext(path, namespaces=NS)
    return text.strip() if text is not None and text.strip() else None


def _names(entry: etree._Element) -> list[str]:
    return [a.findtext("a:name", default="", namespaces=NS) for a in entry.findall("a:author", NS)]


def _pdf_link(entry: etree._Element) -> str:
    for link in entry.findall("a:link", NS):
        if link.get("title") == "pdf":
            return link.get("href", "")
    return ""  # Paper fills in the canonical http://arxiv.org/pdf/<id>v<n>


def _timestamp(text: str) -> datetime:
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        raise RecordError(f"not an ISO 8601 timestamp: {text!r}") from None
    if stamp.tzinfo is None:
        raise RecordError(f"timestamp without a time zone: {text!r}")
    return stamp.astimezone(UTC)


# ---------------------------------------------------------------- fetching


def window_query(category: str, start: datetime, end: datetime) -> str:
    """The search_query for [start, end): arXiv's bounds are inclusive minutes."""
    last = end - _MINUTE
    return f"cat:{category} AND submittedDate:[{start:%Y%m%d%H%M} TO {last:%Y%m%d%H%M}]"


def fetch_page(
    client: PoliteClient, params: dict[str, str], *, base_url: str | None = None
) -> FeedPage:
    """One API call; retries broken XML and the API's intermittent empty page."""
    url = base_url or api_url()

    def parse(response: httpx.Response) -> FeedPage:
        page = parse_feed(response.content, str(response.url))
        if not page.entries and page.start < page.total:
            # arXiv sometimes answers a page that exists with no entries at all.
            raise Retry(f"empty page at start={page.start} of {page.total}")
        return page

    try:
        return client.fetch(url, parse, params)
    except HttpStatusError as exc:
        raise _api_error(exc) from None


def _api_error(exc: HttpStatusError) -> SourceError:
    try:
        parse_feed(exc.body, exc.url or "")
    except ApiError as api:
        return api
    except (Retry, RecordError):
        pass
    return exc


def fetch_window(
    client: PoliteClient,
    category: str,
    start: datetime,
    end: datetime,
    *,
    base_url: str | None = None,
    page_size: int = MAX_PAGE,
    max_total: int = MAX_TOTAL,
    problems: list[RecordProblem] | None = None,
    verify: bool = True,
) -> Iterator[Paper]:
    """Every paper of `category` first submitted in [start, end), once each.

    Oldest first, except that papers a page silently left out (arXiv does that) are fetched
    by one more pass over the window and come last. start and end must be time-zone aware;
    arXiv's query works in whole minutes, so the query covers the minutes around the window
    and papers outside it are dropped here.

    totalResults is one number from one server: with `verify`, one more request counts the
    window's second half and asks past what arrived of it, and the window is taken as
    complete only when that second count agrees (CountsDisagree otherwise: split the window
    and ask again, as `fetch_range` does). Entries that cannot be read are appended to
    `problems` (with None: MalformedRecords is raised once the rest was yielded).

    Raises WindowTooLarge (before yielding anything) when the API reports more than
    `max_total` results; ApiError for the API's error feed; SourceError naming the window
    and URL when retries run out; IncompleteWindow when, after the extra pass, fewer
    distinct papers arrived than announced, or when totalResults changed mid-way. The last
    ones can come after some papers were yielded: the caller fetches the window again
    (storing is idempotent).
    """
    _check_window(start, end)
    window = _Window(client, category, start, end, base_url, page_size, max_total)
    for attempt in range(1 + SHORTFALL_PASSES):
        yield from window.run_pass()
        if window.complete:
            break
        log.warning("%s: %s (pass %d)", window.label, window.shortfall, attempt + 1)
    else:
        raise IncompleteWindow(
            f"{window.label}: {window.shortfall} ({window.query})", url=window.url
        )
    if verify:
        window.verify()
    if problems is not None:
        problems.extend(window.problems)
    elif window.problems:
        listed = "; ".join(str(p) for p in window.problems)
        raise MalformedRecords(f"unreadable entries: {listed}", url=window.url)


SHORTFALL_PASSES = 1  # extra passes over a window whose pages left papers out


@dataclass
class _Window:
    """One window's harvest state across passes: what arrived, and what was announced."""

    client: PoliteClient
    category: str
    start: datetime
    end: datetime
    base_url: str | None
    page_size: int
    max_total: int
    seen: set[str] = field(default_factory=set)
    total: int | None = None
    arrived: dict[str, datetime] = field(default_factory=dict)  # id -> first-version time
    problems: list[RecordProblem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.category} {self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def url(self) -> str:
        return self.base_url or api_url()

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The whole minutes the query covers."""
        lo = _floor_minute(self.start)
        return lo, _floor_minute(self.end - timedelta(microseconds=1)) + _MINUTE

    @property
    def query(self) -> str:
        return window_query(self.category, *self.bounds)

    @property
    def complete(self) -> bool:
        return self.total is None or len(self.seen) >= self.total

    @property
    def shortfall(self) -> str:
        return f"the API announced {self.total} results but {len(self.seen)} distinct arrived"

    def run_pass(self) -> Iterator[Paper]:
        base = {"search_query": self.query, "sortBy": "submittedDate", "sortOrder": "ascending"}
        offset = 0
        while self.total is None or offset < self.total:
            params = {**base, "start": str(offset), "max_results": str(self.page_size)}
            page = _window_page(self.client, params, self.base_url, self.label)
            self._check_total(page.total)
            if not page.entries:
                return
            offset += page.entries
            for problem in page.problems:
                # Unreadable, but arrived: it counts towards the total and is reported.
                key = problem.arxiv_id or f"#{offset}"
                if key not in self.seen:
                    self.seen.add(key)
                    self.problems.append(replace(problem, where=f"window {self.label}"))
            for paper in page.papers:
                if paper.arxiv_id not in self.seen:
                    self.seen.add(paper.arxiv_id)
                    self.arrived[paper.arxiv_id] = paper.published
                    if self.start <= paper.published < self.end:
                        yield paper

    def verify(self) -> None:
        """A second count: the window's second half, asked from just past what arrived of it.

        It must report as many results as arrived there (give or take the unreadable
        entries, whose dates are unknown) and have nothing beyond them.
        """
        lo, hi = self.bounds
        try:
            middle = split_window(lo, hi)[1][0]
        except SourceError:
            middle = lo  # one minute: the probe covers the whole window
        have = sum(1 for moment in self.arrived.values() if moment >= middle)
        params = {
            "search_query": window_query(self.category, middle, hi),
            "sortBy": "submittedDate",
            "sortOrder": "ascending",
            "start": str(have),
            "max_results": "1",
        }
        page = _window_page(self.client, params, self.base_url, self.label)
        undated = len(self.problems)
        if have <= page.total <= have + undated and page.entries <= page.total - have:
            return
        raise CountsDisagree(
            f"{self.label}: the API announced {self.total} results and {len(self.seen)} "
            f"arrived, but it counts {page.total} from {middle.isoformat()} where {have} "
            f"arrived ({self.query})",
            url=self.url,
        )

    def _check_total(self, total: int) -> None:
        if self.total is None:
            if total > self.max_total:
                raise WindowTooLarge(
                    f"{self.label}: {total} results, more than the {self.max_total} one "
                    "query may return; split the window",
                    url=self.url,
                    total=total,
                    start=self.start,
                    end=self.end,
                )
            self.total = total
        elif total != self.total:
            # Offsets no longer mean what they meant: papers may have been skipped.
            raise IncompleteWindow(
                f"{self.label}: totalResults changed from {self.total} to {total} during "
                "the harvest; fetch the window again",
                url=self.url,
            )


def _window_page(
    client: PoliteClient, params: dict[str, str], base_url: str | None, window: str
) -> FeedPage:
    try:
        return fetch_page(client, params, base_url=base_url)
    except (ApiError, HttpStatusError):
        raise
    except SourceError as exc:
        # Retries ran out: say which window failed, not only which URL.
        raise SourceError(
            f"window {window}: {exc}", url=exc.url, attempts=exc.attempts, problem=exc.problem
        ) from exc


# Halvings of a window whose counts disagree before giving up (a month / 2**8: ~3 hours).
MAX_RECOUNT_SPLITS = 8


def fetch_range(
    client: PoliteClient,
    category: str,
    start: datetime,
    end: datetime,
    *,
    base_url: str | None = None,
    page_size: int = MAX_PAGE,
    max_total: int = MAX_TOTAL,
    problems: list[RecordProblem] | None = None,
    verify: bool = True,
) -> Iterator[Paper]:
    """Like fetch_window, oldest first, but halves any window the API says is too large or
    whose counts disagree, until each part fits and agrees; each paper is yielded once.

    Raises IncompleteWindow when a part still disagrees after MAX_RECOUNT_SPLITS halvings.
    """
    pending = [(start, end, 0)]
    yielded: set[str] = set()
    while pending:
        lo, hi, depth = pending.pop()
        found: list[RecordProblem] = []
        try:
            for paper in fetch_window(
                client,
                category,
                lo,
                hi,
                base_url=base_url,
                page_size=page_size,
                max_total=max_total,
                problems=found,
                verify=verify,
            ):
                if paper.arxiv_id not in yielded:
                    yielded.add(paper.arxiv_id)
                    yield paper
        except WindowTooLarge:
            first, second = split_window(lo, hi)
            pending.extend([(*second, depth), (*first, depth)])
            continue
        except CountsDisagree as exc:
            halves = _recount_halves(lo, hi, depth, exc)
            log.warning("%s; asking again in halves", exc)
            pending.extend([(*halves[1], depth + 1), (*halves[0], depth + 1)])
            continue
        if problems is not None:
            problems.extend(found)
        elif found:
            listed = "; ".join(str(p) for p in found)
            raise MalformedRecords(f"unreadable entries: {listed}", url=base_url or api_url())


def _recount_halves(
    start: datetime, end: datetime, depth: int, exc: CountsDisagree
) -> tuple[tuple[datetime, datetime], ...]:
    if depth >= MAX_RECOUNT_SPLITS:
        raise IncompleteWindow(f"{exc} (still, after {depth} halvings)", url=exc.url) from exc
    try:
        return split_window(start, end)
    except SourceError:
        raise IncompleteWindow(f"{exc} (and the window cannot be split)", url=exc.url) from exc


def split_window(start: datetime, end: datetime) -> tuple[tuple[datetime, datetime], ...]:
    """Two halves of [start, end) on a whole minute; raises if a minute cannot be split."""
    middle = _floor_minute(start + (end - start) / 2)
    if middle <= start:
        middle = _floor_minute(start) + _MINUTE
    if middle >= end:
        raise SourceError(f"window {start.isoformat()}..{end.isoformat()} cannot be split")
    return (start, middle), (middle, end)


def fetch_ids(
    client: PoliteClient, ids: list[str], *, base_url: str | None = None
) -> Iterator[Paper]:
    """The latest version of each id (ids arXiv does not know are silently missing)."""
    for first in range(0, len(ids), MAX_PAGE):
        chunk = ids[first : first + MAX_PAGE]
        params = {"id_list": ",".join(chunk), "start": "0", "max_results": str(len(chunk))}
        yield from fetch_page(client, params, base_url=base_url).papers


def _check_window(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("window bounds must be time-zone aware (UTC)")
    if end <= start:
        raise ValueError(f"empty window {start.isoformat()}..{end.isoformat()}")


def _floor_minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)
