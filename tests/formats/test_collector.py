"""Format A: parsing, rendering, errors with line numbers, the anchor's calendar layout."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from paperboy.formats import collector
from paperboy.formats.collector import FormatError

# Copied from the anchor archive's real calendar.md (TTXS123OK/CVPapers): September and
# August 2003 of the 2003 section. Its weeks start on Monday under a Sunday header.
ANCHOR_2003 = """\
# Calendar of arXiv papers for cs.CV

### 2003

##### September

| Sun | Mon | Tue | Wed | Thu | Fri | Sat |
|-----|-----|-----|-----|-----|-----|-----|
| 1 | 2 | 3 | 4 | 5 | 6 | 7 | 
| 8 | 9 | 10 | 11 | 12 | 13 | 14 | 
| 15 | 16 | 17 | 18 | 19 | 20 | 21 | 
| 22 | [23](./cs.CV/2003/09/20030923.md) | 24 | 25 | 26 | 27 | 28 | 
| 29 | 30 |   |   |   |   |   | 

##### August

| Sun | Mon | Tue | Wed | Thu | Fri | Sat |
|-----|-----|-----|-----|-----|-----|-----|
|   |   |   |   | 1 | [2](./cs.CV/2003/08/20030802.md) | 3 | 
| 4 | [5](./cs.CV/2003/08/20030805.md) | 6 | 7 | 8 | 9 | 10 | 
| 11 | 12 | 13 | 14 | [15](./cs.CV/2003/08/20030815.md) | 16 | 17 | 
| 18 | 19 | 20 | [21](./cs.CV/2003/08/20030821.md) | [22](./cs.CV/2003/08/20030822.md) | 23 | 24 | 
| 25 | 26 | 27 | 28 | 29 | 30 | 31 | 

"""  # noqa: W291


def test_calendar_matches_the_anchor_layout() -> None:
    days = [date(2003, 9, 23)] + [date(2003, 8, d) for d in (2, 5, 15, 21, 22)]
    assert collector.render_calendar("cs.CV", days) == ANCHOR_2003


def test_every_2021_file_parses_and_renders_back_byte_for_byte(data_2021: Path) -> None:
    files = sorted((data_2021 / "cs.CV").rglob("*.md"))
    assert len(files) == 301
    total = 0
    for f in files:
        raw = f.read_text(encoding="utf-8")
        day = collector.parse(raw, f)
        assert day.day.strftime("%Y%m%d") == f.stem
        assert collector.render_day(day.category, day.day, day.papers) == raw, f
        total += len(day.papers)
    assert total == 14868


def test_fields_are_read_as_the_source_wrote_them(data_2021: Path) -> None:
    day = collector.read_file(data_2021 / "cs.CV/2021/03/20210317.md")
    with_breaks = [p for p in day.papers if p.comment and "\n  " in p.comment]
    assert with_breaks, "March 17 has comments with arXiv's own line breaks"
    p = day.papers[0]
    assert p.published.utcoffset() is not None
    assert p.abs_url == f"http://arxiv.org/abs/{p.arxiv_id}v{p.version}"
    assert p.primary_category in p.categories


def test_msc_classes_and_line_breaks_in_categories_survive(data_2021: Path) -> None:
    day = collector.read_file(data_2021 / "cs.CV/2021/06/20210606.md")
    paper = next(p for p in day.papers if p.arxiv_id == "2106.03136")
    assert paper.categories[-1].startswith("This paper tells us how human")
    assert "\n  using any simple camera" in paper.categories[-1]
    assert "### " + paper.title in collector.render_day("cs.CV", day.day, [paper])


def test_old_style_ids_parse() -> None:
    text = (
        "# Arxiv Papers in cs.CV on 1998-02-11\n### A title\n"
        "- **Arxiv ID**: http://arxiv.org/abs/quant-ph/9802028v1\n- **DOI**: None\n"
        "- **Categories**: **quant-ph**, cs.CV\n"
        "- **Links**: [PDF](http://arxiv.org/pdf/quant-ph/9802028v1)\n"
        "- **Published**: 1998-02-11 10:00:00+00:00\n- **Updated**: 1998-02-11 10:00:00+00:00\n"
        "- **Authors**: A. Author\n- **Comment**: None\n- **Journal**: None\n"
        "- **Summary**: An abstract with a < and a >.\n\n\n\n"
    )
    day = collector.parse(text)
    assert day.papers[0].arxiv_id == "quant-ph/9802028"
    assert collector.render_day("cs.CV", day.day, day.papers) == text


@pytest.mark.parametrize(
    ("broken", "line", "message"),
    [
        ("# Arxiv Papers on 2021", 1, "expected '# Arxiv Papers in"),
        ("- **DOI**: None\n", 4, "expected the '- **DOI**:' line"),
        ("http://arxiv.org/abs/2103.", 3, "Arxiv ID: not an arXiv identifier"),
        ("2021-03-17 00:01:56+00:00", 7, "Published: no time zone"),
    ],
)
def test_malformed_files_name_the_line(
    data_2021: Path, broken: str, line: int, message: str
) -> None:
    raw = (data_2021 / "cs.CV/2021/03/20210317.md").read_text(encoding="utf-8")
    bad = _break(raw, broken)
    with pytest.raises(FormatError) as err:
        collector.parse(bad, "day.md")
    assert err.value.line == line
    assert message in str(err.value)
    assert str(err.value).startswith(f"day.md:{line}:")


def _break(raw: str, what: str) -> str:
    if what.startswith("# "):
        return what + raw[raw.index("\n") :]
    if what.startswith("- **DOI**"):
        return raw.replace(what, "", 1)
    if what.startswith("http"):
        head, rest = raw.split("abs/", 1)
        return head + "abs/2103.\n" + rest.split("\n", 1)[1]
    stamp = raw.split("- **Published**: ", 1)[1].split("\n", 1)[0]
    return raw.replace(stamp, stamp[:19], 1)


# ---------------------------------------------------------------- impossible values (issue 9.6)


def test_an_impossible_day_in_the_header_names_the_file_and_line(data_2021: Path) -> None:
    raw = (data_2021 / "cs.CV/2021/07/20210731.md").read_text(encoding="utf-8")
    bad = raw.replace("on 2021-07-31", "on 2021-07-32", 1)
    with pytest.raises(FormatError) as err:
        collector.parse(bad, "day.md")
    assert str(err.value) == "day.md:1: no such day: '2021-07-32'"


# ---------------------------------------------------------------- exact round trips (issue 9.7)

# A real upstream category line (TTXS123OK/CVPapers): the submitter's MSC class text
# '68T05, cs.LG, cs.AI, cs.CV, cs.NE, stat.ML' is one term; the collector bolds whole terms
# equal to the primary, so its 'cs.AI' stays plain.
REPEATED_PRIMARY = "**cs.AI**, cs.CV, cs.LG, cs.NE, 68T05, cs.LG, cs.AI, cs.CV, cs.NE, stat.ML"


def _with_field(raw: str, name: str, value: str) -> str:
    """raw with the first paper's `name` field set to `value`."""
    head, rest = raw.split(f"- **{name}**: ", 1)
    return head + f"- **{name}**: " + value + "\n" + rest.split("\n", 1)[1]


