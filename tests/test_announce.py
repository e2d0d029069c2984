"""Announcement days: arXiv's schedule, its holidays, and the id blocks of the 2021 data."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Set as AbstractSet
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from paperboy.announce import (
    HOLIDAYS,
    NO_HOLIDAYS,
    announcement_days,
    cutoff_day,
    id_sort_key,
    infer_days,
    is_announcement_day,
    listing,
    schedule_day,
    with_announcements,
)
from paperboy.formats.collector import read_file
from paperboy.record import Paper, Version

ET = ZoneInfo("America/New_York")
SEED_004 = "004_751528becd0547dd.txt"
JAN_3 = date(2022, 1, 3)
# The one paper whose id comes before its v1 timestamp's batch: submitted Sat 31 Jul 2021,
# yet numbered in July, so at the latest in the batch closed Fri 30 Jul (listing Mon 2 Aug).
EARLY_BY_ID = {"2107.14803": date(2021, 8, 2)}


def et(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=ET)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def papers_2021(data_2021: Path) -> list[Paper]:
    return [p for f in sorted(data_2021.rglob("2*.md")) for p in read_file(f).papers]


@pytest.fixture(scope="module")
def announced(papers_2021: list[Paper]) -> list[Paper]:
    return with_announcements(papers_2021)


@pytest.fixture(scope="module")
def final_days(announced: list[Paper]) -> dict[str, date]:
    return {p.arxiv_id: _v1(p).announced or date.min for p in announced}


@pytest.fixture(scope="module")
def seed_004(seeds: Path) -> list[str]:
    """Seed 004's ids in listing order."""
    text = (seeds / SEED_004).read_text(encoding="utf-8")
    return re.findall(r"\]\(https://arxiv\.org/pdf/(\d{4}\.\d{4,5})\.pdf\)$", text, re.M)


def _v1(paper: Paper) -> Version:
    return next(v for v in paper.versions if v.number == 1)


# ---------------------------------------------------------------- the schedule


@pytest.mark.parametrize(
    ("submitted", "listed"),
    [
        # A regular week: Tue 16 Nov 2021 before and after the 14:00 Eastern cutoff.
        (et(2021, 11, 16, 13, 59), date(2021, 11, 17)),
        (et(2021, 11, 16, 14, 1), date(2021, 11, 18)),
        (et(2021, 11, 16, 14, 0), date(2021, 11, 18)),  # the cutoff itself is too late
        # Friday afternoon: before 14:00 -> Sunday's announcement (Monday's listing), after it
        # -> Monday's announcement (Tuesday's listing), like the whole weekend.
        (et(2021, 11, 19, 13, 59), date(2021, 11, 22)),
        (et(2021, 11, 19, 14, 1), date(2021, 11, 23)),
        (et(2021, 11, 20, 12, 0), date(2021, 11, 23)),
        (et(2021, 11, 21, 23, 59), date(2021, 11, 23)),
        (et(2021, 11, 22, 13, 59), date(2021, 11, 23)),
    ],
)
def test_schedule_around_the_cutoff(submitted: datetime, listed: date) -> None:
    assert schedule_day(submitted) == listed


@pytest.mark.parametrize(
    ("submitted", "listed"),
    [
        # DST starts Sun 14 Mar 2021: the cutoff moves from 19:00 to 18:00 UTC.
        (utc(2021, 3, 12, 18, 59), date(2021, 3, 15)),  # Fri 13:59 EST
        (utc(2021, 3, 12, 19, 1), date(2021, 3, 16)),  # Fri 14:01 EST
        (utc(2021, 3, 15, 17, 59), date(2021, 3, 16)),  # Mon 13:59 EDT
        (utc(2021, 3, 15, 18, 1), date(2021, 3, 17)),  # Mon 14:01 EDT
        (utc(2021, 3, 15, 18, 30), date(2021, 3, 17)),  # 13:30 on Friday's clock, too late now
        # DST ends Sun 7 Nov 2021: back from 18:00 to 19:00 UTC.
        (utc(2021, 11, 5, 17, 59), date(2021, 11, 8)),  # Fri 13:59 EDT
        (utc(2021, 11, 5, 18, 1), date(2021, 11, 9)),  # Fri 14:01 EDT
        (utc(2021, 11, 7, 5, 30), date(2021, 11, 9)),  # Sun 01:30 EDT, the repeated hour
        (utc(2021, 11, 8, 18, 30), date(2021, 11, 9)),  # Mon 13:30 EST
        (utc(2021, 11, 8, 19, 1), date(2021, 11, 10)),  # Mon 14:01 EST
    ],
)
def test_schedule_across_dst_switches(submitted: datetime, listed: date) -> None:
    assert schedule_day(submitted) == listed


