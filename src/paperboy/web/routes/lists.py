"""Reading lists the group shares: pages with plain forms, the same in the JSON API, and each
list as BibTeX. Every member sees and adds to every list; a list is removed by the member who
made it or an admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from paperboy.profiles.build import ProfileInputError, check_name
from paperboy.record import Paper
from paperboy.store.reading_lists import ReadingList, ReadingListError
from paperboy.web import schemas
from paperboy.web.reader import Reader, ReaderDep
from paperboy.web.routes.bibtex import bib_download
from paperboy.web.routes.pages import RendererDep
from paperboy.web.signin import Visitor, VisitorDep, form_token
from paperboy.web.urls import Urls

router = APIRouter()
NOTE_CHARS = 2000


def _list(reader: Reader, name: str) -> ReadingList:
    found = reader.store.reading_lists.get(name)
    if found is None:
        raise HTTPException(404, f"No reading list named {name[:80]!r}")
    return found


def _paper(reader: Reader, reference: str) -> Paper:
    paper = reader.paper(reference)
    if paper is None:
        raise HTTPException(404, f"No paper {reference[:80]!r} in this archive")
    return paper


def _create(reader: Reader, who: Visitor, name: str) -> str:
    try:
        check_name(name)
        reader.primary.reading_lists.create(name, who.owner)
    except (ProfileInputError, ReadingListError) as exc:
        raise HTTPException(409 if isinstance(exc, ReadingListError) else 422, str(exc)) from None
    return name


def _add(reader: Reader, who: Visitor, name: str, reference: str, note: str) -> Paper:
    listed = _list(reader, name)
    paper = _paper(reader, reference)
    reader.primary.reading_lists.add(listed.name, paper.arxiv_id, note.strip(), who.owner)
    return paper


def _may_remove(who: Visitor, listed: ReadingList) -> bool:
    """The member who made the list or an admin (anyone, without accounts)."""
    member = who.member
    if not who.accounts:
        return True
    return member is not None and (member.is_admin or listed.created_by == member.name)


def _remove(reader: Reader, who: Visitor, name: str) -> None:
    listed = _list(reader, name)
    if not _may_remove(who, listed):
        raise HTTPException(403, "Only the member who made a list, or an admin, removes it")
    reader.primary.reading_lists.remove(listed.name)


def _out(reader: Reader, listed: ReadingList) -> schemas.ReadingListOut:
    entries = []
    for item in listed.papers:
        paper = reader.store.get(item.arxiv_id)
        entries.append(
            schemas.ListedPaperOut(
                arxiv_id=item.arxiv_id,
                title=paper.title if paper else None,
                note=item.note,
                added_by=item.added_by,
                added=item.added,
            )
        )
    return schemas.ReadingListOut(
        name=listed.name, created_by=listed.created_by, created=listed.created, papers=entries
    )


# ---------------------------------------------------------------- pages


@router.get("/lists/", include_in_schema=False)
def lists_page(reader: ReaderDep, pages: RendererDep, request: Request) -> Response:
    summaries = reader.store.reading_lists.summaries()
    return pages.html(
        "lists.html", "lists/", title="Reading lists", lists=summaries, csrf=form_token(request)
    )


@router.post("/lists/", include_in_schema=False)
def create_form(
    reader: ReaderDep, who: VisitorDep, name: Annotated[str, Form(max_length=200)]
) -> Response:
    made = _create(reader, who, name.strip())
    return RedirectResponse(Urls().reading_list(made), status_code=303)


@router.get("/lists/{name}/", include_in_schema=False)
def list_page(
    reader: ReaderDep, pages: RendererDep, request: Request, who: VisitorDep, name: str
) -> Response:
    listed = _list(reader, name)
    papers = [(item, reader.store.get(item.arxiv_id)) for item in listed.papers]
    return pages.html(
        "reading_list.html",
        f"lists/{listed.name}/",
        title=f"Reading list {listed.name}",
        listed=listed,
        papers=papers,
        removable=_may_remove(who, listed),
        csrf=form_token(request),
    )


@router.post("/lists/{name}/papers", include_in_schema=False)
def add_form(
    reader: ReaderDep,
    who: VisitorDep,
    name: str,
    paper: Annotated[str, Form(max_length=300)],
    note: Annotated[str, Form(max_length=NOTE_CHARS)] = "",
) -> Response:
    _add(reader, who, name, paper.strip(), note)
    return RedirectResponse(Urls().reading_list(name), status_code=303)


@router.post("/lists/{name}/papers/{arxiv_id:path}/remove", include_in_schema=False)
def take_off_form(reader: ReaderDep, name: str, arxiv_id: str) -> Response:
    reader.primary.reading_lists.take_off(_list(reader, name).name, arxiv_id)
    return RedirectResponse(Urls().reading_list(name), status_code=303)


@router.post("/lists/{name}/remove", include_in_schema=False)
def remove_form(reader: ReaderDep, who: VisitorDep, name: str) -> Response:
    _remove(reader, who, name)
    return RedirectResponse(Urls().reading_lists(), status_code=303)


@router.get("/lists/{name}.bib", summary="A reading list as BibTeX", tags=["bibtex"])
def list_bibtex(reader: ReaderDep, name: str) -> Response:
    """Every paper of the list the store holds, its note as `annote`."""
    listed = _list(reader, name)
    notes = {item.arxiv_id: item.note for item in listed.papers}
    papers = [p for p in (reader.store.get(i.arxiv_id) for i in listed.papers) if p]
    if not papers:
        raise HTTPException(404, f"The reading list {listed.name!r} has no papers to cite")
    return bib_download(papers, listed.name, notes)


# ---------------------------------------------------------------- API


@router.get("/api/lists", summary="The group's reading lists", tags=["api"])
def api_lists(reader: ReaderDep) -> list[schemas.ReadingListSummaryOut]:
    return [
        schemas.ReadingListSummaryOut(
            name=s.name, created_by=s.created_by, created=s.created, papers=s.papers
        )
        for s in reader.store.reading_lists.summaries()
    ]


@router.post("/api/lists", summary="Make a reading list", tags=["api"], status_code=201)
def api_create(
    reader: ReaderDep, who: VisitorDep, body: schemas.ReadingListIn
) -> schemas.ReadingListOut:
    return _out(reader, _list(reader, _create(reader, who, body.name)))


@router.get("/api/lists/{name}", summary="A reading list with its papers", tags=["api"])
def api_list(reader: ReaderDep, name: str) -> schemas.ReadingListOut:
    return _out(reader, _list(reader, name))


@router.post("/api/lists/{name}/papers", summary="Add a paper to a list", tags=["api"])
def api_add(
    reader: ReaderDep, who: VisitorDep, name: str, body: schemas.ListedPaperIn
) -> schemas.ReadingListOut:
    """A paper already on the list takes the new note."""
    _add(reader, who, name, body.arxiv_id, body.note)
    return _out(reader, _list(reader, name))


@router.delete("/api/lists/{name}/papers/{arxiv_id:path}", summary="Take a paper off", tags=["api"])
def api_take_off(reader: ReaderDep, name: str, arxiv_id: str) -> schemas.ReadingListOut:
    listed = _list(reader, name)
    if not reader.primary.reading_lists.take_off(listed.name, arxiv_id):
        raise HTTPException(404, f"{arxiv_id[:80]!r} is not on the list {listed.name!r}")
    return _out(reader, _list(reader, name))


@router.delete("/api/lists/{name}", summary="Remove a reading list", tags=["api"])
def api_remove(reader: ReaderDep, who: VisitorDep, name: str) -> dict[str, str]:
    _remove(reader, who, name)
    return {"removed": name}
