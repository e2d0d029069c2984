"""The HTML pages: home, search, paper, the API's index, and per category its overview,
years and days. Category paths are patterns, so they come last."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from paperboy.ids import parse_ref
from paperboy.search import lookup, mode_named, search
from paperboy.web import views
from paperboy.web.foryou import profile_names
from paperboy.web.params import check_category, lenient_day, lenient_int, parse_day
from paperboy.web.reader import Reader, ReaderDep
from paperboy.web.rendering import Renderer
from paperboy.web.signin import Visitor, VisitorDep
from paperboy.web.urls import Urls, page_path

router = APIRouter(include_in_schema=False)
PER_PAGE = 20


def renderer_of(request: Request) -> Renderer:
    return cast(Renderer, request.app.state.renderer)


RendererDep = Annotated[Renderer, Depends(renderer_of)]


@router.get("/")
def home(reader: ReaderDep, pages: RendererDep) -> Response:
    """Tonight's announcement: the latest listing the store fully knows (else the last
    submission day, for a store that holds no complete listing)."""
    category = reader.default_category()
    latest = reader.latest_listing(category)
    if latest is not None:
        return RedirectResponse(f"/{page_path('listing', category, latest)}", status_code=302)
    span = reader.span(category)
    if span is None:
        return pages.html("empty.html", "", title="No papers yet")
    return RedirectResponse(f"/{page_path('day', category, span[1])}", status_code=302)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/search")
def search_page(
    reader: ReaderDep,
    pages: RendererDep,
    request: Request,
    q: str = "",
    category: str = "",
    start: Annotated[str, Query(alias="from")] = "",
    end: Annotated[str, Query(alias="to")] = "",
    sort: str = "relevance",
    mode: str = "",
    page: str = "1",
) -> Response:
    found = reader.paper(q)
    if found is not None:
        # A pasted id or arXiv URL goes straight to the paper (any version: its page).
        return RedirectResponse("/" + page_path("paper", arxiv_id=found.arxiv_id), status_code=302)
    form = {"q": q, "category": category, "from": start, "to": end, "sort": sort, "mode": mode}
    return reader.page(request, lambda: _search(reader, pages, form, page))


def _search(reader: Reader, pages: Renderer, form: dict[str, str], page: str) -> Response:
    notes: list[str] = []
    first, last = lenient_day(form["from"], notes, "From"), lenient_day(form["to"], notes, "To")
    number = lenient_int(page, 1, 1, 500)
    order: Literal["relevance", "newest"] = "newest" if form["sort"] == "newest" else "relevance"
    q = form["q"]
    mode = mode_named(form["mode"])
    if form["mode"] and mode is None:
        notes.append(f"Mode {form['mode'][:40]!r} is not keyword, semantic or hybrid; ignored.")
    result = lookup(reader.store, q) or search(
        reader.store,
        q,
        category=form["category"] or None,
        start=first,
        end=last,
        limit=PER_PAGE,
        offset=(number - 1) * PER_PAGE,
        order=order,
        mode=mode,
        index=reader.vector_index(),
    )
    return pages.html(
        "search.html",
        "search",
        title=f"{q} — search" if q else "Search",
        q=q,
        form=form,
        result=result,
        page=number,
        notes=notes + list(result.all_notes),
        searchable=[c for c, _ in reader.categories()[:40]],
    )


@router.get("/abs/{arxiv_id:path}")
def paper(reader: ReaderDep, pages: RendererDep, request: Request, arxiv_id: str) -> Response:
    wanted = arxiv_id.strip("/")
    ref = parse_ref(wanted)
    if ref is not None and (ref.arxiv_id != wanted or not arxiv_id.endswith("/")):
        # A version (2112.03517v1), or an id in another form, has the paper's one page.
        return RedirectResponse("/" + page_path("paper", arxiv_id=ref.arxiv_id), status_code=301)
    return reader.page(request, lambda: _paper(reader, pages, wanted))


def _paper(reader: Reader, pages: Renderer, arxiv_id: str) -> Response:
    page = views.paper_page(reader.store, arxiv_id, index=reader.vector_index())
    if page is None:
        raise HTTPException(404, f"No paper {arxiv_id!r} in this archive")
    primary = page.paper.primary_category
    return pages.html(
        "paper.html",
        page_path("paper", arxiv_id=page.paper.arxiv_id),
        category=primary if reader.span(primary) else None,
        title=page.paper.title,
        page=page,
    )


@router.get("/api")
def api_index(pages: RendererDep, request: Request) -> HTMLResponse:
    endpoints = list(_endpoints(request.app))
    return pages.html("api.html", "api", title="JSON API", endpoints=endpoints)


def _endpoints(app: FastAPI) -> Iterator[dict[str, Any]]:
    """The API's operations from its OpenAPI document, for a docs page that needs no CDN."""
    for path, ops in app.openapi().get("paths", {}).items():
        for method, op in ops.items():
            params = [
                {"name": p["name"], "in": p["in"], "required": p.get("required", False)}
                for p in op.get("parameters", [])
            ]
            yield {
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary", ""),
                "params": params,
            }


