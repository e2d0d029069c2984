"""The SQLite schema and its versions. Each migration takes the database one version up."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from paperboy.store import author_names

# Version 1: papers (latest version's metadata), their categories, every version seen,
# the full-text index kept in step by triggers, listing entries, harvest state.
_V1 = """
CREATE TABLE papers (
    rowid INTEGER PRIMARY KEY,
    arxiv_id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    authors TEXT NOT NULL,            -- JSON list, in order
    categories TEXT NOT NULL,         -- JSON list, arXiv's order, raw terms
    primary_category TEXT NOT NULL,
    published TEXT NOT NULL,          -- first version, 'YYYY-MM-DD HH:MM:SS+00:00'
    updated TEXT NOT NULL,            -- latest version
    submitted_day TEXT NOT NULL,      -- UTC date of the first version
    abstract TEXT NOT NULL,
    comment TEXT,
    journal_ref TEXT,
    doi TEXT,
    abs_url TEXT NOT NULL,
    pdf_url TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,  -- source order among equal timestamps
    source TEXT NOT NULL
);
CREATE INDEX papers_by_day ON papers (submitted_day, published, position);

-- One row per (category, paper) for the real arXiv categories a paper is in.
CREATE TABLE paper_categories (
    category TEXT NOT NULL,
    paper INTEGER NOT NULL REFERENCES papers (rowid) ON DELETE CASCADE,
    is_primary INTEGER NOT NULL,
    submitted_day TEXT NOT NULL,
    PRIMARY KEY (category, submitted_day, paper)
) WITHOUT ROWID;
CREATE INDEX paper_categories_by_paper ON paper_categories (paper);

CREATE TABLE versions (
    arxiv_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    submitted TEXT,
    announced TEXT,
    announced_how TEXT CHECK (announced_how IN ('observed', 'inferred')),
    PRIMARY KEY (arxiv_id, number)
) WITHOUT ROWID;

CREATE VIRTUAL TABLE papers_fts USING fts5 (
    title, authors, abstract, comment,
    content = 'papers', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Inserts are indexed by the store in one statement per batch (much faster than a row
-- trigger); updates and deletes, which are rare, keep the index in step by trigger.
CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, authors, abstract, comment)
    VALUES ('delete', old.rowid, old.title, old.authors, old.abstract, old.comment);
END;
CREATE TRIGGER papers_fts_update AFTER UPDATE OF title, authors, abstract, comment ON papers
BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, authors, abstract, comment)
    VALUES ('delete', old.rowid, old.title, old.authors, old.abstract, old.comment);
    INSERT INTO papers_fts (rowid, title, authors, abstract, comment)
    VALUES (new.rowid, new.title, new.authors, new.abstract, new.comment);
END;

-- Entries of announcement listings as a source showed them (format B files, RSS feeds):
-- their text is as first announced, which can differ from the latest version's.
CREATE TABLE listing_entries (
    category TEXT NOT NULL,
    day TEXT NOT NULL,
    position INTEGER NOT NULL,
    arxiv_id TEXT NOT NULL,
    version INTEGER,
    section TEXT NOT NULL CHECK (section IN ('new', 'cross', 'replace', 'replace-cross')),
    title TEXT,
    abstract TEXT,
    source TEXT NOT NULL,
    PRIMARY KEY (category, day, position)
) WITHOUT ROWID;
CREATE INDEX listing_entries_by_id ON listing_entries (arxiv_id);

-- Harvest windows known complete, and cursors (resumption tokens) of unfinished ones.
CREATE TABLE harvest_windows (
    source TEXT NOT NULL,
    category TEXT NOT NULL,
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    papers INTEGER NOT NULL,
    completed_at TEXT NOT NULL,
    PRIMARY KEY (source, category, start, end)
) WITHOUT ROWID;
CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""

# Version 2: find the versions announced on a day (the daily listing) by index.
_V2 = """
CREATE INDEX versions_by_announced ON versions (announced, arxiv_id);
"""

