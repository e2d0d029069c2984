"""The For you view and the marks over HTTP, against a real server on a real indexed store:
the page and the API rank as `rank_day` (and `paperboy rank`) do, marks posted change the next
ranking, a GET never changes anything, an unknown profile is a 404."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import httpx
import lxml.html
import pytest
from live_web import Live
from stores import DAY, point_cloud_profile, topical

from paperboy.importer import import_paths
from paperboy.ranking import RankedDay, rank_day
from paperboy.store import Location, open_store
from paperboy.store.profiles import Profile
from paperboy.vectors import neighbours

FOR_PC = f"/cs.CV/{DAY}/for/pc/"


def ranked(db: Location, name: str) -> RankedDay:
    """The day ranked for `name` by the ranking itself, on a connection of the test's own."""
    with open_store(db) as store:
        profile = store.profiles.get(name)
        index = neighbours.load(store)
        assert profile is not None and index is not None
        return rank_day(store, profile, DAY, index, "cs.CV")


def find(html: str | Any, expr: str) -> list[Any]:
    """The nodes (or strings) an XPath finds in a page or a node of one."""
    tree = lxml.html.fromstring(html) if isinstance(html, str) else html
    return cast(list[Any], tree.xpath(expr))


def page_order(live: Live, path: str) -> list[str]:
    response = live.get(path)
    assert response.status_code == 200, response.text[:300]
    tree = response.text
    return [str(i) for i in find(tree, "//div[contains(@class, 'papers')]/article/@id")]


def reasons_shown(live: Live, path: str) -> dict[str, list[str]]:
    tree = live.get(path).text
    return {
        str(a.get("id")): [li.text_content() for li in find(a, ".//ul[@class='reasons']/li")]
        for a in find(tree, "//div[contains(@class, 'papers')]/article")
    }


def profile_state(db: Location) -> list[Profile | None]:
    """Everything of every profile (library, marks with their times)."""
    with open_store(db) as store:
        return [store.profiles.get(s.name) for s in store.profiles.summaries()]


def post_mark(live: Live, name: str, arxiv_id: str, mark: str | None) -> httpx.Response:
    return httpx.post(
        f"{live.url}/api/profiles/{name}/marks",
        json={"arxiv_id": arxiv_id, "mark": mark},
        timeout=60,
    )


def new_profile(db: Location, name: str) -> None:
    with open_store(db) as store:
        point_cloud_profile(store, name)


def test_for_you_is_the_rankings_order_with_its_reasons(served: Live) -> None:
    expected = ranked(served.db, "pc")
    ids = [h.paper.arxiv_id for h in expected.hits]
    assert len(ids) == expected.total > 130  # every section of the day
    assert page_order(served, FOR_PC) == ids
    # The day's point-cloud papers lead it (read off their titles).
    titles = {h.paper.arxiv_id: h.paper.title for h in expected.hits}
    assert sum(1 for i in ids[:10] if topical(titles[i])) >= 6
    shown = reasons_shown(served, FOR_PC)
    assert all(shown[h.paper.arxiv_id] == h.reasons for h in expected.hits)
    assert shown[ids[0]][0].startswith("like ")
    assert '"' in shown[ids[0]][0]  # names library papers by title


