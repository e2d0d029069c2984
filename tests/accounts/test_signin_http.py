"""Signing in to a lab's paperboy over a real socket: what needs a session, the cookies,
signing out, sessions that expire or are ended, CSRF on every change, the rate limit."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from lab import PASSWORDS, Lab, csrf, login_token, sign_in
from live_web import serving
from stores import DAY

from paperboy.accounts import set_password
from paperboy.store import Location, open_store
from paperboy.web.signin import Accounts, Limiter

DAY_PAGE = f"/cs.CV/{DAY}/listing/"


def test_without_a_session_pages_send_to_sign_in_and_the_api_says_401(lab: Lab) -> None:
    with lab.client() as anonymous:
        page = anonymous.get(DAY_PAGE)
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=%2Fcs.CV%2F2021-11-23%2Flisting%2F"
        for path in (
            "/api/profiles",
            "/api/lists",
            f"/api/listings/cs.CV/{DAY}",
            "/feeds/cs.CV.atom",
        ):
            answer = anonymous.get(path)
            assert answer.status_code == 401, path
            assert answer.json() == {"detail": "Sign in first"}
        assert anonymous.get("/healthz").status_code == 200
        assert anonymous.get("/static/app.js").status_code == 200


def test_signing_in_sets_a_signed_httponly_session_and_goes_back(lab: Lab) -> None:
    with lab.client() as client:
        done = sign_in(client, "bob", PASSWORDS["bob"], DAY_PAGE)
        assert done.status_code == 303 and done.headers["location"] == DAY_PAGE
        cookies = {c.split("=", 1)[0]: c.lower() for c in done.headers.get_list("set-cookie")}
        assert "httponly" in cookies["paperboy_session"]
        assert "samesite=lax" in cookies["paperboy_session"]
        assert "httponly" not in cookies["paperboy_csrf"]  # the pages' script reads it
        assert "samesite=strict" in cookies["paperboy_csrf"]
        assert client.get(DAY_PAGE).status_code == 200
        # A session cookie changed by hand is not a session.
        forged = client.cookies.get("paperboy_session")
        assert forged is not None
        client.cookies.set("paperboy_session", "x" + forged[1:])
        assert client.get(DAY_PAGE).status_code == 303


def test_wrong_passwords_and_names_are_refused_alike(lab: Lab) -> None:
    with lab.client() as client:
        wrong = sign_in(client, "carol", "not carol's password")
        unknown = sign_in(client, "nobody-at-all", "not carol's password")
        assert wrong.status_code == unknown.status_code == 401
        assert "Wrong name or password." in wrong.text and "Wrong name or password." in unknown.text
        assert client.get(DAY_PAGE).status_code == 303


def test_sign_in_only_goes_back_to_this_site(lab: Lab) -> None:
    with lab.client() as client:
        for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
            done = sign_in(client, "carol", PASSWORDS["carol"], elsewhere)
            assert done.headers["location"] == "/", elsewhere


def test_signing_out_ends_the_session_and_needs_the_token(lab: Lab) -> None:
    with lab.signed_in("carol") as client:
        refused = client.post("/logout")
        assert refused.status_code == 403
        assert client.get(DAY_PAGE).status_code == 200  # still signed in
        out = client.post("/logout", headers=csrf(client))
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert client.get(DAY_PAGE).status_code == 303


def test_a_stolen_cookie_stops_working_when_the_sessions_are_ended(lab: Lab) -> None:
    with lab.signed_in("carol") as browser, lab.client() as thief:
        thief.cookies.set("paperboy_session", browser.cookies["paperboy_session"])
        assert thief.get(DAY_PAGE).status_code == 200
        ended = browser.post("/account/sign-out-everywhere", headers=csrf(browser))
        assert ended.status_code == 303
        assert thief.get(DAY_PAGE).status_code == 303
        assert browser.get(DAY_PAGE).status_code == 303


def test_a_new_password_ends_every_session(lab: Lab, tmp_path: Path) -> None:
    with lab.signed_in("carol") as client:
        assert client.get(DAY_PAGE).status_code == 200
        with open_store(lab.db) as store:
            set_password(store, "carol", "carol's next password")
        try:
            assert client.get(DAY_PAGE).status_code == 303
            assert sign_in(client, "carol", PASSWORDS["carol"]).status_code == 401
            assert sign_in(client, "carol", "carol's next password").status_code == 303
        finally:
            with open_store(lab.db) as store:
                set_password(store, "carol", PASSWORDS["carol"])


def test_a_session_expires_idle_or_not(lab_db: Location) -> None:
    with serving(lab_db, accounts=Accounts(session_seconds=2)) as url:
        lab = Lab(url, lab_db)
        with lab.signed_in("carol") as idle:
            assert idle.get(DAY_PAGE).status_code == 200
            time.sleep(3.2)
            assert idle.get(DAY_PAGE).status_code == 303
        with lab.signed_in("carol") as busy:
            began = time.monotonic()
            answers = []
            while time.monotonic() - began < 3.5:  # never idle for long, still it ends
                answers.append((time.monotonic() - began, busy.get("/api/profiles").status_code))
                time.sleep(0.3)
            assert all(status == 200 for at, status in answers if at < 0.8)
            assert answers[-1][1] == 401


def test_every_change_needs_the_sessions_csrf_token(lab: Lab) -> None:
    some = "2111.11111"
    with lab.signed_in("carol") as carol, lab.signed_in("bob") as bob:
        body = {"name": "csrf-check"}
        assert carol.post("/api/lists", json=body).status_code == 403
        assert (
            carol.post("/api/lists", json=body, headers={"X-CSRF-Token": "guess"}).status_code
            == 403
        )
        # Another member's token is not this session's.
        assert carol.post("/api/lists", json=body, headers=csrf(bob)).status_code == 403
        # A form another site posts carries no token.
        form = carol.post("/lists/", data={"name": "csrf-check"})
        assert form.status_code == 403 and "Refused" in form.text
        assert carol.delete(f"/api/lists/nope/papers/{some}").status_code == 403
        assert "csrf-check" not in [x["name"] for x in carol.get("/api/lists").json()]
        made = carol.post("/api/lists", json=body, headers=csrf(carol))
        assert made.status_code == 201
        assert carol.delete("/api/lists/csrf-check", headers=csrf(carol)).status_code == 200


def test_sign_in_needs_the_forms_token(lab: Lab) -> None:
    with lab.client() as client:
        login_token(client)  # a session with a token, but the post does not carry it
        done = client.post("/login", data={"name": "carol", "password": PASSWORDS["carol"]})
        assert done.status_code == 403
        with lab.client() as other:  # nor a token of another browser's
            stolen = login_token(other)
        done = client.post(
            "/login", data={"name": "carol", "password": PASSWORDS["carol"], "csrf_token": stolen}
        )
        assert done.status_code == 403


def test_sign_in_attempts_are_rate_limited(lab_db: Location) -> None:
    with serving(lab_db, accounts=Accounts(limiter=Limiter(attempts=3, window=60))) as url:
        lab = Lab(url, lab_db)
        with lab.client() as client:
            for _ in range(3):
                assert sign_in(client, "carol", "a wrong password").status_code == 401
            limited = sign_in(client, "carol", PASSWORDS["carol"])  # right, but too soon
            assert limited.status_code == 429
            assert 0 < int(limited.headers["retry-after"]) <= 60
            assert "Too many failed sign-ins" in limited.text
            # The same address trying another name is limited too.
            assert sign_in(client, "bob", PASSWORDS["bob"]).status_code == 429


def test_without_accounts_the_app_is_the_single_users(lab_db: Location) -> None:
    with serving(lab_db) as url, httpx.Client(base_url=url, timeout=60) as client:
        assert client.get(DAY_PAGE).status_code == 200
        assert client.get("/login").status_code == 404
        names = {p["name"] for p in client.get("/api/profiles").json()}
        assert names == {"alices", "bobs"}  # one user, who owns everything
        made = client.post("/api/lists", json={"name": "single-user"})
        assert made.status_code == 201 and made.json()["created_by"] is None


def test_without_accounts_another_sites_form_cannot_change_anything(lab_db: Location) -> None:
    with serving(lab_db) as url, httpx.Client(base_url=url, timeout=60) as client:
        host = url.removeprefix("http://")
        assert (
            client.post("/lists/", data={"name": "mine"}, headers={"Origin": url}).status_code
            == 303
        )
        forged = client.post(
            "/lists/", data={"name": "evil"}, headers={"Origin": "https://evil.example"}
        )
        assert forged.status_code == 403
        removed = client.post("/lists/mine/remove", headers={"Origin": "http://evil.example"})
        assert removed.status_code == 403
        names = [x["name"] for x in client.get("/api/lists").json()]
        assert "mine" in names and "evil" not in names
        assert client.post("/lists/mine/remove", headers={"Host": host}).status_code == 303


def test_behind_a_proxy_the_public_sites_own_pages_may_change_things(lab_db: Location) -> None:
    public = "https://papers.lab.example"
    with serving(lab_db, base_url=public) as url, httpx.Client(base_url=url, timeout=60) as c:
        made = c.post("/lists/", data={"name": "proxied"}, headers={"Origin": public})
        assert made.status_code == 303
        assert c.post("/lists/proxied/remove", headers={"Origin": public}).status_code == 303
        other = c.post("/lists/", data={"name": "x"}, headers={"Origin": "https://lab.example"})
        assert other.status_code == 403
