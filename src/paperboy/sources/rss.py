"""rss.arxiv.org's announcement feeds (2024+ format), RSS 2.0 and Atom.

A feed holds the latest announcement only (empty on weekends and holidays); each item says
how the paper was announced (`new`, `cross`, `replace`, `replace-cross`). Feeds carry no
submission times and no comments, so the `Paper` of a `FeedItem` is incomplete by design:

- `published` and `updated` are NOT submission times: both are set to the announcement
  instant (the feed's midnight US Eastern, as UTC). The harvest layer must not let them
  overwrite real timestamps from the query API or OAI-PMH.
- `versions` is `[Version(n, submitted=None, announced=<day>, announced_observed=True)]`:
  the one fact the feed states for sure is that version n was announced that day.
- `comment` is None (feeds do not carry it); `abs_url`/`pdf_url` are Paper's defaults
  (`http://arxiv.org/abs/<id>v<n>`), since the feed's link has no version.
- `primary_category` is the first category listed, which is arXiv's primary.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import NamedTuple

import httpx
from lxml import etree

from paperboy.record import Paper, RecordError, Version, split_id
from paperboy.sources.arxiv_api import collapse
from paperboy.sources.http import HttpStatusError, PoliteClient, Retry, SourceError

RSS_URL_ENV = "PAPERBOY_ARXIV_RSS_URL"
DEFAULT_RSS_URL = "https://rss.arxiv.org"
ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
DC = "http://purl.org/dc/elements/1.1/"
NS = {"a": ATOM, "arxiv": ARXIV, "dc": DC}
ANNOUNCE_TYPES = frozenset({"new", "cross", "replace", "replace-cross"})
_DESCRIPTION = re.compile(
    r"^arXiv:(?P<id>\S+) Announce Type: (?P<type>\S+)\s*\n?Abstract:\s?(?P<abstract>.*)$",
    re.DOTALL,
)
_OAI_ID = "oai:arXiv.org:"


class FeedItem(NamedTuple):
    paper: Paper
    announce_type: str
    announced: date  # the announcement (listing) day, US Eastern


def rss_url() -> str:
    return os.environ.get(RSS_URL_ENV, "").strip() or DEFAULT_RSS_URL


def feed_url(categories: Iterable[str], *, atom: bool = False, base_url: str | None = None) -> str:
    base = (base_url or rss_url()).rstrip("/")
    return f"{base}/{'atom' if atom else 'rss'}/{'+'.join(categories)}"


def fetch_feed(
    client: PoliteClient,
    categories: Iterable[str],
    *,
    atom: bool = False,
    base_url: str | None = None,
) -> list[FeedItem]:
    """Today's announcement for the categories (joined with '+', as arXiv does)."""
    url = feed_url(categories, atom=atom, base_url=base_url)

    def parse(response: httpx.Response) -> list[FeedItem]:
        try:
            return parse_feed(response.content)
        except ValueError as exc:  # RecordError included
            # The feed is today's listing as a whole: recording it without an item would
            # record a wrong listing, so the feed fails, naming the item.
            raise SourceError(f"{url}: unreadable feed item: {exc}", url=url) from None

    try:
        return client.fetch(url, parse)
    except HttpStatusError as exc:
        raise SourceError(f"{url}: HTTP {exc.status}", url=url, problem=exc.problem) from None


def parse_feed(body: bytes) -> list[FeedItem]:
    """Items of an RSS 2.0 or Atom feed from rss.arxiv.org; Retry if the XML is broken."""
    try:
        root = etree.fromstring(
            body, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        )
    except etree.XMLSyntaxError as exc:
        raise Retry(f"unparsable or truncated XML: {exc}") from None
    if root.tag == "rss":
        return _rss_items(root)
    if root.tag == f"{{{ATOM}}}feed":
        return [_atom_item(entry) for entry in root.findall("a:entry", NS)]
    raise Retry(f"neither RSS nor Atom: root element {root.tag!r}")


def _rss_items(root: etree._Element) -> list[FeedItem]:
    channel = root.find("channel")
    if channel is None:
        raise Retry("RSS without <channel>")
    fallback = channel.findtext("pubDate")
    items = []
    for item in channel.findall("item"):
        stamp = _rfc822(item.findtext("pubDate") or fallback or "")
        items.append(
            _item(
                guid=item.findtext("guid", default=""),
                title=item.findtext("title", default=""),
                description=item.findtext("description", default=""),
                categories=[c.text or "" for c in item.findall("category")],
                element=item,
                stamp=stamp,
            )
        )
    return items


def _atom_item(entry: etree._Element) -> FeedItem:
    return _item(
        guid=entry.findtext("a:id", default="", namespaces=NS),
        title=entry.findtext("a:title", default="", namespaces=NS),
        description=entry.findtext("a:summary", default="", namespaces=NS),
        categories=[c.get("term", "") for c in entry.findall("a:category", NS)],
        element=entry,
        stamp=_iso(entry.findtext("a:published", default="", namespaces=NS)),
    )


def _item(
    *,
    guid: str,
    title: str,
    description: str,
    categories: list[str],
    element: etree._Element,
    stamp: datetime,
) -> FeedItem:
    arxiv_id, version = split_id(guid.strip().removeprefix(_OAI_ID))
    match = _DESCRIPTION.match(description.strip())
    announce_type = element.findtext("arxiv:announce_type", default="", namespaces=NS).strip()
    if not announce_type and match is not None:
        announce_type = match.group("type")
    if announce_type not in ANNOUNCE_TYPES:
        raise RecordError(f"{guid}: unknown announce type {announce_type!r}")
    day = stamp.date()  # the feed's midnight in US Eastern: the announcement day
    number = version or 1
    abstract = match.group("abstract") if match is not None else description
    creators = element.findtext("dc:creator", default="", namespaces=NS)
    paper = Paper(
        arxiv_id=arxiv_id,
        version=number,
        title=collapse(title),
        authors=[a for a in (n.strip() for n in collapse(creators).split(",")) if a],
        categories=categories,
        primary_category=categories[0] if categories else "",
        published=stamp.astimezone(UTC),
        updated=stamp.astimezone(UTC),
        abstract=abstract.strip(),
        journal_ref=_optional(element, "arxiv:journal_reference"),
        doi=_optional(element, "arxiv:DOI"),
        versions=[Version(number, None, announced=day, announced_observed=True)],
    )
    return FeedItem(paper, announce_type, day)


def _optional(element: etree._Element, path: str) -> str | None:
    text = element.findtext(path, namespaces=NS)
    return text.strip() if text is not None and text.strip() else None


def _rfc822(text: str) -> datetime:
    try:
        stamp = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError):
        raise RecordError(f"not an RFC-822 date: {text!r}") from None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


def _iso(text: str) -> datetime:
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        raise RecordError(f"not an ISO 8601 timestamp: {text!r}") from None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)
