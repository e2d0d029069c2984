"""A profile's Atom feed (/feeds/profile/NAME.atom): its digest of each of the last listings,
served over a real socket and written by `paperboy site`, checked against the store's own
listings and against `paperboy rank`."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urljoin

import lxml.etree
import lxml.html
from commands import run_paperboy
from live_web import Live
from stores import copy_store, topical

from paperboy import announce, config, listings
from paperboy.site import write_site
from paperboy.store import Location, open_store

ATOM = "{http://www.w3.org/2005/Atom}"
FEED = "/feeds/profile/pc.atom"


@dataclass(frozen=True, slots=True)
class Entry:
    day: date
    arxiv_id: str
    title: str
    link: str
    summary: str


def entries(body: bytes) -> list[Entry]:
    """The feed's entries in document order; the day and paper from each entry's id."""
    found = []
    for node in lxml.etree.fromstring(body).iter(f"{ATOM}entry"):
        day, arxiv_id = node.findtext(f"{ATOM}id", "").rsplit("#", 1)[1].split("/", 1)
        link = node.find(f"{ATOM}link")
        assert link is not None
        found.append(
            Entry(
                date.fromisoformat(day),
                arxiv_id,
                node.findtext(f"{ATOM}title", ""),
                link.get("href", ""),
                node.findtext(f"{ATOM}summary", ""),
            )
        )
    return found


def by_day(found: list[Entry]) -> dict[date, list[Entry]]:
    days: dict[date, list[Entry]] = defaultdict(list)
    for entry in found:
        days[entry.day].append(entry)
    return dict(days)


def last_listings(db: Location, today: date) -> dict[date, dict[str, str]]:
    """The store's last five non-empty cs.CV listings up to `today`: day -> id -> title."""
    with open_store(db) as store:
        latest = listings.latest_complete(store, "cs.CV", today)
        assert latest is not None
        shown: dict[date, dict[str, str]] = {}
        for day in reversed(announce.announcement_days(latest - timedelta(days=21), latest)):
            lines = listings.listing_of(store, "cs.CV", day).lines
            if lines and len(shown) < 5:
                shown[day] = {x.arxiv_id: x.paper.title for x in lines if x.paper is not None}
    return shown


def test_the_last_five_listings_each_ranked_for_the_profile(served: Live) -> None:
    got = served.get(FEED)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("application/atom+xml")
    days = by_day(entries(got.content))
    expected = last_listings(served.db, date.today())
    assert list(days) == list(expected)  # newest first
    for day, shown in days.items():
        ids = [e.arxiv_id for e in shown]
        assert len(ids) == len(set(ids)) == config.DIGEST_SIZE
        assert set(ids) <= set(expected[day]), day  # papers of that day's listing only
        # The profile is the store's point-cloud papers: each day's are all in its top 20.
        on_topic = {i for i, title in expected[day].items() if topical(title)}
        assert 0 < len(on_topic) < config.DIGEST_SIZE
        assert on_topic <= set(ids), day
        assert all(e.link == f"{served.url}/abs/{e.arxiv_id}/" for e in shown)
        assert all(e.summary.startswith(f"{day:%a %-d %b %Y}, no. ") for e in shown)


def test_a_day_in_the_feed_is_the_order_and_reasons_of_paperboy_rank(served: Live) -> None:
    days = by_day(entries(served.get(FEED).content))
    day, shown = next(iter(days.items()))
    limit = str(config.DIGEST_SIZE)
    done = run_paperboy("rank", "-p", "pc", "--date", str(day), "--json", "--limit", limit,
                        "--db", str(served.db))  # fmt: skip
    assert done.returncode == 0, done.stderr
    hits = json.loads(done.stdout)["hits"]
    assert [e.arxiv_id for e in shown] == [h["paper"]["arxiv_id"] for h in hits]
    for n, (entry, hit) in enumerate(zip(shown, hits, strict=True), start=1):
        heading, *why = entry.summary.split("\n\n", 1)[0].split("\n")
        assert heading.startswith(f"{day:%a %-d %b %Y}, no. {n} for pc")
        assert why == [f"- {reason}" for reason in hit["reasons"]]
        assert hit["reasons"]  # every paper of a digest says why it is there


