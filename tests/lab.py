"""A lab's paperboy in the tests: the members and their passwords, and a client that signs
in over a real socket the way a browser does (tests/accounts)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from paperboy.store import Location

PASSWORDS = {"alice": "alice's long password", "bob": "bob's long password", "carol": "carol x 10"}


@dataclass
class Lab:
    url: str
    db: Location

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, follow_redirects=False)

    @contextmanager
    def signed_in(self, name: str) -> Iterator[httpx.Client]:
        with self.client() as client:
            done = sign_in(client, name, PASSWORDS[name])
            assert done.status_code == 303, done.text
            yield client


def login_token(client: httpx.Client) -> str:
    page = client.get("/login")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found[1]


def sign_in(
    client: httpx.Client, name: str, password: str, next_page: str | None = None
) -> httpx.Response:
    """The sign-in form filled in and sent, with the token the form came with."""
    data = {"name": name, "password": password, "csrf_token": login_token(client)}
    return client.post("/login", data=data if next_page is None else {**data, "next": next_page})


def csrf(client: httpx.Client) -> dict[str, str]:
    """The header a page's script sends with a change."""
    token = client.cookies.get("paperboy_csrf")
    assert token
    return {"X-CSRF-Token": token}
