"""Shared reading lists on a lab's server: any member makes one, everyone sees it and adds
papers with a note, it downloads as BibTeX with the notes; only its maker or an admin
removes it."""

from __future__ import annotations

import re

from bibtexparser.entrypoint import parse_string
from lab import Lab, csrf
from stores import DAY

from paperboy.listings import listing_of
from paperboy.store import open_store


def two_papers(lab: Lab) -> tuple[str, str, str]:
    """Two papers of the test day, and the first one's title as stored."""
    with open_store(lab.db) as store:
        lines = listing_of(store, "cs.CV", DAY).lines
        first = store.get(lines[0].arxiv_id)
        assert first is not None
        return lines[0].arxiv_id, lines[1].arxiv_id, first.title


def test_a_list_made_by_one_member_is_the_groups(lab: Lab) -> None:
    first, second, title = two_papers(lab)
    with lab.signed_in("carol") as carol, lab.signed_in("bob") as bob:
        made = carol.post(
            "/lists/", data={"name": "meeting-dec", "csrf_token": csrf(carol)["X-CSRF-Token"]}
        )
        assert made.status_code == 303 and made.headers["location"] == "/lists/meeting-dec/"
        # Bob adds both papers through the page's form, one by its arxiv.org URL.
        page = bob.get("/lists/meeting-dec/")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        for paper, note in (
            (first, "read §3 & the {ablation}"),
            (f"https://arxiv.org/abs/{second}v1", ""),
        ):
            added = bob.post(
                "/lists/meeting-dec/papers",
                data={"paper": paper, "note": note, "csrf_token": token[1]},
            )
            assert added.status_code == 303
        listed = carol.get("/api/lists/meeting-dec").json()
        assert listed["created_by"] == "carol"
        assert [(p["arxiv_id"], p["note"], p["added_by"]) for p in listed["papers"]] == [
            (first, "read §3 & the {ablation}", "bob"),
            (second, "", "bob"),
        ]
        assert listed["papers"][0]["title"] == title
        shown = carol.get("/lists/meeting-dec/").text
        assert "read §3 &amp; the {ablation}" in shown and "added by bob" in shown
        assert {"name": "meeting-dec", "created_by": "carol", "papers": 2} in [
            {k: x[k] for k in ("name", "created_by", "papers")}
            for x in bob.get("/api/lists").json()
        ]
        # The list as BibTeX: both papers, the note as annote, parsed by a BibTeX library.
        bib = carol.get("/lists/meeting-dec.bib")
        assert bib.status_code == 200 and bib.headers["content-type"].startswith(
            "application/x-bibtex"
        )
        entries = parse_string(bib.text).entries
        assert [e["eprint"] for e in entries] == [first, second]
        assert entries[0]["annote"] == r"read §3 \& the ablation" and "annote" not in entries[1]
        # Unknown papers and lists are named in the answer.
        missing = bob.post(
            "/api/lists/meeting-dec/papers", json={"arxiv_id": "2112.99998"}, headers=csrf(bob)
        )
        assert missing.status_code == 404 and "2112.99998" in missing.json()["detail"]
        assert bob.get("/api/lists/nope").status_code == 404
        # Only the maker (or an admin) removes the list; anyone may take a paper off.
        assert bob.delete("/api/lists/meeting-dec", headers=csrf(bob)).status_code == 403
        off = bob.delete(f"/api/lists/meeting-dec/papers/{second}", headers=csrf(bob))
        assert off.status_code == 200 and [p["arxiv_id"] for p in off.json()["papers"]] == [first]
        assert carol.delete("/api/lists/meeting-dec", headers=csrf(carol)).status_code == 200
        assert carol.get("/api/lists/meeting-dec").status_code == 404


def test_an_admin_removes_any_list(lab: Lab) -> None:
    with lab.signed_in("bob") as bob, lab.signed_in("alice") as alice:
        assert (
            bob.post("/api/lists", json={"name": "bobs-list"}, headers=csrf(bob)).status_code == 201
        )
        taken = bob.post("/api/lists", json={"name": "BOBS-LIST"}, headers=csrf(bob))
        assert taken.status_code == 409 and "already" in taken.json()["detail"]
        bad = bob.post("/api/lists", json={"name": "no spaces"}, headers=csrf(bob))
        assert bad.status_code == 422
        assert alice.delete("/api/lists/bobs-list", headers=csrf(alice)).status_code == 200
        assert "bobs-list" not in [x["name"] for x in bob.get("/api/lists").json()]
