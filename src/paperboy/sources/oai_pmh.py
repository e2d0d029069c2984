"""arXiv's OAI-PMH interface, format arXivRaw: every version of every paper with its date.

Selective harvesting is by set (`group:archive:category`, so cs.CV is `cs:cs:CV`) and by
datestamp, which is the record's last-modified day, not its submission day. A harvest is a
chain of pages linked by resumption tokens; `list_pages` yields one `OaiPage` at a time with
the token for the next page, so the harvest layer can store a page's papers and the token in
one transaction and resume a killed run from the token. arXiv's tokens expire: resuming with
a stale one raises `BadResumptionToken`, after which the harvest restarts from its `from_day`
(storing is idempotent, so the repeat costs requests, not correctness).

What arXivRaw does not carry the way the query API does:
- authors are one string ("A, B and C", sometimes with affiliations in parentheses);
  `split_authors` splits it at top-level commas and " and ". arXivRaw keeps TeX accents
  (`Bal\\'azs`) where the API gives Unicode, so names can differ from the API's.
- MSC and ACM classes are separate elements; they are appended to `categories` after the
  arXiv categories, split on ", ", which is how the query API lists them.
- there are no URLs: `abs_url`/`pdf_url` are left for Paper to fill in
  (`http://arxiv.org/abs/<id>v<n>`, the form the collector files use).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

import httpx
from lxml import etree

from paperboy.record import Paper, RecordError, Version, split_id
from paperboy.sources.arxiv_api import collapse
from paperboy.sources.http import HttpStatusError, PoliteClient, Retry, SourceError
from paperboy.sources.problems import FieldError, RecordProblem, reading

log = logging.getLogger(__name__)

OAI_URL_ENV = "PAPERBOY_ARXIV_OAI_URL"
DEFAULT_OAI_URL = "https://oaipmh.arxiv.org/oai"
OAI = "http://www.openarchives.org/OAI/2.0/"
RAW = "http://arxiv.org/OAI/arXivRaw/"
NS = {"o": OAI, "r": RAW}
_AUTHOR_SEPARATORS = re.compile(r"(\(|\)|,| and )")
_AFFILIATION_BLOCK = re.compile(r"\s*\(\(\d+\).*\)\s*$")  # trailing "((1) MIT, (2) CMU)"


class OaiError(SourceError):
    """An OAI-PMH <error> other than noRecordsMatch (which just means: nothing)."""

    def __init__(self, code: str, message: str, *, url: str | None = None) -> None:
        super().__init__(f"OAI-PMH error {code} from {url}: {message}", url=url)
        self.code = code


class IncompleteList(SourceError):
    """The pages of a list did not account for its records, even when asked again."""


class BadResumptionToken(OaiError):
    """The token is unknown or expired; restart the harvest from its from_day."""

    def __init__(self, token: str, message: str, *, url: str | None = None) -> None:
        super().__init__("badResumptionToken", f"token {token!r}: {message}", url=url)
        self.token = token


@dataclass(frozen=True, slots=True)
class OaiPage:
    """One ListRecords page: its papers and how to ask for the next page."""

    papers: list[Paper]
    next_token: str | None  # None: this was the last page
    cursor: int | None = None  # position of this page's first record in the whole list
    complete_list_size: int | None = None
    deleted: list[str] = field(default_factory=list)  # ids whose header says status=deleted
    token: str | None = None  # the token that fetched this page (None for the first)
    problems: list[RecordProblem] = field(default_factory=list)  # records that cannot be read

    @property
    def record_count(self) -> int:
        """Records on the page, deleted and unreadable ones included: each is one of the
        list's completeListSize."""
        return len(self.papers) + len(self.deleted) + len(self.problems)


def oai_url() -> str:
    return os.environ.get(OAI_URL_ENV, "").strip() or DEFAULT_OAI_URL


# ---------------------------------------------------------------- parsing


