"""The page cache on its own: bounded, renewed when the store changes, and rendering a
stale page once however many ask for it at the same time."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from fastapi.responses import Response

from paperboy.web.cache import PageCache


def test_a_change_makes_entries_stale_and_the_next_request_renews_them() -> None:
    cache = PageCache(1 << 20)
    renders: list[str] = []

    def build(text: str) -> Response:
        renders.append(text)
        return Response(text.encode(), media_type="text/html")

    assert cache.page("/a", lambda: build("one")).body == b"one"
    assert cache.page("/a", lambda: build("never")).body == b"one"  # fresh: kept
    cache.clear()
    assert cache.page("/a", lambda: build("two")).body == b"two"  # stale: renewed
    assert cache.page("/a", lambda: build("never")).body == b"two"
    assert renders == ["one", "two"]
    assert cache.get(("count",), lambda: 1) == 1
    cache.clear()
    assert cache.get(("count",), lambda: 2) == 2


def test_while_one_request_renews_a_stale_page_the_others_get_it_stale() -> None:
    cache = PageCache(1 << 20)
    cache.page("/day", lambda: Response(b"before", media_type="text/html"))
    cache.clear()
    started, release = threading.Event(), threading.Event()
    renders = 0

    def slow() -> Response:
        nonlocal renders
        renders += 1
        started.set()
        release.wait(10)
        return Response(b"after", media_type="text/html")

    renewer = threading.Thread(target=cache.page, args=("/day", slow))
    renewer.start()
    assert started.wait(10)
    seen = [cache.page("/day", slow).body for _ in range(20)]  # meanwhile: no second render
    release.set()
    renewer.join(10)
    assert seen == [b"before"] * 20 and renders == 1
    assert cache.page("/day", slow).body == b"after"


def test_a_failed_renewal_lets_the_next_request_try_again() -> None:
    cache = PageCache(1 << 20)
    cache.page("/p", lambda: Response(b"old", media_type="text/html"))
    cache.clear()

    def broken() -> Response:
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError, match="went away"):
        cache.page("/p", broken)
    assert cache.page("/p", lambda: Response(b"new", media_type="text/html")).body == b"new"


def _page(text: str) -> Callable[[], Response]:
    return lambda: Response(text.encode(), media_type="text/html")


def test_while_the_server_is_busy_a_stale_page_is_renewed_in_the_background() -> None:
    """After an update every page is stale; while one request renders, the first request
    for another stale page gets it at once and the background renews it (once)."""
    cache = PageCache(1 << 20)
    for path in ("/busy", "/other"):
        cache.page(path, _page(f"{path} before"))
    cache.clear()
    started, release = threading.Event(), threading.Event()

    def slow() -> Response:
        started.set()
        release.wait(10)
        return Response(b"/busy after", media_type="text/html")

    renewed = threading.Event()
    renders = 0

    def other() -> Response:
        nonlocal renders
        renders += 1
        renewed.set()
        return Response(b"/other after", media_type="text/html")

    busy = threading.Thread(target=cache.page, args=("/busy", slow))
    busy.start()
    assert started.wait(10)
    assert cache.page("/other", other).body == b"/other before"  # not kept waiting
    assert renewed.wait(10)  # ... and renewed meanwhile, by the background
    release.set()
    busy.join(10)
    for _ in range(50):  # the background keeps it a moment after rendering it
        if cache.page("/other", other).body == b"/other after":
            break
        threading.Event().wait(0.02)
    assert cache.page("/other", other).body == b"/other after" and renders == 1
    assert cache.page("/busy", slow).body == b"/busy after"


def test_a_reader_alone_always_gets_the_fresh_page() -> None:
    cache = PageCache(1 << 20)
    for k in range(20):
        cache.clear()
        assert cache.page("/alone", _page(f"version {k}")).body == f"version {k}".encode()