# Version 3: id months whose versions await dating. Whatever changes a month marks it in the
# same transaction, and dating clears the mark in the transaction that writes the dates, so a
# run killed in between leaves the mark for the next run to repair. A store from before
# version 3 with any undated version has every month marked (it may have crashed so).
_V3 = """
CREATE TABLE undated_months (month TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT OR IGNORE INTO undated_months (month)
SELECT DISTINCT CASE WHEN arxiv_id GLOB '[0-9][0-9][0-9][0-9].*'
    THEN substr(arxiv_id, 1, 4) ELSE 'old' END
FROM papers WHERE EXISTS (SELECT 1 FROM versions WHERE announced IS NULL);
"""

# Version 4: the full-text index gathers 64 MB of new terms (FTS5's default: 1 MB) before it
# writes a segment, so a bulk import writes and merges far fewer segments (FTS indexing of the
# archive-shaped benchmark corpus, 192k papers: 14.3 s -> 9.5 s).
_V4 = """
INSERT INTO papers_fts (papers_fts, rank) VALUES ('hashsize', 67108864);
"""

# Version 5: a version row that is new, or whose submission time changed, marks its id month
# for dating in the statement that writes it (a source can add intermediate versions to a
# paper whose metadata is unchanged, which the upsert does not count as a change).
_V5 = """
CREATE TRIGGER versions_mark_insert AFTER INSERT ON versions BEGIN
    INSERT OR IGNORE INTO undated_months (month) VALUES (CASE WHEN new.arxiv_id GLOB
        '[0-9][0-9][0-9][0-9].*' THEN substr(new.arxiv_id, 1, 4) ELSE 'old' END);
END;
CREATE TRIGGER versions_mark_update AFTER UPDATE OF submitted ON versions
WHEN old.submitted IS NOT new.submitted BEGIN
    INSERT OR IGNORE INTO undated_months (month) VALUES (CASE WHEN new.arxiv_id GLOB
        '[0-9][0-9][0-9][0-9].*' THEN substr(new.arxiv_id, 1, 4) ELSE 'old' END);
END;
"""

# Version 6: the vector space (paperboy.vectors). A space is a fitted text model and one
# vector per paper; exactly one is active. A rebuild writes a new space beside the active one
# and switches in one transaction, so a killed build leaves the old space in use. A paper
# whose text changes loses its vector in the statement that changes it: the next `index`
# projects it again. A cache beside the store (paperboy.vectors.neighbours) is used only for
# the vectors it was made from: the store has a random id, and `changes` counts every write
# to a space's vectors (the stale trigger counts the vectors it drops). Beside its vector, a
# paper keeps its hashed word n-gram counts (`terms`): similar papers are the vector's
# neighbours re-ranked by tf-idf over them, with the idf from the space's `term_df`.
# paper_vectors is a rowid table: a row of a few KB is more than a WITHOUT ROWID row keeps on
# its page, so each would take an overflow page of its own.
_V6 = """
CREATE TABLE vector_spaces (
    id INTEGER PRIMARY KEY,
    format INTEGER NOT NULL,          -- paperboy.vectors.model.FORMAT that wrote it
    dims INTEGER NOT NULL,
    fitted_on INTEGER NOT NULL,       -- papers the model was fitted on
    created TEXT NOT NULL,
    model BLOB NOT NULL,              -- numpy .npz bytes, never a pickle
    active INTEGER NOT NULL DEFAULT 0,
    changes INTEGER NOT NULL DEFAULT 0,
    term_df BLOB,                     -- papers per hashed term (paperboy.vectors.terms)
    term_papers INTEGER NOT NULL DEFAULT 0  -- papers counted in term_df
);
CREATE TABLE paper_vectors (
    space INTEGER NOT NULL REFERENCES vector_spaces (id) ON DELETE CASCADE,
    paper INTEGER NOT NULL REFERENCES papers (rowid) ON DELETE CASCADE,
    vector BLOB NOT NULL,             -- float32, little-endian, `dims` of them
    terms BLOB NOT NULL,              -- hashed word n-gram counts (paperboy.vectors.terms)
    UNIQUE (space, paper)
);
CREATE INDEX paper_vectors_by_paper ON paper_vectors (paper);
CREATE TRIGGER papers_vectors_stale AFTER UPDATE OF title, abstract ON papers
WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract BEGIN
    UPDATE vector_spaces SET changes = changes + 1
    WHERE id IN (SELECT space FROM paper_vectors WHERE paper = new.rowid);
    DELETE FROM paper_vectors WHERE paper = new.rowid;
END;
INSERT OR IGNORE INTO state (key, value) VALUES ('store_id', lower(hex(randomblob(16))));
"""

