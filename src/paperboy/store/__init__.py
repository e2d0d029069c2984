"""The store: one interface (`Store`), two engines — SQLite, the embedded default, and
PostgreSQL for a lab's server. A store is named by a file path or a `postgresql://` URL."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from paperboy.config import data_dir
from paperboy.store.base import (
    ListingEntry,
    LockedError,
    Store,
    StoreBusyError,
    StoreConnectError,
    UpsertResult,
)
from paperboy.store.rows import is_category
from paperboy.store.sqlite import SQLiteStore

__all__ = [
    "ListingEntry",
    "Location",
    "LockedError",
    "SQLiteStore",
    "Store",
    "StoreBusyError",
    "StoreConnectError",
    "UpsertResult",
    "default_db_path",
    "display_name",
    "is_category",
    "is_postgres",
    "location",
    "open_store",
]

# Where a store is: a SQLite file, or a PostgreSQL server's database as a libpq URL.
Location = Path | str
_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(where: Location) -> bool:
    return isinstance(where, str) and where.startswith(_SCHEMES)


def location(text: str) -> Location:
    """What a person wrote in --db or PAPERBOY_DB: a URL stays text, anything else a path."""
    return text if is_postgres(text) else Path(text)


def default_db_path() -> Location:
    """PAPERBOY_DB if set, else paperboy.sqlite3 under the user's data directory."""
    env = os.environ.get("PAPERBOY_DB")
    if env:
        return location(env)
    return data_dir() / "paperboy.sqlite3"


def display_name(where: Location) -> str:
    """The location for messages: a URL without its password."""
    if not is_postgres(where):
        return str(where)
    parts = urlsplit(str(where))
    if parts.password is None:
        return str(where)
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def exists(where: Location) -> bool:
    """Whether a store is there already (a PostgreSQL database always counts as there)."""
    return is_postgres(where) or Path(where).exists()


def open_store(where: Location | None = None, cache_kib: int = 65536) -> Store:
    where = default_db_path() if where is None else where
    if is_postgres(where):
        from paperboy.store.postgres import PostgresStore  # psycopg only when asked for

        return PostgresStore(str(where))
    return SQLiteStore(where, cache_kib=cache_kib)
