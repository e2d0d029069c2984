"""The web reader: day pages, calendars, search, paper pages, feeds and a JSON API.

Everything is read from the store; each server thread keeps its own SQLite connection.
Counts over the whole archive and rendered pages are cached until the store changes (when
`paperboy update` writes to it), so a page many readers open is rendered once.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperboy import config, feeds
from paperboy.record import Paper, Version
from paperboy.search import MAX_LIMIT, SearchResult, mark_spans, search
from paperboy.store import SQLiteStore, fts, open_store
from paperboy.taxonomy import is_known_category
from paperboy.web import docs, pages

T = TypeVar("T")
PER_PAGE = 20
CACHE_MB = 64
# Each server thread has its own connection: a small SQLite page cache each keeps the
# process's memory bounded (the store's default suits bulk imports).
SQLITE_CACHE_KIB = 8192
# Days a page can be asked for: none before arXiv's first year, and none so late that the
# days around it (previous, next listing) fall outside what a date can hold.
FIRST_DAY, LAST_DAY = date(1991, 1, 1), date.max - timedelta(days=366)
# No inline script or style anywhere: even text that slipped past escaping could not run.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
FEED_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml"}


class _Cache:
    """Archive-wide counts and rendered pages, all dropped when the store changes.

    Both share one byte budget, least recently used first out, so no URL can grow the
    process without bound. A race may compute a value twice, which is harmless.
    """

    def __init__(self, max_bytes: int) -> None:
        self.entries: OrderedDict[tuple[Any, ...], tuple[int, Any]] = OrderedDict()
        self.max_bytes = max_bytes
        self.bytes = 0
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        found, value = self._find(key)
        if found:
            kept: T = value
            return kept
        value = compute()
        self._keep(key, len(repr(value)), value)
        return value

    def page(self, key: str, build: Callable[[], Response]) -> tuple[int, str, bytes]:
        """A page as (status, media type, body): from the cache, or built and kept if 200."""
        found, page = self._find(("page", key))
        if found:
            kept: tuple[int, str, bytes] = page
            return kept
        response = build()
        page = (response.status_code, response.media_type or "", bytes(response.body))
        if response.status_code == 200:
            self._keep(("page", key), len(page[2]), page)
        return page

    def _find(self, key: tuple[Any, ...]) -> tuple[bool, Any]:
        with self.lock:
            hit = self.entries.get(key)
            if hit is None:
                return False, None
            self.entries.move_to_end(key)
            return True, hit[1]

    def _keep(self, key: tuple[Any, ...], size: int, value: Any) -> None:
        if size > self.max_bytes // 4:  # one entry never takes the cache over
            return
        with self.lock:
            old = self.entries.pop(key, None)
            self.bytes += size - (old[0] if old else 0)
            self.entries[key] = (size, value)
            while self.bytes > self.max_bytes and self.entries:
                self.bytes -= self.entries.popitem(last=False)[1][0]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.bytes = 0


def _headers(media_type: str) -> dict[str, str]:
    return HEADERS if media_type.startswith("text/html") else {}


def _matches(if_none_match: str, etag: str) -> bool:
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags or "*" in tags


class HeadAsGet:
    """HEAD answers exactly like GET (status and headers), without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        body_sent = False

        async def headers_only(message: Message) -> None:
            nonlocal body_sent
            if message["type"] == "http.response.body":
                if body_sent:  # GET streamed its body in parts: HEAD ends after the first
                    return
                body_sent = True
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class _Year(Convertor[int]):
    """A year in a path: at most four digits, so a huge number is no year (and no int())."""

    regex = "[0-9]{1,4}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("year", _Year())