# Version 7: research profiles (paperboy.profiles). A profile has a library of papers (kept by
# id even before the store holds the paper: a later harvest may bring it), followed authors,
# weighted keywords (a negative weight pushes papers down), categories, and the marks a reader
# puts on papers (saved, hidden). Everything a profile owns goes with it when it is removed.
_V7 = """
CREATE TABLE profiles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created TEXT NOT NULL
);
CREATE TABLE profile_papers (
    profile INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    arxiv_id TEXT NOT NULL,           -- bare id, no version; not necessarily in papers
    added TEXT NOT NULL,
    origin TEXT NOT NULL,             -- 'ids:FILE', 'bib:FILE', 'saved'
    PRIMARY KEY (profile, arxiv_id)
) WITHOUT ROWID;
CREATE TABLE profile_authors (
    profile INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    name TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (profile, name)
) WITHOUT ROWID;
CREATE TABLE profile_keywords (
    profile INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    term TEXT NOT NULL COLLATE NOCASE,
    weight REAL NOT NULL,
    PRIMARY KEY (profile, term)
) WITHOUT ROWID;
CREATE TABLE profile_categories (
    profile INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    PRIMARY KEY (profile, category)
) WITHOUT ROWID;
CREATE TABLE paper_marks (
    profile INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    arxiv_id TEXT NOT NULL,
    mark TEXT NOT NULL CHECK (mark IN ('saved', 'hidden')),
    at TEXT NOT NULL,
    PRIMARY KEY (profile, arxiv_id)   -- one mark a paper: saving a hidden paper unhides it
) WITHOUT ROWID;
-- A library entry of a paper's published version may carry only its journal's DOI, which
-- arXiv records for many papers: found by index, not by reading every paper.
CREATE INDEX papers_by_doi ON papers (lower(doi)) WHERE doi IS NOT NULL;
"""

# Version 8: e-mailed digests (paperboy.delivery). A profile may name the address its daily
# digest goes to. A delivery is claimed ('sending') before the SMTP dialogue, marked 'sent'
# before the message's final dot reaches the server (a run killed after that never sends it
# twice; one killed earlier finds the claim unsent and sends it again), and marked 'failed'
# with the server's reason when the server refuses it.
_V8 = """
ALTER TABLE profiles ADD COLUMN email TEXT;
CREATE TABLE deliveries (
    profile INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    day TEXT NOT NULL,                -- the announcement day of the ranked listing
    address TEXT NOT NULL COLLATE NOCASE,
    state TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
    message_id TEXT NOT NULL,
    at TEXT NOT NULL,
    error TEXT,                       -- the server and its reason, when 'failed'
    PRIMARY KEY (profile, category, day, address)
) WITHOUT ROWID;
"""

# Version 9: a space's model and papers per term (tens of MB each) move to tables of their
# own. Between vector_spaces' small columns they made every read of `active` or `changes`
# walk their overflow pages (0.2 s at 192k papers), and every write of `changes` (one per
# batch of vectors) rewrite both. Papers per term are kept as parts: part 0 counts every
# bucket (written by a rebuild), each later part what one batch of new papers added, so a
# day of papers writes its own few hundred KB, not the whole 64 MB count again.
_V9 = """
CREATE TABLE vector_models (
    space INTEGER PRIMARY KEY REFERENCES vector_spaces (id) ON DELETE CASCADE,
    model BLOB NOT NULL               -- numpy .npz bytes, never a pickle
);
CREATE TABLE vector_term_df (
    space INTEGER NOT NULL REFERENCES vector_spaces (id) ON DELETE CASCADE,
    part INTEGER NOT NULL,            -- 0: every bucket; later: what one batch added
    term_df BLOB NOT NULL,            -- paperboy.vectors.terms encodes both kinds
    PRIMARY KEY (space, part)
) WITHOUT ROWID;
INSERT INTO vector_models (space, model)
SELECT id, model FROM vector_spaces WHERE model IS NOT NULL;
INSERT INTO vector_term_df (space, part, term_df)
SELECT id, 0, term_df FROM vector_spaces WHERE term_df IS NOT NULL;
ALTER TABLE vector_spaces DROP COLUMN model;
ALTER TABLE vector_spaces DROP COLUMN term_df;
"""


