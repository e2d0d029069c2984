"""A polite HTTP client for arXiv's services: one reused connection, one request at a time.

arXiv's terms of use allow one request every three seconds and one connection at a time, and
its services fail in known ways (503/429 with Retry-After, resets, truncated bodies, the
query API's intermittent empty page). `PoliteClient.fetch` hides all of that: it waits its
turn per host, retries transient failures with exponential backoff, and raises `SourceError`
naming the URL when the retry budget is spent.

Parsing is part of a fetch: the caller passes a `parse` function, and a parse that finds a
transient problem in a 200 response (cut-off XML, an empty page that should not be empty)
raises `Retry`, which the client treats like a 503.

Sleeping and the clock are injectable. `VirtualClock` makes waits instantaneous while
still accounting for them, so a benchmark can run at full speed and still report the wall
time the three-second rule would have cost (`ClientStats.waited`).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Generic, TypeVar

import httpx

from paperboy import __version__

log = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")

DEFAULT_DELAY = 3.0  # arXiv's terms of use: no more than one request every three seconds
DELAY_ENV = "PAPERBOY_ARXIV_DELAY"
RETRIES_ENV = "PAPERBOY_ARXIV_RETRIES"
MAILTO_ENV = "PAPERBOY_MAILTO"
PROJECT_URL = "https://github.com/paperboy"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class SourceError(RuntimeError):
    """A source could not deliver; the message names the URL (or window) that failed.

    `problem` is the last failure alone ('ConnectError: [Errno 111] Connection refused',
    'HTTP 503'), for a message short enough to read at a glance beside the host.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        attempts: int = 0,
        problem: str | None = None,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.attempts = attempts
        self.problem = problem


class HttpStatusError(SourceError):
    """A non-retryable HTTP status (4xx other than 429); keeps the body for error feeds."""

    def __init__(self, url: str, status: int, body: bytes) -> None:
        super().__init__(f"HTTP {status} from {url}", url=url, attempts=1, problem=f"HTTP {status}")
        self.status = status
        self.body = body


class Retry(Exception):
    """Raised by a parse function: the response is transiently bad, ask again."""


class VirtualClock:
    """A monotonic clock whose sleeps return at once but still move time forward.

    `now()` is real monotonic time plus everything slept, so it reads like the wall clock of
    a run that really waited.
    """

    def __init__(self) -> None:
        self.slept = 0.0

    def now(self) -> float:
        return time.monotonic() + self.slept

    def sleep(self, seconds: float) -> None:
        self.slept += max(0.0, seconds)


@dataclass
class ClientStats:
    """What a client did: for benchmarks, tests and progress reports."""

    requests: int = 0  # every attempt sent, retries included
    retries: int = 0
    by_host: Counter[str] = field(default_factory=Counter)
    waited_delay: float = 0.0  # seconds spent keeping one request per `delay` per host
    waited_backoff: float = 0.0  # seconds spent backing off after failures / Retry-After

    @property
    def waited(self) -> float:
        """All enforced waiting: with a VirtualClock, the wall time the rules would cost."""
        return self.waited_delay + self.waited_backoff


def default_delay() -> float:
    """The delay from PAPERBOY_ARXIV_DELAY, else arXiv's three seconds."""
    raw = os.environ.get(DELAY_ENV, "").strip()
    if not raw:
        return DEFAULT_DELAY
    value = float(raw)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{DELAY_ENV} must be a number of seconds >= 0, not {raw!r}")
    return value


