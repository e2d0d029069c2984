"""BibTeX downloads: one paper, a day's papers, a listing, or a search's results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from paperboy import bibtex
from paperboy.record import Paper
from paperboy.search import MAX_LIMIT, lookup, search
from paperboy.web.params import check_category, parse_day
from paperboy.web.reader import ReaderDep
from paperboy.web.views import day_page

router = APIRouter(prefix="/bibtex", tags=["bibtex"])


def bib_download(
    papers: Iterable[Paper], name: str, notes: Mapping[str, str] | None = None
) -> Response:
    """The papers' entries as a download named `name`.bib (`notes` by id, as `annote`)."""
    body = bibtex.entries(papers, notes)
    if not body:
        raise HTTPException(404, "No papers to cite here")
    headers = {"Content-Disposition": f'attachment; filename="{name}.bib"'}
    return Response(body, media_type="application/x-bibtex; charset=utf-8", headers=headers)


@router.get("/paper/{arxiv_id:path}", summary="BibTeX of one paper")
def paper(reader: ReaderDep, arxiv_id: str) -> Response:
    found = reader.paper(arxiv_id)
    if found is None:
        raise HTTPException(404, f"No paper {arxiv_id!r} in this archive")
    return bib_download([found], found.arxiv_id.replace("/", "-"))


@router.get("/{category}/{day}/listing", summary="BibTeX of a day's announcement listing")
def listing(reader: ReaderDep, category: str, day: str) -> Response:
    page = day_page(reader.store, check_category(category), parse_day(day), "listing")
    papers = [i.line.paper for i in page.listing if i.line.paper is not None]
    return bib_download(papers, f"{category}-{page.day}-listing")


@router.get("/{category}/{day}", summary="BibTeX of the papers submitted on a day")
def day(reader: ReaderDep, category: str, day: str) -> Response:
    page = day_page(reader.store, check_category(category), parse_day(day), "submitted")
    return bib_download(page.papers, f"{category}-{page.day}")


@router.get("/search", summary="BibTeX of a search's results")
def search_results(
    reader: ReaderDep,
    q: str,
    category: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = MAX_LIMIT,
) -> Response:
    result = lookup(reader.store, q) or search(reader.store, q, category=category, limit=limit)
    return bib_download([hit.paper for hit in result.hits], "search")
