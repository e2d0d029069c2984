"""The local arXiv: one ThreadingHTTPServer on 127.0.0.1 serving the API, OAI-PMH and feeds.

Raw control of the socket lets it misbehave the way arXiv does: `inject()` queues faults
that the next matching requests get (503/429 with Retry-After, 500, a connection reset, a
body cut off mid-transfer, a complete but truncated body, the API's empty page, a slow
answer). Every request is counted per endpoint and logged with the fault it got.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Literal, get_args
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

from arxiv_server import api, feeds, oai
from paperboy.record import Paper

Endpoint = Literal["api", "oai", "rss", "atom", "other"]
FaultKind = Literal[
    "503", "429", "500", "reset", "cut", "truncate", "empty", "short", "slow", "undercount"
]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)


@dataclass(frozen=True, slots=True)
class Fault:
    """One misbehaviour for one request.

    503/429/500: that status with `Retry-After: retry_after` (none for 500). reset: the
    connection is closed with a TCP RST before any response. cut: headers announce the full
    length but only half the body is sent before closing. truncate: a well-formed HTTP
    response whose XML body is cut in half. empty: the query API's 200 page with the right
    totalResults and no entries; an OAI-PMH ListRecords page with its resumption token
    (cursor and completeListSize unchanged) and no records. short: a page silently missing
    its first entry or record (when it has two or more), totals and token unchanged.
    undercount: the query API reports at most `limit` as totalResults and serves the
    results as if they ended there (a stand-in that under-reports). slow: sleep `seconds`,
    then answer normally. Faults an endpoint has no use for are served normally.
    """

    kind: FaultKind
    endpoint: Endpoint | None = None  # None: the next request of any endpoint
    retry_after: int = 1
    seconds: float = 1.0
    after: int = 0  # matching requests to let through before this fault applies
    limit: int = 1000  # undercount: the totalResults reported at most


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    endpoint: Endpoint
    target: str  # path and query as sent
    fault: FaultKind | None
    user_agent: str = ""


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


class ArxivServer:
    """A faithful local arXiv for tests; use as a context manager or start()/stop()."""

    def __init__(
        self,
        papers: Iterable[Paper] = (),
        *,
        fold: bool = False,
        oai_page_size: int = 1000,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.fold = fold
        self.oai_page_size = oai_page_size
        self.now = now or (lambda: datetime.now(UTC))
        self.requests: Counter[str] = Counter()
        self.faults_served: Counter[str] = Counter()
        self.log: list[LoggedRequest] = []
        self.oai_state = oai.OaiState()
        self._papers: list[Paper] = list(papers)
        self._deleted: set[str] = set()
        self._faults: list[Fault] = []
        self._feed_day: date | None = None
        self._feed: list[feeds.FeedEntry] = []
        self._cache: dict[tuple[object, ...], list[Paper]] = {}
        self._lock = threading.Lock()
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> ArxivServer:
        self._httpd = _HttpServer(("127.0.0.1", 0), _Handler)
        self._httpd.app = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> ArxivServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/query"

    @property
    def oai_url(self) -> str:
        return f"{self.url}/oai"

    @property
    def rss_url(self) -> str:
        return self.url

    # ------------------------------------------------------------ what it serves

    @property
    def papers(self) -> list[Paper]:
        return list(self._papers)

    def set_papers(self, papers: Iterable[Paper]) -> None:
        with self._lock:
            self._papers = list(papers)
            self._cache.clear()

    def delete(self, arxiv_ids: Iterable[str]) -> None:
        """OAI-PMH serves these papers as deleted records (a header, status="deleted")."""
        with self._lock:
            self._deleted |= set(arxiv_ids)

    def set_feed(self, day: date | None, entries: Iterable[tuple[Paper, str]]) -> None:
        """Today's announcement: served by /rss and /atom until the next call."""
        with self._lock:
            self._feed_day = day
            self._feed = list(entries)

    # ------------------------------------------------------------ faults and counts

    def inject(
        self,
        kind: FaultKind,
        count: int = 1,
        *,
        endpoint: Endpoint | None = None,
        retry_after: int = 1,
        seconds: float = 1.0,
        after: int = 0,
        limit: int = 1000,
    ) -> None:
        """The next `count` requests (of `endpoint`, or any) get this fault, once `after`
        matching requests have been served normally. Faults apply in the order injected."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}")
        with self._lock:
            first = Fault(kind, endpoint, retry_after, seconds, after, limit)
            rest = [Fault(kind, endpoint, retry_after, seconds, limit=limit)] * (count - 1)
            self._faults.extend([first, *rest][:count])

    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()
            self.faults_served.clear()
            self.log.clear()

    def _take(self, endpoint: Endpoint, target: str, user_agent: str) -> Fault | None:
        with self._lock:
            self.requests[endpoint] += 1
            found = next((f for f in self._faults if f.endpoint in (None, endpoint)), None)
            if found is not None and found.after > 0:
                index = self._faults.index(found)
                self._faults[index] = replace(found, after=found.after - 1)
                found = None
            elif found is not None:
                self._faults.remove(found)
                self.faults_served[found.kind] += 1
            kind = found.kind if found else None
            self.log.append(LoggedRequest(endpoint, target, kind, user_agent))
            return found

    # ------------------------------------------------------------ handling

    def handle(self, handler: _Handler) -> None:
        split = urlsplit(handler.path)
        endpoint = _endpoint(split.path)
        fault = self._take(endpoint, handler.path, handler.headers.get("User-Agent", ""))
        kind = fault.kind if fault else None
        if fault is not None and kind == "slow":
            time.sleep(fault.seconds)
        if fault is not None and kind in ("503", "429", "500"):
            self._send(handler, _status_reply(int(kind), fault.retry_after))
            return
        if kind == "reset":
            _reset(handler)
            return
        reply = self._route(endpoint, split.path, split.query, fault=fault)
        if kind == "truncate":
            reply = _Reply(reply.status, reply.content_type, reply.body[: len(reply.body) // 2])
        self._send(handler, reply, cut=kind == "cut")

    def _route(self, endpoint: Endpoint, path: str, query: str, *, fault: Fault | None) -> _Reply:
        now = self.now()
        if endpoint == "api":
            return self._api(query, now, fault=fault)
        if endpoint == "oai":
            kind = fault.kind if fault else None
            with self._lock:
                deleted = frozenset(self._deleted)
            body = oai.respond(
                parse_qsl(query, keep_blank_values=True),
                self._papers,
                self.oai_state,
                base_url=self.oai_url,
                now=now,
                page_size=self.oai_page_size,
                fold_text=self.fold,
                deleted=deleted,
                drop=kind if kind in ("empty", "short") else None,
            )
            return _Reply(200, "text/xml; charset=utf-8", body)
        if endpoint in ("rss", "atom"):
            categories = [c for c in unquote(path.split("/", 2)[2]).split("+") if c]
            with self._lock:
                day, entries = self._feed_day, feeds.selected(self._feed, categories)
            if endpoint == "rss":
                return _Reply(
                    200, "application/rss+xml", feeds.render_rss(categories, day, entries, now)
                )
            return _Reply(
                200, "application/atom+xml", feeds.render_atom(categories, day, entries, now)
            )
        return _Reply(404, "text/plain", b"not found\n")

    def _api(self, query: str, now: datetime, *, fault: Fault | None) -> _Reply:
        content_type = "application/atom+xml; charset=utf-8"
        page_fault = fault.kind if fault else None
        try:
            request = api.parse_request(parse_qs(query, keep_blank_values=True))
            matches = self._select(request)
        except api.QueryError as exc:
            return _Reply(400, content_type, api.render_error(str(exc), now))
        if fault is not None and page_fault == "undercount":
            matches = matches[: fault.limit]
        first = request.start
        page = [] if page_fault == "empty" else matches[first : first + request.max_results]
        if page_fault == "short" and len(page) > 1:
            page = page[1:]
        body = api.render_feed(request, len(matches), page, now, fold_text=self.fold)
        return _Reply(200, content_type, body)

    def _select(self, request: api.ApiRequest) -> list[Paper]:
        key = (request.search_query, tuple(request.id_list), request.sort_by, request.sort_order)
        with self._lock:
            cached = self._cache.get(key)
            papers = self._papers
        if cached is None:
            cached = api.select(papers, request)
            with self._lock:
                self._cache[key] = cached
        return cached

    def _send(self, handler: _Handler, reply: _Reply, *, cut: bool = False) -> None:
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", reply.content_type)
            handler.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers:
                handler.send_header(name, value)
            if cut:
                handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(reply.body[: len(reply.body) // 2] if cut else reply.body)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its timeout fired during a slow answer)
        if cut:
            handler.close_connection = True


def _endpoint(path: str) -> Endpoint:
    if path == "/api/query":
        return "api"
    if path in ("/oai", "/oai2"):
        return "oai"
    if path.startswith("/rss/"):
        return "rss"
    if path.startswith("/atom/"):
        return "atom"
    return "other"


def _status_reply(status: int, retry_after: int) -> _Reply:
    headers = (("Retry-After", str(retry_after)),) if status in (429, 503) else ()
    body = f"<html><body><h1>{status}</h1><p>Please retry later.</p></body></html>\n".encode()
    return _Reply(status, "text/html", body, headers)


def _reset(handler: _Handler) -> None:
    # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.server.to_reset.add(handler.connection)
    handler.close_connection = True


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    app: ArxivServer

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.to_reset: weakref.WeakSet[socket.socket] = weakref.WeakSet()

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        if request in self.to_reset:
            request.close()  # no shutdown(): that would send FIN before the RST
            return
        super().shutdown_request(request)

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up mid-answer are part of the tests, not errors


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so the client's one connection is reused
    timeout = 10
    server: _HttpServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle's algorithm
        # and delayed ACKs add ~40 ms to every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self.server.app.handle(self)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(papers: Sequence[Paper] = (), **options: object) -> ArxivServer:
    """An ArxivServer to use in a with-statement: `with serve(papers) as server: ...`."""
    return ArxivServer(papers, **options)  # type: ignore[arg-type]
