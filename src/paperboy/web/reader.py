"""The web app's access to the store: a connection per server thread, and a cache renewed
after another connection (`paperboy update`) writes to the store."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, cast

from fastapi import Depends, Request
from fastapi.responses import Response

from paperboy import config, listings
from paperboy.ids import parse_ref
from paperboy.record import Paper
from paperboy.store import Location, Store, open_store
from paperboy.web.cache import PageCache, matches
from paperboy.web.rendering import HEADERS
from paperboy.web.signin import visitor_of
from paperboy.web.urls import page_path

if TYPE_CHECKING:
    from paperboy.vectors.neighbours import VectorIndex

# Each server thread has its own connection: a small SQLite page cache each keeps the
# process's memory bounded (the store's default suits bulk imports).
SQLITE_CACHE_KIB = 8192


class Reader:
    """The store as the pages see it, with archive-wide counts cached."""

    def __init__(
        self,
        db: Location,
        category: str | None,
        cache_mb: int,
        base_url: str,
        read_db: Location | None = None,
    ) -> None:
        self.db = db
        self.read_db = read_db  # a read replica of `db`: every read goes there
        self.base_url = base_url.rstrip("/")
        self.local = threading.local()
        self.cache = PageCache(cache_mb * 1024 * 1024)
        self._category = category
        # The vector index, shared by every thread: loaded on first use and again when the
        # store changed (`paperboy index` in another process), see `vector_index`.
        self._index: VectorIndex | None = None
        self._index_key: tuple[int, int] | None = None
        self._index_stale = True
        self._index_lock = threading.Lock()
        self._watcher: Store | None = None  # see `watch`
        self._watch_lock = threading.Lock()
        self._version: int | None = None

    @property
    def store(self) -> Store:
        """This thread's connection for reading (to the replica, when there is one)."""
        store: Store | None = getattr(self.local, "store", None)
        if store is None:
            store = open_store(self.read_db or self.db, cache_kib=SQLITE_CACHE_KIB)
            self.local.store = store
        return store

    @property
    def primary(self) -> Store:
        """This thread's connection for writing (saves, accounts, lists): the primary."""
        if self.read_db is None:
            return self.store
        store: Store | None = getattr(self.local, "primary", None)
        if store is None:
            store = open_store(self.db)
            self.local.primary = store
        return store

    def watch(self) -> None:
        """Drop the cache when the store changed since any request last looked.

        One connection, shared, watches for commits: each connection counts the commits of
        the others on its own, so with a connection per thread every thread would clear the
        cache again for the same commit (40 threads: 40 clears, each refilled by renders).
        """
        with self._watch_lock:
            if self._watcher is None:
                self._watcher = open_store(self.read_db or self.db, cache_kib=64)
            version = self._watcher.data_version()
            if self._version is not None and version != self._version:
                self.cache.clear()
                self._index_stale = True
            self._version = version

    def vector_index(self) -> VectorIndex | None:
        """The store's vector index (None before `paperboy index`), reloaded only when the
        active space or its number of vectors changed since it was loaded."""
        if not self._index_stale:
            return self._index
        with self._index_lock:
            if self._index_stale:
                self._index_stale = False
                key = self._space_key()
                if key != self._index_key:
                    from paperboy.vectors import neighbours

                    self._index = neighbours.load(self.store) if key else None
                    self._index_key = key
        return self._index

    def _space_key(self) -> tuple[int, int] | None:
        space = self.store.vectors.active()
        return None if space is None else (space.id, self.store.vectors.count(space.id))

    def page(
        self, request: Request, build: Callable[[], Response], personal: bool = False
    ) -> Response:
        """A rendered page, with an ETag (a hash of its body) that a matching If-None-Match
        turns into 304. The cache key leaves the host out: no page depends on it. A
        `personal` page (a profile's, with the member's feed link) is cached for its member
        alone; every other page is rendered once for all."""
        who = visitor_of(request).key if personal else ""
        key = f"{who}|{request.url.path}?{request.url.query}"
        page = self.cache.page(key, build)
        packed = "gzip" in request.headers.get("accept-encoding", "").lower()
        tag = page.etag[:-1] + '-gz"' if packed else page.etag  # each encoding its own tag
        headers = {
            **(HEADERS if page.media_type.startswith("text/html") else {}),
            "ETag": tag,
            "Vary": "Accept-Encoding",
        }
        if page.status == 200 and matches(request.headers.get("if-none-match", ""), tag):
            return Response(status_code=304, headers=headers)
        if packed:  # as kept: the gzip middleware leaves a response with an encoding alone
            headers["Content-Encoding"] = "gzip"
            return Response(page.packed, page.status, headers=headers, media_type=page.media_type)
        return Response(page.body, page.status, headers=headers, media_type=page.media_type)

    def url(self, path: str) -> str:
        """An absolute URL on this site, from the configured base, never the Host header."""
        return self.base_url + path

    def paper_url(self, paper: Paper) -> str:
        """The absolute link to a paper's page, for feed readers."""
        return self.url("/" + page_path("paper", arxiv_id=paper.arxiv_id))

    def paper(self, reference: str) -> Paper | None:
        """The stored paper a reference names, in any form people paste (`ids.parse_ref`)."""
        ref = parse_ref(reference)
        return self.store.get(ref.arxiv_id) if ref else None

    def categories(self) -> list[tuple[str, int]]:
        return self.cache.get(("categories",), self.store.categories)

    def default_category(self) -> str:
        if self._category:
            return self._category
        known = dict(self.categories())
        wanted = config.categories()[0]
        return wanted if wanted in known or not known else next(iter(known))

    def months(self, category: str) -> dict[tuple[int, int], int]:
        return self.cache.get(("months", category), lambda: self.store.month_counts(category))

    def span(self, category: str) -> tuple[date, date] | None:
        return self.cache.get(("span", category), lambda: self.store.day_span(category))

    def latest_listing(self, category: str) -> date | None:
        """The latest complete announcement of the category (see `listings.latest_complete`)."""
        return self.cache.get(
            ("latest", category, date.today()),
            lambda: listings.latest_complete(self.store, category, date.today()),
        )

    def year_counts(self, category: str, year: int) -> dict[date, int]:
        return self.cache.get(
            ("year", category, year),
            lambda: self.store.day_counts(category, date(year, 1, 1), date(year, 12, 31)),
        )


def reader_of(request: Request) -> Reader:
    return cast(Reader, request.app.state.reader)


ReaderDep = Annotated[Reader, Depends(reader_of)]
