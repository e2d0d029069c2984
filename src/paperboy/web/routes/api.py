"""The JSON API: papers, days, listings, search and counts, described by OpenAPI."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query

from paperboy.search import MAX_LIMIT, Mode, lookup, search
from paperboy.web import schemas
from paperboy.web.params import check_category, check_year, parse_day
from paperboy.web.reader import ReaderDep
from paperboy.web.views import SIMILAR, day_page, similar_section

router = APIRouter(prefix="/api", tags=["api"])
PER_PAGE = 20


@router.get("/categories", summary="Categories and their paper counts")
def categories(reader: ReaderDep) -> list[schemas.CategoryOut]:
    return [schemas.CategoryOut(category=c, papers=n) for c, n in reader.categories()]


@router.get("/authors", summary="Author names like a name")
def authors(
    reader: ReaderDep,
    name: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
) -> list[schemas.AuthorOut]:
    """The names on papers here most like `name`, most alike first: the name as spelled,
    then names a slip or another transliteration away (`Kaming He` finds `Kaiming He`)."""
    found = reader.store.similar_authors(name, limit)
    return [schemas.AuthorOut(name=a.name, papers=a.papers, similarity=a.similarity) for a in found]


# Before the paper's own route: its `path` id would take the '/similar' too.
@router.get("/papers/{arxiv_id:path}/similar", summary="A paper's similar papers")
def similar_papers(
    reader: ReaderDep,
    arxiv_id: str,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = SIMILAR,
) -> schemas.SearchOut:
    """The papers nearest this one in the vector space (`paperboy index`), best first, in
    the shape of a search: each hit's `score` is the cosine similarity (higher is closer)."""
    found = reader.paper(arxiv_id)
    if found is None:
        raise HTTPException(404, f"No paper {arxiv_id!r} in this archive")
    section = similar_section(reader.store, reader.vector_index(), found, limit)
    return schemas.similar_out(found, section.hits, limit, section.missing)


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


@router.get("/search", summary="Search by keyword (BM25), by meaning, or both")
def search_papers(
    reader: ReaderDep,
    q: str = "",
    category: str | None = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = PER_PAGE,
    offset: Annotated[int, Query(ge=0)] = 0,
    sort: Literal["relevance", "newest"] = "relevance",
    mode: Mode | None = None,
) -> schemas.SearchOut:
    """Search; a query that is a paper's id or arXiv URL returns that paper. `mode`:
    keyword (BM25), semantic (vector neighbours) or hybrid (both, fused by reciprocal
    rank); by default hybrid for plain words, keyword for field queries. The answer's
    `mode` says which ran; `hits[].score` is higher-is-better in every mode (keyword:
    -bm25, semantic: cosine, hybrid: the fused score)."""
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
        mode=mode,
        index=reader.vector_index(),
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