@pytest.mark.parametrize(
    ("submitted", "listed", "regular"),
    [
        # New year 2021/22: no listing dated Fri 31 Dec; Wed-after-cutoff and Thursday wait
        # for Monday's listing with Friday's batch.
        (et(2021, 12, 29, 13, 59), date(2021, 12, 30), date(2021, 12, 30)),
        (et(2021, 12, 29, 14, 1), JAN_3, date(2021, 12, 31)),
        (et(2021, 12, 30, 13, 59), JAN_3, date(2021, 12, 31)),
        (et(2021, 12, 31, 13, 59), JAN_3, JAN_3),
        (et(2021, 12, 31, 14, 1), date(2022, 1, 4), date(2022, 1, 4)),
        # 2026, as arXiv published them (../shared/arxiv-protocol/holidays.md): a listed date
        # cancels the first announcement evening on or after it. Thanksgiving (Thu 26 Nov):
        # no listing dated Fri 27 Nov.
        (et(2026, 11, 24, 14, 1), date(2026, 11, 26), date(2026, 11, 26)),
        (et(2026, 11, 26, 13, 0), date(2026, 11, 30), date(2026, 11, 27)),
        # MLK day (Mon 19 Jan): no listing dated Tue 20 Jan.
        (et(2026, 1, 15, 14, 1), date(2026, 1, 19), date(2026, 1, 19)),
        (et(2026, 1, 16, 14, 1), date(2026, 1, 21), date(2026, 1, 20)),
        # Christmas break (Fri 25, Tue 29, Thu 31 Dec): no listings dated Mon 28, Wed 30 Dec.
        (et(2026, 12, 23, 14, 1), date(2026, 12, 25), date(2026, 12, 25)),
        (et(2026, 12, 25, 13, 0), date(2026, 12, 29), date(2026, 12, 28)),
        (et(2026, 12, 29, 13, 0), date(2026, 12, 31), date(2026, 12, 30)),
        # Fri 3 Jul: Thursday evening's listing (dated Fri 3 Jul) appears, Sunday's does not.
        (et(2026, 7, 2, 13, 0), date(2026, 7, 3), date(2026, 7, 3)),
        (et(2026, 7, 3, 13, 0), date(2026, 7, 7), date(2026, 7, 6)),
    ],
)
def test_schedule_before_holiday_breaks(submitted: datetime, listed: date, regular: date) -> None:
    assert schedule_day(submitted) == listed
    assert schedule_day(submitted, NO_HOLIDAYS) == regular


def test_announcement_days_skip_weekends_and_holidays() -> None:
    assert announcement_days(date(2021, 12, 24), date(2022, 1, 4)) == [
        date(2021, 12, 24),
        date(2021, 12, 27),
        date(2021, 12, 28),
        date(2021, 12, 29),
        date(2021, 12, 30),
        JAN_3,
        date(2022, 1, 4),
    ]
    assert not is_announcement_day(date(2026, 1, 20))  # MLK day (Mon 19 Jan): Monday evening's
    assert not is_announcement_day(date(2022, 1, 1))  # Saturday
    assert is_announcement_day(date(2026, 1, 19), NO_HOLIDAYS)
    assert all(d.weekday() < 5 for d in HOLIDAYS)


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        cutoff_day(datetime(2021, 12, 29, 13, 0))


def test_id_order_puts_month_before_number() -> None:
    ids = ["2112.15589", "2201.00043", "2112.9999", "quant-ph/9802028v1", "0704.0001"]
    assert sorted(ids, key=id_sort_key) == [
        "quant-ph/9802028v1",
        "0704.0001",
        "2112.9999",
        "2112.15589",
        "2201.00043",
    ]


# ---------------------------------------------------------------- id blocks, small cases


def test_held_paper_joins_the_batch_its_id_sits_in() -> None:
    days = infer_days(
        [
            ("2111.00001", et(2021, 11, 1, 9, 0)),  # Mon batch -> Tue 2
            ("2111.00002", et(2021, 11, 1, 13, 0)),
            ("2111.00003", et(2021, 10, 28, 9, 0)),  # held since Thu 28 Oct
            ("2111.00004", et(2021, 11, 1, 15, 0)),  # Tue batch -> Wed 3
            ("2111.00005", et(2021, 10, 29, 9, 0)),  # held, mid-batch
            ("2111.00006", et(2021, 11, 2, 10, 0)),
        ]
    )
    assert days == {
        "2111.00001": date(2021, 11, 2),
        "2111.00002": date(2021, 11, 2),
        "2111.00003": date(2021, 11, 3),  # opens the next batch, as in seed 004
        "2111.00004": date(2021, 11, 3),
        "2111.00005": date(2021, 11, 3),
        "2111.00006": date(2021, 11, 3),
    }


