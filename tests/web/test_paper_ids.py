"""A paper by its id, in every form people paste (issue 10, item 3): the search box goes
straight to the paper page, any version's page resolves to the paper's, and the API answers
for versioned ids. Titles are read from the 2021 day files, not from paperboy."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from live_web import Live, serving
from lxml import html

from paperboy.record import Paper
from paperboy.store import open_store

FORMS = [
    "2103.15358",
    "2103.15358v2",
    "arXiv:2103.15358",
    "https://arxiv.org/abs/2103.15358v1",
    "https://arxiv.org/pdf/2103.15358",
    "http://export.arxiv.org/abs/2103.15358",
    " 2103.15358 ",
]


def title_in_day_file(data_2021: Path, arxiv_id: str, day_file: str) -> str:
    lines = (data_2021 / "cs.CV/2021" / day_file).read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if f"arxiv.org/abs/{arxiv_id}v" in line)
    return lines[at - 1].removeprefix("### ")


@pytest.mark.parametrize("typed", FORMS)
def test_search_box_goes_to_the_paper(live: Live, data_2021: Path, typed: str) -> None:
    response = httpx.get(live.url + "/search", params={"q": typed}, follow_redirects=True)
    assert response.status_code == 200
    assert str(response.url).endswith("/abs/2103.15358/")
    title = title_in_day_file(data_2021, "2103.15358", "03/20210329.md")
    assert str(html.fromstring(response.text).xpath("string(//h1)")).strip() == title


def test_every_version_page_resolves_to_the_paper(live: Live, data_2021: Path) -> None:
    for path in ("/abs/2112.03517v1", "/abs/2112.03517v1/", "/abs/2112.03517"):
        response = httpx.get(live.url + path, follow_redirects=True)
        assert response.status_code == 200, path
        assert str(response.url).endswith("/abs/2112.03517/")
    title = title_in_day_file(data_2021, "2112.03517", "12/20211207.md")
    assert title in response.text


def test_api_answers_for_a_version_and_search_api_for_an_id(live: Live) -> None:
    paper = httpx.get(live.url + "/api/papers/2103.15358v2").json()
    assert paper["arxiv_id"] == "2103.15358" and paper["version"] == 2
    found = httpx.get(live.url + "/api/search", params={"q": "arXiv:2103.15358v1"}).json()
    assert [h["paper"]["arxiv_id"] for h in found["hits"]] == ["2103.15358"]


def test_an_id_not_in_the_store_says_so(live: Live) -> None:
    page = httpx.get(live.url + "/search", params={"q": "2103.99999"})
    assert page.status_code == 200 and "2103.99999 is not in the store" in page.text
    assert httpx.get(live.url + "/abs/2103.99999v3", follow_redirects=True).status_code == 404


def test_old_style_ids(tmp_path: Path) -> None:
    when = datetime(2001, 12, 11, 10, 0, tzinfo=UTC)
    old = Paper(
        arxiv_id="cs/0112017",
        version=1,
        title="An old-style paper",
        authors=["A. Author"],
        categories=["cs.CV"],
        primary_category="cs.CV",
        published=when,
        updated=when,
        abstract="Numbered within its archive, before April 2007.",
    )
    db = tmp_path / "old.sqlite3"
    with open_store(db) as store:
        store.upsert([old], "test")
    with serving(db) as url:
        for typed in ("cs/0112017", "arXiv:cs/0112017v1", "https://arxiv.org/abs/cs/0112017"):
            response = httpx.get(url + "/search", params={"q": typed}, follow_redirects=True)
            assert str(response.url).endswith("/abs/cs/0112017/"), typed
            assert "An old-style paper" in response.text
        assert httpx.get(url + "/abs/cs/0112017v1", follow_redirects=True).status_code == 200
        api = httpx.get(url + "/api/papers/" + quote("cs/0112017v1", safe="/")).json()
        assert api["arxiv_id"] == "cs/0112017"