class Reader:
    """The app's access to the store: a connection per thread, and a cache that lasts until
    another connection (`paperboy update`) writes to the store."""

    def __init__(self, db: Path, category: str | None, cache_mb: int, base_url: str) -> None:
        self.db = db
        self.base_url = base_url.rstrip("/")
        self.local = threading.local()
        self.cache = _Cache(cache_mb * 1024 * 1024)
        self._category = category

    @property
    def store(self) -> SQLiteStore:
        store: SQLiteStore | None = getattr(self.local, "store", None)
        if store is None:
            store = SQLiteStore(self.db, cache_kib=SQLITE_CACHE_KIB)
            self.local.store = store
        return store

    def watch(self) -> None:
        """Drop the cache when the store changed since this thread last looked: SQLite bumps
        a connection's data_version whenever another connection commits."""
        version = self.store.conn.execute("PRAGMA data_version").fetchone()[0]
        if getattr(self.local, "version", version) != version:
            self.cache.clear()
        self.local.version = version

    def page(self, request: Request, build: Callable[[], Response]) -> Response:
        """A rendered page, with an ETag (a hash of its body) that a matching If-None-Match
        turns into 304. The cache key leaves the host out: no page depends on it."""
        key = str(request.url.path) + "?" + str(request.url.query)
        status, media_type, body = self.cache.page(key, build)
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        headers = {**_headers(media_type), "ETag": etag}
        if status == 200 and _matches(request.headers.get("if-none-match", ""), etag):
            return Response(status_code=304, headers=headers)
        return Response(body, status, headers=headers, media_type=media_type)

    def url(self, path: str) -> str:
        """An absolute URL on this site, from the configured base, never the Host header."""
        return self.base_url + path

    def categories(self) -> list[tuple[str, int]]:
        return self.cache.get(("categories",), self.store.categories)

    def default_category(self) -> str:
        if self._category:
            return self._category
        known = dict(self.categories())
        wanted = config.categories()[0]
        return wanted if wanted in known or not known else next(iter(known))

    def months(self, category: str) -> dict[tuple[int, int], int]:
        return self.cache.get(("months", category), lambda: fts.month_counts(self.store, category))

    def span(self, category: str) -> tuple[date, date] | None:
        return self.cache.get(("span", category), lambda: fts.day_span(self.store, category))

    def year_counts(self, category: str, year: int) -> dict[date, int]:
        return self.cache.get(
            ("year", category, year),
            lambda: self.store.day_counts(category, date(year, 1, 1), date(year, 12, 31)),
        )


# ---------------------------------------------------------------- JSON models


class VersionOut(BaseModel):
    number: int
    submitted: datetime | None
    announced: date | None
    announced_how: Literal["observed", "inferred"] | None


class LinkOut(BaseModel):
    label: str
    url: str
    kind: str


class PaperOut(BaseModel):
    arxiv_id: str
    version: int
    title: str
    authors: list[str]
    categories: list[str]
    primary_category: str
    published: datetime
    updated: datetime
    submitted_day: date
    abstract: str
    comment: str | None
    journal_ref: str | None
    doi: str | None
    abs_url: str
    pdf_url: str
    links: list[LinkOut]


class PaperDetail(PaperOut):
    versions: list[VersionOut]


class DayOut(BaseModel):
    category: str
    day: date
    previous: date | None
    next: date | None
    papers: list[PaperOut]


class ListingEntryOut(BaseModel):
    number: int
    arxiv_id: str
    section: str
    title: str
    abstract: str


class ListingOut(BaseModel):
    category: str
    day: date
    previous: date | None
    next: date | None
    entries: list[ListingEntryOut]


class HitOut(BaseModel):
    paper: PaperOut
    score: float
    title_marks: list[tuple[int, int]]
    snippet: str
    snippet_marks: list[tuple[int, int]]


class SearchOut(BaseModel):
    query: str
    match: str | None
    notes: list[str]
    message: str | None
    total: int
    total_capped: bool
    offset: int
    limit: int
    hits: list[HitOut]


class CalendarOut(BaseModel):
    category: str
    year: int
    total: int
    days: dict[date, int]


class MonthOut(BaseModel):
    month: str
    papers: int


class CategoryOut(BaseModel):
    category: str
    papers: int


def paper_out(paper: Paper) -> PaperOut:
    return PaperOut(**_paper_fields(paper))


def _paper_fields(paper: Paper) -> dict[str, Any]:
    return {
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "authors": paper.authors,
        "categories": paper.categories,
        "primary_category": paper.primary_category,
        "published": paper.published,
        "updated": paper.updated,
        "submitted_day": paper.submitted_day,
        "abstract": paper.abstract,
        "comment": paper.comment,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "abs_url": paper.abs_url,
        "pdf_url": paper.pdf_url,
        "links": [LinkOut(label=k.label, url=k.url, kind=k.kind) for k in pages.paper_links(paper)],
    }


def version_out(v: Version) -> VersionOut:
    how: Literal["observed", "inferred"] | None = None
    if v.announced is not None:
        how = "observed" if v.announced_observed else "inferred"
    return VersionOut(
        number=v.number, submitted=v.submitted, announced=v.announced, announced_how=how
    )