def user_agent(mailto: str | None = None) -> str:
    """arXiv asks bulk clients to identify themselves and give a contact."""
    contact = mailto if mailto is not None else os.environ.get(MAILTO_ENV, "").strip()
    suffix = f"; mailto:{contact}" if contact else ""
    return f"paperboy/{__version__} (+{PROJECT_URL}{suffix})"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class PoliteClient:
    """One `httpx.Client` shared by every request, with arXiv's manners built in.

    `delay` (default: PAPERBOY_ARXIV_DELAY, else 3.0 s) is the minimum time between the end
    of one request and the start of the next to the same host. For any host that is not
    loopback the delay is never below 3.0 s, whatever the setting, so a test setting or a
    stray environment variable cannot make us impolite to arXiv; loopback test servers can
    use delay=0.
    """

    def __init__(
        self,
        *,
        delay: float | None = None,
        mailto: str | None = None,
        max_retries: int | None = None,
        backoff: float = 2.0,
        max_backoff: float = 120.0,
        max_retry_after: float = 900.0,
        timeout: float = 60.0,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.delay = default_delay() if delay is None else delay
        if self.delay < 0:
            raise ValueError("delay must be >= 0")
        # Retries: PAPERBOY_ARXIV_RETRIES, else 5 (with backoff, about a minute of trying).
        self.max_retries = (
            int(os.environ.get(RETRIES_ENV) or 5) if max_retries is None else max_retries
        )
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.user_agent = user_agent(mailto)
        self.stats = ClientStats()
        self._clock = clock or time.monotonic
        self._sleep = sleep or time.sleep
        self._last: dict[str, float] = {}
        self._reached: set[str] = set()  # hosts that answered at least once
        self._lock = threading.Lock()  # one request at a time, even across threads
        self._http = httpx.Client(
            headers={"User-Agent": self.user_agent},
            timeout=timeout,
            follow_redirects=True,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            transport=transport,
        )

    @classmethod
    def virtual(cls, **kwargs: object) -> PoliteClient:
        """A client whose waits are accounted for but not slept (benchmarks)."""
        clock = VirtualClock()
        return cls(clock=clock.now, sleep=clock.sleep, **kwargs)  # type: ignore[arg-type]

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def delay_for(self, host: str) -> float:
        return self.delay if is_loopback(host) else max(self.delay, DEFAULT_DELAY)

    def fetch(
        self,
        url: str,
        parse: Callable[[httpx.Response], T],
        params: Mapping[str, str] | None = None,
    ) -> T:
        """GET url (with params) and return parse(response), retrying transient failures.

        Retries: connection errors and timeouts, HTTP 429/5xx (waiting at least Retry-After),
        and whatever `parse` rejects with `Retry`. Other 4xx raise `HttpStatusError` at once.
        After `max_retries` retries, raises `SourceError` naming the URL and the last problem.
        """
        full = str(httpx.URL(url, params=params)) if params else url
        host = httpx.URL(full).host
        with self._lock:
            return self._fetch_locked(full, host, parse)

    def _fetch_locked(self, url: str, host: str, parse: Callable[[httpx.Response], T]) -> T:
        problem = ""
        attempts = self.max_retries + 1
        for attempt in range(attempts):
            if attempt:
                self.stats.retries += 1
            outcome = self._attempt(url, host, parse)
            if not isinstance(outcome, _Failure):
                self._reached.add(host)
                return outcome.value
            problem = outcome.problem
            if outcome.unreachable and host not in self._reached and attempt >= 1:
                # A host never reached that still cannot be connected to: most likely no
                # network at all. Say so now rather than after a minute of backoff.
                break
            if attempt + 1 < attempts:
                pause = max(self._backoff(attempt), outcome.retry_after)
                log.info("retrying %s in %.1fs: %s", url, pause, problem)
                self._pause(pause)
        tries = attempt + 1
        raise SourceError(
            f"{url}: gave up after {tries} attempts; last problem: {problem}",
            url=url,
            attempts=tries,
            problem=problem,
        )

    def _attempt(
        self, url: str, host: str, parse: Callable[[httpx.Response], T]
    ) -> _Success[T] | _Failure:
        self._wait_turn(host)
        self.stats.requests += 1
        self.stats.by_host[host] += 1
        try:
            response = self._http.get(url)
        except httpx.ConnectError as exc:
            return _Failure(f"{type(exc).__name__}: {exc}", unreachable=True)
        except httpx.TransportError as exc:
            return _Failure(f"{type(exc).__name__}: {exc}")
        finally:
            self._last[host] = self._clock()
        status = response.status_code
        if status in RETRY_STATUSES:
            wait = self._retry_after(response)
            if wait > self.max_retry_after:
                raise SourceError(
                    f"{url}: HTTP {status} asks us to wait {wait:.0f}s, more than the "
                    f"{self.max_retry_after:.0f}s we allow; try again later",
                    url=url,
                    problem=f"HTTP {status}, asked to wait {wait:.0f}s",
                )
            return _Failure(f"HTTP {status}", retry_after=wait)
        if status >= 400:
            raise HttpStatusError(url, status, response.content)
        try:
            return _Success(parse(response))
        except Retry as exc:
            return _Failure(str(exc) or "response rejected by parser")

    def _wait_turn(self, host: str) -> None:
        last = self._last.get(host)
        if last is None:
            return
        wait = last + self.delay_for(host) - self._clock()
        if wait > 0:
            self._sleep(wait)
            self.stats.waited_delay += wait

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._sleep(seconds)
            self.stats.waited_backoff += seconds

    def _backoff(self, attempt: int) -> float:
        return float(min(self.max_backoff, self.backoff * 2**attempt))

    def _retry_after(self, response: httpx.Response) -> float:
        return parse_retry_after(response.headers.get("Retry-After"))


@dataclass(frozen=True, slots=True)
class _Success(Generic[V]):
    value: V


@dataclass(frozen=True, slots=True)
class _Failure:
    problem: str
    retry_after: float = 0.0
    unreachable: bool = False  # could not connect at all


def parse_retry_after(value: str | None, now: datetime | None = None) -> float:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); 0 if absent."""
    if not value:
        return 0.0
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