def test_the_for_you_page_links_its_feed_and_an_unknown_profile_is_a_404(served: Live) -> None:
    days = by_day(entries(served.get(FEED).content))
    page = served.get(f"/cs.CV/{next(iter(days))}/for/pc/")
    tree = lxml.html.fromstring(page.text)
    alternates = [x.get("href", "") for x in tree.iter("link") if x.get("rel") == "alternate"]
    feeds = [urljoin(str(page.url), href) for href in alternates]
    assert f"{served.url}{FEED}" in feeds
    assert (
        served.get(FEED.replace(".atom", ".rss"))
        .headers["content-type"]
        .startswith("application/rss+xml")
    )
    missing = served.get("/feeds/profile/nobody.atom")
    assert missing.status_code == 404
    assert "pc" in missing.text and "nobody" in missing.text


def test_site_writes_each_profile_feed_linking_its_own_day_pages(
    tmp_path: Path, foryou_db: Path
) -> None:
    db = copy_store(foryou_db, tmp_path)
    end = date(2021, 11, 30)
    with open_store(db) as store:
        result = write_site(
            store,
            tmp_path / "site",
            ["cs.CV"],
            base_url="https://lab.example/pb/",
            start=date(2021, 11, 1),
            end=end,
        )
        submitted = {p.arxiv_id: p.submitted_day for p in store.papers(category="cs.CV")}
    assert result.profile_feeds == ["pc"] and result.unranked == 0
    days = by_day(entries((tmp_path / "site" / "feeds/profile/pc.atom").read_bytes()))
    assert list(days) == list(last_listings(db, end))
    assert max(days) <= end
    for entry in (e for shown in days.values() for e in shown):
        day = submitted[entry.arxiv_id]
        if day.month == 11:  # the site holds November's day pages
            assert entry.link == f"https://lab.example/pb/cs.CV/{day}/#{entry.arxiv_id}"
            assert (tmp_path / "site" / "cs.CV" / str(day) / "index.html").exists()
        else:
            assert entry.link == f"https://arxiv.org/abs/{entry.arxiv_id}"


def test_site_without_an_index_names_the_profiles_it_could_not_rank(
    tmp_path: Path, data_2021: Path
) -> None:
    from paperboy.importer import import_paths

    db = tmp_path / "plain.db"
    with open_store(db) as store:
        import_paths(store, [data_2021 / "cs.CV" / "2021" / "11"])
        store.profiles.ensure("pc")
    done = run_paperboy("site", "--out", str(tmp_path / "site"), "--db", str(db),
                        "--from", "2021-11-22", "--to", "2021-11-26")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "no feed for 1 profile" in done.stderr and "paperboy index" in done.stderr
    assert not (tmp_path / "site" / "feeds" / "profile").exists()
    assert (tmp_path / "site" / "feeds" / "cs.CV.atom").exists()


def test_site_never_publishes_a_members_profile_and_takes_back_one_it_had(
    tmp_path: Path, foryou_db: Path
) -> None:
    """On a lab's server a member's feed needs the member's token: a static site, which
    anyone can read, leaves it out (and removes it when an earlier build wrote it)."""
    from paperboy.accounts import add_member

    db = copy_store(foryou_db, tmp_path)
    feed = tmp_path / "site" / "feeds/profile/pc.atom"
    start, end = date(2021, 11, 1), date(2021, 11, 30)
    with open_store(db) as store:
        first = write_site(store, tmp_path / "site", ["cs.CV"], start=start, end=end)
        assert first.profile_feeds == ["pc"]
        assert feed.exists()
        ann = add_member(store, "ann", "a long enough password")
        profile = store.profiles.get("pc")
        assert profile is not None
        store.profiles.set_owner(profile.id, ann.id)
        result = write_site(store, tmp_path / "site", ["cs.CV"], start=start, end=end)
    assert result.profile_feeds == [] and result.members_kept == ["pc"]
    assert not feed.exists()
    assert (tmp_path / "site" / "feeds" / "cs.CV.atom").exists()  # the category's feed stays
    out = run_paperboy("site", "--out", str(tmp_path / "site2"), "--db", str(db))
    assert out.returncode == 0, out.stderr
    assert "pc" in out.stdout and "member" in out.stdout
    assert not (tmp_path / "site2" / "feeds/profile/pc.atom").exists()
