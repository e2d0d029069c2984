"""Atom and RSS feeds: a category's latest papers, tonight's listing, a saved search, and a
profile's last days ranked for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from paperboy import feeds
from paperboy.web.foryou import profile_named
from paperboy.web.params import check_category
from paperboy.web.reader import Reader, ReaderDep
from paperboy.web.signin import VisitorDep

router = APIRouter(prefix="/feeds", tags=["feeds"])
FEED_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml"}
Kind = Literal["atom", "rss"]
# What a feed is made from: the store, the feed's own URL, its entries' links, the site's.
Maker = Callable[[Reader, str], bytes]


def _feed(reader: Reader, request: Request, kind: Kind, make: Maker) -> Response:
    self_url = reader.url(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return reader.page(
        request, lambda: Response(make(reader, self_url), media_type=FEED_TYPES[kind])
    )


@router.get("/search.{kind}", summary="Feed of a saved search")
def search_feed(
    reader: ReaderDep, request: Request, kind: Kind, q: str, category: str = ""
) -> Response:
    return _feed(reader, request, kind, lambda r, url: feeds.search_feed(
        r.store, q, kind, url, category=category or None, page_url=r.paper_url,
        site_url=r.url("/"),
    ))  # fmt: skip


@router.get("/profile/{name}.{kind}", summary="Feed of a profile's last days, ranked for it")
def profile_feed(
    reader: ReaderDep, request: Request, who: VisitorDep, name: str, kind: Kind
) -> Response:
    """On a lab's server the URL carries the member's feed `token` (see the account page)."""
    profile = profile_named(reader.store, name, who)
    return _feed(reader, request, kind, lambda r, url: feeds.profile_feed(
        r.store, profile, r.vector_index(), kind, url, page_url=r.paper_url,
        site_url=r.url("/"),
    ))  # fmt: skip


@router.get("/{category}/listing.{kind}", summary="Feed of tonight's announcement listing")
def listing_feed(reader: ReaderDep, request: Request, category: str, kind: Kind) -> Response:
    check_category(category)
    return _feed(reader, request, kind, lambda r, url: feeds.listing_feed(
        r.store, category, kind, url, page_url=r.paper_url, site_url=r.url("/"),
    ))  # fmt: skip


@router.get("/{category}.{kind}", summary="Feed of a category's papers")
def category_feed(reader: ReaderDep, request: Request, category: str, kind: Kind) -> Response:
    check_category(category)
    return _feed(reader, request, kind, lambda r, url: feeds.category_feed(
        r.store, category, kind, url, page_url=r.paper_url, site_url=r.url("/"),
    ))  # fmt: skip
