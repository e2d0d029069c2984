"""Turn a store back into one an older paperboy wrote, to test the upgrade from it."""

from __future__ import annotations

import re
import sqlite3

from paperboy.store.schema import MIGRATIONS, _statements

_CREATED = re.compile(
    r"CREATE\s+(TABLE|INDEX|TRIGGER|VIRTUAL TABLE|VIEW)\s+(?:IF NOT EXISTS\s+)?(\w+)", re.IGNORECASE
)
_DROPPED = re.compile(r"ALTER TABLE (\w+) DROP COLUMN (\w+)", re.IGNORECASE)
_ADDED = re.compile(r"ALTER TABLE (\w+) ADD COLUMN (\w+)", re.IGNORECASE)


def downgrade(conn: sqlite3.Connection, version: int) -> None:
    """Drop what the migrations after `version` created, newest first, and set the version.

    Only objects are dropped (and dropped columns added back, empty); what a migration did
    to rows (e.g. FTS settings) stays.
    """
    dropped: set[str] = set()
    for script in reversed(MIGRATIONS[version:]):
        for table, column in _DROPPED.findall(script):  # back, empty
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} BLOB")
        for kind, name in reversed(_CREATED.findall(script)):
            kind = "TABLE" if kind.upper().endswith("TABLE") else kind.upper()
            conn.execute(f"DROP {kind} IF EXISTS {name}")
            dropped.add(name)
        for table, column in _ADDED.findall(script):  # after the indexes made on them
            if table not in dropped:
                conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    # What a later migration made anew (the full-text index of version 10) goes back to how
    # the older version made it.
    for script in MIGRATIONS[:version]:
        for statement in _statements(script):
            created = _CREATED.search(statement)
            if created is not None and created[2] in dropped:
                conn.execute(statement)
                if created[2] == "papers_fts":
                    conn.execute("INSERT INTO papers_fts (papers_fts) VALUES ('rebuild')")
    conn.execute(f"PRAGMA user_version = {version}")
