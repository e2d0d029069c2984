"""The PostgreSQL schema and its versions (its own, not SQLite's: version 1 here is SQLite's
version 11, built in one step). Each migration takes the database one version up.

The tables, columns and values are SQLite's, so that the store's shared SQL
(`paperboy.store.base`) and `paperboy copy` move rows unchanged: dates stay ISO text, lists
stay JSON text, blobs are bytea. Keys compare byte by byte (`COLLATE "C"`, as SQLite does),
whatever the server's locale; names that SQLite compares without case use a case-insensitive
ICU collation. What SQLite does with FTS5 and triggers, PostgreSQL does with a weighted
`tsvector` column kept by a trigger, and the same triggers in PL/pgSQL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from paperboy.store import author_names
from paperboy.store.schema import SchemaError

_log = logging.getLogger(__name__)

# Advisory lock keys (bigint; each database has its own): migrations, then writes.
MIGRATE_LOCK = 0x7061_7065_7200_0001
WRITE_LOCK = 0x7061_7065_7200_0002
WRITER_LOCK = 0x7061_7065_7200_0003  # one harvest/update at a time (Store.writer)

_T = 'TEXT COLLATE "C"'
_NOCASE = "TEXT COLLATE paperboy_nocase"

# The words of a text as FTS5's unicode61 tokenizer finds them: accents removed, anything
# that is not a letter or digit a separator (so "self-supervised" is two words, as in SQLite).
_WORDS = "regexp_replace(unaccent({}), '[^[:alnum:]]+', ' ', 'g')"
# Weights: title A, authors B, abstract C, comment D (paperboy.store.fts.WEIGHTS).
_SEARCH = " || ".join(
    f"setweight(to_tsvector('simple', {_WORDS.format(f'coalesce(NEW.{column}, {empty})')}), "
    f"'{weight}')"
    for column, weight, empty in (
        ("title", "A", "''"),
        ("authors", "B", "''"),
        ("abstract", "C", "''"),
        ("comment", "D", "''"),
    )
)

_V1 = f"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE COLLATION IF NOT EXISTS paperboy_nocase
    (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

CREATE TABLE papers (
    rowid BIGINT PRIMARY KEY,
    arxiv_id {_T} NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    title {_T} NOT NULL,
    authors {_T} NOT NULL,
    categories {_T} NOT NULL,
    primary_category {_T} NOT NULL,
    published {_T} NOT NULL,
    updated {_T} NOT NULL,
    submitted_day {_T} NOT NULL,
    abstract {_T} NOT NULL,
    comment {_T},
    journal_ref {_T},
    doi {_T},
    abs_url {_T} NOT NULL,
    pdf_url {_T} NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    source {_T} NOT NULL,
    search TSVECTOR NOT NULL DEFAULT ''
);
-- A paper's search vector stays in its row (compressed), not in the TOAST table: ranking
-- and checking matches read it for thousands of papers per query, and a row in TOAST is
-- five more page reads each (192k papers, a common word: 94,266 -> 11,658 pages read).
ALTER TABLE papers ALTER COLUMN search SET STORAGE MAIN;
ALTER TABLE papers SET (toast_tuple_target = 8160);
CREATE INDEX papers_by_day ON papers (submitted_day, published, position);
CREATE INDEX papers_search ON papers USING gin (search);
CREATE INDEX papers_by_doi ON papers (lower(doi)) WHERE doi IS NOT NULL;

CREATE FUNCTION paperboy_papers_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := {_SEARCH};
    RETURN NEW;
END $$;
CREATE TRIGGER papers_search BEFORE INSERT OR UPDATE OF title, authors, abstract, comment
ON papers FOR EACH ROW EXECUTE FUNCTION paperboy_papers_search();

CREATE TABLE paper_categories (
    category {_T} NOT NULL,
    paper BIGINT NOT NULL REFERENCES papers (rowid) ON DELETE CASCADE,
    is_primary INTEGER NOT NULL,
    submitted_day {_T} NOT NULL,
    PRIMARY KEY (category, submitted_day, paper)
);
CREATE INDEX paper_categories_by_paper ON paper_categories (paper);

CREATE TABLE versions (
    arxiv_id {_T} NOT NULL,
    number INTEGER NOT NULL,
    submitted {_T},
    announced {_T},
    announced_how {_T} CHECK (announced_how IN ('observed', 'inferred')),
    PRIMARY KEY (arxiv_id, number)
);
CREATE INDEX versions_by_announced ON versions (announced, arxiv_id);

CREATE TABLE listing_entries (
    category {_T} NOT NULL,
    day {_T} NOT NULL,
    position INTEGER NOT NULL,
    arxiv_id {_T} NOT NULL,
    version INTEGER,
    section {_T} NOT NULL CHECK (section IN ('new', 'cross', 'replace', 'replace-cross')),
    title {_T},
    abstract {_T},
    source {_T} NOT NULL,
    PRIMARY KEY (category, day, position)
);
CREATE INDEX listing_entries_by_id ON listing_entries (arxiv_id);

CREATE TABLE harvest_windows (
    source {_T} NOT NULL,
    category {_T} NOT NULL,
    start {_T} NOT NULL,
    "end" {_T} NOT NULL,
    papers INTEGER NOT NULL,
    completed_at {_T} NOT NULL,
    PRIMARY KEY (source, category, start, "end")
);
CREATE TABLE state (key {_T} PRIMARY KEY, value {_T} NOT NULL);

-- Id months whose versions await dating (SQLite schema versions 3 and 5).
CREATE TABLE undated_months (month {_T} PRIMARY KEY);
CREATE FUNCTION paperboy_mark_undated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO undated_months (month) VALUES (CASE WHEN NEW.arxiv_id ~ '^[0-9]{{4}}[.]'
        THEN substr(NEW.arxiv_id, 1, 4) ELSE 'old' END) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER versions_mark_insert AFTER INSERT ON versions
FOR EACH ROW EXECUTE FUNCTION paperboy_mark_undated();
CREATE TRIGGER versions_mark_update AFTER UPDATE OF submitted ON versions
FOR EACH ROW WHEN (OLD.submitted IS DISTINCT FROM NEW.submitted)
EXECUTE FUNCTION paperboy_mark_undated();

-- The vector space (SQLite schema versions 6 and 9).
CREATE TABLE vector_spaces (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    format INTEGER NOT NULL,
    dims INTEGER NOT NULL,
    fitted_on INTEGER NOT NULL,
    created {_T} NOT NULL,
    active INTEGER NOT NULL DEFAULT 0,
    changes BIGINT NOT NULL DEFAULT 0,
    term_papers BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE paper_vectors (
    space BIGINT NOT NULL REFERENCES vector_spaces (id) ON DELETE CASCADE,
    paper BIGINT NOT NULL REFERENCES papers (rowid) ON DELETE CASCADE,
    vector BYTEA NOT NULL,
    terms BYTEA NOT NULL,
    UNIQUE (space, paper)
);
CREATE INDEX paper_vectors_by_paper ON paper_vectors (paper);
CREATE TABLE vector_models (
    space BIGINT PRIMARY KEY REFERENCES vector_spaces (id) ON DELETE CASCADE,
    model BYTEA NOT NULL
);
CREATE TABLE vector_term_df (
    space BIGINT NOT NULL REFERENCES vector_spaces (id) ON DELETE CASCADE,
    part INTEGER NOT NULL,
    term_df BYTEA NOT NULL,
    PRIMARY KEY (space, part)
);
CREATE FUNCTION paperboy_vectors_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE vector_spaces SET changes = changes + 1
    WHERE id IN (SELECT space FROM paper_vectors WHERE paper = NEW.rowid);
    DELETE FROM paper_vectors WHERE paper = NEW.rowid;
    RETURN NULL;
END $$;
CREATE TRIGGER papers_vectors_stale AFTER UPDATE OF title, abstract ON papers
FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title
    OR OLD.abstract IS DISTINCT FROM NEW.abstract)
EXECUTE FUNCTION paperboy_vectors_stale();
INSERT INTO state (key, value) VALUES ('store_id', md5(random()::text || clock_timestamp()))
ON CONFLICT DO NOTHING;

-- Members (SQLite schema version 11).
CREATE TABLE users (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name {_NOCASE} NOT NULL UNIQUE,
    password {_T} NOT NULL,
    role {_T} NOT NULL CHECK (role IN ('admin', 'member')),
    feed_token {_T} NOT NULL UNIQUE,
    sessions INTEGER NOT NULL DEFAULT 0,
    created {_T} NOT NULL
);

-- Research profiles and marks (SQLite schema versions 7, 8 and 11).
CREATE TABLE profiles (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name {_NOCASE} NOT NULL UNIQUE,
    created {_T} NOT NULL,
    email {_T},
    owner BIGINT REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX profiles_by_owner ON profiles (owner);
CREATE TABLE profile_papers (
    profile BIGINT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    arxiv_id {_T} NOT NULL,
    added {_T} NOT NULL,
    origin {_T} NOT NULL,
    PRIMARY KEY (profile, arxiv_id)
);
CREATE TABLE profile_authors (
    profile BIGINT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    name {_NOCASE} NOT NULL,
    PRIMARY KEY (profile, name)
);
CREATE TABLE profile_keywords (
    profile BIGINT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    term {_NOCASE} NOT NULL,
    weight DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (profile, term)
);
CREATE TABLE profile_categories (
    profile BIGINT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    category {_T} NOT NULL,
    PRIMARY KEY (profile, category)
);
CREATE TABLE paper_marks (
    profile BIGINT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    arxiv_id {_T} NOT NULL,
    mark {_T} NOT NULL CHECK (mark IN ('saved', 'hidden')),
    at {_T} NOT NULL,
    PRIMARY KEY (profile, arxiv_id)
);
CREATE TABLE deliveries (
    profile BIGINT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    category {_T} NOT NULL,
    day {_T} NOT NULL,
    address {_NOCASE} NOT NULL,
    state {_T} NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
    message_id {_T} NOT NULL,
    at {_T} NOT NULL,
    error {_T},
    PRIMARY KEY (profile, category, day, address)
);

-- The group's reading lists (SQLite schema version 11).
CREATE TABLE reading_lists (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name {_NOCASE} NOT NULL UNIQUE,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created {_T} NOT NULL
);
CREATE TABLE reading_list_papers (
    list BIGINT NOT NULL REFERENCES reading_lists (id) ON DELETE CASCADE,
    arxiv_id {_T} NOT NULL,
    note {_T} NOT NULL DEFAULT '',
    added_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    added {_T} NOT NULL,
    PRIMARY KEY (list, arxiv_id)
);
"""

