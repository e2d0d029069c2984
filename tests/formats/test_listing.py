"""Format B: the announcement listing reads and writes back byte for byte."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from paperboy.formats import listing
from paperboy.formats.collector import FormatError

SEED_004 = "004_751528becd0547dd.txt"


def test_seed_004_round_trip_and_split(seeds: Path) -> None:
    raw = (seeds / SEED_004).read_text(encoding="utf-8")
    parsed = listing.parse(raw)
    assert (parsed.category, parsed.day) == ("cs.CV", date(2022, 1, 3))
    assert [e.section for e in parsed.entries] == ["new"] * 35 + ["cross"] * 23
    assert parsed.entries[0].arxiv_id == "2112.15589"
    assert parsed.entries[-1].arxiv_id == "2112.14768"
    assert listing.render(parsed.category, parsed.day, parsed.entries) == raw


def test_html_in_abstracts_is_kept(seeds: Path) -> None:
    parsed = listing.read_file(seeds / SEED_004)
    assert any('rel="external noopener nofollow"' in e.abstract for e in parsed.entries)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("# ArXiv cs.CV --Tue, 3 Jan 2022\n", 1),  # 3 Jan 2022 was a Monday
        (
            "# ArXiv cs.CV --Mon, 3 Jan 2022\n### 2.T  [ :arrow_down: ](https://arxiv.org/pdf/1.pdf)\n",
            2,
        ),
        (
            "# ArXiv cs.CV --Mon, 3 Jan 2022\n### 1.T  [ :arrow_down: ](https://arxiv.org/pdf/1.pdf)\nx\n",
            3,
        ),
    ],
)
def test_malformed_listing_names_the_line(text: str, line: int) -> None:
    with pytest.raises(FormatError) as err:
        listing.parse(text, "l.md")
    assert err.value.line == line


def test_an_impossible_day_in_the_header_names_the_file_and_line(seeds: Path) -> None:
    raw = (seeds / SEED_004).read_text(encoding="utf-8")
    bad = raw.replace("--Mon, 3 Jan 2022", "--Tue, 30 Feb 2021", 1)
    with pytest.raises(FormatError) as err:
        listing.parse(bad, "day.md")
    assert str(err.value) == "day.md:1: no such day: 'Tue, 30 Feb 2021'"


def test_an_entry_whose_id_is_not_an_arxiv_id_names_its_line(seeds: Path) -> None:
    raw = (seeds / SEED_004).read_text(encoding="utf-8")
    bad = raw.replace("pdf/2112.15589.pdf", "pdf/not-an-id.pdf", 1)
    with pytest.raises(FormatError) as err:
        listing.parse(bad, "day.md")
    assert str(err.value).startswith("day.md:2: not an arXiv identifier")
