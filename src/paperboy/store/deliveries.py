"""The store's deliveries table (schema version 8): which profile's digest of which day went
to which address, so that `paperboy update` sends each one once.

A delivery is claimed ('sending') before the SMTP dialogue starts and marked 'sent' just
before the message's final dot goes to the server (paperboy.delivery.send): a run killed
after that point finds it sent; one killed before finds only the claim and sends again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from paperboy.store.base import Store

State = Literal["sending", "sent", "failed"]


@dataclass(frozen=True, slots=True)
class Delivery:
    profile: str
    category: str
    day: date
    address: str
    state: State
    message_id: str
    at: str
    error: str | None


@dataclass(frozen=True, slots=True)
class Key:
    """One digest to one address: a profile's ranked listing of a category's day."""

    profile: int
    category: str
    day: date
    address: str

    @property
    def row(self) -> tuple[int, str, str, str]:
        return (self.profile, self.category, self.day.isoformat(), self.address)


_WHERE = "profile = ? AND category = ? AND day = ? AND address = ?"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class DeliveryTables:
    """Reads and writes of the deliveries table; each write commits on its own, since a
    delivery's states must survive whatever happens after them."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn = store.conn

    def state(self, key: Key) -> State | None:
        row = self.conn.execute(f"SELECT state FROM deliveries WHERE {_WHERE}", key.row).fetchone()
        return None if row is None else row[0]

    def claim(self, keys: Sequence[Key], message_id: str) -> None:
        """Record that one message is about to go to these addresses (a claim left by a
        killed run is taken over: that run never reached the final dot)."""
        with self.store.transaction():
            self.conn.executemany(
                "INSERT INTO deliveries (profile, category, day, address, state, message_id, at)"
                " VALUES (?, ?, ?, ?, 'sending', ?, ?)"
                " ON CONFLICT (profile, category, day, address) DO UPDATE SET"
                " state = 'sending', message_id = excluded.message_id, at = excluded.at,"
                " error = NULL",
                [(*key.row, message_id, _now()) for key in keys],
            )

    def mark_sent(self, keys: Sequence[Key]) -> None:
        self._set(keys, "sent", None)

    def mark_failed(self, keys: Sequence[Key], error: str) -> None:
        self._set(keys, "failed", error)

    def _set(self, keys: Sequence[Key], state: State, error: str | None) -> None:
        with self.store.transaction():
            self.conn.executemany(
                f"UPDATE deliveries SET state = ?, error = ?, at = ? WHERE {_WHERE}",
                [(state, error, _now(), *key.row) for key in keys],
            )

    def of_profile(self, profile: int) -> list[Delivery]:
        """A profile's deliveries, the latest day first."""
        rows = self.conn.execute(
            "SELECT p.name, d.category, d.day, d.address, d.state, d.message_id, d.at, d.error"
            " FROM deliveries d JOIN profiles p ON p.id = d.profile WHERE d.profile = ?"
            " ORDER BY d.day DESC, d.address",
            (profile,),
        )
        return [
            Delivery(r[0], r[1], date.fromisoformat(r[2]), r[3], r[4], r[5], r[6], r[7])
            for r in rows
        ]
