"""One byte-bounded cache for the process: archive-wide counts and rendered pages, with the
ETag a page is validated by."""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi.responses import Response

T = TypeVar("T")
GZIP_LEVEL = 5  # a day page of 500 papers: about 6x smaller, in a few ms
# Stale entries awaiting renewal in the background at most; past it, requests compute.
MAX_RENEWALS = 256
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Page:
    """A rendered page as kept: its body gzipped (a browser takes it as it is; the cache
    holds several times more pages) and the ETag of the body as rendered."""

    status: int
    media_type: str
    packed: bytes
    etag: str

    @classmethod
    def of(cls, response: Response) -> Page:
        body = bytes(response.body)
        packed = gzip.compress(body, GZIP_LEVEL, mtime=0)
        return cls(response.status_code, response.media_type or "", packed, etag(body))

    @property
    def body(self) -> bytes:
        return gzip.decompress(self.packed)


class PageCache:
    """Archive-wide counts and rendered pages, renewed when the store changes.

    Both share one byte budget, least recently used first out, so no URL can grow the
    process without bound. When the store changes (`clear`), what is kept goes stale, not
    away: the first request for a stale entry computes it again, and requests for the same
    entry meanwhile get the stale one rather than each computing it too (after an update,
    fifty readers of tonight's listing render it once). While another entry is being
    computed (the server is busy: an update has just made everything stale and readers
    are coming), a stale entry's first request gets it as it is too, and one background
    thread renews it: after an update no reader waits for a page that is already there.
    A reader alone always gets the fresh page. A race may compute a value twice, which is
    harmless.
    """

    def __init__(self, max_bytes: int) -> None:
        self.entries: OrderedDict[tuple[Any, ...], tuple[int, int, Any]] = OrderedDict()
        self.max_bytes = max_bytes
        self.bytes = 0
        self.generation = 0  # entries of an older generation are stale
        self.renewing: set[tuple[Any, ...]] = set()
        self.computing = 0  # values being computed for a request right now
        self.lock = threading.Lock()
        self.renewer = ThreadPoolExecutor(1, thread_name_prefix="paperboy-renew")

    def get(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        value: T = self._fetch(key, compute, lambda v: len(repr(v)))
        return value

    def page(self, key: str, build: Callable[[], Response]) -> Page:
        """A page from the cache, or built and kept if its status is 200."""
        page: Page = self._fetch(
            ("page", key), lambda: Page.of(build()), lambda p: len(p.packed), keep=_is_ok
        )
        return page

    def _fetch(
        self,
        key: tuple[Any, ...],
        compute: Callable[[], Any],
        size: Callable[[Any], int],
        keep: Callable[[Any], bool] = lambda value: True,
    ) -> Any:
        busy = False
        with self.lock:
            hit = self.entries.get(key)
            if hit is not None:
                self.entries.move_to_end(key)
                if hit[1] == self.generation or key in self.renewing:
                    return hit[2]  # fresh, or stale while another request renews it
                self.renewing.add(key)
                busy = self.computing > 0 and len(self.renewing) <= MAX_RENEWALS
            generation = self.generation
            if busy and hit is not None:
                self.renewer.submit(self._renew, key, compute, size, keep, generation)
                return hit[2]
            self.computing += 1
        try:
            value = compute()
        finally:
            with self.lock:
                self.computing -= 1
                if hit is not None:
                    self.renewing.discard(key)
        if keep(value):
            self._keep(key, size(value), generation, value)
        return value

    def _renew(
        self,
        key: tuple[Any, ...],
        compute: Callable[[], Any],
        size: Callable[[Any], int],
        keep: Callable[[Any], bool],
        generation: int,
    ) -> None:
        """Compute a stale entry again in the background (its readers got the stale one)."""
        try:
            value = compute()
            if keep(value):
                self._keep(key, size(value), generation, value)
        except Exception:  # the next request for it computes it, and shows the error
            _log.exception("renewing %r in the background failed", key)
        finally:
            with self.lock:
                self.renewing.discard(key)

    def _keep(self, key: tuple[Any, ...], size: int, generation: int, value: Any) -> None:
        if size > self.max_bytes // 4:  # one entry never takes the cache over
            return
        with self.lock:
            old = self.entries.pop(key, None)
            self.bytes += size - (old[0] if old else 0)
            self.entries[key] = (size, generation, value)
            while self.bytes > self.max_bytes and self.entries:
                self.bytes -= self.entries.popitem(last=False)[1][0]

    def clear(self) -> None:
        """The store changed: every entry is stale from now on."""
        with self.lock:
            self.generation += 1


def _is_ok(page: Page) -> bool:
    return page.status == 200


def etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def matches(if_none_match: str, tag: str) -> bool:
    """Whether an If-None-Match header names `tag` (weak or strong) or is '*'."""
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return tag in tags or "*" in tags
