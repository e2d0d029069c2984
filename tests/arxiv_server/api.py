"""The query API, /api/query: arXiv's search language (enough of it) and 2026-style Atom.

Layout as recorded in ../shared/arxiv-protocol/api/*.xml: lxml-serialized, single-quoted
declaration, namespaces declared once on <feed>, opensearch itemsPerPage/totalResults/
startIndex, entries id, title, updated, links, summary, categories, published, comment,
primary_category, journal_ref, authors, doi and the DOI link. The feed <id> is
base64(sha1(title query)) as on arXiv. `fold=True` serves titles and abstracts hard-wrapped
the way the API did up to 2025 (abstract with two leading spaces and a final line break).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from lxml import etree
from lxml.etree import _Element

from arxiv_server.data import fold, utc_stamp
from paperboy.record import Paper

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
ARXIV = "http://arxiv.org/schemas/atom"
NSMAP = {"opensearch": OPENSEARCH, "arxiv": ARXIV, None: ATOM}
SCHEME = "http://arxiv.org/schemas/atom"
MAX_RESULTS = 2000
MAX_TOTAL = 30000

Predicate = Callable[[Paper], bool]


class QueryError(ValueError):
    """A request the real API answers with HTTP 400 and an error feed."""


# ---------------------------------------------------------------- the search language

_TOKEN = re.compile(
    r"\s*(?:(?P<lp>\()|(?P<rp>\))|"
    r"(?P<term>(?:(?P<field>[A-Za-z_]+):)?(?P<value>\"[^\"]*\"|\[[^\]]*\]|[^\s()]+)))"
)
_OPERATORS = {"AND", "OR", "ANDNOT"}
# arXiv checks an id_list entry's shape only (0000.0000 is well formed, and simply not found);
# paperboy's own split_id is stricter, refusing ids that name no month.
_ID_SHAPE = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")


def _bare_id(text: str) -> str | None:
    m = _ID_SHAPE.match(text.strip())
    return m.group(1) if m else None


_TEXT_FIELDS: dict[str, Callable[[Paper], str]] = {
    "ti": lambda p: p.title,
    "au": lambda p: " ".join(p.authors),
    "abs": lambda p: p.abstract,
    "co": lambda p: p.comment or "",
    "jr": lambda p: p.journal_ref or "",
    "all": lambda p: " ".join([p.title, *p.authors, p.abstract, p.comment or ""]),
}


def parse_query(text: str) -> Predicate:
    """search_query -> predicate. Operators AND, OR, ANDNOT left to right; parentheses."""
    tokens = _tokenize(text)
    predicate, rest = _expression(tokens)
    if rest:
        raise QueryError(f"unexpected {rest[0]!r} in query")
    return predicate


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(f"cannot parse query near {text[position:]!r}")
        tokens.append(match.group(0).strip())
        position = match.end()
    return tokens


def _expression(tokens: list[str]) -> tuple[Predicate, list[str]]:
    left, tokens = _operand(tokens)
    while tokens and tokens[0] != ")":
        operator = tokens[0] if tokens[0] in _OPERATORS else "AND"  # juxtaposition: AND
        if tokens[0] in _OPERATORS:
            tokens = tokens[1:]
        right, tokens = _operand(tokens)
        left = _combine(operator, left, right)
    return left, tokens


def _combine(operator: str, left: Predicate, right: Predicate) -> Predicate:
    if operator == "AND":
        return lambda p: left(p) and right(p)
    if operator == "OR":
        return lambda p: left(p) or right(p)
    return lambda p: left(p) and not right(p)


def _operand(tokens: list[str]) -> tuple[Predicate, list[str]]:
    if not tokens:
        raise QueryError("query ends where a term was expected")
    head, rest = tokens[0], tokens[1:]
    if head == "(":
        inner, rest = _expression(rest)
        if not rest or rest[0] != ")":
            raise QueryError("unbalanced parentheses in query")
        return inner, rest[1:]
    if head in _OPERATORS or head == ")":
        raise QueryError(f"unexpected {head!r} in query")
    return _term(head), rest


def _term(token: str) -> Predicate:
    field, sep, value = token.partition(":")
    if not sep or value == "":
        field, value = "all", token
    if field in ("submittedDate", "lastUpdatedDate"):
        low, high = _date_range(value)
        if field == "submittedDate":
            return lambda p: low <= p.published.replace(tzinfo=None) < high
        return lambda p: low <= p.updated.replace(tzinfo=None) < high
    if field == "cat":
        if value.endswith("*"):
            prefix = value[:-1]
            return lambda p: any(c.startswith(prefix) for c in p.categories)
        return lambda p: value in p.categories
    if field == "id":
        wanted = value
        return lambda p: p.arxiv_id == wanted or p.versioned_id == wanted
    if field not in _TEXT_FIELDS:
        raise QueryError(f"unknown field {field!r}")
    getter = _TEXT_FIELDS[field]
    needle = value.strip('"').replace("_", " ").lower()
    return lambda p: needle in getter(p).lower()


def _date_range(value: str) -> tuple[datetime, datetime]:
    match = re.fullmatch(r"\[\s*(\d{8,14})\s+TO\s+(\d{8,14})\s*\]", value)
    if match is None:
        raise QueryError(f"bad date range {value!r}: expected [YYYYMMDDHHMM TO YYYYMMDDHHMM]")
    return _instant(match.group(1))[0], _instant(match.group(2))[1]


def _instant(digits: str) -> tuple[datetime, datetime]:
    """The first instant a date of this precision covers, and the first one after it."""
    formats = {
        8: ("%Y%m%d", timedelta(days=1)),
        10: ("%Y%m%d%H", timedelta(hours=1)),
        12: ("%Y%m%d%H%M", timedelta(minutes=1)),
        14: ("%Y%m%d%H%M%S", timedelta(seconds=1)),
    }
    if len(digits) not in formats:
        raise QueryError(f"bad date {digits!r}")
    pattern, step = formats[len(digits)]
    start = datetime.strptime(digits, pattern)
    return start, start + step


# ---------------------------------------------------------------- a request


@dataclass(frozen=True, slots=True)
class ApiRequest:
    search_query: str
    id_list: list[str]
    start: int
    max_results: int
    sort_by: str
    sort_order: str

    @property
    def shown_query(self) -> str:
        """The query as the feed title shows it: a bare word gets arXiv's 'all:' prefix."""
        q = self.search_query
        if q and ":" not in q and not any(op in q.split() for op in _OPERATORS):
            return f"all:{q}"
        return q

    @property
    def title_query(self) -> str:
        ids = ",".join(self.id_list)
        return (
            f"search_query={self.shown_query}&id_list={ids}"
            f"&start={self.start}&max_results={self.max_results}"
        )

    @property
    def link(self) -> str:
        ids = ",".join(self.id_list)
        return (
            f"https://arxiv.org/api/query?search_query={self.shown_query}"
            f"&start={self.start}&max_results={self.max_results}&id_list={ids}"
        )