def test_the_api_and_the_cli_give_the_same_order(served: Live) -> None:
    api = served.get(f"/api/listings/cs.CV/{DAY}/for/pc").json()
    command = ["rank", "--profile", "pc", "--date", str(DAY), "--limit", "0", "--json"]
    done = subprocess.run(
        [sys.executable, "-m", "paperboy", *command, "--db", str(served.db)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    cli = json.loads(done.stdout)
    assert set(api) == set(cli)
    assert [h["paper"]["arxiv_id"] for h in api["hits"]] == page_order(served, FOR_PC)
    # Two processes fit the same model; float sums may differ in their last digits, so two
    # papers whose scores tie to 1e-4 may come in either order: each paper's score, reasons
    # and section are the same, and the API's order is the CLI's scores, best first.
    theirs_by_id = {h["paper"]["arxiv_id"]: h for h in cli["hits"]}
    ours_ids = [h["paper"]["arxiv_id"] for h in api["hits"]]
    assert len(ours_ids) == len(cli["hits"]) and set(ours_ids) == set(theirs_by_id)
    for ours in api["hits"]:
        theirs = theirs_by_id[ours["paper"]["arxiv_id"]]
        assert ours["reasons"] == theirs["reasons"] and ours["section"] == theirs["section"]
        assert ours["score"] == pytest.approx(theirs["score"], rel=1e-4, abs=1e-4)
    scores = [theirs_by_id[h["paper"]["arxiv_id"]]["score"] for h in api["hits"]]
    assert all(a >= b - 2e-4 for a, b in itertools.pairwise(scores))
    top = served.get(f"/api/listings/cs.CV/{DAY}/for/pc", limit="5").json()
    assert [h["paper"]["arxiv_id"] for h in top["hits"]] == page_order(served, FOR_PC)[:5]


def test_a_hidden_paper_goes_last_and_a_saved_one_joins_the_library(served: Live) -> None:
    new_profile(served.db, "marks")
    path = f"/cs.CV/{DAY}/for/marks/"
    before = page_order(served, path)
    high, low = before[2], before[100]
    assert post_mark(served, "marks", high, "hidden").json()["mark"] == "hidden"
    # A URL with a version names the paper (the store keeps it without).
    answer = post_mark(served, "marks", f"{low}v1", "saved")
    assert answer.status_code == 200 and answer.json() == {
        "profile": "marks",
        "arxiv_id": low,
        "mark": "saved",
    }
    after = page_order(served, path)
    assert after == [h.paper.arxiv_id for h in ranked(served.db, "marks").hits]
    assert after[-1] == high and sorted(after) == sorted(before)
    shown = reasons_shown(served, path)
    assert shown[high] == ["you marked it not interested"]
    assert shown[low] == ["in your library"]
    with open_store(served.db) as store:
        profile = store.profiles.get("marks")
        assert profile is not None
        assert low in profile.library_ids and profile.saved == {low}
        assert profile.hidden == {high}
    assert served.get("/api/profiles/marks/marks").json() == {
        "profile": "marks",
        "marks": {high: "hidden", low: "saved"},
    }
    # Taken back, both marks: the ranking is the day's first again.
    for arxiv_id in (high, low):
        assert post_mark(served, "marks", arxiv_id, None).json()["mark"] is None
    assert page_order(served, path) == before
    with open_store(served.db) as store:
        profile = store.profiles.get("marks")
        assert profile is not None and not profile.marks and low not in profile.library_ids


def test_a_get_never_changes_anything(served: Live) -> None:
    new_profile(served.db, "reads")
    some = page_order(served, f"/cs.CV/{DAY}/listing/")[5]
    before = profile_state(served.db)
    marks = f"{served.url}/api/profiles/reads/marks"
    for path in (
        f"/cs.CV/{DAY}/for/reads/",
        f"/api/listings/cs.CV/{DAY}/for/reads",
        "/api/profiles",
        f"/abs/{some}/",
    ):
        assert served.get(path).status_code == 200
    for method in ("GET", "HEAD"):
        response = httpx.request(
            method, marks, params={"arxiv_id": some, "mark": "saved"}, timeout=30
        )
        assert response.status_code == 200
    # A form posted from another site (no JSON body) is refused, as are bad values.
    form = httpx.post(marks, data={"arxiv_id": some, "mark": "saved"}, timeout=30)
    assert form.status_code == 422
    body = json.dumps({"arxiv_id": some, "mark": "saved"})
    plain = httpx.post(marks, content=body, headers={"Content-Type": "text/plain"}, timeout=30)
    assert plain.status_code == 422  # the other content type a page elsewhere may post
    assert post_mark(served, "reads", some, "loved").status_code == 422
    assert post_mark(served, "reads", "2111.99999", "saved").status_code == 404
    assert profile_state(served.db) == before


def test_an_unknown_profile_is_a_404_naming_the_ones_there_are(served: Live) -> None:
    page = served.get(f"/cs.CV/{DAY}/for/nobody/")
    assert page.status_code == 404
    assert "No profile named &#39;nobody&#39; in this store; there are: " in page.text
    assert "pc" in page.text.split("there are:")[1]
    api = served.get(f"/api/listings/cs.CV/{DAY}/for/nobody")
    assert api.status_code == 404 and api.json()["detail"].startswith("No profile named 'nobody'")
    assert served.get("/api/profiles/nobody/marks").status_code == 404
    some = page_order(served, FOR_PC)[0]
    assert post_mark(served, "nobody", some, "saved").status_code == 404


def test_the_day_pages_link_each_profile(served: Live) -> None:
    for path in (f"/cs.CV/{DAY}/", f"/cs.CV/{DAY}/listing/"):
        tree = served.get(path).text
        links = [str(h) for h in find(tree, "//nav[@class='tabs']/a[@class='foryou']/@href")]
        assert f"/cs.CV/{DAY}/for/pc/" in links


def test_without_profiles_the_day_page_is_unchanged(
    tmp_path: Path, seeds: Path, served: Live
) -> None:
    from live_web import serving

    db = tmp_path / "plain.db"
    with open_store(db) as store:
        import_paths(store, [seeds])
        day = next(iter(store.papers())).submitted_day
        category = next(iter(store.papers())).primary_category
    with serving(db) as url:
        assert httpx.get(f"{url}/api/profiles", timeout=30).json() == []
        html = httpx.get(f"{url}/{category}/{day}/", timeout=30).text
        tree = html
        assert find(tree, "//article[contains(@class, 'paper')]")
        assert not find(tree, "//a[@class='foryou']")
        assert all(s.get("hidden") is not None for s in find(tree, "//*[@data-marks]"))
        assert httpx.get(f"{url}/{category}/{day}/for/pc/", timeout=30).status_code == 404


def test_a_day_without_a_listing_and_a_store_without_an_index_say_so(
    served: Live, tmp_path: Path, seeds: Path
) -> None:
    from live_web import serving

    sunday = "2021-11-21"
    page = served.get(f"/cs.CV/{sunday}/for/pc/")
    assert page.status_code == 200
    assert not find(page.text, "//div[contains(@class, 'papers')]/article")
    assert "weekend" in find(page.text, "//span[@class='closed']")[0].text_content()
    assert served.get(f"/api/listings/cs.CV/{sunday}/for/pc").json()["hits"] == []
    db = tmp_path / "unindexed.db"
    with open_store(db) as store:
        import_paths(store, [seeds])
        paper = next(iter(store.papers()))
        store.profiles.ensure("solo")
    day, category = paper.submitted_day, paper.primary_category
    with serving(db) as url:
        html = httpx.get(f"{url}/{category}/{day}/for/solo/", timeout=30).text
        assert "No vector index yet: run `paperboy index`" in html
        api = httpx.get(f"{url}/api/listings/{category}/{day}/for/solo", timeout=30)
        assert api.status_code == 409 and "paperboy index" in api.json()["detail"]
