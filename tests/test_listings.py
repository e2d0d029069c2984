"""Announcement listings read from the store: rebuilt for any day, or as a source showed them."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from paperboy import listings
from paperboy.announce import announcement_days
from paperboy.importer import import_paths
from paperboy.store import Store, open_store

SEED_004 = "004_751528becd0547dd.txt"


@pytest.fixture(scope="module")
def year_store(tmp_path_factory: pytest.TempPathFactory, data_2021: Path) -> Store:
    store = open_store(tmp_path_factory.mktemp("listings") / "p.db")
    import_paths(store, [data_2021])  # dates every version as it goes
    return store


def _seed_ids(seeds: Path) -> list[str]:
    return re.findall(r"arxiv\.org/pdf/(\S+)\.pdf\)", (seeds / SEED_004).read_text())


def test_2022_01_03_rebuilt_from_the_2021_data_alone(year_store: Store, seeds: Path) -> None:
    lines = listings.day_listing(year_store, "cs.CV", date(2022, 1, 3))
    entries = listings.format_b_entries(lines)
    assert [e.arxiv_id for e in entries] == _seed_ids(seeds)
    assert [e.section for e in entries] == ["new"] * 35 + ["cross"] * 23
    assert not any(line.observed for line in lines)
    # Rebuilt entries carry the stored (latest-version) text.
    paper = year_store.get(entries[0].arxiv_id)
    assert paper is not None and entries[0].title == paper.title


def test_every_listing_day_is_one_run_of_ids(year_store: Store) -> None:
    counts = year_store.announcement_counts("cs.CV")
    days = [d for d in announcement_days(date(2021, 3, 8), date(2021, 12, 31)) if d in counts]
    assert len(days) > 200
    for day in days:
        lines = listings.day_listing(year_store, "cs.CV", day)
        firsts = [line.arxiv_id for line in lines if line.section in ("new", "cross")]
        assert firsts, day
        # Each section is in descending id order, as arXiv lists them.
        for section in ("new", "cross"):
            ids = [line.arxiv_id for line in lines if line.section == section]
            assert ids == sorted(ids, key=lambda i: (len(i), i), reverse=True), (day, section)


def test_weekends_have_no_listing(year_store: Store) -> None:
    assert listings.day_listing(year_store, "cs.CV", date(2021, 12, 25)) == []
    assert date(2021, 12, 26) not in year_store.announcement_counts("cs.CV")


def test_an_imported_listing_is_the_truth_for_its_day(tmp_path: Path, seeds: Path) -> None:
    with open_store(tmp_path / "p.db") as store:
        import_paths(store, [seeds / SEED_004])
        lines = listings.day_listing(store, "cs.CV", date(2022, 1, 3))
        assert all(line.observed for line in lines)
        assert [line.arxiv_id for line in lines] == _seed_ids(seeds)
        assert store.versions("2112.15589")[0].announced == date(2022, 1, 3)
        assert store.versions("2112.15589")[0].announced_observed


def test_old_style_ids_are_dated_by_the_schedule(tmp_path: Path, data_2021: Path) -> None:
    from paperboy.announce import schedule_day
    from paperboy.formats import collector

    paper = collector.read_file(data_2021 / "cs.CV/2021/12/20211231.md").papers[0]
    old = paper.with_changes(arxiv_id="quant-ph/9802028", abs_url="", pdf_url="")
    with open_store(tmp_path / "p.db") as store:
        store.upsert([old], "t")
        listings.refresh_announcements(store, ["old"])
        first = store.versions("quant-ph/9802028")[0]
        assert first.announced == schedule_day(paper.published) and not first.announced_observed