def test_a_paper_is_never_put_before_its_schedule() -> None:
    # A Sunday-night v1 numbered just after Friday's last paper (2109.12109 in the data):
    # it cannot have been in Sunday's announcement, so it and the ids after it are Tuesday's.
    days = infer_days(
        [
            ("2109.12108", et(2021, 9, 24, 13, 59)),
            ("2109.12109", et(2021, 9, 26, 22, 52)),
            ("2109.12113", et(2021, 9, 24, 10, 33)),
            ("2109.12115", et(2021, 9, 24, 13, 48)),
            ("2109.12131", et(2021, 9, 24, 14, 0, 57)),
        ]
    )
    assert days["2109.12108"] == date(2021, 9, 27)
    assert {days[i] for i in ("2109.12109", "2109.12113", "2109.12115", "2109.12131")} == {
        date(2021, 9, 28)
    }


def test_the_id_month_bounds_the_day() -> None:
    days = infer_days(
        [
            ("2201.00043", et(2021, 12, 31, 14, 54)),
            ("2201.00404", et(2021, 12, 27, 2, 50)),  # held into January's ids
            ("2107.14795", et(2021, 7, 30, 13, 53)),
            ("2107.14803", et(2021, 7, 31, 5, 58)),  # a July id: Friday's batch at the latest
        ]
    )
    assert days["2201.00404"] == days["2201.00043"] == date(2022, 1, 4)
    assert days["2107.14803"] == days["2107.14795"] == date(2021, 8, 2)


def test_observed_days_are_kept_and_anchor_neighbours() -> None:
    first = [
        ("2112.14757", et(2021, 12, 29, 13, 56)),
        ("2112.14768", et(2021, 12, 27, 21, 6)),  # held
        ("2112.14796", et(2021, 12, 29, 14, 24)),
        ("2112.14804", et(2021, 12, 29, 14, 38)),
        ("hep-th/0101001", et(2001, 1, 2, 10, 0)),
    ]
    inferred = infer_days(first)
    assert [inferred[i] for i, _ in first[:4]] == [date(2021, 12, 30)] + [JAN_3] * 3
    assert inferred["hep-th/0101001"] == date(2001, 1, 3)  # old-style: the schedule only
    # Had a source seen 2112.14796 in Thursday's listing, the held paper before it was too;
    # the ids after it still cannot come before their own schedule.
    observed = {"2112.14796": date(2021, 12, 30), "hep-th/0101001": date(2001, 1, 4)}
    days = infer_days(first, observed)
    assert [days[i] for i, _ in first[:4]] == [date(2021, 12, 30)] * 3 + [JAN_3]
    assert days["hep-th/0101001"] == date(2001, 1, 4)


def test_repeated_and_versioned_ids_count_once() -> None:
    days = infer_days(
        [("2112.14757v2", et(2021, 12, 30, 9, 0)), ("2112.14757", et(2021, 12, 29, 13, 56))]
    )
    assert days == {"2112.14757": date(2021, 12, 30)}


# ---------------------------------------------------------------- versions and listings


TUE_16_NOV = et(2021, 11, 16, 9, 0)


def _paper(
    arxiv_id: str,
    categories: list[str],
    published: datetime = TUE_16_NOV,
    updated: tuple[int, datetime] | None = None,
    versions: list[Version] | None = None,
) -> Paper:
    """A paper with the fields this module reads; the primary category comes first."""
    version, stamp = updated or (1, published)
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=arxiv_id,
        authors=[],
        categories=categories,
        primary_category=categories[0],
        published=published,
        updated=stamp,
        abstract="",
        versions=versions or [],
    )


def test_versions_get_dates_observed_or_inferred() -> None:
    replaced = _paper("2111.08600", ["cs.CV"], updated=(3, et(2021, 11, 19, 15, 0)))
    seen = _paper(
        "2111.08601",
        ["cs.LG", "cs.CV"],
        versions=[Version(1, None, date(2021, 11, 18), announced_observed=True), Version(2)],
    )
    early = _paper("2111.08602", ["cs.CV"], updated=(2, et(2021, 11, 16, 10, 0)))
    out = {p.arxiv_id: p.versions for p in with_announcements([replaced, seen, early])}
    assert out["2111.08600"] == [
        Version(1, et(2021, 11, 16, 9, 0), date(2021, 11, 17)),
        Version(3, et(2021, 11, 19, 15, 0), date(2021, 11, 23)),
    ]
    assert out["2111.08601"] == [
        Version(1, None, date(2021, 11, 18), announced_observed=True),
        Version(2, None, None),  # nothing to date it by
    ]
    # Its id follows a paper listed on the 18th, so v1 waited for that listing, and so did
    # v2, sent before v1 was out: a replacement is never dated before its first version.
    assert [v.announced for v in out["2111.08602"]] == [date(2021, 11, 18)] * 2