def parse_page(body: bytes, url: str = "<oai>") -> OaiPage:
    """One OAI-PMH response. noRecordsMatch gives an empty last page; other errors raise."""
    try:
        root = etree.fromstring(
            body, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        )
    except etree.XMLSyntaxError as exc:
        raise Retry(f"unparsable or truncated XML: {exc}") from None
    if root.tag != f"{{{OAI}}}OAI-PMH":
        raise Retry(f"not an OAI-PMH response: root element {root.tag!r}")
    error = root.find("o:error", NS)
    if error is not None:
        code = error.get("code", "")
        if code == "noRecordsMatch":
            return OaiPage(papers=[], next_token=None)
        message = collapse(error.text or "")
        request = root.find("o:request", NS)
        token = request.get("resumptionToken") if request is not None else None
        if code == "badResumptionToken" and token is not None:
            raise BadResumptionToken(token, message, url=url)
        raise OaiError(code, message, url=url)
    container = root.find("o:ListRecords", NS)
    if container is None:
        container = root.find("o:GetRecord", NS)
    if container is None:
        raise Retry("response holds neither ListRecords nor GetRecord")
    return _page(container, url)


def _page(container: etree._Element, url: str) -> OaiPage:
    papers: list[Paper] = []
    deleted: list[str] = []
    problems: list[RecordProblem] = []
    for record in container.findall("o:record", NS):
        header = record.find("o:header", NS)
        identifier = "" if header is None else header.findtext("o:identifier", "", NS)
        arxiv_id = identifier.strip().removeprefix("oai:arXiv.org:")
        if header is not None and header.get("status") == "deleted":
            deleted.append(arxiv_id)
            continue
        raw = record.find("o:metadata/r:arXivRaw", NS)
        if raw is None:
            raise SourceError(
                "OAI-PMH record without arXivRaw metadata (use metadataPrefix=arXivRaw)",
                url=url,
            )
        try:
            papers.append(parse_arxiv_raw(raw))
        except FieldError as exc:
            problems.append(RecordProblem(url, arxiv_id, exc.field, exc.message))
    token_el = container.find("o:resumptionToken", NS)
    if token_el is None:
        return OaiPage(papers=papers, next_token=None, deleted=deleted, problems=problems)
    return OaiPage(
        papers=papers,
        next_token=(token_el.text or "").strip() or None,
        cursor=_optional_int(token_el.get("cursor")),
        complete_list_size=_optional_int(token_el.get("completeListSize")),
        deleted=deleted,
        problems=problems,
    )


def _optional_int(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


def parse_arxiv_raw(raw: etree._Element) -> Paper:
    """One <arXivRaw> element as a Paper with every version and its date.

    Raises FieldError naming the element that cannot be read.
    """
    with reading("id"):
        arxiv_id, suffix = split_id(_raw_text(raw, "id"))
        if suffix is not None:
            raise RecordError(f"arXivRaw id with a version: {_raw_text(raw, 'id')!r}")
    with reading("version"):
        dated = sorted(_versions(raw))
        if not dated:
            raise RecordError(f"{arxiv_id}: arXivRaw record without <version>")
    with reading("categories"):
        own = _raw_text(raw, "categories").split()
        if not own:
            raise RecordError(f"{arxiv_id}: arXivRaw record without categories")
    return Paper(
        arxiv_id=arxiv_id,
        version=dated[-1][0],
        title=collapse(_raw_text(raw, "title")),
        authors=split_authors(_raw_text(raw, "authors")),
        categories=own + _classes(raw, "msc-class") + _classes(raw, "acm-class"),
        primary_category=own[0],
        published=dated[0][1],
        updated=dated[-1][1],
        abstract=_raw_text(raw, "abstract").strip(),
        comment=_raw_optional(raw, "comments"),
        journal_ref=_raw_optional(raw, "journal-ref"),
        doi=_raw_optional(raw, "doi"),
        versions=[Version(number, submitted) for number, submitted in dated],
    )


def _versions(raw: etree._Element) -> Iterator[tuple[int, datetime]]:
    for element in raw.findall("r:version", NS):
        label = element.get("version", "")
        if not re.fullmatch(r"v\d+", label):
            raise RecordError(f"bad version label {label!r}")
        yield int(label[1:]), rfc822(element.findtext("r:date", "", NS))


def rfc822(text: str) -> datetime:
    """'Fri, 8 Feb 2013 21:00:01 GMT' -> an aware UTC datetime."""
    try:
        stamp = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError):
        raise RecordError(f"not an RFC-822 date: {text!r}") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


