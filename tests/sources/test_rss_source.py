"""The RSS/Atom source: recorded feeds, and a week of June 2021 announcements served locally."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from arxiv_server import ArxivServer
from arxiv_server.data import split_categories

from paperboy.record import Paper, Version
from paperboy.sources.http import PoliteClient, SourceError
from paperboy.sources.rss import FeedItem, feed_url, fetch_feed, parse_feed

EASTERN = ZoneInfo("America/New_York")
WEEK = [date(2021, 6, 7) + timedelta(days=i) for i in range(5)]  # Mon 7 .. Fri 11 June


def client(**options: float) -> PoliteClient:
    return PoliteClient(delay=0, backoff=0.0, **options)  # type: ignore[arg-type]


def _cutoff(day: date) -> datetime:
    return datetime.combine(day, time(14), tzinfo=EASTERN)


def submission_window(listing_day: date) -> tuple[datetime, datetime]:
    """arXiv's schedule: the listing of day L holds what was submitted before 14:00 ET of the
    previous weekday, back to 14:00 ET of the weekday before that (Monday's goes back to
    Thursday 14:00)."""
    end = listing_day - timedelta(days=3 if listing_day.weekday() == 0 else 1)
    start = end - timedelta(days=3 if end.weekday() == 0 else 1)
    return _cutoff(start), _cutoff(end)


def announcement(papers: list[Paper], listing_day: date) -> list[tuple[Paper, str]]:
    """What the cs.CV feed of that day announces: new, cross, then replacements."""
    start, end = submission_window(listing_day)
    fresh = [p for p in papers if start <= p.published < end]
    replaced = [p for p in papers if p.version > 1 and start <= p.updated < end]
    entries = [(p, "new") for p in fresh if p.primary_category == "cs.CV"]
    entries += [(p, "cross") for p in fresh if p.primary_category != "cs.CV"]
    entries += [
        (p, "replace" if p.primary_category == "cs.CV" else "replace-cross") for p in replaced
    ]
    return entries


def assert_item_matches(item: FeedItem, paper: Paper, kind: str, day: date) -> None:
    got = item.paper
    assert (item.announce_type, item.announced) == (kind, day)
    assert (got.arxiv_id, got.version) == (paper.arxiv_id, paper.version)
    assert got.title == paper.title and got.authors == paper.authors
    assert got.abstract == paper.abstract
    assert got.categories == split_categories(paper)[0]
    assert got.primary_category == paper.primary_category
    assert (got.doi, got.journal_ref, got.comment) == (paper.doi, paper.journal_ref, None)
    midnight = datetime.combine(day, time(0), tzinfo=EASTERN).astimezone(UTC)
    assert got.published == got.updated == midnight
    assert got.versions == [Version(paper.version, None, announced=day, announced_observed=True)]
    assert got.abs_url == f"http://arxiv.org/abs/{paper.versioned_id}"


# ---------------------------------------------------------------- recorded feeds


def test_recorded_rss2_feed(protocol: Path) -> None:
    name = "rss/rss2_cs.LG_cs.AI_cs.CL_stat.ML_combined_2026-09-24_trimmed.xml"
    items = parse_feed((protocol / name).read_bytes())
    assert [(i.paper.versioned_id, i.announce_type) for i in items] == [
        ("2609.26811v1", "new"),
        ("2609.26820v1", "new"),
        ("2205.06398v2", "cross"),
        ("2009.13987v3", "replace"),
    ]
    assert {i.announced for i in items} == {date(2026, 9, 24)}
    cross = items[2].paper
    assert cross.categories == ["stat.ME", "stat.AP", "stat.ML"]
    assert cross.primary_category == "stat.ME"
    assert cross.authors == ["Pritam Dey", "Zhengwu Zhang", "David B. Dunson"]
    assert cross.doi == "10.1093/bioinformatics/btac431"
    assert cross.abstract.startswith("It has become routine in neuroscience")
    assert cross.published == datetime(2026, 9, 24, 4, 0, tzinfo=UTC)
    assert cross.versions == [Version(2, None, date(2026, 9, 24), True)]


def test_recorded_atom_feed(protocol: Path) -> None:
    items = parse_feed((protocol / "rss/atom_cs.LG_2026-09-25_edited.xml").read_bytes())
    assert [(i.paper.versioned_id, i.announce_type) for i in items] == [
        ("2609.28553v1", "new"),
        ("2402.10149v3", "cross"),
        ("2401.08875v3", "replace"),
    ]
    first = items[0].paper
    assert first.journal_ref is not None and first.journal_ref.startswith("2026 International")
    assert first.doi == "10.1109/MAPR72750.2026.11685822"
    assert items[0].announced == date(2026, 9, 25)
    assert first.abstract.startswith("Drug toxicity prediction")


def test_feed_url_joins_categories() -> None:
    assert feed_url(["cs.CV", "cs.LG"], base_url="http://h") == "http://h/rss/cs.CV+cs.LG"
    assert feed_url(["cs.CV"], atom=True, base_url="http://h/") == "http://h/atom/cs.CV"


# ---------------------------------------------------------------- a week, live


@pytest.mark.parametrize("atom", [False, True], ids=["rss", "atom"])
def test_a_week_of_feeds(arxiv_server: ArxivServer, june_2021: list[Paper], atom: bool) -> None:
    kinds: set[str] = set()
    with client() as c:
        for day in WEEK:
            entries = announcement(june_2021, day)
            arxiv_server.set_feed(day, entries)
            items = fetch_feed(c, ["cs.CV"], atom=atom, base_url=arxiv_server.rss_url)
            assert len(items) == len(entries) > 50
            for item, (paper, kind) in zip(items, entries, strict=True):
                assert_item_matches(item, paper, kind, day)
            kinds.update(kind for _, kind in entries)
        arxiv_server.set_feed(date(2021, 6, 12), [])  # Saturday: nothing announced
        assert fetch_feed(c, ["cs.CV"], atom=atom, base_url=arxiv_server.rss_url) == []
    assert kinds == {"new", "cross", "replace", "replace-cross"}
    assert arxiv_server.requests["atom" if atom else "rss"] == 6


def test_faults_lose_and_duplicate_nothing(
    arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    day = WEEK[2]
    entries = announcement(june_2021, day)
    arxiv_server.set_feed(day, entries)
    for kind in ("503", "reset", "truncate", "cut", "429"):
        arxiv_server.inject(kind, endpoint="rss", retry_after=0)
    with client() as c:
        items = fetch_feed(c, ["cs.CV"], base_url=arxiv_server.rss_url)
    assert [i.paper.versioned_id for i in items] == [p.versioned_id for p, _ in entries]
    assert c.stats.retries == 5 and arxiv_server.requests["rss"] == 6


def test_faults_beyond_the_budget_raise_naming_the_url(arxiv_server: ArxivServer) -> None:
    arxiv_server.inject("503", 3, endpoint="rss", retry_after=0)
    with client(max_retries=2) as c, pytest.raises(SourceError) as caught:
        fetch_feed(c, ["cs.CV", "cs.LG"], base_url=arxiv_server.rss_url)
    assert f"{arxiv_server.rss_url}/rss/cs.CV+cs.LG" in str(caught.value)


def test_base_url_comes_from_the_environment(
    arxiv_server: ArxivServer, monkeypatch: pytest.MonkeyPatch, june_2021: list[Paper]
) -> None:
    monkeypatch.setenv("PAPERBOY_ARXIV_RSS_URL", arxiv_server.rss_url)
    arxiv_server.set_feed(WEEK[0], [(june_2021[0], "new")])
    with client() as c:
        assert [i.paper.arxiv_id for i in fetch_feed(c, ["cs.CV"])] == [june_2021[0].arxiv_id]


def test_an_unreadable_item_fails_the_feed_naming_it(
    arxiv_server: ArxivServer, june_2021: list[Paper]
) -> None:
    # Recording the day's listing without one of its items would record a wrong listing.
    arxiv_server.set_feed(WEEK[0], [(june_2021[0], "new"), (june_2021[1], "bogus")])
    with client() as c, pytest.raises(SourceError) as caught:
        fetch_feed(c, ["cs.CV"], base_url=arxiv_server.rss_url)
    message = str(caught.value)
    assert f"{arxiv_server.rss_url}/rss/cs.CV" in message
    assert june_2021[1].arxiv_id in message and "unknown announce type 'bogus'" in message
    assert c.stats.requests == 1  # not a transient fault: no retries