def parse_request(args: dict[str, list[str]]) -> ApiRequest:
    """Query-string arguments (already %- and +-decoded) to a validated request."""

    def one(name: str, default: str) -> str:
        values = args.get(name)
        return values[-1] if values else default

    start = _integer(one("start", "0"), "start")
    max_results = _integer(one("max_results", "10"), "max_results")
    if max_results > MAX_RESULTS:
        raise QueryError(f"max_results must be at most {MAX_RESULTS}")
    if start + max_results > MAX_TOTAL:
        raise QueryError(f"start plus max_results must be at most {MAX_TOTAL}")
    sort_by = one("sortBy", "relevance")
    if sort_by not in ("relevance", "lastUpdatedDate", "submittedDate"):
        raise QueryError(f"unknown sortBy {sort_by}")
    sort_order = one("sortOrder", "descending")
    if sort_order not in ("ascending", "descending"):
        raise QueryError(f"unknown sortOrder {sort_order}")
    ids = [i.strip() for i in one("id_list", "").split(",") if i.strip()]
    for wanted in ids:
        if _bare_id(wanted) is None:
            raise QueryError(f"incorrect id format for {wanted}")
    return ApiRequest(one("search_query", "").strip(), ids, start, max_results, sort_by, sort_order)


def _integer(text: str, name: str) -> int:
    if not text.strip().isdigit():
        raise QueryError(f"{name} must be a non-negative integer")
    return int(text)


def select(papers: Sequence[Paper], request: ApiRequest) -> list[Paper]:
    """Every match of the request, in the order it asks for (before paging).

    Ties keep the data's order (ascending), and descending is exactly its reverse, so a
    client that reverses a descending harvest gets the collector files' order back.
    """
    if request.id_list:
        by_id = {p.arxiv_id: p for p in papers}
        chosen = [by_id[i] for i in (_bare_id(x) for x in request.id_list) if i in by_id]
        if request.search_query:
            predicate = parse_query(request.search_query)
            chosen = [p for p in chosen if predicate(p)]
        if request.sort_by == "relevance":
            return chosen
    elif request.search_query:
        predicate = parse_query(request.search_query)
        chosen = [p for p in papers if predicate(p)]
    else:
        chosen = []
    key: Callable[[Paper], datetime] = (
        (lambda p: p.updated) if request.sort_by == "lastUpdatedDate" else (lambda p: p.published)
    )
    ordered = sorted(chosen, key=key)
    return ordered[::-1] if request.sort_order == "descending" else ordered


