"""The account tables and passwords, on both engines: Argon2 hashes only, sessions that
end, what removing a member takes with them, reading lists, and the upgrade of a SQLite
store made before accounts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from old_schema import downgrade

from paperboy.accounts import add_member, authenticate, set_password
from paperboy.store import Location, open_store
from paperboy.store.accounts import AccountError
from paperboy.store.reading_lists import ReadingListError

PASSWORD = "correct horse battery"


def test_only_an_argon2id_hash_is_stored(location: Location) -> None:
    with open_store(location) as store:
        add_member(store, "alice", PASSWORD)
        (raw,) = store.table_rows("users", ("password",), (), None, None)
    assert raw[0].startswith("$argon2id$") and PASSWORD not in raw[0]


def test_authenticate_right_wrong_and_unknown(location: Location) -> None:
    with open_store(location) as store:
        added = add_member(store, "alice", PASSWORD)
        found = authenticate(store, "alice", PASSWORD)
        assert found is not None and found.id == added.id
        assert authenticate(store, "ALICE", PASSWORD) is not None  # names ignore case
        assert authenticate(store, "alice", PASSWORD + "!") is None
        assert authenticate(store, "nobody", PASSWORD) is None
        assert authenticate(store, "alice", "x" * 5000) is None  # never hashed: too long


@pytest.mark.parametrize(
    ("name", "password", "says"),
    [
        ("alice", "short", "at least 10"),
        ("al ice", PASSWORD, "not a member name"),
        ("", PASSWORD, "not a member name"),
        ("-alice", PASSWORD, "not a member name"),
    ],
)
def test_bad_names_and_passwords_are_refused(
    location: Location, name: str, password: str, says: str
) -> None:
    with open_store(location) as store:
        with pytest.raises(AccountError, match=says):
            add_member(store, name, password)
        assert store.users.count() == 0


def test_a_name_is_taken_once_whatever_its_case(location: Location) -> None:
    with open_store(location) as store:
        add_member(store, "alice", PASSWORD)
        with pytest.raises(AccountError, match="already"):
            add_member(store, "Alice", PASSWORD)
        assert store.users.count() == 1


def test_a_new_password_ends_the_sessions(location: Location) -> None:
    with open_store(location) as store:
        before = add_member(store, "alice", PASSWORD).sessions
        set_password(store, "alice", "a brand new password")
        after = store.users.named("alice")
        assert after is not None and after.sessions == before + 1
        assert authenticate(store, "alice", PASSWORD) is None
        assert authenticate(store, "alice", "a brand new password") is not None
        store.users.end_sessions("alice")
        assert store.users.named("alice").sessions == before + 2  # type: ignore[union-attr]


def test_removing_a_member_removes_their_profiles_not_the_lists(location: Location) -> None:
    with open_store(location) as store:
        alice = add_member(store, "alice", PASSWORD)
        bob = add_member(store, "bob", PASSWORD)
        mine, _ = store.profiles.ensure("alices", alice.id)
        store.profiles.add_papers(mine, [("2103.15358", "saved")])
        store.profiles.mark(mine, "2103.15358", "saved")
        store.profiles.ensure("bobs", bob.id)
        store.reading_lists.create("meeting", alice.id)
        store.reading_lists.add("meeting", "2103.15358", "read sec. 3", alice.id)
        assert store.users.remove("alice")
        assert [s.name for s in store.profiles.summaries()] == ["bobs"]
        assert store.conn.execute("SELECT count(*) FROM paper_marks").fetchone()[0] == 0
        listed = store.reading_lists.get("meeting")
        assert listed is not None and listed.created_by is None
        assert [(p.arxiv_id, p.note, p.added_by) for p in listed.papers] == [
            ("2103.15358", "read sec. 3", None)
        ]
        assert not store.users.remove("alice")


def test_profiles_are_seen_by_owner(location: Location) -> None:
    with open_store(location) as store:
        alice = add_member(store, "alice", PASSWORD)
        bob = add_member(store, "bob", PASSWORD)
        store.profiles.ensure("a1", alice.id)
        store.profiles.ensure("a2", alice.id)
        store.profiles.ensure("b1", bob.id)
        store.profiles.ensure("nobodys")
        assert [s.name for s in store.profiles.summaries(owner=alice.id)] == ["a1", "a2"]
        assert [s.name for s in store.profiles.summaries(owner=bob.id)] == ["b1"]
        every = {s.name: s.owner for s in store.profiles.summaries()}
        assert every == {"a1": "alice", "a2": "alice", "b1": "bob", "nobodys": None}
        got = store.profiles.get("b1")
        assert got is not None and got.owner == bob.id


def test_reading_lists(location: Location) -> None:
    with open_store(location) as store:
        alice = add_member(store, "alice", PASSWORD)
        store.reading_lists.create("meeting", alice.id)
        with pytest.raises(ReadingListError, match="already"):
            store.reading_lists.create("MEETING", None)
        assert store.reading_lists.add("meeting", "2103.15358", "first", alice.id)
        assert not store.reading_lists.add("meeting", "2103.15358", "second thoughts", None)
        assert store.reading_lists.add("meeting", "2104.00001", "", None)
        listed = store.reading_lists.get("meeting")
        assert listed is not None
        notes = {p.arxiv_id: (p.note, p.added_by) for p in listed.papers}
        assert notes == {"2103.15358": ("second thoughts", "alice"), "2104.00001": ("", None)}
        assert [(s.name, s.papers) for s in store.reading_lists.summaries()] == [("meeting", 2)]
        assert store.reading_lists.take_off("meeting", "2104.00001")
        assert not store.reading_lists.take_off("meeting", "2104.00001")
        with pytest.raises(ReadingListError, match="no reading list"):
            store.reading_lists.add("nope", "2103.15358", "", None)
        assert store.reading_lists.remove("meeting")
        assert store.reading_lists.summaries() == []


def test_a_store_from_before_accounts_is_upgraded(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    with open_store(db) as store:
        store.profiles.ensure("mine")
    conn = sqlite3.connect(db)
    downgrade(conn, 10)  # version 11 brought accounts
    conn.commit()
    assert "owner" not in {r[1] for r in conn.execute("PRAGMA table_info(profiles)")}
    conn.close()
    with open_store(db) as store:
        got = store.profiles.get("mine")
        assert got is not None and got.owner is None
        alice = add_member(store, "alice", PASSWORD)
        store.profiles.set_owner(got.id, alice.id)
        assert [s.name for s in store.profiles.summaries(owner=alice.id)] == ["mine"]
