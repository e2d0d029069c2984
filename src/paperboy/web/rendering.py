"""Turning view models into HTML: the template environment, its filters, and the headers
every page is sent with. Shared by the web app and the static site.

Nothing from a paper's text becomes markup: templates autoescape, and the two helpers that
return Markup (`linkify`, `marked`) escape every piece of text they are given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from paperboy.latex import text_mode
from paperboy.links import ANCHOR, URL, has_code, trim
from paperboy.links import paper_links as code_and_project_links
from paperboy.record import Paper
from paperboy.search import split_marks
from paperboy.venue import venue_of
from paperboy.web.urls import Urls

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
HTML_SINCE = date(2023, 12, 1)  # arXiv renders HTML for papers submitted since then
# No inline script or style anywhere: even text that slipped past escaping could not run.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def linkify(text: str | None) -> Markup:
    """Text with its http(s) URLs made into links; everything else escaped."""
    if not text:
        return Markup("")
    text = ANCHOR.sub(lambda m: m.group("url"), text)
    out: list[str] = []
    at = 0
    for m in URL.finditer(text):
        url = trim(m.group(0))
        out.append(str(escape(text[at : m.start()])))
        out.append(f'<a class="ext" rel="nofollow noopener" href="{escape(url)}">{escape(url)}</a>')
        at = m.start() + len(url)
    out.append(str(escape(text[at:])))
    return Markup("".join(out))


def marked(text: str) -> Markup:
    """Search-marked text (see paperboy.search) with the matched terms in <mark>."""
    return Markup(
        "".join(
            f"<mark>{escape(t)}</mark>" if hit else str(escape(t)) for t, hit in split_marks(text)
        )
    )


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str
    kind: str  # abs | pdf | html | doi | code | project


def paper_links(paper: Paper) -> list[Link]:
    """The links a reader wants: arXiv's pages, the DOI, and code and project pages named in
    the abstract or comment (`paperboy.links`)."""
    links = [
        Link("Abstract", f"https://arxiv.org/abs/{paper.arxiv_id}", "abs"),
        Link("PDF", f"https://arxiv.org/pdf/{paper.arxiv_id}", "pdf"),
    ]
    if paper.submitted_day >= HTML_SINCE:
        links.append(Link("HTML", f"https://arxiv.org/html/{paper.versioned_id}", "html"))
    else:
        links.append(
            Link("HTML (ar5iv)", f"https://ar5iv.labs.arxiv.org/html/{paper.arxiv_id}", "html")
        )
    if paper.doi:
        for doi in paper.doi.split():
            links.append(Link(f"DOI {doi}", f"https://doi.org/{doi}", "doi"))
    for kind, url in code_and_project_links(paper):
        links.append(Link(url.split("://", 1)[-1].rstrip("/"), url, kind))
    return links


def first_code_link(paper: Paper) -> Link | None:
    """The first code (else project) link a paper names, for the compact lists."""
    named = [k for k in paper_links(paper) if k.kind in ("code", "project")]
    return next((k for k in named if k.kind == "code"), named[0] if named else None)


def author_links(names: Sequence[str], urls: Urls, limit: int = 12) -> Markup:
    """Authors, each linked to a search for their name; long lists end in 'and N more'."""
    shown = names if len(names) <= limit else names[: limit - 2]
    base = urls.search()
    links = [
        f'<a href="{escape(base)}?q={quote_plus(f"au:{chr(34)}{name}{chr(34)}")}">'
        f"{escape(name)}</a>"
        for name in shown
    ]
    more = (
        f', <span class="more">and {len(names) - len(shown)} more</span>'
        if len(names) > len(shown)
        else ""
    )
    return Markup(", ".join(links) + more)


def real_categories(paper: Paper) -> list[str]:
    """Categories that are arXiv's (not MSC/ACM class strings), primary first."""
    from paperboy.store import is_category

    cats = [c for c in paper.categories if is_category(c) and c != paper.primary_category]
    return [paper.primary_category, *cats]


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["linkify"] = linkify
    env.filters["marked"] = marked
    env.filters["texmode"] = text_mode
    env.filters["thousands"] = lambda n: f"{n:,}"
    env.filters["longdate"] = lambda d: f"{d:%A}, {d.day} {d:%B %Y}"
    env.filters["shortdate"] = lambda d: f"{d:%a} {d.day} {d:%b %Y}"
    env.globals["paper_links"] = paper_links
    env.globals["real_categories"] = real_categories
    env.globals["first_code_link"] = first_code_link
    env.globals["author_links"] = author_links
    env.globals["venue_of"] = venue_of
    env.globals["has_code"] = has_code
    env.globals["accounts"] = False  # the web app's own environment says when it has them
    return env


def render(
    env: Environment,
    template: str,
    urls: Urls,
    *,
    category: str,
    title: str,
    static_site: bool = False,
    **context: object,
) -> str:
    """A page; every template gets the links, the current category, the title and the mode."""
    q = context.pop("q", "")
    return env.get_template(template).render(
        urls=urls, category=category, title=title, static_site=static_site, q=q, **context
    )


class Renderer:
    """The web app's pages: a template rendered with the links of the page it becomes."""

    def __init__(self, default_category: Callable[[], str], accounts: bool = False) -> None:
        self.env = environment()
        self.env.globals["accounts"] = accounts  # members sign in: an Account link
        self.default_category = default_category

    def html(self, template: str, here: str, status: int = 200, **context: Any) -> HTMLResponse:
        category = context.pop("category", None) or self.default_category()
        body = render(self.env, template, Urls(here), category=category, **context)
        return HTMLResponse(body, status_code=status, headers=HEADERS)
