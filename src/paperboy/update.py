"""The main job: harvest each configured category since its last complete window, date the
announcements, then rewrite the digest archive for the days that changed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from paperboy import export, harvest, listings
from paperboy.config import SMTPSettings
from paperboy.sources import PoliteClient
from paperboy.store import Store
from paperboy.vectors import build
from paperboy.windows import completed
from paperboy.wording import plural

# Where a fresh store starts: the last week, enough for the current listings. Older days
# are a backfill: `paperboy harvest --from ... --to ...`.
FIRST_RUN_DAYS = 7


@dataclass(slots=True)
class UpdateReport:
    lines: list[str] = field(default_factory=list)
    files: int = 0
    undelivered: list[str] = field(default_factory=list)  # digests that failed to go out


def since(store: Store, source: str, category: str, today: date) -> date:
    """The day after the last complete window, or a week back on a fresh store."""
    windows = completed(store, source, category)
    if not windows:
        return today - timedelta(days=FIRST_RUN_DAYS)
    return max(end for _, end in windows).date()


def run_update(
    store: Store,
    client: PoliteClient,
    categories: list[str],
    archive: Path,
    *,
    now: datetime | None = None,
    log: Callable[[str], None] = print,
    progress: build.Progress = build.quiet,
    smtp: SMTPSettings | None = None,
    web: str | None = None,
) -> UpdateReport:
    """Harvest (query API for new papers, OAI-PMH for new versions, RSS for today's
    announcement), write the archive, index the new papers (building the vector space when
    there is none: similar papers just work), then e-mail each profile with an address its
    ranked day, once a day. Raises SourceError when arXiv fails for good."""
    now = now or datetime.now(UTC)
    today = now.date()
    report = UpdateReport()
    for category in categories:
        api_from = since(store, "api", category, today)
        api = harvest.harvest_api(store, client, category, api_from, today, now=now)
        log(api.summary())
        # New versions of older papers: OAI-PMH records modified since the last run.
        oai = harvest.HarvestResult("oai", category)
        oai_from = since(store, "oai", category, today)
        if oai_from < today:
            oai = harvest.harvest_oai(store, client, category, oai_from, today - timedelta(days=1))
            log(oai.summary())
        feed = harvest.harvest_rss(store, client, category)
        log(feed.summary())
        listings.refresh_announcements(store)  # what changed is pending, and any earlier miss
        written = export.write_collector_days(store, archive, category, api.days | oai.days)
        report.files += written.files
        files, papers = plural(written.files, "day file"), plural(written.papers, "paper")
        log(f"{category}: rewrote {files} ({papers}) in {archive}")
    log(f"{plural(client.stats.requests, 'request')} to arXiv")
    started = time.perf_counter()
    indexed = build.index(store, progress=progress)
    log(indexed.summary(time.perf_counter() - started))
    report.undelivered = send_digests(store, smtp, today, web, log)
    return report


def send_digests(
    store: Store,
    smtp: SMTPSettings | None,
    today: date,
    web: str | None,
    log: Callable[[str], None],
) -> list[str]:
    """E-mail the digests that are due; the lines of those that failed."""
    from paperboy.delivery.due import deliver_due
    from paperboy.vectors import neighbours

    emailed = store.profiles.emailed()
    if not emailed:
        return []
    if smtp is None:
        log(f"digests: {plural(len(emailed), 'profile')} with an address, none sent: "
            "set PAPERBOY_SMTP_HOST (and PAPERBOY_SMTP_FROM) to send them")  # fmt: skip
        return []
    index = neighbours.load(store)
    if index is None:
        return ["digests: no vector index to rank with: run `paperboy index`"]
    outcomes = deliver_due(store, smtp, index, today, web)
    for outcome in outcomes:
        if not outcome.failed:
            log(f"digest {outcome.line}")
    return [f"digest {o.line}" for o in outcomes if o.failed]