# Version 2 (SQLite's 12): every author name with its papers; a pg_trgm index over the
# name's key answers "names like this one" (`%`, similarity) without reading them all. The
# counts of papers already stored are the migration's Python step.
_V2 = f"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE author_names (
    rowid BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name {_T} NOT NULL UNIQUE,
    key {_T} NOT NULL,
    papers BIGINT NOT NULL
);
CREATE INDEX author_names_by_key ON author_names (key);
CREATE INDEX author_names_trgm ON author_names USING gin (key gin_trgm_ops);
"""

# Version 3: the title's words alone have an index of their own. A `ti:` term is a lexeme
# of weight A in `search`, which the GIN index of `search` cannot tell from the same word in
# an abstract: for `ti:detection cat:cs.RO` PostgreSQL walked papers newest first, checking
# each one's vector (seconds at millions of papers). `ts_filter` keeps a vector's title
# lexemes, positions and all, so this index answers phrases and prefixes of titles exactly.
_V3 = """
CREATE INDEX papers_title_search ON papers USING gin (ts_filter(search, '{a}'));
"""

MIGRATIONS: list[str] = [_V1, _V2, _V3]
SCHEMA_VERSION = len(MIGRATIONS)


def count_author_names(conn: Any) -> None:
    """Version 2's step: the names of the papers already stored, counted."""
    counts = author_names.counted_json(conn.execute("SELECT authors FROM papers"))
    rows = author_names.upsert_rows(counts)
    conn.cursor().executemany(author_names.UPSERT.replace("?", "%s"), rows)


