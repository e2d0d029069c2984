"""The "For you" page: a day's announcement listing ranked for one profile, with reasons."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from paperboy.store.profiles import Profile
from paperboy.web.foryou import for_you_page, profile_named
from paperboy.web.params import check_category, parse_day
from paperboy.web.reader import Reader, ReaderDep
from paperboy.web.rendering import Renderer
from paperboy.web.routes.pages import RendererDep
from paperboy.web.signin import Visitor, VisitorDep
from paperboy.web.urls import page_path

router = APIRouter(include_in_schema=False)


@router.get("/{category}/{day}/for/{name}/")
def for_you(
    reader: ReaderDep,
    pages: RendererDep,
    request: Request,
    who: VisitorDep,
    category: str,
    day: str,
    name: str,
) -> Response:
    check_category(category)
    when = parse_day(day)
    profile = profile_named(reader.store, name, who)  # before the cache: it is not theirs
    return reader.page(
        request, lambda: _for_you(reader, pages, category, when, profile, who), personal=True
    )


def _for_you(
    reader: Reader, pages: Renderer, category: str, day: date, profile: Profile, who: Visitor
) -> HTMLResponse:
    page = for_you_page(reader.store, category, day, profile, reader.vector_index(), who)
    here = page_path("for", category, day, profile=page.profile)
    title = f"For {page.profile} · {category} · {day:%a} {day.day} {day:%b %Y}"
    return pages.html("foryou.html", here, category=category, title=title, page=page)
