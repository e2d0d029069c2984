"""What `paperboy search` prints: hits for a terminal or as JSON, and one paper in full.

Styles come from typer (loaded with the command line anyway, unlike rich): `typer.echo`
drops them when the output is not a terminal, so piped output is plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from paperboy.latex import to_unicode
from paperboy.record import Paper, Version
from paperboy.search import Hit, SearchResult, mark_spans, split_marks
from paperboy.store import Store
from paperboy.wording import plural

if TYPE_CHECKING:
    from paperboy.ranking import RankedDay
    from paperboy.similar import SimilarHit


def result_json(store: Store, result: SearchResult) -> dict[str, object]:
    """The result as JSON-ready values; papers as `paperboy export --format json` writes them."""
    from paperboy.export import paper_json

    hits = []
    for hit in result.hits:
        _, title_marks = mark_spans(hit.title)
        snippet, snippet_marks = mark_spans(hit.snippet)
        hits.append(
            {
                "score": hit.score,
                "title_marks": title_marks,
                "snippet": snippet,
                "snippet_marks": snippet_marks,
                "paper": paper_json(store, hit.paper),
            }
        )
    return {
        "query": result.query.text,
        "mode": result.mode,
        "match": result.query.match,
        "notes": list(result.all_notes),
        "message": result.message,
        "total": result.total,
        "total_capped": result.total_is_capped,
        "offset": result.offset,
        "limit": result.limit,
        "hits": hits,
    }


def similar_json(
    store: Store, paper: Paper, hits: Sequence[SimilarHit], limit: int
) -> dict[str, object]:
    """`paperboy similar --json`: the shape of `search --json`, the query being the paper,
    each hit's score its cosine similarity (higher is closer)."""
    from paperboy.export import paper_json

    return {
        "query": paper.arxiv_id,
        "mode": "similar",
        "match": None,
        "notes": [],
        "message": None if hits else f"no paper is similar to {paper.arxiv_id}",
        "total": len(hits),
        "total_capped": False,
        "offset": 0,
        "limit": limit,
        "hits": [
            {
                "score": hit.score,
                "title_marks": [],
                "snippet": _lead(hit.paper.abstract),
                "snippet_marks": [],
                "paper": paper_json(store, hit.paper),
            }
            for hit in hits
        ],
    }


def ranked_json(store: Store, profile: str, ranked: RankedDay, limit: int) -> dict[str, object]:
    """`paperboy rank --json`: the shape of `search --json`, the query being the profile and
    its day; each hit adds its reasons and listing section (score: higher is better)."""
    from paperboy.export import paper_json

    return {
        "query": f"{profile} {ranked.category} {ranked.day.isoformat()}",
        "match": "rank",
        "notes": [ranked.provisional] if ranked.provisional else [],
        "message": None if ranked.hits else f"no paper in the {ranked.day} listing",
        "total": ranked.total,
        "total_capped": False,
        "offset": 0,
        "limit": limit,
        "profile": profile,
        "date": ranked.day.isoformat(),
        "category": ranked.category,
        "hits": [
            {
                "score": hit.score,
                "reasons": hit.reasons,
                "section": hit.section,
                "title_marks": [],
                "snippet": _lead(hit.paper.abstract),
                "snippet_marks": [],
                "paper": paper_json(store, hit.paper),
            }
            for hit in ranked.hits
        ],
    }


def ranked_text(profile: str, ranked: RankedDay) -> str:
    """The ranked day for a terminal: rank, title, reasons, link."""
    head = (
        f"{ranked.category} listing for {ranked.day:%a, %-d %b %Y} ranked for {profile}: "
        f"{plural(ranked.total, 'paper')}"
    )
    out = [typer.style(head, dim=True)]
    if ranked.provisional:
        out.append(typer.style(ranked.provisional, fg="yellow"))
    for n, hit in enumerate(ranked.hits, start=1):
        title = " ".join(to_unicode(hit.paper.title).split())
        out += ["", typer.style(f"{n:>3}. ", bold=True) + typer.style(title, bold=True)]
        out += ["     " + typer.style(reason, fg="green") for reason in hit.reasons]
        section = "" if hit.section == "new" else f"  ({hit.section})"
        out.append("     " + typer.style(hit.paper.abs_url, fg="cyan") + section)
    return "\n".join(out)


