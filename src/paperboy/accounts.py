"""Members of a lab's paperboy: names, passwords hashed with Argon2id, and signing in.

Passwords are hashed by argon2-cffi (its defaults: Argon2id, RFC 9106's low-memory profile)
and only the hash is stored. Checking a name that does not exist costs as much as checking a
wrong password, so the time of an answer does not tell which names are members.
"""

from __future__ import annotations

import re
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from paperboy.store import Store
from paperboy.store.accounts import AccountError, Role, User

MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # hashing is deliberately slow: a megabyte password is a denial of service
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
_HASHER = PasswordHasher()


@cache
def _nobody() -> str:
    """The hash an unknown name is checked against (made once, on first need: a hash takes
    tens of milliseconds, which importing this module should not cost)."""
    return _HASHER.hash("no member has this password")


def hash_password(password: str) -> str:
    return _HASHER.hash(check_password(password))


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise AccountError(
            f"{name[:60]!r} is not a member name: 1-40 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"a password has at most {MAX_PASSWORD} characters")
    return password


def add_member(store: Store, name: str, password: str, role: Role = "member") -> User:
    return store.users.add(check_name(name), hash_password(password), role)


def set_password(store: Store, name: str, password: str) -> None:
    store.users.set_password(name, hash_password(password))


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The member if the password is theirs, else None (as slowly for an unknown name)."""
    user = store.users.named(name) if _NAME.fullmatch(name) else None
    if len(password) > MAX_PASSWORD:
        return None
    try:
        _HASHER.verify(user.password if user else _nobody(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _HASHER.check_needs_rehash(user.password):  # hashed under older parameters
        store.users.rehash(user.name, _HASHER.hash(password))
        user = store.users.named(user.name)
    return user
