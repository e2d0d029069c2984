"""The holiday table as data, and announcement days after 2022 checked against real listings
(twelve real cs.CV listings around Labor Day 2025, ../shared/data/listings-2025-labor-day)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from paperboy import holidays, listings
from paperboy.announce import announcement_days, is_announcement_day
from paperboy.importer import import_paths
from paperboy.store import open_store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.mark.parametrize(
    ("published", "skipped"),
    [
        (date(2025, 9, 1), date(2025, 9, 2)),  # Monday: Monday evening's, dated Tuesday
        (date(2026, 6, 19), date(2026, 6, 22)),  # Friday: Sunday evening's, dated Monday
        (date(2025, 7, 6), date(2025, 7, 7)),  # Sunday: that evening's, dated Monday
        (date(2025, 11, 27), date(2025, 11, 28)),  # Thanksgiving: no Friday listing
        (date(2021, 12, 30), date(2021, 12, 31)),  # seed 004: no listing dated Fri 31 Dec
    ],
)
def test_a_published_holiday_removes_the_next_scheduled_listing(
    published: date, skipped: date
) -> None:
    assert holidays.skipped_listing(published) == skipped
    assert not is_announcement_day(skipped)


def test_holidays_md_examples() -> None:
    # "there is a listing dated Friday 19 June (Thursday evening's) but none dated Monday 22 June"
    assert is_announcement_day(date(2026, 6, 19))
    days = announcement_days(date(2025, 8, 25), date(2025, 9, 10))
    real = sorted(
        date.fromisoformat(p.stem) for p in (SHARED / "listings-2025-labor-day").glob("*.txt")
    )
    assert days == real


def test_a_user_file_extends_the_table_and_a_bad_line_is_named(tmp_path: Path) -> None:
    extra = tmp_path / "holidays.txt"
    extra.write_text("# our own\n2022-09-05  # Labor Day 2022\ncomplete: 2022\n")
    table = holidays.read_table([holidays.PACKAGED, extra])
    assert date(2022, 9, 6) in table.skipped_listings and 2022 in table.complete_years
    assert date(2025, 9, 2) in table.skipped_listings
    extra.write_text("2022-09-05\n2022-02-30\n")
    with pytest.raises(holidays.HolidayFileError, match=r"holidays.txt:2: .*'2022-02-30'"):
        holidays.read_table([extra])


def _real_listings() -> dict[date, list[tuple[str, str]]]:
    out = {}
    for path in sorted((SHARED / "listings-2025-labor-day").glob("*.txt")):
        rows = [line.split("\t") for line in path.read_text().splitlines() if line]
        out[date.fromisoformat(path.stem)] = [(s, i) for s, i in rows]
    return out


def test_announcement_days_around_labor_day_2025(tmp_path: Path) -> None:
    with open_store(tmp_path / "p.db") as store:
        report = import_paths(store, [SHARED / "cvpapers-2025-labor-day"])
        assert not report.rejected
        right = {"new": 0, "cross": 0}
        held = {"new": 0, "cross": 0}
        for day, entries in _real_listings().items():
            ours = {
                line.arxiv_id: line.section for line in listings.day_listing(store, "cs.CV", day)
            }
            for section, arxiv_id in entries:
                if store.get(arxiv_id) is None:
                    continue  # the archive lacks it (the seed collector missed it)
                held[section] += 1
                right[section] += ours.get(arxiv_id) == section
    new, cross = right["new"] / held["new"], right["cross"] / held["cross"]
    print(
        f"Labor Day 2025: new {right['new']}/{held['new']} = {new:.2%}, "
        f"cross {right['cross']}/{held['cross']} = {cross:.2%}"
    )
    assert held["new"] > 1000 and held["cross"] > 200
    assert new >= 0.995
    assert cross >= 0.99


def test_a_listing_of_a_year_without_a_holiday_list_is_provisional(
    tmp_path: Path, data_2021: Path
) -> None:
    from typer.testing import CliRunner

    from paperboy.cli import app

    db = tmp_path / "p.db"
    with open_store(db) as store:
        import_paths(store, [data_2021 / "cs.CV" / "2021" / "06"])
    shown = CliRunner().invoke(app, ["--db", str(db), "listing", "--date", "2021-06-15"])
    assert shown.exit_code == 0
    assert "provisional: arXiv's holidays of 2021 are not in the holiday table" in shown.output


def test_a_bad_user_holiday_file_is_one_line_naming_it(tmp_path: Path, data_2021: Path) -> None:
    import subprocess
    import sys

    bad = tmp_path / "holidays.txt"
    bad.write_text("2025-13-01\n")
    day = data_2021 / "cs.CV" / "2021" / "06" / "20210615.md"
    done = subprocess.run(
        [sys.executable, "-m", "paperboy", "--db", str(tmp_path / "p.db"), "import", str(day)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**__import__("os").environ, "PAPERBOY_HOLIDAYS": str(bad)},
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{bad}:1:" in done.stderr
