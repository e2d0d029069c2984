"""A member never reads or changes another member's profiles, marks, rankings or feeds:
every route of the app that names a profile is tried with another member's profile, and
must answer exactly as for a profile that does not exist."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pytest
from lab import Lab, csrf, sign_in
from live_web import REPO
from starlette.routing import BaseRoute, Route
from stores import DAY

from paperboy.accounts import add_member
from paperboy.listings import listing_of
from paperboy.profiles.bib import read_bib_file
from paperboy.store import Location, open_store
from paperboy.web.app import create_app
from paperboy.web.signin import Accounts


def every_route(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """The app's routes, those of its included routers too (the app adds no prefixes)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        yield from every_route(included.routes) if included is not None else [route]


def profile_routes(db: Location) -> list[tuple[str, str]]:
    """(method, path) of every route whose path names a profile, from the app itself, so a
    route added later is tried too."""
    app = create_app(db, accounts=Accounts())
    found = []
    for route in every_route(app.routes):
        if isinstance(route, Route) and "{name}" in route.path and "/lists/" not in route.path:
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    found.append((method, route.path))
    return found


def filled(path: str, name: str) -> str:
    return path.format(category="cs.CV", day=DAY.isoformat(), name=name, kind="atom")


def paper_of_the_day(db: Location) -> str:
    with open_store(db) as store:
        return listing_of(store, "cs.CV", DAY).lines[0].arxiv_id


def test_the_profile_routes_are_the_ones_expected(lab_db: Location) -> None:
    # If this changes, the test below tries the new route too; this only shows it is real.
    routes = profile_routes(lab_db)
    assert ("GET", "/{category}/{day}/for/{name}/") in routes
    assert ("POST", "/api/profiles/{name}/marks") in routes
    assert ("GET", "/feeds/profile/{name}.{kind}") in routes
    assert ("POST", "/account/profiles/{name}/remove") in routes
    assert len(routes) >= 5


def test_every_profile_route_refuses_another_members_profile(lab: Lab) -> None:
    some = paper_of_the_day(lab.db)
    with open_store(lab.db) as store:
        member = store.users.named("alice")
        assert member is not None
        store.profiles.ensure("alices-spare", member.id)  # for the route that removes one
    with lab.signed_in("alice") as alice:
        for method, path in profile_routes(lab.db):
            body = {"arxiv_id": some, "mark": "saved"} if method == "POST" else None
            mine = "alices-spare" if path.endswith("/remove") else "alices"
            own = alice.request(method, filled(path, mine), json=body, headers=csrf(alice))
            theirs = alice.request(method, filled(path, "bobs"), json=body, headers=csrf(alice))
            none = alice.request(method, filled(path, "nobodys"), json=body, headers=csrf(alice))
            assert own.status_code == 200, (method, path, own.text[:200])
            assert theirs.status_code == none.status_code == 404, (method, path)
            # Word for word the answer about a profile that is not there.
            assert theirs.text.replace("bobs", "?") == none.text.replace("nobodys", "?")
    with open_store(lab.db) as store:
        bobs = store.profiles.get("bobs")
        alices = store.profiles.get("alices")
        assert bobs is not None and alices is not None
        assert bobs.marks == ()  # alice's save never reached bob's profile
        assert [m.arxiv_id for m in alices.marks] == [some]
        store.profiles.unmark(alices.id, some)
        assert store.profiles.get("alices-spare") is None  # removed by its owner, once


def test_each_member_sees_only_their_profiles(lab: Lab) -> None:
    with lab.signed_in("alice") as alice, lab.signed_in("bob") as bob:
        assert [p["name"] for p in alice.get("/api/profiles").json()] == ["alices"]
        assert [p["name"] for p in bob.get("/api/profiles").json()] == ["bobs"]
        # A day page is everyone's (its script adds the member's tabs): one rendering, in
        # which no member's profile is named.
        page = f"/cs.CV/{DAY}/listing/"
        seen = alice.get(page).text
        assert seen == bob.get(page).text
        assert "alices" not in seen and "bobs" not in seen
        assert f'data-for="/cs.CV/{DAY}/for/"' in seen
        # A profile's page, cached for its member, is never served to another.
        mine = f"/cs.CV/{DAY}/for/alices/"
        assert alice.get(mine).status_code == 200
        assert bob.get(mine).status_code == 404
    with lab.signed_in("carol") as carol:
        assert carol.get("/api/profiles").json() == []
        assert carol.get(f"/cs.CV/{DAY}/for/alices/").status_code == 404


