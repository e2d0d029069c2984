"""The JSON API: papers, days, listings, search and counts, described by OpenAPI."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query

from paperboy.search import MAX_LIMIT, lookup, search
from paperboy.web import schemas
from paperboy.web.params import check_category, check_year, parse_day
from paperboy.web.reader import ReaderDep
from paperboy.web.views import day_page

router = APIRouter(prefix="/api", tags=["api"])
PER_PAGE = 20


@router.get("/categories", summary="Categories and their paper counts")
def categories(reader: ReaderDep) -> list[schemas.CategoryOut]:
    return [schemas.CategoryOut(category=c, papers=n) for c, n in reader.categories()]


@router.get("/papers/{arxiv_id:path}", summary="One paper, every field")
def paper(reader: ReaderDep, arxiv_id: str) -> schemas.PaperDetail:
    """The paper of any of its versions (2112.03517v1), or arXiv URL (quoted)."""
    found = reader.paper(arxiv_id)
    if found is None:
        raise HTTPException(404, f"No paper {arxiv_id!r} in this archive")
    return schemas.paper_detail(found, reader.store.versions(found.arxiv_id))


@router.get("/days/{category}/{day}", summary="Papers submitted on a day")
def day(reader: ReaderDep, category: str, day: str) -> schemas.DayOut:
    page = day_page(reader.store, check_category(category), parse_day(day), "submitted")
    return schemas.DayOut(
        category=category,
        day=page.day,
        previous=page.previous,
        next=page.next,
        papers=[schemas.paper_out(p) for p in page.papers],
    )


@router.get("/listings/{category}/{day}", summary="arXiv's listing of a day")
def listing(reader: ReaderDep, category: str, day: str) -> schemas.ListingOut:
    page = day_page(reader.store, check_category(category), parse_day(day), "listing")
    entries = [
        schemas.ListingEntryOut(
            number=i.number,
            arxiv_id=i.line.arxiv_id,
            section=i.line.section,
            title=i.line.title,
            abstract=i.line.abstract,
        )
        for i in page.listing
    ]
    announcement = page.announcement
    assert announcement is not None  # the listing view always has one
    return schemas.ListingOut(
        category=category,
        day=page.day,
        previous=page.previous,
        next=page.next,
        observed=announcement.observed,
        provisional=announcement.provisional,
        closed=announcement.closed,
        counts=announcement.counts(),
        entries=entries,
    )


@router.get("/search", summary="Full-text search, ranked by BM25")
def search_papers(
    reader: ReaderDep,
    q: str = "",
    category: str | None = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = PER_PAGE,
    offset: Annotated[int, Query(ge=0)] = 0,
    sort: Literal["relevance", "newest"] = "relevance",
) -> schemas.SearchOut:
    """Full-text search; a query that is a paper's id or arXiv URL returns that paper."""
    found = lookup(reader.store, q)
    if found is not None:
        return schemas.search_out(found)
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
    return schemas.search_out(result)


@router.get("/calendar/{category}/{year}", summary="Papers per day of a year")
def calendar(reader: ReaderDep, category: str, year: int) -> schemas.CalendarOut:
    counts = reader.year_counts(check_category(category), check_year(year))
    return schemas.CalendarOut(
        category=category, year=year, total=sum(counts.values()), days=counts
    )


@router.get("/months/{category}", summary="Papers per month, whole archive")
def months(reader: ReaderDep, category: str) -> list[schemas.MonthOut]:
    counts = reader.months(check_category(category))
    return [schemas.MonthOut(month=f"{y:04d}-{m:02d}", papers=n) for (y, m), n in counts.items()]