@pytest.mark.parametrize(
    "line",
    [
        REPEATED_PRIMARY,
        "cs.AI, **cs.AI**, cs.CV",  # a plain occurrence before the bold one
        "**cs.AI**, cs.CV, **cs.AI**",  # every occurrence bold (an older paperboy's writing)
        "**cs.CV**, **cs.LG**",  # a bold term that is not the primary
        "**cs.CV**, cs.LG, cs.CV, cs.CV",
    ],
)
def test_the_category_line_comes_back_as_the_source_gave_it(data_2021: Path, line: str) -> None:
    raw = _with_field(
        (data_2021 / "cs.CV/2021/12/20211231.md").read_text("utf-8"), "Categories", line
    )
    day = collector.parse(raw)
    assert collector.render_day(day.category, day.day, day.papers) == raw


def test_a_repeated_primary_is_still_the_primary_and_its_categories_are_kept(
    data_2021: Path,
) -> None:
    raw = _with_field(
        (data_2021 / "cs.CV/2021/12/20211231.md").read_text("utf-8"), "Categories", REPEATED_PRIMARY
    )
    paper = collector.parse(raw).papers[0]
    assert paper.primary_category == "cs.AI"
    assert paper.categories[:4] == ["cs.AI", "cs.CV", "cs.LG", "cs.NE"]
    assert ", ".join(paper.categories) == REPEATED_PRIMARY.replace("**", "")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("Published", "2021-12-31T00:01:56+00:00", "Published: not in the form"),
        ("Updated", "2021-12-31 00:01:56.000000+00:00", "Updated: not in the form"),
        ("Categories", "**cs.CV**, cs.LG,", "Categories: ends in ','"),
        ("Summary", "An abstract\n  on two lines.", "Summary: continuation lines"),
    ],
)
def test_what_the_writer_could_not_give_back_is_refused_by_line(
    data_2021: Path, name: str, value: str, message: str
) -> None:
    raw = (data_2021 / "cs.CV/2021/12/20211231.md").read_text("utf-8")
    bad = _with_field(raw, name, value)
    line = bad.split("\n").index(f"- **{name}**: " + value.split("\n")[0]) + 1
    with pytest.raises(FormatError) as err:
        collector.parse(bad, "day.md")
    assert str(err.value).startswith(f"day.md:{line}: {message}")


def test_a_utf8_bom_is_accepted(tmp_path: Path, data_2021: Path) -> None:
    src = data_2021 / "cs.CV/2021/12/20211231.md"
    (tmp_path / "bom.md").write_bytes(b"\xef\xbb\xbf" + src.read_bytes())
    assert collector.read_file(tmp_path / "bom.md").papers == collector.read_file(src).papers
