"""Tonight's announcement and its doubts (issue 10, items 4 and 5): "latest" is the latest
listing the store fully holds, a listing it cannot fully know is provisional with the reason
(CLI, web, API), and weekends and holidays are named as such.

The stores are real imports of the 2021 archive: whole, and cut after June (and with one
day file left out), so the truth for each listing is the whole archive's listing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from live_web import serving
from lxml import etree
from typer.testing import CliRunner

from paperboy import listings
from paperboy.cli import app
from paperboy.importer import import_paths
from paperboy.store import open_store

MONTHS = ("03", "04", "05", "06")  # the archive's first four months


def _import(db: Path, *paths: Path) -> Path:
    with open_store(db) as store:
        import_paths(store, list(paths))
    return db


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory, data_2021: Path) -> Path:
    return _import(tmp_path_factory.mktemp("full") / "full.sqlite3", data_2021)


@pytest.fixture(scope="module")
def to_june(tmp_path_factory: pytest.TempPathFactory, data_2021: Path) -> Path:
    """The archive up to its day file of Wed 30 June 2021."""
    tmp = tmp_path_factory.mktemp("june")
    for month in MONTHS:
        shutil.copytree(data_2021 / "cs.CV/2021" / month, tmp / "files/cs.CV/2021" / month)
    return _import(tmp / "to-june.sqlite3", tmp / "files")


def listing(db: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--db", str(db), "listing", *args])
    assert result.exit_code == 0, result.output
    return result.output


def ids(text: str) -> list[str]:
    return [line.split()[1] for line in text.splitlines() if line[:5].strip().rstrip(".").isdigit()]


def test_latest_is_the_last_listing_the_store_fully_holds(to_june: Path, full: Path) -> None:
    # Thu 1 July announces the batch closed Wed 30 June 14:00 Eastern; the store holds that
    # day's later submissions too, so the listing is whole: the same as the full archive's.
    latest = listing(to_june)
    assert latest.splitlines()[0] == "cs.CV listing for Thu, 1 Jul 2021 (rebuilt from the store)"
    assert ids(latest) == ids(listing(full, "--date", "2021-07-01")) and len(ids(latest)) > 50
    with open_store(to_june) as store:
        assert listings.latest_complete(store, "cs.CV", date(2021, 12, 31)) == date(2021, 7, 1)
        assert listings.missing_reason(store, "cs.CV", date(2021, 7, 1)) is None


def test_the_listing_after_the_last_submission_is_provisional(to_june: Path, full: Path) -> None:
    partial, whole = listing(to_june, "--date", "2021-07-02"), listing(full, "--date", "2021-07-02")
    assert len(ids(partial)) < len(ids(whole))  # it really misses papers
    reason = partial.splitlines()[1]
    assert reason.startswith("provisional: the store holds no cs.CV submission made after")
    assert "Thu 1 Jul 2021 14:00 US Eastern" in reason
    # With the whole archive the day is known, up to the year's missing holiday list.
    assert "holidays of 2021" in whole.splitlines()[1]


def test_the_first_listings_of_an_archive_are_provisional(to_june: Path) -> None:
    with open_store(to_june) as store:
        first = listings.listing_of(store, "cs.CV", date(2021, 3, 9))
    assert first.lines and first.provisional is not None
    assert "no cs.CV submissions of the week before Fri 5 Mar 2021" in first.provisional


def test_a_missing_day_file_makes_its_listing_provisional(
    tmp_path: Path, data_2021: Path, full: Path
) -> None:
    files = tmp_path / "files/cs.CV/2021/06"
    shutil.copytree(data_2021 / "cs.CV/2021/06", files)
    (files / "20210616.md").unlink()  # Wednesday 16 June
    db = _import(tmp_path / "gap.sqlite3", tmp_path / "files")
    with open_store(db) as store:
        thursday = listings.listing_of(store, "cs.CV", date(2021, 6, 17))
        friday = listings.listing_of(store, "cs.CV", date(2021, 6, 18))
        later = listings.listing_of(store, "cs.CV", date(2021, 6, 28))
    assert thursday.provisional and "Wed 16 Jun 2021" in thursday.provisional
    assert friday.provisional and "Wed 16 Jun 2021" in friday.provisional  # after 14:00 ET
    assert later.provisional and "holidays of 2021" in later.provisional  # the gap is behind
    with open_store(full) as store:
        truth = listings.listing_of(store, "cs.CV", date(2021, 6, 28))
    new = ("new", "cross")  # replacements of May's papers are not in this June-only store
    assert [(x.arxiv_id, x.section) for x in later.lines if x.section in new] == [
        (x.arxiv_id, x.section) for x in truth.lines if x.section in new
    ]


def test_a_paper_numbered_in_january_2022_is_only_in_a_provisional_listing(full: Path) -> None:
    # 2201.07676 says it was submitted on 5 Dec 2021, but its id is of the second half of
    # January 2022, after everything the store holds: its listing cannot be known.
    with open_store(full) as store:
        day = next(v.announced for v in store.versions("2201.07676") if v.number == 1)
        assert day is not None
        shown = listings.listing_of(store, "cs.CV", day)
    assert "2201.07676" in [line.arxiv_id for line in shown.lines]
    assert shown.provisional and "no cs.CV submission made after" in shown.provisional


def test_weekends_and_holidays_are_named(to_june: Path) -> None:
    assert listings.closed_reason(date(2021, 7, 3)) == (
        "Saturday: arXiv makes no announcement on weekends"
    )
    # Labor Day, Mon 1 Sep 2025: that evening's announcement, dated Tue 2 Sep, is skipped
    # (../shared/arxiv-protocol/holidays.md); Sunday evening's, dated Mon 1 Sep, goes out.
    assert listings.closed_reason(date(2025, 9, 2)) == "arXiv holiday: no announcement"
    assert listings.closed_reason(date(2025, 9, 1)) is None
    with open_store(to_june) as store:
        sunday = listings.listing_of(store, "cs.CV", date(2021, 6, 27))
    assert sunday.closed and sunday.provisional is None and not sunday.lines


@pytest.fixture(scope="module")
def live_june(to_june: Path) -> Iterator[str]:
    with serving(to_june) as url:
        yield url


def test_web_front_page_and_api_show_the_doubt(live_june: str) -> None:
    home = httpx.get(live_june + "/", follow_redirects=True, timeout=30)
    assert str(home.url).endswith("/cs.CV/2021-07-01/listing/")
    assert "the store holds no" not in home.text  # complete: only the holiday-table doubt
    friday = httpx.get(live_june + "/cs.CV/2021-07-02/listing/", timeout=30)
    assert 'class="provisional"' in friday.text and "14:00 US Eastern" in friday.text
    api = httpx.get(live_june + "/api/listings/cs.CV/2021-07-02", timeout=30).json()
    assert api["provisional"].startswith("provisional: the store holds no cs.CV submission")
    assert api["counts"]["new"] == sum(e["section"] == "new" for e in api["entries"])
    assert api["observed"] is False and api["closed"] is None
    saturday = httpx.get(live_june + "/api/listings/cs.CV/2021-07-03", timeout=30).json()
    assert saturday["closed"] == "Saturday: arXiv makes no announcement on weekends"
    assert saturday["entries"] == [] and saturday["provisional"] is None
    page = httpx.get(live_june + "/cs.CV/2021-07-03/listing/", timeout=30)
    assert "Saturday: arXiv makes no announcement on weekends" in page.text


def test_feed_of_tonights_listing_carries_its_doubt(live_june: str) -> None:
    feed = httpx.get(live_june + "/feeds/cs.CV/listing.atom", timeout=30)
    assert feed.status_code == 200
    doc = etree.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert doc.findtext("a:title", namespaces=ns) == "paperboy: cs.CV listing of Thu 1 Jul 2021"
    subtitle = doc.findtext("a:subtitle", namespaces=ns) or ""
    assert "provisional: arXiv's holidays of 2021" in subtitle
    api = httpx.get(live_june + "/api/listings/cs.CV/2021-07-01", timeout=30).json()
    entries = doc.findall("a:entry", namespaces=ns)
    assert len(entries) == len(api["entries"]) and f"{api['counts']['new']} new" in subtitle
