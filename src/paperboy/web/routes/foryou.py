"""The "For you" page: a day's announcement listing ranked for one profile, with reasons."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from paperboy.web.foryou import for_you_page
from paperboy.web.params import check_category, parse_day
from paperboy.web.reader import Reader, ReaderDep
from paperboy.web.rendering import Renderer
from paperboy.web.routes.pages import RendererDep
from paperboy.web.urls import page_path

router = APIRouter(include_in_schema=False)


@router.get("/{category}/{day}/for/{name}/")
def for_you(
    reader: ReaderDep, pages: RendererDep, request: Request, category: str, day: str, name: str
) -> Response:
    check_category(category)
    when = parse_day(day)
    return reader.page(request, lambda: _for_you(reader, pages, category, when, name))


def _for_you(reader: Reader, pages: Renderer, category: str, day: date, name: str) -> HTMLResponse:
    page = for_you_page(reader.store, category, day, name, reader.vector_index())
    here = page_path("for", category, day, profile=page.profile)
    title = f"For {page.profile} · {category} · {day:%a} {day.day} {day:%b %Y}"
    return pages.html("foryou.html", here, category=category, title=title, page=page)
