"""Sign-in for a lab's paperboy (`paperboy serve --accounts`): who is asking, sessions, CSRF
and the rate limit on sign-in attempts.

- A session is Starlette's signed cookie (itsdangerous; HttpOnly, SameSite=Lax, Secure when
  the site is served over https) holding the member's id, the member's `sessions` number
  (a new password or `paperboy user remove` ends every session at once) and when it began:
  it ends `session_seconds` after sign-in, however busy (the cookie is signed once, at
  sign-in, and the time it began is checked too).
- Every state-changing request (any method but GET, HEAD, OPTIONS) carries the session's CSRF
  token, in the `X-CSRF-Token` header (the pages' script reads it from the `paperboy_csrf`
  cookie, which only this site's pages can read) or in a form's `csrf_token` field.
- Feed readers cannot sign in: a feed URL may carry the member's secret `token` instead.
- Without accounts, a change sent from a page of another site (its Origin) is refused.
- Sign-in attempts are limited per client address and per name (`Limiter`), in memory: a
  process of its own for each web worker.

Without accounts every request is the single user's, as before.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Annotated, cast
from urllib.parse import urlsplit

from fastapi import Depends, Request

from paperboy.store import Store
from paperboy.store.accounts import User
from paperboy.store.profiles import Profile

SESSION_COOKIE = "paperboy_session"
CSRF_COOKIE = "paperboy_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = 14 * 24 * 3600
SECRET_STATE = "session_secret"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Reached without a session: the sign-in pages and the health check (a feed is reached with
# its member's token instead, see `gate`).
PUBLIC = ("/login", "/healthz")


class SignInRequired(Exception):
    """The request needs a signed-in member; the app answers 401 or sends to /login."""


class CSRFRejected(Exception):
    """A state-changing request without the session's CSRF token."""


@dataclass(frozen=True, slots=True)
class Visitor:
    """Who a request comes from: with accounts on, a member (or nobody yet); without, the
    single user, who owns every profile."""

    accounts: bool
    member: User | None = None

    @property
    def owner(self) -> int | None:
        """The signed-in member's id: the owner whose profiles this visitor sees, and who
        made what they add; None without accounts (every profile)."""
        return self.member.id if self.accounts and self.member else None

    def owns(self, profile: Profile) -> bool:
        if not self.accounts:
            return True
        return self.member is not None and profile.owner == self.member.id

    @property
    def key(self) -> str:
        """What separates this visitor's cached pages from everyone else's."""
        return f"member {self.member.id}" if self.accounts and self.member else ""


SINGLE_USER = Visitor(accounts=False)


class Limiter:
    """At most `attempts` failed sign-ins per key (a client address, a name) in `window`
    seconds; a success clears the name's count."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, keys: list[str]) -> int:
        """Seconds until another attempt is allowed for all `keys` (0: now)."""
        now = time.monotonic()
        longest = 0.0
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self.attempts:
                    longest = max(longest, failures[0] + self.window - now)
        return int(longest) + 1 if longest > 0 else 0

    def failed(self, keys: list[str]) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)  # bounded: only keys failing now are kept
        return failures


@dataclass(slots=True)
class Accounts:
    """The sign-in settings of one app."""

    session_seconds: int = SESSION_SECONDS
    secure: bool = False  # cookies only over https (the base URL is https)
    limiter: Limiter = field(default_factory=Limiter)


def session_secret(store: Store) -> str:
    """The key sessions are signed with: made once and kept in the store, so every worker
    and a replica's readers sign alike, and sessions outlive a restart."""
    found = store.get_state(SECRET_STATE)
    if found:
        return found
    with store.transaction():
        found = store.get_state(SECRET_STATE)  # another worker may have made it meanwhile
        if not found:
            found = secrets.token_urlsafe(48)
            store.set_state(SECRET_STATE, found)
    return found


def begin_session(request: Request, user: User) -> str:
    """Sign `user` in on this browser; the new session's CSRF token."""
    token = secrets.token_urlsafe(24)
    request.session.clear()
    request.session.update(
        {"member": user.id, "sessions": user.sessions, "since": int(time.time()), "csrf": token}
    )
    return token


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made if it has none (the sign-in form has one too)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def form_token(request: Request) -> str:
    """The CSRF token for a page's forms: '' without accounts (nothing to check)."""
    return csrf_token(request) if request.app.state.accounts is not None else ""


def signed_in(request: Request, store: Store, accounts: Accounts) -> User | None:
    """The member whose live session the request carries, else None."""
    session = request.session
    member, number, since = session.get("member"), session.get("sessions"), session.get("since")
    if not isinstance(member, int) or not isinstance(since, int):
        return None
    if time.time() - since > accounts.session_seconds:
        return None
    user = store.users.get(member)
    if user is None or user.sessions != number:
        return None
    return user


async def check_csrf(request: Request) -> None:
    expected = request.session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not given or not hmac.compare_digest(expected, given):
        raise CSRFRejected()


async def gate(request: Request) -> None:
    """Who the request is from (`request.state.visitor`); on a lab's server, refuse it
    without a live session (a feed: without the member's token), and a change without the
    CSRF token. Every route depends on this."""
    accounts: Accounts | None = request.app.state.accounts
    if accounts is None:
        if request.method not in SAFE_METHODS:
            check_origin(request)
        request.state.visitor = SINGLE_USER
        return
    store: Store = request.app.state.reader.store
    path = request.url.path
    if path.startswith("/feeds/") and request.method in SAFE_METHODS:
        by_token = store.users.with_feed_token(request.query_params.get("token", ""))
        if by_token is not None:
            request.state.visitor = Visitor(True, by_token)
            return
    if request.method not in SAFE_METHODS:
        await check_csrf(request)
    member = signed_in(request, store, accounts)
    request.state.visitor = Visitor(True, member)
    if member is None and not path.startswith(PUBLIC):
        raise SignInRequired()


def check_origin(request: Request) -> None:
    """Without accounts there is no session to hold a token: a change sent by a page of
    another site (a browser names it in Origin) is refused; tools that send no Origin pass."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    ours = {request.headers.get("host", ""), urlsplit(request.app.state.reader.base_url).netloc}
    if urlsplit(origin).netloc.lower() not in {o.lower() for o in ours}:  # behind a proxy too
        raise CSRFRejected()


def visitor_of(request: Request) -> Visitor:
    return cast(Visitor, getattr(request.state, "visitor", SINGLE_USER))


VisitorDep = Annotated[Visitor, Depends(visitor_of)]