# Version 10: categories in the full-text index, so that a query with a category filter
# (`ti:model cat:cs.RO`) is one index intersection instead of a category lookup for every
# paper matching the words (at 2.6M papers, 1-2 s for a rare category and a common word).
# Each real category of a paper, its primary one too, becomes one token that typed text can
# never make: a private-use character, then the name with '.' and '-' replaced by the same
# character ('cs.RO' -> U+E002 cs U+E002 ro). One token, not a phrase of archive and
# subject: bm25 reads every phrase's whole doclist, and an archive's is every paper. The
# index reads them from a view over papers (the categories are JSON there), and the store
# still checks paper_categories on the papers the index returns: the tokens narrow, never
# decide.
CATEGORY_MARK = "\ue002"  # paperboy.store.fts spells the same tokens for queries


def _category_terms(row: str) -> str:
    """SQL for the category tokens of a papers row (`row` is '', 'old.' or 'new.')."""
    names = (
        f"{row}primary_category || ' ' || replace(replace(replace({row}categories, "
        """'["', ''), '"]', ''), '", "', ' ')"""
    )
    mark = f"char({ord(CATEGORY_MARK)})"
    tagged = f"{mark} || replace({names}, ' ', ' ' || {mark})"
    return f"replace(replace({tagged}, '.', {mark}), '-', {mark})"


_FTS_COLUMNS = "title, authors, abstract, comment, categories"
_V10 = f"""
DROP TRIGGER IF EXISTS papers_fts_delete;
DROP TRIGGER IF EXISTS papers_fts_update;
DROP TABLE IF EXISTS papers_fts;
CREATE VIEW papers_fts_source AS
SELECT rowid AS paper, title, authors, abstract, comment, {_category_terms("")} AS categories
FROM papers;
CREATE VIRTUAL TABLE papers_fts USING fts5 (
    {_FTS_COLUMNS},
    content = 'papers_fts_source', content_rowid = 'paper',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO papers_fts (papers_fts, rank) VALUES ('hashsize', 67108864);
CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, {_FTS_COLUMNS})
    VALUES ('delete', old.rowid, old.title, old.authors, old.abstract, old.comment,
        {_category_terms("old.")});
END;
CREATE TRIGGER papers_fts_update
AFTER UPDATE OF title, authors, abstract, comment, categories, primary_category ON papers
BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, {_FTS_COLUMNS})
    VALUES ('delete', old.rowid, old.title, old.authors, old.abstract, old.comment,
        {_category_terms("old.")});
    INSERT INTO papers_fts (rowid, {_FTS_COLUMNS})
    VALUES (new.rowid, new.title, new.authors, new.abstract, new.comment,
        {_category_terms("new.")});
END;
INSERT INTO papers_fts (papers_fts) VALUES ('rebuild');
"""