def _raw_text(raw: etree._Element, name: str) -> str:
    return raw.findtext(f"r:{name}", default="", namespaces=NS)


def _raw_optional(raw: etree._Element, name: str) -> str | None:
    text = _raw_text(raw, name).strip()
    return text or None


def _classes(raw: etree._Element, name: str) -> list[str]:
    text = _raw_text(raw, name).strip()
    return text.split(", ") if text else []


def split_authors(text: str) -> list[str]:
    """arXivRaw's author string as names: split at commas and ' and ' outside parentheses.

    'A, B and C', 'A, B, and C' and 'A and B' all give their names; parenthesised
    affiliations stay with their author ('A (MIT), B'), and a trailing block of numbered
    affiliations ('((1) MIT, (2) CMU)') is dropped.
    """
    names: list[str] = []
    current: list[str] = []
    depth = 0
    flat = _AFFILIATION_BLOCK.sub("", " ".join(text.split()))
    for token in _AUTHOR_SEPARATORS.split(flat):
        if token == "(":
            depth += 1
        elif token == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and token in (",", " and "):
            names.append("".join(current))
            current = []
            continue
        current.append(token)
    names.append("".join(current))
    return [n for n in (_clean_name(n) for n in names) if n]


def _clean_name(name: str) -> str:
    name = name.strip()
    return name[4:].strip() if name.startswith("and ") else name


# ---------------------------------------------------------------- fetching


def fetch_page(
    client: PoliteClient,
    params: dict[str, str],
    *,
    base_url: str | None = None,
) -> OaiPage:
    url = base_url or oai_url()

    def parse(response: httpx.Response) -> OaiPage:
        return parse_page(response.content, str(response.url))

    try:
        page = client.fetch(url, parse, params)
    except HttpStatusError as exc:
        # OAI-PMH errors normally come as 200; a 4xx may still carry an OAI error body.
        raise _oai_error(exc) from None
    token = params.get("resumptionToken")
    return OaiPage(
        papers=page.papers,
        next_token=page.next_token,
        cursor=page.cursor,
        complete_list_size=page.complete_list_size,
        deleted=page.deleted,
        token=token,
        problems=page.problems,
    )


def _oai_error(exc: HttpStatusError) -> SourceError:
    try:
        parse_page(exc.body, exc.url or "")
    except OaiError as oai:
        return oai
    except (Retry, RecordError):
        pass
    return exc


PAGE_RETRIES = 3  # asks of one page whose records do not add up, before giving up


def list_pages(
    client: PoliteClient,
    set_spec: str | None,
    from_day: date | None,
    until_day: date | None = None,
    resumption_token: str | None = None,
    *,
    base_url: str | None = None,
    metadata_prefix: str = "arXivRaw",
) -> Iterator[OaiPage]:
    """ListRecords page by page; with resumption_token, continue a harvest from there.

    Store each page's papers, then persist `page.next_token` (None: harvest complete).
    A page is handed over only once its records are accounted for: the next page's cursor
    must start where it ends (so a page is held until its successor arrives), the last
    page must end at completeListSize, and a page with a token must hold records. A page
    that fails this is asked again from the same token (a first page: the request again,
    which restarts the list), PAGE_RETRIES times, then IncompleteList names the list.
    Raises BadResumptionToken for an expired/unknown token (also when replaying one),
    OaiError for other OAI errors and SourceError when retries run out.
    """
    if resumption_token is not None:
        params = {"verb": "ListRecords", "resumptionToken": resumption_token}
    else:
        params = {"verb": "ListRecords", "metadataPrefix": metadata_prefix}
        if set_spec:
            params["set"] = set_spec
        if from_day is not None:
            params["from"] = from_day.isoformat()
        if until_day is not None:
            params["until"] = until_day.isoformat()
    chain = _Chain(client, base_url, params, 0 if resumption_token is None else None)
    yield from chain.pages()


