"""The digests to send: a profile's ranked day to its addresses, recorded in the store so
each announcement day goes to each address once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from paperboy import config, listings
from paperboy.config import SMTPSettings
from paperboy.delivery import message
from paperboy.delivery.addresses import addresses, bare
from paperboy.delivery.send import SendError, send
from paperboy.ranking import rank_day
from paperboy.ranking.rank import RankedDay
from paperboy.store import Store
from paperboy.store.deliveries import Key
from paperboy.store.profiles import Profile
from paperboy.vectors.neighbours import VectorIndex


def deliver(
    store: Store,
    smtp: SMTPSettings,
    profile: Profile,
    ranked: RankedDay,
    to: Sequence[str],
    web: str | None = None,
) -> str:
    """Send the ranked day to `to` and record it sent; SendError (recorded as failed) when
    the server does not take it. Returns the message's Message-ID."""
    msg = message.message(message.digest(profile.name, ranked, web), smtp.sender, list(to))
    keys = [Key(profile.id, ranked.category, ranked.day, bare(a)) for a in to]
    message_id = str(msg["Message-ID"])
    store.deliveries.claim(keys, message_id)
    try:
        send(smtp, msg, committing=lambda: store.deliveries.mark_sent(keys))
    except SendError as exc:
        store.deliveries.mark_failed(keys, str(exc))
        raise
    return message_id


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one profile's digest in a run: sent, already sent, failed, or none."""

    profile: str
    state: str
    line: str

    @property
    def failed(self) -> bool:
        return self.state == "failed"


def deliver_due(
    store: Store,
    smtp: SMTPSettings,
    index: VectorIndex,
    today: date,
    web: str | None = None,
    limit: int = config.DIGEST_SIZE,
) -> list[Outcome]:
    """Send every profile with an address its digest of the latest complete listing, unless
    that day already went to that address. One profile's failure does not stop the others."""
    outcomes = []
    for name in store.profiles.emailed():
        profile = store.profiles.get(name)
        assert profile is not None and profile.email is not None
        outcomes.append(_deliver_one(store, smtp, index, profile, today, web, limit))
    return outcomes


def _deliver_one(
    store: Store,
    smtp: SMTPSettings,
    index: VectorIndex,
    profile: Profile,
    today: date,
    web: str | None,
    limit: int,
) -> Outcome:
    category = profile.category
    day = listings.latest_complete(store, category, today)
    if day is None:
        return Outcome(profile.name, "none", f"{profile.name}: no complete {category} listing yet")
    to = addresses(profile.email or "")
    due = [
        a for a in to if store.deliveries.state(Key(profile.id, category, day, bare(a))) != "sent"
    ]
    when = f"{category} {day:%a} {day.day} {day:%b %Y}"
    if not due:
        return Outcome(profile.name, "already sent", f"{profile.name}: {when} already sent")
    ranked = rank_day(store, profile, day, index, category, limit)
    if not ranked.total:
        return Outcome(profile.name, "none", f"{profile.name}: {when} has no papers")
    try:
        deliver(store, smtp, profile, ranked, due, web)
    except SendError as exc:
        return Outcome(profile.name, "failed", f"{profile.name}: {when} not sent: {exc}")
    shown = len(ranked.hits)
    return Outcome(
        profile.name, "sent", f"{profile.name}: sent {when} ({shown} papers) to {', '.join(due)}"
    )
