"""Atom and RSS feeds: a category's latest papers, and a saved search."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from paperboy import feeds
from paperboy.web.params import check_category
from paperboy.web.reader import ReaderDep

router = APIRouter(prefix="/feeds", tags=["feeds"])
FEED_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml"}
Kind = Literal["atom", "rss"]


@router.get("/search.{kind}", summary="Feed of a saved search")
def search_feed(
    reader: ReaderDep, request: Request, kind: Kind, q: str, category: str = ""
) -> Response:
    def build() -> Response:
        body = feeds.search_feed(
            reader.store,
            q,
            kind,
            reader.url(f"{request.url.path}?{request.url.query}"),
            category=category or None,
            page_url=reader.paper_url,
            site_url=reader.url("/"),
        )
        return Response(body, media_type=FEED_TYPES[kind])

    return reader.page(request, build)


@router.get("/{category}/listing.{kind}", summary="Feed of tonight's announcement listing")
def listing_feed(reader: ReaderDep, request: Request, category: str, kind: Kind) -> Response:
    check_category(category)

    def build() -> Response:
        body = feeds.listing_feed(
            reader.store,
            category,
            kind,
            reader.url(request.url.path),
            page_url=reader.paper_url,
            site_url=reader.url("/"),
        )
        return Response(body, media_type=FEED_TYPES[kind])

    return reader.page(request, build)


@router.get("/{category}.{kind}", summary="Feed of a category's papers")
def category_feed(reader: ReaderDep, request: Request, category: str, kind: Kind) -> Response:
    check_category(category)

    def build() -> Response:
        body = feeds.category_feed(
            reader.store,
            category,
            kind,
            reader.url(request.url.path),
            page_url=reader.paper_url,
            site_url=reader.url("/"),
        )
        return Response(body, media_type=FEED_TYPES[kind])

    return reader.page(request, build)
