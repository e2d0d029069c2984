"""Feeds carry titles and summaries as readable Unicode, not LaTeX (feed readers show text
as it is): the 2021 papers whose title holds LaTeX, through feedgen and back out of the XML."""

from __future__ import annotations

from lxml import etree

from paperboy import feeds
from paperboy.record import Paper

ATOM = "{http://www.w3.org/2005/Atom}"


def _latex_titled(papers: list[Paper]) -> list[Paper]:
    return [p for p in papers if "$" in p.title or "\\" in p.title]


def test_atom_titles_and_summaries_are_unicode(papers_2021: list[Paper]) -> None:
    papers = _latex_titled(papers_2021)
    assert len(papers) == 45
    body = feeds.render(papers, "atom", "t", "s", "http://localhost/feed")
    entries = etree.fromstring(body).findall(f"{ATOM}entry")
    titles = {e.findtext(f"{ATOM}id"): e.findtext(f"{ATOM}title") for e in entries}
    assert titles["https://arxiv.org/abs/2106.08914"] == (
        "C³: Compositional Counterfactual Contrastive Learning for Video-grounded Dialogues"
    )
    assert titles["https://arxiv.org/abs/2109.02749"] == (
        "Pano3D: A Holistic Benchmark and a Solid Baseline for 360° Depth Estimation"
    )
    assert titles["https://arxiv.org/abs/2104.08688"] == (
        "Signal Processing Challenges and Examples for in-situ Transmission Electron Microscopy"
    )
    summaries = [e.findtext(f"{ATOM}summary") or "" for e in entries]
    assert all("$" not in t and "\\" not in t for t in titles.values() if t)
    assert not any("\\" in s for s in summaries)


def test_rss_titles_are_unicode(papers_2021: list[Paper]) -> None:
    paper = next(p for p in papers_2021 if p.arxiv_id == "2111.07090")
    assert paper.title.startswith("D$^2$LV:")
    item = etree.fromstring(feeds.render([paper], "rss", "t", "s", "http://x/f")).find(
        "channel/item"
    )
    assert item is not None
    assert item.findtext("title") == (
        "D²LV: A Data-Driven and Local-Verification Approach for Image Copy Detection"
    )
