"""The "For you" view of a day: its announcement listing ranked for one profile, as
`paperboy rank --profile NAME --date D` ranks it, and the marks a reader puts on papers."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from fastapi import HTTPException

from paperboy.store import Store
from paperboy.store.profiles import Profile
from paperboy.web.signin import Visitor
from paperboy.web.views import DayPage, day_page

if TYPE_CHECKING:
    from paperboy.ranking import RankedDay
    from paperboy.vectors.neighbours import VectorIndex

NO_INDEX = "No vector index yet: run `paperboy index` to rank the day for a profile."

# The ranking module keeps process-wide caches (fitted models, the index's tf-idf) that are
# not made for several threads at once: the server's threads rank one at a time.
_RANKING = threading.Lock()


@dataclass(frozen=True, slots=True)
class ForYouPage:
    day: DayPage  # the listing view of the day: pager, sections, the listing's doubts
    profile: str
    profiles: list[str]  # the visitor's profiles, for the tabs
    ranked: RankedDay | None  # None: no index to rank with (`missing` says so)
    missing: str | None = None
    feed_token: str = ""  # the member's, in the profile feed's link (a lab's server)


def profile_names(store: Store, who: Visitor) -> list[str]:
    """The profiles `who` may see: their own on a lab's server, else every one."""
    return [s.name for s in store.profiles.summaries(owner=who.owner)]


def profile_named(store: Store, name: str, who: Visitor) -> Profile:
    """The profile, or a 404 naming the ones there are. Another member's profile is
    answered exactly as one that does not exist."""
    found = store.profiles.get(name)
    if found is None or not who.owns(found):
        known = profile_names(store, who)
        there = f"; there are: {', '.join(known)}" if known else "; there are none yet"
        raise HTTPException(404, f"No profile named {name[:80]!r} in this store{there}")
    return found


def rank_for(
    store: Store, profile: Profile, page: DayPage, index: VectorIndex, limit: int = 0
) -> RankedDay:
    """The day's listing ranked for `profile` (`rank_day` over the listing `page` holds)."""
    from paperboy.ranking import rank_listing  # numpy and scipy: loaded on first use

    assert page.announcement is not None  # the listing view always has one
    with _RANKING:
        return rank_listing(store, profile, page.announcement, index, limit)


def for_you_page(
    store: Store,
    category: str,
    day: date,
    profile: Profile,
    index: VectorIndex | None,
    who: Visitor,
) -> ForYouPage:
    page = day_page(store, category, day, "listing")
    names = profile_names(store, who)
    token = who.member.feed_token if who.accounts and who.member else ""
    if index is None:
        return ForYouPage(page, profile.name, names, None, NO_INDEX, token)
    return ForYouPage(page, profile.name, names, rank_for(store, profile, page, index), None, token)
