"""A ranked day as an e-mail: plain text and HTML alternatives of the same list, each paper
with its reasons and its links (abstract, PDF, and the web reader's page when one is
configured)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from paperboy.latex import to_unicode
from paperboy.ranking.rank import RankedDay
from paperboy.web.urls import Urls
from paperboy.wording import plural

TEMPLATES = Path(__file__).parent / "templates"
SHOWN_AUTHORS = 6


@dataclass(frozen=True, slots=True)
class Item:
    """One paper as a digest shows it."""

    rank: int
    arxiv_id: str
    title: str
    authors: str
    section: str  # '' for a new submission
    reasons: list[str]
    abs_url: str
    pdf_url: str
    web_url: str | None


@dataclass(frozen=True, slots=True)
class Digest:
    profile: str
    category: str
    subject: str
    heading: str
    note: str | None  # the listing's doubt, when it has one
    items: list[Item]
    day_url: str | None  # the day ranked for the profile in the web reader


def digest(profile: str, ranked: RankedDay, web: str | None = None) -> Digest:
    """What the message says, from a ranked day; `web` is the web reader's address."""
    urls = Urls(root=web.rstrip("/") + "/") if web else None
    day = f"{ranked.day:%a} {ranked.day.day} {ranked.day:%b %Y}"
    shown = len(ranked.hits)
    counted = f"top {shown} of {ranked.total}" if shown < ranked.total else f"all {shown}"
    items = [
        Item(
            rank=n,
            arxiv_id=hit.paper.arxiv_id,
            title=" ".join(to_unicode(hit.paper.title).split()),
            authors=_authors(hit.paper.authors),
            section="" if hit.section == "new" else hit.listed_as,
            reasons=hit.reasons,
            abs_url=f"https://arxiv.org/abs/{hit.paper.arxiv_id}",
            pdf_url=f"https://arxiv.org/pdf/{hit.paper.arxiv_id}",
            web_url=urls.paper(hit.paper.arxiv_id) if urls else None,
        )
        for n, hit in enumerate(ranked.hits, start=1)
    ]
    return Digest(
        profile=profile,
        category=ranked.category,
        subject=f"{ranked.category} for {profile}, {day}: {counted} papers",
        heading=(
            f"{ranked.category} listing of {day}, ranked for {profile}: "
            f"{counted} {'paper' if ranked.total == 1 else 'papers'}"
        ),
        note=ranked.provisional,
        items=items,
        day_url=urls.for_you(ranked.category, ranked.day, profile) if urls else None,
    )


def _authors(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN_AUTHORS])
    return shown + (
        f" and {plural(len(names) - SHOWN_AUTHORS, 'other')}" if len(names) > SHOWN_AUTHORS else ""
    )


def text(d: Digest) -> str:
    """The plain-text part: one numbered block a paper."""
    out = [d.heading]
    if d.note:
        out.append(d.note)
    for item in d.items:
        section = f" ({item.section})" if item.section else ""
        out += ["", f"{item.rank}. {item.title}{section}", f"   {item.authors}"]
        out += [f"   - {reason}" for reason in item.reasons]
        out.append(f"   abstract: {item.abs_url}")
        out.append(f"   pdf: {item.pdf_url}")
        if item.web_url:
            out.append(f"   read: {item.web_url}")
    out += ["", "-- ", f"Ranked by paperboy for the profile {d.profile}."]
    if d.day_url:
        out.append(f"The whole day, ranked: {d.day_url}")
    return "\n".join(out) + "\n"


def html(d: Digest) -> str:
    return _environment().get_template("digest.html").render(d=d)


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def message(d: Digest, sender: str, to: list[str]) -> EmailMessage:
    """The digest as a multipart/alternative message, with its own Message-ID."""
    msg = EmailMessage()
    msg["Subject"] = d.subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(text(d))
    msg.add_alternative(html(d), subtype="html")
    return msg