def feed_token(db: Location, name: str) -> str:
    with open_store(db) as store:
        user = store.users.named(name)
        assert user is not None
        return user.feed_token


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_a_feed_is_read_with_its_members_token_only(lab: Lab, kind: str) -> None:
    bob, alice = feed_token(lab.db, "bob"), feed_token(lab.db, "alice")
    with lab.client() as reader:
        feed = f"/feeds/profile/bobs.{kind}"
        assert reader.get(feed).status_code == 401
        mine = reader.get(feed, params={"token": bob})
        assert mine.status_code == 200 and mine.text.lstrip().startswith("<?xml")
        assert reader.get(feed, params={"token": alice}).status_code == 404
        assert reader.get(feed, params={"token": bob[:-1] + "x"}).status_code == 401
        # A token opens feeds, and nothing else.
        assert reader.get("/api/profiles", params={"token": bob}).status_code == 401


def test_a_new_feed_token_retires_the_old_one(lab: Lab) -> None:
    old = feed_token(lab.db, "bob")
    with lab.signed_in("bob") as bob:
        account = bob.get("/account").text
        assert f"/feeds/profile/bobs.atom?token={old}" in account
        assert bob.post("/account/feed-token", headers=csrf(bob)).status_code == 303
    new = feed_token(lab.db, "bob")
    assert new != old
    with lab.client() as reader:
        assert reader.get("/feeds/profile/bobs.atom", params={"token": old}).status_code == 401
        assert reader.get("/feeds/profile/bobs.atom", params={"token": new}).status_code == 200


def test_the_for_you_page_links_the_feed_with_the_members_token(lab: Lab) -> None:
    token = feed_token(lab.db, "alice")
    with lab.signed_in("alice") as alice:
        page = alice.get(f"/cs.CV/{DAY}/for/alices/").text
        assert f"/feeds/profile/alices.atom?token={token}" in page.replace("&amp;", "&")


def test_a_member_makes_a_profile_of_their_own_from_a_zotero_export(lab: Lab) -> None:
    data = REPO / "tests" / "profiles" / "data"
    with open_store(lab.db) as store:
        add_member(store, "dave", "dave's long password")
        expected = sorted({f.arxiv_id for f in read_bib_file(store, data / "zotero.bib").found})
        bobs_before = store.profiles.get("bobs")
    assert expected
    with lab.client() as dave:
        assert sign_in(dave, "dave", "dave's long password").status_code == 303
        token = csrf(dave)["X-CSRF-Token"]

        def upload(name: str, path: Path) -> httpx.Response:
            return dave.post(
                "/account/profiles",
                data={"name": name, "csrf_token": token},
                files={"library": (path.name, path.read_bytes(), "application/x-bibtex")},
            )

        made = upload("daves", data / "zotero.bib")
        assert made.status_code == 200 and "created profile daves" in made.text
        assert "upload zotero.bib" in made.text and "/tmp/" not in made.text
        broken = upload("daves-broken", data / "broken.bib")
        assert broken.status_code == 422 and "upload broken.bib" in broken.text
        theirs = upload("bobs", data / "zotero.bib")
        assert theirs.status_code == 422 and "belongs to another member" in theirs.text
        assert [p["name"] for p in dave.get("/api/profiles").json()] == ["daves"]
        assert dave.post("/account/profiles", data={"name": "x y"}).status_code == 403
    with open_store(lab.db) as store:
        daves = store.profiles.get("daves")
        dave_id = store.users.named("dave").id  # type: ignore[union-attr]
        assert daves is not None and daves.owner == dave_id
        assert sorted(daves.library_ids) == expected
        assert {p.origin for p in daves.library} == {"bib:upload zotero.bib"}
        assert store.profiles.get("daves-broken") is None
        assert store.profiles.get("bobs") == bobs_before  # bob's profile untouched
        store.users.remove("dave")