# ---------------------------------------------------------------- rendering


def _el(parent: _Element, tag: str, text: str | None = None, **attrs: str) -> _Element:
    element = etree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _a(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _x(name: str) -> str:
    return f"{{{ARXIV}}}{name}"


def render_feed(
    request: ApiRequest,
    total: int,
    entries: Sequence[Paper],
    now: datetime,
    *,
    fold_text: bool = False,
) -> bytes:
    digest = hashlib.sha1(request.title_query.encode()).digest()
    feed_id = base64.b64encode(digest).decode().rstrip("=")
    root = etree.Element(_a("feed"), nsmap=NSMAP)  # type: ignore[arg-type]
    _el(root, _a("id"), f"https://arxiv.org/api/{feed_id}")
    _el(root, _a("title"), f"arXiv Query: {request.title_query}")
    _el(root, _a("updated"), utc_stamp(now))
    _el(root, _a("link"), href=request.link, type="application/atom+xml")
    _el(root, f"{{{OPENSEARCH}}}itemsPerPage", str(request.max_results))
    _el(root, f"{{{OPENSEARCH}}}totalResults", str(total))
    _el(root, f"{{{OPENSEARCH}}}startIndex", str(request.start))
    for paper in entries:
        _entry(root, paper, fold_text)
    return _serialize(root)


def _serialize(root: _Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _entry(root: _Element, p: Paper, fold_text: bool) -> None:
    entry = _el(root, _a("entry"))
    _el(entry, _a("id"), p.abs_url)
    _el(entry, _a("title"), fold(p.title, indent="  ") if fold_text else p.title)
    _el(entry, _a("updated"), utc_stamp(p.updated))
    alternate = p.abs_url.replace("http://", "https://", 1)
    _el(entry, _a("link"), href=alternate, rel="alternate", type="text/html")
    _el(entry, _a("link"), href=p.pdf_url, rel="related", type="application/pdf", title="pdf")
    summary = f"  {fold(p.abstract)}\n" if fold_text else p.abstract
    _el(entry, _a("summary"), summary)
    for term in p.categories:
        _el(entry, _a("category"), term=term, scheme=SCHEME)
    _el(entry, _a("published"), utc_stamp(p.published))
    if p.comment is not None:
        _el(entry, _x("comment"), p.comment)
    _el(entry, _x("primary_category"), term=p.primary_category)
    if p.journal_ref is not None:
        _el(entry, _x("journal_ref"), p.journal_ref)
    for name in p.authors:
        _el(_el(entry, _a("author")), _a("name"), name)
    if p.doi is not None:
        _el(entry, _x("doi"), p.doi)
        # Attribute order as arXiv writes it: rel before href here, unlike the other links.
        link = _el(entry, _a("link"))
        link.set("rel", "related")
        link.set("href", f"https://doi.org/{p.doi}")
        link.set("title", "doi")


def render_error(message: str, now: datetime) -> bytes:
    """arXiv's HTTP 400 answer: a normal-looking feed with one entry titled Error."""
    slug = re.sub(r"\s+", "_", message.strip())
    root = etree.Element(_a("feed"), nsmap=NSMAP)  # type: ignore[arg-type]
    _el(root, _a("id"), "https://arxiv.org/")
    _el(root, _a("title"), "arXiv Search Results")
    _el(root, _a("updated"), utc_stamp(now))
    _el(root, f"{{{OPENSEARCH}}}itemsPerPage", "1")
    _el(root, f"{{{OPENSEARCH}}}totalResults", "1")
    _el(root, f"{{{OPENSEARCH}}}startIndex", "0")
    entry = _el(root, _a("entry"))
    error_url = f"https://arxiv.org/api/errors#{slug}"
    _el(entry, _a("id"), error_url)
    _el(entry, _a("title"), "Error")
    _el(entry, _a("updated"), utc_stamp(now))
    _el(entry, _a("link"), href=error_url, rel="alternate", type="text/html")
    _el(entry, _a("summary"), message)
    _el(_el(entry, _a("author")), _a("name"), "arXiv api core")
    return _serialize(root)
