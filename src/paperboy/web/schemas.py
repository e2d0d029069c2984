"""The JSON API's shapes, and the one serializer of a paper (and its versions, and a search
result) into them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from paperboy.record import Paper, Version
from paperboy.search import SearchResult, lead, mark_spans
from paperboy.web.rendering import paper_links

if TYPE_CHECKING:
    from paperboy.similar import SimilarHit


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
    section: str  # new | cross | replace
    title: str
    abstract: str


class ListingOut(BaseModel):
    category: str
    day: date
    previous: date | None
    next: date | None
    observed: bool  # a source showed this listing; otherwise rebuilt from the store
    provisional: str | None  # why the store may not know this listing fully, or None
    closed: str | None  # why arXiv announced nothing this day (weekend, holiday), or None
    counts: dict[str, int]  # entries per section: new, cross, replace
    entries: list[ListingEntryOut]


class HitOut(BaseModel):
    paper: PaperOut
    score: float
    title_marks: list[tuple[int, int]]
    snippet: str
    snippet_marks: list[tuple[int, int]]


class SearchOut(BaseModel):
    query: str
    mode: Literal["keyword", "semantic", "hybrid", "similar"]
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


class AuthorOut(BaseModel):
    name: str = Field(description="as the papers spell it")
    papers: int
    similarity: float = Field(description="pg_trgm's strict word similarity to the name asked")


class ProfileOut(BaseModel):
    name: str
    papers: int  # in its library (saved papers included)
    marks: int


class MarkIn(BaseModel):
    arxiv_id: str  # any form of the id (a version, an arXiv URL)
    mark: Literal["saved", "hidden"] | None  # None takes the paper's mark off


class MarkOut(BaseModel):
    profile: str
    arxiv_id: str
    mark: Literal["saved", "hidden"] | None


class ReadingListIn(BaseModel):
    name: str = Field(max_length=64)


class ListedPaperIn(BaseModel):
    arxiv_id: str = Field(max_length=300)  # any form of the id (a version, an arXiv URL)
    note: str = Field(default="", max_length=2000)


class ListedPaperOut(BaseModel):
    arxiv_id: str
    title: str | None  # None: the store does not hold the paper
    note: str
    added_by: str | None
    added: str


class ReadingListSummaryOut(BaseModel):
    name: str
    created_by: str | None
    created: str
    papers: int


class ReadingListOut(BaseModel):
    name: str
    created_by: str | None
    created: str
    papers: list[ListedPaperOut]


class MarksOut(BaseModel):
    profile: str
    marks: dict[str, Literal["saved", "hidden"]]  # arxiv_id -> its mark


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
        "links": [LinkOut(label=k.label, url=k.url, kind=k.kind) for k in paper_links(paper)],
    }


def paper_detail(paper: Paper, versions: list[Version]) -> PaperDetail:
    return PaperDetail(**_paper_fields(paper), versions=[version_out(v) for v in versions])


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
        mode=result.mode,
        match=result.query.match,
        notes=list(result.all_notes),
        message=result.message,
        total=result.total,
        total_capped=result.total_is_capped,
        offset=result.offset,
        limit=result.limit,
        hits=hits,
    )


def similar_out(paper: Paper, hits: list[SimilarHit], limit: int, message: str | None) -> SearchOut:
    """A paper's similar papers in the shape of a search result (mode 'similar')."""
    return SearchOut(
        query=paper.arxiv_id,
        mode="similar",
        match=None,
        notes=[],
        message=message,
        total=len(hits),
        total_capped=False,
        offset=0,
        limit=limit,
        hits=[
            HitOut(
                paper=paper_out(h.paper),
                score=h.score,
                title_marks=[],
                snippet=lead(h.paper.abstract),
                snippet_marks=[],
            )
            for h in hits
        ],
    )
