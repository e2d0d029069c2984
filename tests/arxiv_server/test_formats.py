"""The local arXiv answers like the real one: byte for byte where a recording allows it,
element for element where it does not."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from lxml import etree

from arxiv_server import ArxivServer
from arxiv_server.data import split_categories
from paperboy.record import Paper
from paperboy.sources.arxiv_api import NS, parse_entry

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_SCHEME = "{http://arxiv.org/schemas/atom}"

# Recorded id_list queries the server can reproduce byte for byte (no affiliations).
EXACT = [
    ("idlist_1707.08567.xml", "1707.08567"),
    ("idlist_1605.08386.xml", "1605.08386"),
    ("idlist_2104.12255v1.xml", "2104.12255v1"),
    ("idlist_quant-ph-0201082v1.xml", "quant-ph/0201082v1"),
    ("idlist_0808.05394_1707.08567_one-missing.xml", "0808.05394,1707.08567"),
    ("idlist_0000.0000_empty.xml", "0000.0000"),
    ("idlist_0808.05394_empty.xml", "0808.05394"),
    ("idlist_abc_error-http400.xml", "abc"),
    # With arxiv:affiliation lines removed: a Paper has no affiliations.
    ("idlist_astro-ph-0601001.xml", "astro-ph/0601001"),
    ("idlist_hep-ex-0406020v1.xml", "hep-ex/0406020v1"),
]


def recorded_papers(root: etree._Element) -> list[Paper]:
    """The papers of a recorded feed, keeping the summary exactly (leading spaces too)."""
    papers = []
    for entry in root.findall(f"{ATOM}entry"):
        if entry.findtext(f"{ATOM}title") == "Error":
            continue
        paper = parse_entry(entry)
        paper.abstract = entry.findtext(f"{ATOM}summary") or ""
        papers.append(paper)
    return papers


def recorded_time(root: etree._Element) -> datetime:
    text = root.findtext(f"{ATOM}updated") or ""
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(("name", "ids"), EXACT)
def test_id_list_answers_are_byte_identical_to_recordings(
    protocol: Path, name: str, ids: str
) -> None:
    recorded = (protocol / "api" / name).read_bytes()
    recorded = re.sub(rb"\n *<arxiv:affiliation>[^<]*</arxiv:affiliation>", b"", recorded)
    root = etree.fromstring(recorded)
    moment = recorded_time(root)
    with ArxivServer(recorded_papers(root), now=lambda: moment) as server:
        # Exactly what the arxiv library sends for Search(id_list=[...]).
        params = {
            "search_query": "",
            "id_list": ids,
            "sortBy": "relevance",
            "sortOrder": "descending",
            "start": "0",
            "max_results": "100",
        }
        response = httpx.get(server.api_url, params=params)
    assert response.status_code == (400 if "error" in name else 200)
    assert response.content == recorded


def shape(element: etree._Element) -> list[str]:
    """Child tags in order, runs of the same tag counted once."""
    tags: list[str] = []
    for child in element:
        tag = etree.QName(child).localname + (":pdf" if child.get("title") == "pdf" else "")
        tag = tag + (":doi" if child.get("title") == "doi" else "")
        if not tags or tags[-1] != tag:
            tags.append(tag)
    return tags


def is_subsequence(part: list[str], whole: list[str]) -> bool:
    iterator = iter(whole)
    return all(tag in iterator for tag in part)


FULL_ENTRY = [
    "id", "title", "updated", "link", "link:pdf", "summary", "category", "published",
    "comment", "primary_category", "journal_ref", "author", "doi", "link:doi",
]  # fmt: skip


def test_search_feed_has_the_recorded_layout(protocol: Path, arxiv_server: ArxivServer) -> None:
    recorded = etree.fromstring(
        (protocol / "api/query_search-testing_start0_max10.xml").read_bytes()
    )
    params = {"search_query": "cat:cs.CV", "start": "0", "max_results": "300"}
    body = httpx.get(arxiv_server.api_url, params=params).content
    served = etree.fromstring(body)
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:opensearch=")
    assert served.nsmap == recorded.nsmap
    head = [t for t in shape(served) if t != "entry"]
    assert head == [t for t in shape(recorded) if t != "entry"]
    for entry in [*recorded.findall(f"{ATOM}entry"), *served.findall(f"{ATOM}entry")]:
        assert is_subsequence(shape(entry), FULL_ENTRY), shape(entry)
    # Every optional element occurs somewhere in June 2021.
    seen = {t for e in served.findall(f"{ATOM}entry") for t in shape(e)}
    assert seen == set(FULL_ENTRY)


def test_comments_keep_arxivs_line_breaks(arxiv_server: ArxivServer) -> None:
    body = httpx.get(arxiv_server.api_url, params={"id_list": "2106.00161"}).content
    assert (
        b"<arxiv:comment>This paper has been accepted for publication by the 22nd Annual\n"
        b"  International Conference" in body
    )


def test_folded_server_wraps_titles_and_abstracts(folded_arxiv_server: ArxivServer) -> None:
    params = {"id_list": "2106.00161"}
    root = etree.fromstring(httpx.get(folded_arxiv_server.api_url, params=params).content)
    title = root.findtext("a:entry/a:title", namespaces=NS) or ""
    summary = root.findtext("a:entry/a:summary", namespaces=NS) or ""
    assert "\n  " in title
    assert summary.startswith("  Unmanned") and summary.endswith("\n")
    assert max(len(line) for line in summary.split("\n")) <= 80


def test_oai_page_matches_the_2015_layout(protocol: Path, arxiv_server: ArxivServer) -> None:
    recorded = protocol / "oai/2015_ListRecords_arXivRaw_from-2014-10-01_page1_trimmed.xml"
    want = recorded.read_text().split("\n")
    params = {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "from": "2014-10-01"}
    got = httpx.get(arxiv_server.oai_url, params=params).text.split("\n")
    assert got[:2] == want[:2]
    assert re.fullmatch(r"<responseDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ</responseDate>", got[2])
    assert got[3] == (
        f'<request verb="ListRecords" metadataPrefix="arXivRaw" from="2014-10-01">'
        f"{arxiv_server.oai_url}</request>"
    )
    # The first record, line by line: same lines as arXiv's apart from the values.
    assert got[4:7] == want[4:7] == ["<ListRecords>", "<record>", "<header>"]
    assert got[7].startswith(" <identifier>oai:arXiv.org:") and got[8].startswith(" <datestamp>")
    assert got[9] == " <setSpec>cs:cs:CV</setSpec>" and got[10] == "</header>"
    assert got[11:13] == want[12:14]  # <metadata>, the <arXivRaw ...> opening
    assert got[13].startswith(" <id>2106.00161</id><submitter>")
    assert got[-3:] == want[-3:] == ["</ListRecords>", "</OAI-PMH>", ""]
    assert re.fullmatch(
        r'<resumptionToken cursor="0" completeListSize="1616">\d+\|1001</resumptionToken>',
        got[-4],
    )


def test_arxiv_raw_records_are_valid_against_arxivs_schema(
    protocol: Path, arxiv_server: ArxivServer
) -> None:
    schema = etree.XMLSchema(etree.parse(str(protocol / "oai/schema/arXivRaw.xsd")))
    params = {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "cs:cs:CV"}
    root = etree.fromstring(httpx.get(arxiv_server.oai_url, params=params).content)
    raws = root.findall(".//{http://arxiv.org/OAI/arXivRaw/}arXivRaw")
    assert len(raws) == 1000
    for raw in raws:
        schema.assertValid(etree.ElementTree(raw))


def normalized(body: str, base_url: str) -> str:
    body = re.sub(r"<responseDate>[^<]*</responseDate>", "<responseDate/>", body)
    return body.replace(f">{base_url}</request>", "></request>")


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("2015_error_badResumptionToken.xml", {"verb": "ListRecords", "resumptionToken": "3"}),
        (
            "2015_error_badArgument.xml",
            {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "identifier": "x"},
        ),
        (
            "2015_error_noRecordsMatch_unknown-set.xml",
            {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "moo"},
        ),
        (
            "2015_error_idDoesNotExist_arXivRaw.xml",
            {
                "verb": "GetRecord",
                "identifier": "oai:arXiv.org:0813.2274",
                "metadataPrefix": "arXivRaw",
            },
        ),
    ],
)
def test_oai_errors_are_arxivs_apart_from_date_and_url(
    protocol: Path, arxiv_server: ArxivServer, name: str, params: dict[str, str]
) -> None:
    want = (protocol / "oai" / name).read_text()
    got = httpx.get(arxiv_server.oai_url, params=params).text
    want_n = normalized(want, "http://export.arxiv.org/oai2")
    assert normalized(got, arxiv_server.oai_url) == want_n


def test_oai_get_record_serves_every_version(arxiv_server: ArxivServer) -> None:
    params = {
        "verb": "GetRecord",
        "identifier": "oai:arXiv.org:2106.00178",
        "metadataPrefix": "arXivRaw",
    }
    body = httpx.get(arxiv_server.oai_url, params=params).text
    # v1 2021-06-01 01:58:50, v3 2022-07-17 22:53:37 (from the collector file), v2 between.
    dates = re.findall(r'<version version="v(\d)"><date>([^<]*)</date><size>\d+kb</size>', body)
    assert [n for n, _ in dates] == ["1", "2", "3"]
    assert dates[0][1] == "Tue, 1 Jun 2021 01:58:50 GMT"
    assert dates[2][1] == "Sun, 17 Jul 2022 22:53:37 GMT"
    assert "<datestamp>2022-07-17</datestamp>" in body


def test_rss_and_atom_have_the_recorded_layout(
    protocol: Path, arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    chosen = [june_2021[0], june_2021[5], june_2021[9]]
    arxiv_server.set_feed(datetime(2021, 6, 2).date(), [(p, "new") for p in chosen])
    for kind, recorded_name in [
        ("rss", "rss2_cs.LG_cs.AI_cs.CL_stat.ML_combined_2026-09-24_trimmed.xml"),
        ("atom", "atom_cs.LG_2026-09-25_edited.xml"),
    ]:
        body = httpx.get(f"{arxiv_server.url}/{kind}/cs.CV").content
        assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n")
        served = etree.fromstring(body)
        recorded = etree.fromstring((protocol / "rss" / recorded_name).read_bytes())
        assert served.nsmap == recorded.nsmap
        if kind == "rss":
            served, recorded = served[0], recorded[0]
            item = "item"
        else:
            item = "entry"
        assert [t for t in shape(served) if t != item] == [t for t in shape(recorded) if t != item]
        full = max((shape(e) for e in recorded if etree.QName(e).localname == item), key=len)
        full = [*full[: full.index("rights") + 1], "journal_reference", *full[-2:]]
        for element in served:
            if etree.QName(element).localname == item:
                assert is_subsequence(shape(element), full), shape(element)
    assert (
        b"<pubDate>Wed, 02 Jun 2021 00:00:00 -0400</pubDate>"
        in httpx.get(f"{arxiv_server.url}/rss/cs.CV").content
    )


def test_feed_lists_only_requested_categories(
    arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    cross = next(p for p in june_2021 if "cs.LG" in p.categories)
    only_cv = next(p for p in june_2021 if p.categories == ["cs.CV"])
    arxiv_server.set_feed(None, [(cross, "new"), (only_cv, "new")])
    body = httpx.get(f"{arxiv_server.url}/rss/cs.LG+stat.ML").text
    assert cross.arxiv_id in body and only_cv.arxiv_id not in body
    assert "<title>cs.LG, stat.ML updates on arXiv.org</title>" in body


def test_msc_and_acm_classes_round_trip_through_the_split(june_2021: list[Paper]) -> None:
    for paper in june_2021:
        own, msc, acm = split_categories(paper)
        assert own + msc + acm == paper.categories
