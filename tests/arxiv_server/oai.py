"""OAI-PMH, /oai: ListRecords and GetRecord in arXivRaw, in the old export.arxiv.org layout.

Byte layout follows ../shared/arxiv-protocol/oai/2015_*arXivRaw*.xml (the only recorded
arXivRaw responses): double-quoted declaration, header children indented by one space, each
record's metadata on one line, `&quot;` in text, errors as <error code="...">, <request>
without attributes for badArgument/badVerb. Sets are the new server's `group:archive:
category` (`cs:cs:CV`); a set also matches its prefixes (`cs`, `cs:cs`). The datestamp is
the latest version's UTC date, and from/until select on it, inclusive.

Resumption tokens look like the old server's (`<session>|<1-based next start>`), carry
cursor and completeListSize, and point into a snapshot taken by the first request;
`OaiState.expire()` forgets every session, so the next token gets badResumptionToken. The
last page of a multi-page list has an empty <resumptionToken/>; a single page has none.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from arxiv_server.data import (
    authors_string,
    fold,
    in_set,
    set_spec,
    size_kb,
    split_categories,
    utc_stamp,
    version_dates,
)
from paperboy.record import Paper

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
ROOT_OPEN = (
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
    'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
)
RAW_OPEN = (
    ' <arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://arxiv.org/OAI/arXivRaw/ http://arxiv.org/OAI/arXivRaw.xsd">\n'
)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LIST_ARGS = {"verb", "metadataPrefix", "set", "from", "until", "resumptionToken"}
_GET_ARGS = {"verb", "identifier", "metadataPrefix"}


class OaiProblem(Exception):
    def __init__(self, code: str, message: str, *, echo: bool = True) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.echo = echo  # whether <request> repeats the arguments


def escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def rfc822(moment: datetime) -> str:
    """'Fri, 8 Feb 2013 21:00:01 GMT': English names, day without a leading zero."""
    return (
        f"{_DAYS[moment.weekday()]}, {moment.day} {_MONTHS[moment.month - 1]} "
        f"{moment:%Y %H:%M:%S} GMT"
    )


def datestamp(paper: Paper) -> date:
    return version_dates(paper)[-1][1].date()


@dataclass
class _Session:
    papers: list[Paper]


@dataclass
class OaiState:
    """Resumption-token sessions of one server."""

    sessions: dict[int, _Session] = field(default_factory=dict)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(726959))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new(self, papers: list[Paper]) -> int:
        with self.lock:
            number = next(self.counter)
            self.sessions[number] = _Session(papers)
            return number

    def get(self, number: int) -> _Session | None:
        with self.lock:
            return self.sessions.get(number)

    def expire(self) -> None:
        with self.lock:
            self.sessions.clear()


def respond(
    args: list[tuple[str, str]],
    papers: Sequence[Paper],
    state: OaiState,
    *,
    base_url: str,
    now: datetime,
    page_size: int,
    fold_text: bool,
    deleted: frozenset[str] = frozenset(),
    drop: str | None = None,
) -> bytes:
    """The whole response body for one request (errors included: OAI-PMH answers 200).

    Papers in `deleted` are served as deleted records. `drop` is a fault: 'empty' leaves
    every record off a ListRecords page, 'short' its first one (token and counts unchanged).
    """
    try:
        view = _View(deleted, drop, fold_text)
        body = _dispatch(dict(args), papers, state, page_size=page_size, view=view)
        request = _request_line(args, base_url)
    except OaiProblem as problem:
        body = f'<error code="{problem.code}">{escape(problem.message)}</error>\n'
        request = _request_line(args if problem.echo else [], base_url)
    text = f"{DECLARATION}{ROOT_OPEN}<responseDate>{utc_stamp(now)}</responseDate>\n"
    return f"{text}{request}{body}</OAI-PMH>\n".encode()


def _request_line(args: list[tuple[str, str]], base_url: str) -> str:
    attrs = "".join(f' {k}="{escape(v)}"' for k, v in args)
    return f"<request{attrs}>{escape(base_url)}</request>\n"


@dataclass(frozen=True, slots=True)
class _View:
    """How records are rendered for one response."""

    deleted: frozenset[str]
    drop: str | None
    fold_text: bool

    def record(self, paper: Paper) -> str:
        if paper.arxiv_id in self.deleted:
            return _deleted_record(paper)
        return _record(paper, self.fold_text)


def _dispatch(
    args: dict[str, str],
    papers: Sequence[Paper],
    state: OaiState,
    *,
    page_size: int,
    view: _View,
) -> str:
    verb = args.get("verb", "")
    if verb == "ListRecords":
        return _list_records(args, papers, state, page_size, view)
    if verb == "GetRecord":
        return _get_record(args, papers, view)
    raise OaiProblem("badVerb", f"Bad verb. Verb '{verb}' not implemented.", echo=False)


def _check_args(args: dict[str, str], allowed: set[str], verb: str) -> None:
    for name in args:
        if name not in allowed:
            raise OaiProblem(
                "badArgument", f"Verb '{verb}', illegal argument '{name}'.", echo=False
            )


def _list_records(
    args: dict[str, str],
    papers: Sequence[Paper],
    state: OaiState,
    page_size: int,
    view: _View,
) -> str:
    _check_args(args, _LIST_ARGS, "ListRecords")
    if "resumptionToken" in args:
        session, start = _resume(args, state)
    else:
        session, start = _start(args, papers, state), 0
    chosen = state.get(session)
    assert chosen is not None
    page = chosen.papers[start : start + page_size]
    served = page
    if view.drop == "empty":
        served = []
    elif view.drop == "short" and len(page) > 1:
        served = page[1:]
    records = "".join(view.record(p) for p in served)
    total = len(chosen.papers)
    following = start + len(page)
    if following < total:
        token = (
            f'<resumptionToken cursor="{start}" completeListSize="{total}">'
            f"{session}|{following + 1}</resumptionToken>\n"
        )
    elif start > 0:
        token = f'<resumptionToken cursor="{start}" completeListSize="{total}"/>\n'
    else:
        token = ""
    return f"<ListRecords>\n{records}{token}</ListRecords>\n"


def _start(args: dict[str, str], papers: Sequence[Paper], state: OaiState) -> int:
    prefix = args.get("metadataPrefix")
    if prefix is None:
        message = "Verb 'ListRecords', argument 'metadataPrefix' is required."
        raise OaiProblem("badArgument", message, echo=False)
    if prefix != "arXivRaw":
        raise OaiProblem("cannotDisseminateFormat", f"Format '{prefix}' is not supported here")
    low = _day(args, "from", date.min)
    high = _day(args, "until", date.max)
    spec = args.get("set")
    chosen = [
        p for p in papers if low <= datestamp(p) <= high and (spec is None or in_set(p, spec))
    ]
    if not chosen:
        if spec is not None and not any(in_set(p, spec) for p in papers):
            raise OaiProblem(
                "noRecordsMatch", f"Set argument doesn't match any sets. The setSpec was '{spec}'"
            )
        raise OaiProblem(
            "noRecordsMatch",
            "No records match the paramaters specified for this selective harvesting request.",
        )
    chosen.sort(key=lambda p: (datestamp(p), p.arxiv_id))
    return state.new(chosen)


def _day(args: dict[str, str], name: str, default: date) -> date:
    text = args.get(name)
    if text is None:
        return default
    try:
        return date.fromisoformat(text) if len(text) == 10 else _bad_date(name, text)
    except ValueError:
        return _bad_date(name, text)


def _bad_date(name: str, text: str) -> date:
    raise OaiProblem("badArgument", f"Illegal date '{text}' for argument '{name}'.", echo=False)


def _resume(args: dict[str, str], state: OaiState) -> tuple[int, int]:
    token = args["resumptionToken"]
    if set(args) != {"verb", "resumptionToken"}:
        raise OaiProblem(
            "badArgument",
            "Verb 'ListRecords', resumptionToken must be the only argument.",
            echo=False,
        )
    session_text, _, start_text = token.partition("|")
    if session_text.isdigit() and start_text.isdigit():
        session = state.get(int(session_text))
        start = int(start_text) - 1
        if session is not None and 0 < start < len(session.papers):
            return int(session_text), start
    raise OaiProblem(
        "badResumptionToken", "The resumptionToken supplied is illegal for this repository"
    )


def _get_record(args: dict[str, str], papers: Sequence[Paper], view: _View) -> str:
    _check_args(args, _GET_ARGS, "GetRecord")
    identifier = args.get("identifier", "")
    if args.get("metadataPrefix") != "arXivRaw":
        raise OaiProblem("cannotDisseminateFormat", "Only arXivRaw is served here")
    wanted = identifier.removeprefix("oai:arXiv.org:")
    for paper in papers:
        if paper.arxiv_id == wanted:
            return f"<GetRecord>\n{view.record(paper)}</GetRecord>\n"
    raise OaiProblem(
        "idDoesNotExist",
        f"Identifier '{identifier}' has correct form but does not correspond to an item in "
        "this repository",
    )


def _header(p: Paper, status: str = "") -> str:
    own, _, _ = split_categories(p)
    specs = "".join(f" <setSpec>{escape(s)}</setSpec>\n" for s in dict.fromkeys(map(set_spec, own)))
    return (
        f"<header{status}>\n <identifier>oai:arXiv.org:{p.arxiv_id}</identifier>\n"
        f" <datestamp>{datestamp(p).isoformat()}</datestamp>\n{specs}</header>\n"
    )


def _deleted_record(p: Paper) -> str:
    """OAI-PMH's deleted record: the header alone, status="deleted", no metadata."""
    header = _header(p, ' status="deleted"')
    return f"<record>\n{header}</record>\n"


def _record(p: Paper, fold_text: bool) -> str:
    own, msc, acm = split_categories(p)
    header = _header(p)
    versions = "".join(
        f'<version version="v{n}"><date>{rfc822(d)}</date><size>{size_kb(p, n)}</size></version>'
        for n, d in version_dates(p)
    )
    title = fold(p.title, indent="  ") if fold_text else p.title
    abstract = f"  {fold(p.abstract)}\n" if fold_text else p.abstract
    fields = [
        ("title", title),
        ("authors", authors_string(p)),
        ("categories", " ".join(own)),
        ("comments", p.comment),
        ("acm-class", ", ".join(acm) or None),
        ("msc-class", ", ".join(msc) or None),
        ("journal-ref", p.journal_ref),
        ("doi", p.doi),
        ("license", "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"),
        ("abstract", abstract),
    ]
    body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields if v is not None)
    submitter = escape(p.authors[0] if p.authors else "arXiv")
    metadata = (
        f"<metadata>\n{RAW_OPEN} <id>{p.arxiv_id}</id><submitter>{submitter}</submitter>"
        f"{versions}{body}</arXivRaw>\n</metadata>\n"
    )
    return f"<record>\n{header}{metadata}</record>\n"