def test_listing_sections_and_order() -> None:
    papers = with_announcements(
        [
            _paper("2111.08600", ["cs.CV"]),
            _paper("2111.08605", ["cs.CV", "cs.LG"]),
            _paper("2111.08603", ["cs.LG", "cs.CV"]),
            _paper("2111.08604", ["cs.LG"]),  # not in cs.CV at all
            _paper(
                "2111.08000",
                ["eess.IV", "cs.CV"],
                published=et(2021, 11, 10, 9, 0),
                updated=(2, et(2021, 11, 16, 8, 0)),
            ),
        ]
    )
    entries = listing(papers, date(2021, 11, 17), "cs.CV")
    assert [(e.paper.arxiv_id, e.section, e.version) for e in entries] == [
        ("2111.08605", "new", 1),
        ("2111.08600", "new", 1),
        ("2111.08603", "cross", 1),
        ("2111.08000", "replace", 2),
    ]
    assert listing(papers, date(2021, 11, 18), "cs.CV") == []


# ---------------------------------------------------------------- the 2021 data


def test_seed_004_is_the_listing_rebuilt_from_2021_data(
    announced: list[Paper], seed_004: list[str]
) -> None:
    entries = [e for e in listing(announced, JAN_3, "cs.CV") if e.section != "replace"]
    assert [e.paper.arxiv_id for e in entries] == seed_004
    # In the seed, the split shows where descending id order starts over.
    split = next(i for i in range(1, len(seed_004)) if seed_004[i] > seed_004[i - 1])
    assert split == 35
    assert [e.section for e in entries] == ["new"] * 35 + ["cross"] * 23


def test_seed_004_facts_hold_in_the_data(
    papers_2021: list[Paper], final_days: dict[str, date], seed_004: list[str]
) -> None:
    by_id = {p.arxiv_id: p for p in papers_2021}
    assert all(i in by_id for i in seed_004)
    submitted = {by_id[i].published.astimezone(ET).date() for i in seed_004}
    assert min(submitted) == date(2021, 12, 23) and max(submitted) == date(2021, 12, 31)
    in_range = {i for i in by_id if "2112.14768" <= i <= "2112.15589" and len(i) == 10}
    assert in_range == set(seed_004)
    # Friday's papers after the cutoff got January ids and Tuesday's listing.
    late_friday = [
        i
        for i, p in by_id.items()
        if i.startswith("2201.") and p.published.astimezone(ET) >= et(2021, 12, 31, 14, 0)
    ]
    assert late_friday and all(final_days[i] == date(2022, 1, 4) for i in late_friday)


def test_each_listing_day_is_one_run_of_ids(final_days: dict[str, date]) -> None:
    runs: dict[tuple[str, date], list[int]] = defaultdict(list)
    by_month: dict[str, list[str]] = defaultdict(list)
    for arxiv_id in final_days:
        by_month[arxiv_id[:4]].append(arxiv_id)
    for month, ids in by_month.items():
        ids.sort(key=id_sort_key)
        for position, arxiv_id in enumerate(ids):
            runs[(month, final_days[arxiv_id])].append(position)
    for (month, day), positions in runs.items():
        assert positions == list(range(positions[0], positions[-1] + 1)), (month, day)


def test_no_paper_is_announced_before_its_schedule(
    papers_2021: list[Paper], final_days: dict[str, date]
) -> None:
    early = {
        p.arxiv_id: final_days[p.arxiv_id]
        for p in papers_2021
        if final_days[p.arxiv_id] < schedule_day(p.published, NO_HOLIDAYS)
    }
    assert early == EARLY_BY_ID


def test_share_of_papers_announced_on_schedule(
    papers_2021: list[Paper], final_days: dict[str, date]
) -> None:
    def share(holidays: AbstractSet[date]) -> float:
        hits = sum(
            final_days[p.arxiv_id] == schedule_day(p.published, holidays) for p in papers_2021
        )
        return hits / len(papers_2021)

    regular, with_holidays = share(NO_HOLIDAYS), share(HOLIDAYS)
    print(f"\nschedule-only day == final day: {regular:.2%} regular schedule, ", end="")
    print(f"{with_holidays:.2%} with holidays")
    assert 0.93 < regular < with_holidays < 0.95


def test_every_weekday_of_2021_has_papers_unless_a_holiday(final_days: dict[str, date]) -> None:
    listed = set(final_days.values())
    expected = announcement_days(date(2021, 3, 9), date(2022, 1, 3))
    assert [d for d in expected if d not in listed] == []
    assert not listed & HOLIDAYS