# Python run after a version's statements, in its transaction.
STEPS: dict[int, Callable[[Any], None]] = {2: count_author_names}


def migrate(conn: Any) -> None:
    """Bring the database up to SCHEMA_VERSION, one migration per transaction, under an
    advisory lock: two processes opening one new database never both create it.

    `conn` is a psycopg connection in autocommit mode. A read replica is never written:
    its schema must be this paperboy's already (the primary's migrations reach it)."""
    if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
        held = conn.execute("SELECT to_regclass('paperboy_schema') IS NOT NULL").fetchone()[0]
        current = _version(conn) if held else 0
        if current != SCHEMA_VERSION:
            raise SchemaError(
                f"this read replica's store is at schema version {current}, not "
                f"{SCHEMA_VERSION}: open the primary with this paperboy first"
            )
        return
    while True:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS paperboy_schema (version INTEGER NOT NULL)")
            current = _version(conn)
            if current == SCHEMA_VERSION:
                return
            if current < SCHEMA_VERSION:
                conn.execute(MIGRATIONS[current])
                if current + 1 in STEPS:
                    STEPS[current + 1](conn)
                conn.execute("DELETE FROM paperboy_schema")
                conn.execute("INSERT INTO paperboy_schema VALUES (%s)", (current + 1,))
                _log.info("PostgreSQL store at schema version %d", current + 1)


def _version(conn: Any) -> int:
    row = conn.execute("SELECT max(version) FROM paperboy_schema").fetchone()
    current = int(row[0] or 0)
    if current > SCHEMA_VERSION:
        raise SchemaError(
            f"database schema version {current} is newer than this paperboy ({SCHEMA_VERSION})"
        )
    return current