# Version 11: a lab's paperboy (`paperboy serve --accounts`). Members are added by an admin;
# a password is kept only as its Argon2id hash; `sessions` counts up to end every signed-in
# session of the member at once (a new password, or removal); `feed_token` is the secret in
# the member's feed URLs (feed readers cannot sign in). A profile may belong to a member
# (NULL: the single-user store's); removing the member removes what they own. Reading lists
# are the group's: every member sees them, each paper with who added it and a note.
_V11 = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password TEXT NOT NULL,           -- argon2-cffi's encoded Argon2id hash
    role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    feed_token TEXT NOT NULL UNIQUE,
    sessions INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL
);
ALTER TABLE profiles ADD COLUMN owner INTEGER REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX profiles_by_owner ON profiles (owner);
CREATE TABLE reading_lists (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created TEXT NOT NULL
);
CREATE TABLE reading_list_papers (
    list INTEGER NOT NULL REFERENCES reading_lists (id) ON DELETE CASCADE,
    arxiv_id TEXT NOT NULL,           -- bare id, no version
    note TEXT NOT NULL DEFAULT '',
    added_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    added TEXT NOT NULL,
    PRIMARY KEY (list, arxiv_id)
) WITHOUT ROWID;
"""

# Version 12: every author name with the number of papers it is on, for names typed with a
# slip (paperboy.store.author_names): `key` is the name's letters and digits, and a trigram
# index holds each key padded as pg_trgm pads it (new names are indexed in one statement
# per transaction, as papers are). The counts are filled from the papers there are by the
# migration's Python step (`STEPS`), and kept by the store's writes.
_V12 = """
CREATE TABLE author_names (
    rowid INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL,
    papers INTEGER NOT NULL
);
CREATE INDEX author_names_by_key ON author_names (key);
CREATE VIRTUAL TABLE author_grams USING fts5 (
    grams, content = '', tokenize = 'trigram'
);
"""
# A name's key as author_grams holds it: each word padded as pg_trgm pads it, so its
# three-letter windows hold every piece (windows across words are never asked for).
GRAMS = "'  ' || replace(key, ' ', '   ') || ' '"

MIGRATIONS: list[str] = [_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9, _V10, _V11, _V12]
SCHEMA_VERSION = len(MIGRATIONS)


_log = logging.getLogger(__name__)


def count_author_names(conn: sqlite3.Connection) -> None:
    """Version 12's step: the names of the papers already stored, counted."""
    counts = author_names.counted_json(conn.execute("SELECT authors FROM papers"))
    if counts:
        _log.warning("counting the author names of %s: once", _path(conn))
    conn.executemany(author_names.UPSERT, author_names.upsert_rows(counts))
    conn.execute(f"INSERT INTO author_grams (rowid, grams) SELECT rowid, {GRAMS} FROM author_names")


# Python run after a version's statements, in its transaction.
STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {12: count_author_names}


class SchemaError(RuntimeError):
    """The database was written by a newer paperboy than this one."""


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the database up to SCHEMA_VERSION, one migration per transaction.

    Each migration holds the write lock from before it reads the version it starts from,
    so two processes creating one new store at once never both run it: the second waits,
    then finds the work done.
    """
    while _version(conn) < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = _version(conn)
            if current < SCHEMA_VERSION:
                _announce(conn, MIGRATIONS[current])
                for statement in _statements(MIGRATIONS[current]):
                    conn.execute(statement)
                if current + 1 in STEPS:
                    STEPS[current + 1](conn)
                conn.execute(f"PRAGMA user_version = {current + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _announce(conn: sqlite3.Connection, script: str) -> None:
    """Say so before a migration rebuilds the full-text index of a store that has papers:
    minutes at millions of papers, which would otherwise look like a command stuck."""
    if "VALUES ('rebuild')" not in script:
        return
    papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    if papers:
        path = _path(conn)
        _log.warning(
            "upgrading the full-text index of %s (%d papers): once, about a minute per "
            "500,000 papers",
            path,
            papers,
        )


def _path(conn: sqlite3.Connection) -> str:
    return str(conn.execute("PRAGMA database_list").fetchone()[2])


def _version(conn: sqlite3.Connection) -> int:
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if current > SCHEMA_VERSION:
        raise SchemaError(
            f"database schema version {current} is newer than this paperboy ({SCHEMA_VERSION})"
        )
    return current


def _statements(script: str) -> list[str]:
    """A script's statements one by one (executescript would commit the open transaction)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending)
            pending = ""
    if pending.strip(" \n"):
        raise ValueError(f"incomplete statement in a migration: {pending[:60]!r}")
    return statements
