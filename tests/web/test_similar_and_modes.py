"""Similar papers and search modes in the web app and API (issue 11, items 2 and 3), over a
real server: the indexed 2021 data, a store without an index, and an index built while the
server runs (by another connection, as `paperboy index` in another process)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import cast
from urllib.parse import quote

import pytest
from live_web import Live, serving
from lxml import html

from paperboy.importer import import_paths
from paperboy.store import open_store
from paperboy.vectors.build import index

CHM, CHM_FOLLOW_UP = "2103.16831", "2109.05221"  # a CVPR paper and its journal version
SIMILAR_LINKS = '//section[@class="similar"]//li/a/@href'
FORMS = [CHM, f"{CHM}v1", f"arXiv:{CHM}", f"https://arxiv.org/abs/{CHM}v1"]


def strings(text: str, path: str) -> list[str]:
    """What an XPath finds in a page, as strings."""
    return [str(v) for v in cast(list[object], html.fromstring(text).xpath(path))]


@pytest.fixture(scope="module")
def indexed(indexed_2021: Path) -> Iterator[Live]:
    with serving(indexed_2021) as url:
        yield Live(url, indexed_2021)


@pytest.mark.parametrize("typed", FORMS)
def test_similar_api_takes_any_pasted_id(indexed: Live, typed: str) -> None:
    response = indexed.get(f"/api/papers/{quote(typed, safe='')}/similar", limit="5")
    assert response.status_code == 200, response.text
    data = response.json()
    found = [h["paper"]["arxiv_id"] for h in data["hits"]]
    assert data["mode"] == "similar" and len(found) == 5 and CHM not in found
    assert found[0] == CHM_FOLLOW_UP  # the abstracts open word for word alike
    scores = [h["score"] for h in data["hits"]]
    assert scores == sorted(scores, reverse=True) and scores[0] <= 1.0


def test_similar_api_has_the_search_shape_and_clear_errors(indexed: Live) -> None:
    similar = indexed.get(f"/api/papers/{CHM}/similar").json()
    found = indexed.get("/api/search", q="hough matching").json()
    assert set(similar) == set(found) and set(similar["hits"][0]) == set(found["hits"][0])
    assert len(similar["hits"]) == 10  # the default, as on the paper page
    assert indexed.get("/api/papers/2199.99999/similar").status_code == 404
    assert indexed.get(f"/api/papers/{CHM}/similar", limit="0").status_code == 422
    assert indexed.get(f"/api/papers/{CHM}/similar", limit="abc").status_code == 422
    paper = indexed.get(f"/api/papers/{CHM}")  # the paper's own route is unchanged
    assert paper.status_code == 200 and paper.json()["arxiv_id"] == CHM


def test_paper_page_lists_ten_similar_papers(indexed: Live) -> None:
    links = strings(indexed.get(f"/abs/{CHM}/").text, SIMILAR_LINKS)
    assert len(links) == 10 and f"/abs/{CHM_FOLLOW_UP}/" in links
    assert f"/abs/{CHM}/" not in links


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_search_api_and_page_run_the_mode_asked(indexed: Live, mode: str) -> None:
    data = indexed.get("/api/search", q="trainable hough transform layer", mode=mode).json()
    assert (data["mode"] == mode and data["message"] is None) or mode == "keyword"
    page = indexed.get("/search", q="video segmentation", mode=mode).text
    assert strings(page, '//select[@name="mode"]/option[@selected]/@value') == [mode]
    pager = strings(page, '//a[@rel="next"]/@href')
    assert pager and f"mode={mode}" in pager[0]  # the next page keeps the mode


def test_search_modes_default_and_bad_values(indexed: Live) -> None:
    assert indexed.get("/api/search", q="faster nerf").json()["mode"] == "hybrid"
    assert indexed.get("/api/search", q="au:he").json()["mode"] == "keyword"
    assert indexed.get("/api/search", q="nerf", mode="fuzzy").status_code == 422
    page = indexed.get("/search", q="nerf", mode="fuzzy")
    assert page.status_code == 200 and "is not keyword, semantic or hybrid" in page.text


def test_without_an_index_pages_say_how_to_build_one(live: Live) -> None:
    page = live.get(f"/abs/{CHM}/").text
    said = strings(page, '//section[@class="similar"]//p[@class="note"]/text()')
    assert "run `paperboy index`" in " ".join(said) and not strings(page, SIMILAR_LINKS)
    data = live.get(f"/api/papers/{CHM}/similar").json()
    assert data["hits"] == [] and "paperboy index" in data["message"]
    found = live.get("/api/search", q="faster nerf", mode="semantic").json()
    assert found["mode"] == "keyword" and any("paperboy index" in n for n in found["notes"])


def test_an_index_built_while_serving_is_picked_up(tmp_path: Path, data_2021: Path) -> None:
    shutil.copytree(data_2021 / "cs.CV/2021/06", tmp_path / "files/cs.CV/2021/06")
    db = tmp_path / "june.sqlite3"
    with open_store(db) as store:
        import_paths(store, [tmp_path / "files"])
        some = next(iter(store.papers())).arxiv_id
    with serving(db) as url:
        live = Live(url, db)
        assert "run `paperboy index`" in live.get(f"/abs/{some}/").text
        assert live.get(f"/api/papers/{some}/similar").json()["hits"] == []
        with open_store(db) as other:  # another connection, as `paperboy index` would be
            index(other)
        assert len(live.get(f"/api/papers/{some}/similar").json()["hits"]) == 10
        assert len(strings(live.get(f"/abs/{some}/").text, SIMILAR_LINKS)) == 10
