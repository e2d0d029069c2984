"""The store's account tables (schema version 11): the members of a lab's paperboy.

The store keeps what it is given: a password arrives here already hashed
(`paperboy.accounts.hash_password`), never in clear.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from paperboy.store.base import Store

Role = Literal["admin", "member"]
ROLES: tuple[Role, ...] = ("admin", "member")
_COLUMNS = "id, name, password, role, feed_token, sessions, created"


class AccountError(ValueError):
    """A change to the members that cannot be made (a name taken, a member not there)."""


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    password: str = field(repr=False)  # the Argon2 hash
    role: Role
    feed_token: str = field(repr=False)
    sessions: int  # a session signed with another number has ended
    created: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def new_feed_token() -> str:
    """A secret for a member's feed URLs: 128 bits, URL-safe."""
    return secrets.token_urlsafe(16)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class UserTables:
    """Reads and writes of the users table."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn = store.conn

    def add(self, name: str, password_hash: str, role: Role = "member") -> User:
        if role not in ROLES:
            raise AccountError(f"a role is one of {', '.join(ROLES)}, not {role!r}")
        if self.named(name) is not None:
            raise AccountError(f"there is already a member named {name!r}")
        with self.store.transaction():
            self.conn.execute(
                "INSERT INTO users (name, password, role, feed_token, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (name, password_hash, role, new_feed_token(), _now()),
            )
        user = self.named(name)
        assert user is not None
        return user

    def named(self, name: str) -> User | None:
        return self._one("name = ?", name)

    def get(self, user_id: int) -> User | None:
        return self._one("id = ?", user_id)

    def with_feed_token(self, token: str) -> User | None:
        return self._one("feed_token = ?", token) if token else None

    def all(self) -> list[User]:
        rows = self.conn.execute(f"SELECT {_COLUMNS} FROM users ORDER BY name")
        return [User(*row) for row in rows]

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM users").fetchone()[0])

    def remove(self, name: str) -> bool:
        """Remove a member and, by cascade, their profiles (with their libraries, marks and
        deliveries); what they added to reading lists stays, without their name."""
        with self.store.transaction():
            cur = self.conn.execute("DELETE FROM users WHERE name = ?", (name,))
        return cur.rowcount > 0

    def set_password(self, name: str, password_hash: str) -> None:
        """A new password ends every session the member has signed in."""
        self._change(name, "password = ?, sessions = sessions + 1", password_hash)

    def rehash(self, name: str, password_hash: str) -> None:
        """The same password hashed anew (under newer parameters): sessions go on."""
        self._change(name, "password = ?", password_hash)

    def end_sessions(self, name: str) -> None:
        """Sign the member out on every browser."""
        self._change(name, "sessions = sessions + ?", 1)

    def set_role(self, name: str, role: Role) -> None:
        if role not in ROLES:
            raise AccountError(f"a role is one of {', '.join(ROLES)}, not {role!r}")
        self._change(name, "role = ?, sessions = sessions + 1", role)

    def new_feed_token(self, name: str) -> str:
        """Replace the member's feed token: the old feed URLs stop working."""
        token = new_feed_token()
        self._change(name, "feed_token = ?", token)
        return token

    def _change(self, name: str, assignments: str, value: str | int) -> None:
        with self.store.transaction():
            cur = self.conn.execute(f"UPDATE users SET {assignments} WHERE name = ?", (value, name))
        if cur.rowcount == 0:
            raise AccountError(f"no member named {name!r}")

    def _one(self, where: str, value: object) -> User | None:
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM users WHERE {where}", (value,)).fetchone()
        return None if row is None else User(*row)
