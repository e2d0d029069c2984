"""Signing in and out, and a member's own page (their feeds, their sessions). Only on a
lab's server (`paperboy serve --accounts`); without accounts these pages are not there."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from paperboy.accounts import authenticate
from paperboy.profiles import build, report
from paperboy.profiles.library import LibraryError
from paperboy.store.accounts import User
from paperboy.web.foryou import profile_named
from paperboy.web.reader import Reader, ReaderDep
from paperboy.web.rendering import Renderer
from paperboy.web.routes.pages import RendererDep
from paperboy.web.signin import (
    CSRF_COOKIE,
    Accounts,
    Visitor,
    VisitorDep,
    begin_session,
    csrf_token,
)
from paperboy.web.urls import Urls
from paperboy.wording import plural

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 20_000_000  # a Zotero export of thousands of papers is a few MB


def _accounts(request: Request) -> Accounts:
    accounts: Accounts | None = request.app.state.accounts
    if accounts is None:
        raise HTTPException(404, "This paperboy has no accounts (paperboy serve --accounts)")
    return accounts


def _local(next_page: str) -> str:
    """Where to go after signing in: a path of this site only, never another site."""
    if next_page.startswith("/") and not next_page.startswith(("//", "/\\")):
        return next_page
    return "/"


def _login_page(
    pages: Renderer, request: Request, next_page: str, message: str = "", status: int = 200
) -> HTMLResponse:
    return pages.html(
        "login.html",
        "login",
        status=status,
        title="Sign in",
        csrf=csrf_token(request),
        next_page=_local(next_page),
        message=message,
    )


@router.get("/login")
def login_form(pages: RendererDep, request: Request, next: str = "/") -> Response:
    _accounts(request)
    return _login_page(pages, request, next)


@router.post("/login")
def login(
    reader: ReaderDep,
    pages: RendererDep,
    request: Request,
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=4096)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    accounts = _accounts(request)
    client = request.client.host if request.client else "unknown"
    keys = [f"address {client}", f"name {name.lower()}"]
    wait = accounts.limiter.wait(keys)
    if wait:
        response = _login_page(
            pages, request, next, f"Too many failed sign-ins: try again in {wait} s.", 429
        )
        response.headers["Retry-After"] = str(wait)
        return response
    user = authenticate(reader.primary, name, password)
    if user is None:
        accounts.limiter.failed(keys)
        return _login_page(pages, request, next, "Wrong name or password.", 401)
    accounts.limiter.succeeded(keys[1])
    token = begin_session(request, user)
    done = RedirectResponse(_local(next), status_code=303)
    # The pages' script sends this back as X-CSRF-Token; another site can neither read it
    # nor make the browser send the header.
    done.set_cookie(
        CSRF_COOKIE,
        token,
        max_age=accounts.session_seconds,
        secure=accounts.secure,
        samesite="strict",
        httponly=False,
    )
    return done


@router.get("/logout")
def logout_form(pages: RendererDep, request: Request) -> Response:
    _accounts(request)
    return pages.html("logout.html", "logout", title="Sign out", csrf=csrf_token(request))


@router.post("/logout")
def logout(request: Request) -> Response:
    _accounts(request)
    request.session.clear()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.get("/account")
def account(reader: ReaderDep, pages: RendererDep, request: Request, who: VisitorDep) -> Response:
    _accounts(request)
    return _account_page(reader, pages, request, _member(who))


def _account_page(
    reader: Reader,
    pages: Renderer,
    request: Request,
    member: User,
    said: Sequence[str] = (),
    status: int = 200,
) -> HTMLResponse:
    profiles = reader.store.profiles.summaries(owner=member.id)
    urls = Urls("account")
    feeds = [
        (p.name, reader.url(urls.profile_feed(p.name, token=member.feed_token))) for p in profiles
    ]
    return pages.html(
        "account.html",
        "account",
        title=f"Account of {member.name}",
        member=member,
        feeds=feeds,
        csrf=csrf_token(request),
        said=said,
        status=status,
    )


@router.post("/account/profiles")
def add_profile(
    reader: ReaderDep,
    pages: RendererDep,
    request: Request,
    who: VisitorDep,
    name: Annotated[str, Form(max_length=200)],
    library: Annotated[UploadFile | None, File()] = None,
    email: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Make a profile of one's own, or add to one: a library file uploaded (a BibTeX export,
    or arXiv ids one a line), matched as `paperboy profile add --bib/--ids` matches it."""
    _accounts(request)
    member = _member(who)
    with tempfile.TemporaryDirectory(prefix="paperboy-upload-") as folder:
        files: dict[str, list[Path]] = {"bib": [], "ids": []}
        labels: dict[Path, str] = {}
        if library is not None and library.filename:
            data = library.file.read(MAX_UPLOAD + 1)
            if len(data) > MAX_UPLOAD:
                said = [f"{library.filename}: larger than {MAX_UPLOAD // 1_000_000} MB"]
                return _account_page(reader, pages, request, member, said, 413)
            path = Path(folder) / "library"
            path.write_bytes(data)
            kind = "bib" if data.lstrip()[:1] == b"@" else "ids"
            files[kind].append(path)
            labels[path] = f"upload {Path(library.filename).name}"
        try:
            done = build.add(
                reader.primary, name.strip(), files["ids"], files["bib"],
                email=email.strip() or None, owner=member.id, labels=labels,
            )  # fmt: skip
        except (LibraryError, build.ProfileInputError) as exc:
            error = str(exc)
            for path, label in labels.items():  # the upload's name, not a temporary path
                error = error.replace(str(path), label)
            return _account_page(reader, pages, request, member, [error], 422)
    reader.cache.clear()  # the member's pages show the new profile's tab
    return _account_page(reader, pages, request, member, report.add_text(done))


@router.post("/account/profiles/{name}/remove")
def remove_profile(
    reader: ReaderDep, pages: RendererDep, request: Request, who: VisitorDep, name: str
) -> Response:
    """Remove one of one's own profiles, with its library, marks and digests."""
    _accounts(request)
    member = _member(who)
    profile = profile_named(reader.store, name, who)
    reader.primary.profiles.remove(profile.name)
    reader.cache.clear()
    said = [f"removed profile {profile.name} ({plural(len(profile.library), 'library paper')})"]
    return _account_page(reader, pages, request, member, said)


@router.post("/account/feed-token")
def new_feed_token(reader: ReaderDep, request: Request, who: VisitorDep) -> Response:
    """A new secret for the member's feed URLs: the old ones stop working."""
    _accounts(request)
    reader.primary.users.new_feed_token(_member(who).name)
    reader.cache.clear()  # pages that showed the old feed links
    return RedirectResponse("/account", status_code=303)


@router.post("/account/sign-out-everywhere")
def sign_out_everywhere(reader: ReaderDep, request: Request, who: VisitorDep) -> Response:
    """End every session of the member, on every browser, this one too."""
    _accounts(request)
    reader.primary.users.end_sessions(_member(who).name)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def _member(who: Visitor) -> User:
    if who.member is None:  # the gate lets no one without a session this far
        raise HTTPException(401, "Sign in first")
    return who.member
