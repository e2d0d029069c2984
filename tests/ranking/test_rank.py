"""Ranking a real day (Tue 23 Nov 2021, 155 papers, 8 with "point cloud" in the title) for
profiles built from the store's own papers; what counts is read off the titles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from stores import DAY, TOPIC, point_cloud_profile, topical

from paperboy.listings import listing_of
from paperboy.ranking import RankedDay, rank_day
from paperboy.store import Store, open_store
from paperboy.store.profiles import Keyword, Profile
from paperboy.vectors import neighbours
from paperboy.vectors.neighbours import VectorIndex


@pytest.fixture(scope="module")
def opened(ranked_store: Path) -> Iterator[tuple[Store, VectorIndex]]:
    with open_store(ranked_store) as store:
        index = neighbours.load(store)
        assert index is not None
        yield store, index


def make_profile(store: Store, name: str, ids: list[str]) -> Profile:
    pid, _ = store.profiles.ensure(name)
    store.profiles.add_papers(pid, [(i, "test") for i in ids])
    found = store.profiles.get(name)
    assert found is not None
    return found


def ranks(day: RankedDay) -> dict[str, int]:
    return {h.paper.arxiv_id: n for n, h in enumerate(day.hits, start=1)}


def rank(opened: tuple[Store, VectorIndex], name: str) -> RankedDay:
    store, index = opened
    profile = store.profiles.get(name)
    assert profile is not None
    return rank_day(store, profile, DAY, index)


def test_a_topic_profile_ranks_the_days_topic_papers_first(
    opened: tuple[Store, VectorIndex],
) -> None:
    store, _ = opened
    point_cloud_profile(store, "pc")
    day = rank(opened, "pc")
    lines = listing_of(store, "cs.CV", DAY).lines  # replacements of papers before Sep too
    assert day.total == len(lines) == len(day.hits) > 130
    on_topic = [n for n, h in enumerate(day.hits, start=1) if topical(h.paper.title)]
    assert len(on_topic) == sum(1 for line in lines if topical(line.title)) >= 7
    # Titles alone: the point-cloud papers take most of the first 10 and all sit in the
    # top quarter of the day.
    assert sum(1 for n in on_topic if n <= 10) >= 6
    assert max(on_topic) <= 40
    scores = [h.score for h in day.hits]
    assert scores == sorted(scores, reverse=True)


def test_reasons_name_real_library_papers(opened: tuple[Store, VectorIndex]) -> None:
    store, _ = opened
    profile = store.profiles.get("pc") or point_cloud_profile(store, "pc")
    library = {" ".join(p.title.split()) for p in store.papers(ids=profile.library_ids)}
    day = rank(opened, "pc")
    named = 0
    for hit in day.hits[:10]:
        like = [r for r in hit.reasons if r.startswith(("like ", "nearest in your library"))]
        assert like, hit.reasons
        for title in re.findall(r'"([^"]+)"', like[0]):
            assert title in library
            named += 1
    assert named >= 10
    top = day.hits[0].reasons[0]
    assert re.match(r"like (a paper|\d+ papers) in your library: \"", top), top


def test_hiding_pushes_similar_papers_down_and_saving_pulls_them_up(
    opened: tuple[Store, VectorIndex],
) -> None:
    store, index = opened
    point_cloud_profile(store, "marks")
    before = ranks(rank(opened, "marks"))
    day_ids = set(before)
    top = list(before)[20]  # a paper high on the day
    low = list(before)[120]  # one far down
    pid = store.profiles.id_of("marks")
    assert pid is not None

    def neighbours_of(arxiv_id: str) -> list[str]:
        rowid = store.vectors.rowids([arxiv_id])[arxiv_id]
        near = [r for r, _ in index.similar_to(rowid, 30)]
        ids = store.vectors.arxiv_ids(near)
        return [ids[r] for r in near if ids[r] not in day_ids][:5]

    for arxiv_id in neighbours_of(top):
        store.profiles.mark(pid, arxiv_id, "hidden")
    for arxiv_id in neighbours_of(low):
        store.profiles.mark(pid, arxiv_id, "saved")
    after = ranks(rank(opened, "marks"))
    assert after[top] > before[top] + 20
    assert after[low] < before[low] - 30
    # A paper marked not interested itself goes last.
    best = next(iter(after))
    store.profiles.mark(pid, best, "hidden")
    assert list(ranks(rank(opened, "marks")))[-1] == best


def test_a_followed_authors_paper_says_so_and_rises(
    opened: tuple[Store, VectorIndex],
) -> None:
    store, _ = opened
    point_cloud_profile(store, "follow")
    before = rank(opened, "follow")
    far = before.hits[100].paper
    author = far.authors[0]
    pid = store.profiles.id_of("follow")
    assert pid is not None
    store.profiles.add_authors(pid, [author])
    after = rank(opened, "follow")
    hit = next(h for h in after.hits if h.paper.arxiv_id == far.arxiv_id)
    assert any(r.startswith("author you follow: ") and author in r for r in hit.reasons)
    assert ranks(after)[far.arxiv_id] < 100 - 30


def test_a_negative_keyword_pushes_its_papers_down(
    opened: tuple[Store, VectorIndex],
) -> None:
    store, _ = opened
    point_cloud_profile(store, "nokw")
    before = rank(opened, "nokw")
    pid = store.profiles.id_of("nokw")
    assert pid is not None
    store.profiles.set_keywords(pid, [Keyword(TOPIC, -3.0)])
    after = rank(opened, "nokw")
    was = [n for n, h in enumerate(before.hits, start=1) if topical(h.paper.title)]
    now = [n for n, h in enumerate(after.hits, start=1) if topical(h.paper.title)]
    assert sum(now) / len(now) > sum(was) / len(was) + 30
    hit = next(h for h in after.hits if topical(h.paper.title))
    assert f"keyword: {TOPIC} (pushed down)" in hit.reasons


def test_an_author_on_several_library_papers_lifts_their_new_paper(
    opened: tuple[Store, VectorIndex],
) -> None:
    """Nobody followed: the library's own recurring authors count, and the reason says so."""
    store, _ = opened
    profile = point_cloud_profile(store, "libauthors")
    before = rank(opened, "libauthors")
    day_ids = {h.paper.arxiv_id for h in before.hits}
    earlier: dict[str, list[str]] = {}
    for p in store.papers():
        if p.arxiv_id not in day_ids and p.arxiv_id not in profile.library_ids:
            for a in p.authors:
                earlier.setdefault(a, []).append(p.arxiv_id)
    # A paper low on the day whose first author wrote at least two other stored papers.
    far, author = next(
        (h.paper, h.paper.authors[0])
        for h in before.hits[100:]
        if len(earlier.get(h.paper.authors[0], [])) >= 2
    )
    added = earlier[author][:3]
    pid = store.profiles.id_of("libauthors")
    assert pid is not None
    store.profiles.add_papers(pid, [(i, "test") for i in added])
    after = rank(opened, "libauthors")
    hit = next(h for h in after.hits if h.paper.arxiv_id == far.arxiv_id)
    on = sum(author in p.authors for p in store.papers(ids=[*profile.library_ids, *added]))
    assert f"{author} ({on} papers)" in " ".join(hit.reasons), hit.reasons
    assert any(re.match(r"authors? in your library: ", r) for r in hit.reasons)
    assert ranks(after)[far.arxiv_id] < ranks(before)[far.arxiv_id] - 50