def search_out(result: SearchResult) -> SearchOut:
    hits = []
    for hit in result.hits:
        _, title_marks = mark_spans(hit.title)
        snippet, snippet_marks = mark_spans(hit.snippet)
        hits.append(
            HitOut(
                paper=paper_out(hit.paper),
                score=hit.score,
                title_marks=title_marks,
                snippet=snippet,
                snippet_marks=snippet_marks,
            )
        )
    return SearchOut(
        query=result.query.text,
        match=result.query.match,
        notes=list(result.query.notes),
        message=result.message,
        total=result.total,
        total_capped=result.total_is_capped,
        offset=result.offset,
        limit=result.limit,
        hits=hits,
    )


# ---------------------------------------------------------------- helpers


def parse_day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise HTTPException(404, f"{text[:40]!r} is not a day (YYYY-MM-DD)") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise HTTPException(404, f"{text} is outside the days arXiv can have papers")
    return day


def check_category(category: str) -> str:
    """Asked before any cache or store work, so made-up names cost nothing."""
    if not is_known_category(category):
        raise HTTPException(404, f"{category[:80]!r} is not an arXiv category")
    return category


def lenient_day(text: str | None, notes: list[str], name: str) -> date | None:
    """A date typed into a form: a wrong one is reported, never an error page."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        notes.append(f"{name} {text!r} is not a date (YYYY-MM-DD) and was ignored.")
        return None


def lenient_int(text: str | None, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(text))) if text else default
    except ValueError:
        return default


# ---------------------------------------------------------------- the app


def create_app(
    db: str | Path,
    category: str | None = None,
    cache_mb: int = CACHE_MB,
    base_url: str | None = None,
) -> FastAPI:
    """The whole web app over the store at `db`; `cache_mb` bounds the cache (0 renders every
    request); feeds link to `base_url` (PAPERBOY_BASE_URL or http://127.0.0.1:8000)."""
    reader = Reader(Path(db), category, cache_mb, base_url or config.base_url())
    env = pages.environment()
    app = FastAPI(
        title="paperboy",
        summary="Read and search a local archive of arXiv papers.",
        version="1",
        docs_url=None,  # served from the package by docs.add_docs, not a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(reader.watch)],
    )
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    docs.add_docs(app)
    app.add_middleware(HeadAsGet)
    app.state.reader = reader  # what it holds is observable: tests bound its memory

    def render(template: str, here: str, status: int = 200, **context: Any) -> HTMLResponse:
        category = context.pop("category", None) or reader.default_category()
        body = pages.render(env, template, pages.Urls(here), category=category, **context)
        return HTMLResponse(body, status_code=status, headers=HEADERS)

    @app.exception_handler(StarletteHTTPException)
    def not_found(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return Response(
                json.dumps({"detail": str(exc.detail)}),
                status_code=exc.status_code,
                media_type="application/json",
            )
        return render(
            "error.html", "", status=exc.status_code, message=str(exc.detail), title="Not found"
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        cat = reader.default_category()
        span = reader.span(cat)
        if span is None:
            return render("empty.html", "", title="No papers yet")
        return RedirectResponse(f"/{cat}/{span[1].isoformat()}/", status_code=302)

    # ------------------------------------------------------------ HTML pages

    @app.get("/search", include_in_schema=False)
    def search_page(
        request: Request,
        q: str = "",
        category: str = "",
        start: Annotated[str, Query(alias="from")] = "",
        end: Annotated[str, Query(alias="to")] = "",
        sort: str = "relevance",
        page: str = "1",
    ) -> Response:
        return reader.page(request, lambda: _search(q, category, start, end, sort, page))

    def _search(q: str, category: str, start: str, end: str, sort: str, page: str) -> Response:
        notes: list[str] = []
        first, last = lenient_day(start, notes, "From"), lenient_day(end, notes, "To")
        number = lenient_int(page, 1, 1, 500)
        order: Literal["relevance", "newest"] = "newest" if sort == "newest" else "relevance"
        result = search(
            reader.store,
            q,
            category=category or None,
            start=first,
            end=last,
            limit=PER_PAGE,
            offset=(number - 1) * PER_PAGE,
            order=order,
        )
        form = {"q": q, "category": category, "from": start, "to": end, "sort": sort}
        return render(
            "search.html",
            "search",
            title=f"{q} — search" if q else "Search",
            q=q,
            form=form,
            result=result,
            page=number,
            notes=notes + list(result.query.notes),
            searchable=[c for c, _ in reader.categories()[:40]],
        )

    @app.get("/abs/{arxiv_id:path}", include_in_schema=False)
    def paper_html(request: Request, arxiv_id: str) -> Response:
        return reader.page(request, lambda: _paper(arxiv_id))

    def _paper(arxiv_id: str) -> Response:
        page = pages.paper_page(reader.store, arxiv_id.strip("/"))
        if page is None:
            raise HTTPException(404, f"No paper {arxiv_id.strip('/')!r} in this archive")
        return render(
            "paper.html",
            pages.page_path("paper", arxiv_id=page.paper.arxiv_id),
            category=page.paper.primary_category
            if reader.span(page.paper.primary_category)
            else None,
            title=page.paper.title,
            page=page,
        )

    # ------------------------------------------------------------ feeds

    @app.get("/feeds/search.{kind}", tags=["feeds"], summary="Feed of a saved search")
    def search_feed(
        request: Request, kind: Literal["atom", "rss"], q: str, category: str = ""
    ) -> Response:
        def build() -> Response:
            body = feeds.search_feed(
                reader.store,
                q,
                kind,
                reader.url(f"{request.url.path}?{request.url.query}"),
                category=category or None,
                page_url=paper_url(reader),
                site_url=reader.url("/"),
            )
            return Response(body, media_type=FEED_TYPES[kind])

        return reader.page(request, build)

    @app.get("/feeds/{category}.{kind}", tags=["feeds"], summary="Feed of a category's papers")
    def category_feed(request: Request, category: str, kind: Literal["atom", "rss"]) -> Response:
        check_category(category)

        def build() -> Response:
            body = feeds.category_feed(
                reader.store,
                category,
                kind,
                reader.url(request.url.path),
                page_url=paper_url(reader),
                site_url=reader.url("/"),
            )
            return Response(body, media_type=FEED_TYPES[kind])

        return reader.page(request, build)

    # ------------------------------------------------------------ JSON API

    @app.get("/api/categories", tags=["api"], summary="Categories and their paper counts")
    def api_categories() -> list[CategoryOut]:
        return [CategoryOut(category=c, papers=n) for c, n in reader.categories()]

    @app.get("/api/papers/{arxiv_id:path}", tags=["api"], summary="One paper, every field")
    def api_paper(arxiv_id: str) -> PaperDetail:
        paper = reader.store.get(arxiv_id)
        if paper is None:
            raise HTTPException(404, f"No paper {arxiv_id!r} in this archive")
        versions = [version_out(v) for v in reader.store.versions(arxiv_id)]
        return PaperDetail(**_paper_fields(paper), versions=versions)

    @app.get("/api/days/{category}/{day}", tags=["api"], summary="Papers submitted on a day")
    def api_day(category: str, day: str) -> DayOut:
        page = pages.day_page(reader.store, check_category(category), parse_day(day), "submitted")
        return DayOut(
            category=category,
            day=page.day,
            previous=page.previous,
            next=page.next,
            papers=[paper_out(p) for p in page.papers],
        )

    @app.get("/api/listings/{category}/{day}", tags=["api"], summary="arXiv's listing of a day")
    def api_listing(category: str, day: str) -> ListingOut:
        page = pages.day_page(reader.store, check_category(category), parse_day(day), "listing")
        entries = [
            ListingEntryOut(
                number=i.number,
                arxiv_id=i.entry.arxiv_id,
                section=i.entry.section,
                title=i.entry.title,
                abstract=i.entry.abstract,
            )
            for i in page.listing
        ]
        return ListingOut(
            category=category, day=page.day, previous=page.previous, next=page.next, entries=entries
        )

    @app.get("/api/search", tags=["api"], summary="Full-text search, ranked by BM25")
    def api_search(
        q: str = "",
        category: str | None = None,
        start: Annotated[date | None, Query(alias="from")] = None,
        end: Annotated[date | None, Query(alias="to")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = PER_PAGE,
        offset: Annotated[int, Query(ge=0)] = 0,
        sort: Literal["relevance", "newest"] = "relevance",
    ) -> SearchOut:
        result = search(
            reader.store,
            q,
            category=category,
            start=start,
            end=end,
            limit=limit,
            offset=offset,
            order=sort,
        )
        return search_out(result)

    @app.get("/api/calendar/{category}/{year}", tags=["api"], summary="Papers per day of a year")
    def api_calendar(category: str, year: int) -> CalendarOut:
        counts = reader.year_counts(check_category(category), _year(year))
        return CalendarOut(category=category, year=year, total=sum(counts.values()), days=counts)

    @app.get("/api/months/{category}", tags=["api"], summary="Papers per month, whole archive")
    def api_months(category: str) -> list[MonthOut]:
        months = reader.months(check_category(category))
        return [MonthOut(month=f"{y:04d}-{m:02d}", papers=n) for (y, m), n in months.items()]

    @app.get("/api", include_in_schema=False)
    def api_index() -> HTMLResponse:
        return render("api.html", "api", title="JSON API", endpoints=list(_endpoints(app)))

    # ------------------------------------------------------------ category pages (last:
    # their paths are patterns that would shadow the fixed ones above)

    @app.get("/{category}/", include_in_schema=False)
    def category_html(request: Request, category: str) -> Response:
        check_category(category)
        return reader.page(request, lambda: _category(category))

    def _category(category: str) -> Response:
        here = pages.page_path("category", category)
        page = pages.category_page(
            category, reader.months(category), reader.span(category), pages.Urls(here)
        )
        if page.total == 0:
            raise HTTPException(404, f"No papers in {category} in this archive")
        others = [(c, n) for c, n in reader.categories()[:30] if c != category]
        return render(
            "category.html", here, category=category, title=category, page=page, others=others
        )

    @app.get("/{category}/{year:year}/", include_in_schema=False)
    def year_html(request: Request, category: str, year: int) -> Response:
        check_category(category)
        return reader.page(request, lambda: _year_page(category, year))

    def _year_page(category: str, year: int) -> Response:
        years = sorted({y for y, _ in reader.months(category)})
        if year not in years:
            raise HTTPException(404, f"No {category} papers in {year} in this archive")
        here = pages.page_path("year", category, year=year)
        page = pages.year_page(
            category, year, reader.year_counts(category, year), years, pages.Urls(here)
        )
        return render(
            "year.html", here, category=category, title=f"{category} in {year}", page=page
        )

    @app.get("/{category}/{day}/", include_in_schema=False)
    def day_html(request: Request, category: str, day: str) -> Response:
        check_category(category)
        return reader.page(request, lambda: _day(category, parse_day(day), "submitted"))

    @app.get("/{category}/{day}/listing/", include_in_schema=False)
    def listing_html(request: Request, category: str, day: str) -> Response:
        check_category(category)
        return reader.page(request, lambda: _day(category, parse_day(day), "listing"))

    def _day(category: str, the_day: date, view: str) -> HTMLResponse:
        page = pages.day_page(reader.store, category, the_day, view)
        here = pages.page_path(view if view == "listing" else "day", category, the_day)
        title = f"{category} · {the_day:%a} {the_day.day} {the_day:%b %Y}"
        return render("day.html", here, category=category, title=title, page=page)

    return app


def paper_url(reader: Reader) -> Callable[[Paper], str]:
    """Absolute links to paper pages, for feed readers."""
    return lambda p: reader.url("/" + pages.page_path("paper", arxiv_id=p.arxiv_id))


def _year(year: int) -> int:
    if not 1 <= year <= 9999:
        raise HTTPException(404, f"{year} is not a year")
    return year


def _endpoints(app: FastAPI) -> Iterator[dict[str, Any]]:
    """The API's operations from its OpenAPI document, for a docs page that needs no CDN."""
    schema = app.openapi()
    for path, ops in schema.get("paths", {}).items():
        for method, op in ops.items():
            params = [
                {"name": p["name"], "in": p["in"], "required": p.get("required", False)}
                for p in op.get("parameters", [])
            ]
            yield {
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary", ""),
                "params": params,
            }


def serve(
    db: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    category: str | None = None,
    cache_mb: int = CACHE_MB,
    base_url: str | None = None,
) -> None:
    """Run the app with uvicorn until interrupted; feeds link to `base_url`, by default
    PAPERBOY_BASE_URL or the address served."""
    import uvicorn

    base = base_url or config.base_url(f"http://{host}:{port}")
    app = create_app(db, category, cache_mb, base)
    uvicorn.run(app, host=host, port=port, log_level="info")


def demo(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the real sample shipped in the package from a temporary store."""
    import tempfile

    from paperboy.importer import import_paths

    with tempfile.TemporaryDirectory(prefix="paperboy-demo-") as tmp:
        db = Path(tmp) / "demo.sqlite3"
        with open_store(db) as store:
            report = import_paths(store, [config.sample_dir()])
        print(report.summary().splitlines()[1], f"loaded into {db}")
        print(f"paperboy demo: open http://{host}:{port}/  (Ctrl-C to stop)")
        serve(db, host, port, config.DEFAULT_CATEGORY)