@dataclass
class _Chain:
    """A list's pages being fetched, each checked against the counts of the next."""

    client: PoliteClient
    base_url: str | None
    params: dict[str, str]  # the request for the page to come
    position: int | None  # records of the list before the page to come, when known
    held: OaiPage | None = None  # fetched, waiting for its successor to confirm it
    held_params: dict[str, str] = field(default_factory=dict)
    held_position: int | None = None
    failures: int = 0

    def pages(self) -> Iterator[OaiPage]:
        first = dict(self.params)
        while True:
            page = fetch_page(self.client, self.params, base_url=self.base_url)
            trouble = self._trouble(page)
            if trouble is not None:
                self._ask_again(trouble, first)
                continue
            if self.held is not None:
                yield self.held
            self.failures = 0
            here = page.cursor if page.cursor is not None else self.position
            if page.next_token is None:
                yield page
                return
            self.held, self.held_params, self.held_position = page, self.params, here
            self.position = None if here is None else here + page.record_count
            self.params = {"verb": "ListRecords", "resumptionToken": page.next_token}

    def _trouble(self, page: OaiPage) -> tuple[str, bool] | None:
        """What does not add up, and whether the held page is the one to ask again."""
        if page.cursor is not None and self.position is not None and page.cursor != self.position:
            return (
                f"a page starts at record {page.cursor} but {self.position} came before it",
                self.held is not None,
            )
        if page.next_token is not None and page.record_count == 0:
            return "a page with a resumption token holds no records", False
        size, cursor = page.complete_list_size, page.cursor
        ended = None if cursor is None else cursor + page.record_count
        if page.next_token is None and size is not None and ended is not None and ended != size:
            return f"the list ends after {ended} records, not completeListSize {size}", False
        return None

    def _ask_again(self, trouble: tuple[str, bool], first: dict[str, str]) -> None:
        message, held_is_short = trouble
        self.failures += 1
        url = self.base_url or oai_url()
        where = f"OAI-PMH list {_describe(first)} at {url}"
        if self.failures > PAGE_RETRIES:
            raise IncompleteList(
                f"{where}: {message}, still after asking {PAGE_RETRIES} more times", url=url
            )
        log.warning("%s: %s; asking again", where, message)
        if held_is_short and self.held is not None:
            self.params, self.position = self.held_params, self.held_position
            self.held = None


def _describe(params: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items() if k != "verb")


def list_records(
    client: PoliteClient,
    set_spec: str | None,
    from_day: date | None,
    until_day: date | None = None,
    resumption_token: str | None = None,
    *,
    base_url: str | None = None,
) -> Iterator[tuple[Paper, str | None]]:
    """Each paper with the token of the page after its own (None on the last page).

    A token is safe to persist once every paper of its page is stored, i.e. when the next
    item carries a different token or the iteration ends. Prefer `list_pages`, which hands
    over whole pages.
    """
    for page in list_pages(
        client, set_spec, from_day, until_day, resumption_token, base_url=base_url
    ):
        for paper in page.papers:
            yield paper, page.next_token


def get_record(client: PoliteClient, arxiv_id: str, *, base_url: str | None = None) -> Paper:
    """One paper by id (no version suffix: OAI-PMH knows articles, not versions)."""
    params = {
        "verb": "GetRecord",
        "identifier": f"oai:arXiv.org:{arxiv_id}",
        "metadataPrefix": "arXivRaw",
    }
    page = fetch_page(client, params, base_url=base_url)
    if not page.papers:
        raise SourceError(f"OAI-PMH GetRecord for {arxiv_id} returned no record")
    return page.papers[0]