# ------------------------------------------------------------ category pages (last: their
# paths are patterns that would shadow the fixed ones above)


@router.get("/{category}/")
def category_page(
    reader: ReaderDep, pages: RendererDep, request: Request, category: str
) -> Response:
    check_category(category)
    return reader.page(request, lambda: _category(reader, pages, category))


def _category(reader: Reader, pages: Renderer, category: str) -> Response:
    here = page_path("category", category)
    page = views.category_page(category, reader.months(category), reader.span(category), Urls(here))
    if page.total == 0:
        raise HTTPException(404, f"No papers in {category} in this archive")
    others = [(c, n) for c, n in reader.categories()[:30] if c != category]
    return pages.html(
        "category.html", here, category=category, title=category, page=page, others=others
    )


@router.get("/{category}/{year:year}/")
def year_page(
    reader: ReaderDep, pages: RendererDep, request: Request, category: str, year: int
) -> Response:
    check_category(category)
    return reader.page(request, lambda: _year(reader, pages, category, year))


def _year(reader: Reader, pages: Renderer, category: str, year: int) -> Response:
    years = sorted({y for y, _ in reader.months(category)})
    if year not in years:
        raise HTTPException(404, f"No {category} papers in {year} in this archive")
    here = page_path("year", category, year=year)
    page = views.year_page(category, year, reader.year_counts(category, year), years, Urls(here))
    return pages.html(
        "year.html", here, category=category, title=f"{category} in {year}", page=page
    )


@router.get("/{category}/{day}/")
def day_page(
    reader: ReaderDep,
    pages: RendererDep,
    request: Request,
    who: VisitorDep,
    category: str,
    day: str,
) -> Response:
    check_category(category)
    when = parse_day(day)
    return reader.page(request, lambda: _day(reader, pages, who, category, when, "submitted"))


@router.get("/{category}/{day}/listing/")
def listing_page(
    reader: ReaderDep,
    pages: RendererDep,
    request: Request,
    who: VisitorDep,
    category: str,
    day: str,
) -> Response:
    check_category(category)
    when = parse_day(day)
    return reader.page(request, lambda: _day(reader, pages, who, category, when, "listing"))


def _day(
    reader: Reader, pages: Renderer, who: Visitor, category: str, day: date, view: str
) -> HTMLResponse:
    page = views.day_page(reader.store, category, day, view)
    here = page_path(view if view == "listing" else "day", category, day)
    title = f"{category} · {day:%a} {day.day} {day:%b %Y}"
    # A "For NAME" tab each; on a lab's server the page's script adds the member's own, so
    # that one rendering of the page serves every member.
    profiles = [] if who.accounts else profile_names(reader.store, who)
    return pages.html(
        "day.html", here, category=category, title=title, page=page, profiles=profiles
    )
