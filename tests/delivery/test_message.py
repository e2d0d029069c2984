"""The digest as an e-mail: its parts, its papers (the day's listing, the profile's topic
first), reasons naming real library papers, and links that work: arXiv's abstract and PDF,
and the web reader's own pages when one is configured, fetched from a real server."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import httpx
from delivery.conftest import ADDRESS, SENDER
from live_web import serving
from markupsafe import escape
from stores import DAY, topical

from paperboy.delivery import message
from paperboy.latex import to_unicode
from paperboy.listings import listing_of
from paperboy.ranking import rank_day
from paperboy.store import Store, open_store
from paperboy.vectors import neighbours

LIMIT = 20


def day_message(store: Store, web: str | None = None) -> EmailMessage:
    profile = store.profiles.get("pc")
    index = neighbours.load(store)
    assert profile is not None and index is not None
    ranked = rank_day(store, profile, DAY, index, limit=LIMIT)
    built = message.message(message.digest("pc", ranked, web), SENDER, [ADDRESS])
    # As a mail client gets it: through bytes, parsed again.
    parsed = message_from_bytes(built.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(msg: EmailMessage) -> tuple[str, str]:
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
    return plain.get_content(), html.get_content()


def test_both_parts_list_the_days_papers_with_their_links(mail_db: Path) -> None:
    with open_store(mail_db) as store:
        msg = day_message(store)
        listed = {line.arxiv_id for line in listing_of(store, "cs.CV", DAY).lines}
        titles = {p.arxiv_id: p.title for p in store.papers()}
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["To"] == ADDRESS and msg["From"] == SENDER and msg["Message-ID"]
    text, html = parts(msg)
    ids = re.findall(r"^   abstract: https://arxiv\.org/abs/(\S+)$", text, re.MULTILINE)
    assert len(ids) == LIMIT == len(set(ids)) and set(ids) <= listed
    for arxiv_id in ids:
        assert f"   pdf: https://arxiv.org/pdf/{arxiv_id}\n" in text
        assert f'href="https://arxiv.org/abs/{arxiv_id}"' in html
        assert f'href="https://arxiv.org/pdf/{arxiv_id}"' in html
    # The profile's topic first: 8 papers of the day say "point cloud" in their title.
    assert sum(topical(titles[i]) for i in ids[:8]) >= 5
    assert re.findall(r'<li id="([^"]+)"', html) == ids  # the same order in both parts
    assert "read in paperboy" not in html and "   read: " not in text  # no reader configured


def test_reasons_name_real_library_papers(mail_db: Path) -> None:
    with open_store(mail_db) as store:
        text, html = parts(day_message(store))
        profile = store.profiles.get("pc")
        assert profile is not None
        stored = [store.get(i) for i in profile.library_ids]
        library = {" ".join(to_unicode(p.title).split()) for p in stored if p is not None}
    reasons = re.findall(
        r"^   - (?:like (?:a paper|\d+ papers)|nearest) in your library: (.+)$", text, re.MULTILINE
    )
    assert len(reasons) >= 10
    named = [title for shown in reasons for title in re.findall(r'"([^"]+)"', shown)]
    assert len(named) >= len(reasons) and set(named) <= library
    assert all(str(escape(title)) in html for title in named)


def test_links_back_to_a_configured_reader_open_its_pages(mail_db: Path) -> None:
    with serving(mail_db) as url, open_store(mail_db) as store:
        text, html = parts(day_message(store, web=url))
        first = re.search(r"^   read: (\S+)$", text, re.MULTILINE)
        assert first is not None
        paper = httpx.get(first.group(1), timeout=30)
        assert paper.status_code == 200
        arxiv_id = first.group(1).rstrip("/").rsplit("/", 1)[1]
        assert arxiv_id in paper.text
        day = re.search(r"^The whole day, ranked: (\S+)$", text, re.MULTILINE)
        assert day is not None and day.group(1).endswith("/cs.CV/2021-11-23/for/pc/")
        ranked = httpx.get(day.group(1), timeout=60)
        assert ranked.status_code == 200 and arxiv_id in ranked.text
    assert f'href="{first.group(1)}"' in html