def similar_text(paper: Paper, hits: Sequence[SimilarHit]) -> str:
    """Papers similar to `paper`, numbered as search hits are, with their similarity."""
    title = " ".join(to_unicode(paper.title).split())
    out = [typer.style(f"similar to {paper.arxiv_id}: {title}", dim=True)]
    if not hits:
        out.append(f"no paper is similar to {paper.arxiv_id}")
    for n, hit in enumerate(hits, start=1):
        shown = Hit(hit.paper, hit.score, hit.paper.title, _lead(hit.paper.abstract))
        out += ["", _hit_text(n, shown, f"  similarity {hit.score:.2f}")]
    return "\n".join(out)


def _lead(abstract: str, words: int = 40) -> str:
    parts = abstract.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def result_text(result: SearchResult) -> str:
    """The result for a terminal: numbered hits, matched terms highlighted."""
    out = [typer.style(f"note: {note}", fg="yellow") for note in result.all_notes]
    if result.message:
        return "\n".join([*out, result.message])
    out.append(typer.style(summary(result), dim=True))
    for n, hit in enumerate(result.hits, start=result.offset + 1):
        out += ["", _hit_text(n, hit)]
    return "\n".join(out)


def summary(result: SearchResult) -> str:
    """How many papers match (keyword mode), or how the others ranked theirs."""
    if result.mode == "semantic":
        return "nearest in meaning first (semantic)"
    if result.mode == "hybrid":
        return "best by words and meaning together first (hybrid)"
    more = "more than " if result.total_is_capped else ""
    papers = "paper matches" if result.total == 1 else "papers match"
    return f"{more}{result.total:,} {papers}"


def _hit_text(n: int, hit: Hit, note: str = "") -> str:
    p = hit.paper
    return "\n".join(
        [
            typer.style(f"{n:>3}. ", bold=True)
            + typer.style(p.arxiv_id, fg="cyan")
            + typer.style(f"  {p.submitted_day}  {' '.join(p.categories[:3])}{note}", dim=True),
            "     " + _marked(" ".join(hit.title.split()), bold=True),
            "     " + typer.style(_short_authors(p.authors), dim=True),
            "     " + _marked(hit.snippet, bold=False),
        ]
    )


def _marked(text: str, *, bold: bool) -> str:
    return "".join(
        typer.style(to_unicode(piece), bold=bold, fg="yellow", reverse=True)
        if hit
        else typer.style(to_unicode(piece), bold=bold or None)
        for piece, hit in split_marks(text)
    )


def _short_authors(names: Sequence[str], limit: int = 6) -> str:
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def paper_text(paper: Paper, versions: Sequence[Version], asked: int | None = None) -> str:
    """Every stored field of one paper, then its versions (submitted, announced)."""
    label = typer.style
    lines = [
        label(paper.arxiv_id, fg="cyan", bold=True) + label(f"v{paper.version}", dim=True),
        label(" ".join(to_unicode(paper.title).split()), bold=True),
        ", ".join(paper.authors),
        "",
    ]
    fields = [
        ("categories", " ".join(paper.categories) + f" (primary {paper.primary_category})"),
        ("published", f"{paper.published:%Y-%m-%d %H:%M} UTC"),
        ("updated", f"{paper.updated:%Y-%m-%d %H:%M} UTC"),
        ("comment", to_unicode(paper.comment) if paper.comment else None),
        ("journal", paper.journal_ref),
        ("doi", paper.doi),
        ("abstract page", paper.abs_url),
        ("pdf", paper.pdf_url),
    ]
    lines += [
        f"{label(f'{name}:', dim=True)} {' '.join(value.split())}"
        for name, value in fields
        if value
    ]
    lines += [
        "",
        " ".join(to_unicode(paper.abstract).split()),
        "",
        label(plural(len(versions), "version"), bold=True),
    ]
    lines += [_version_text(v) for v in versions]
    if asked is not None and asked not in {v.number for v in versions}:
        known = f"v{versions[-1].number}" if versions else f"v{paper.version}"
        lines.append(
            typer.style(
                f"note: v{asked} is not in the store (the latest known is {known})", fg="yellow"
            )
        )
    return "\n".join(lines)


def _version_text(v: Version) -> str:
    submitted = f"submitted {v.submitted:%Y-%m-%d %H:%M} UTC" if v.submitted else "submitted ?"
    if v.announced is None:
        announced = "announcement day unknown"
    else:
        how = "" if v.announced_observed else " (inferred)"
        announced = f"announced {v.announced:%a %Y-%m-%d}{how}"
    return f"  v{v.number}  {submitted}, {announced}"
