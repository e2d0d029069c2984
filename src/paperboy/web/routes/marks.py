"""The API of profiles: their list, the marks a reader puts on papers (saved, not
interested), and a day's listing ranked for one of them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from paperboy.web import schemas
from paperboy.web.foryou import profile_named, rank_for
from paperboy.web.params import check_category, parse_day
from paperboy.web.reader import ReaderDep
from paperboy.web.signin import VisitorDep
from paperboy.web.views import day_page

router = APIRouter(prefix="/api", tags=["api"])


@router.get("/profiles", summary="The research profiles")
def profiles(reader: ReaderDep, who: VisitorDep) -> list[schemas.ProfileOut]:
    """Every profile; on a lab's server, the signed-in member's own."""
    return [
        schemas.ProfileOut(name=s.name, papers=s.papers, marks=s.marks)
        for s in reader.store.profiles.summaries(owner=who.owner)
    ]


@router.get("/profiles/{name}/marks", summary="A profile's saved and not-interested papers")
def marks(reader: ReaderDep, who: VisitorDep, name: str) -> schemas.MarksOut:
    profile = profile_named(reader.store, name, who)
    return schemas.MarksOut(profile=profile.name, marks={m.arxiv_id: m.mark for m in profile.marks})


@router.post("/profiles/{name}/marks", summary="Save a paper, hide it, or take its mark off")
def mark(reader: ReaderDep, who: VisitorDep, name: str, body: schemas.MarkIn) -> schemas.MarkOut:
    """`mark` "saved" puts the paper in the profile's library, "hidden" (not interested)
    sends it last and away from what the profile likes, null takes the mark off. The body is
    JSON, so a form on another site cannot post it. The next ranking uses the mark."""
    store = reader.primary
    profile = profile_named(store, name, who)
    paper = reader.paper(body.arxiv_id)
    if paper is None:
        raise HTTPException(404, f"No paper {body.arxiv_id[:80]!r} in this archive")
    if body.mark is None:
        store.profiles.unmark(profile.id, paper.arxiv_id)
    else:
        store.profiles.mark(profile.id, paper.arxiv_id, body.mark)
    # This thread's connection made the change, so it would not see it as another's write:
    # the pages that show rankings are rendered again.
    reader.cache.clear()
    return schemas.MarkOut(profile=profile.name, arxiv_id=paper.arxiv_id, mark=body.mark)


@router.get(
    "/listings/{category}/{day}/for/{name}",
    summary="A day's listing ranked for a profile",
    response_model=None,
)
def ranked_listing(
    reader: ReaderDep,
    who: VisitorDep,
    category: str,
    day: str,
    name: str,
    limit: Annotated[int, Query(ge=0, description="papers to return (0: every one)")] = 0,
) -> dict[str, Any]:
    """What `paperboy rank --profile NAME --date DAY --category CATEGORY --json` prints: the
    shape of a search, each hit with its `score` (higher is better), `reasons` in words and
    listing `section` (new, cross, replace), best first."""
    from paperboy.terminal import ranked_json

    store = reader.store
    check_category(category)
    when = parse_day(day)
    profile = profile_named(store, name, who)
    page = day_page(store, category, when, "listing")
    index = reader.vector_index()
    if index is None:
        raise HTTPException(409, "No vector index to rank with yet: run `paperboy index`")
    return ranked_json(store, profile.name, rank_for(store, profile, page, index, limit), limit)
