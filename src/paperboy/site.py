"""The static site: day, listing and calendar pages written as plain files, for GitHub Pages.

Sized for the whole archive (GitHub Pages allows 1 GB): a paper is written out in full once,
on the page of its submission day, where its anchor (`#2103.15358`) is its address; listing
pages name each paper in a line linking there. Search runs in the browser over monthly
shards of titles, authors and abstracts (gzip files, unpacked by the browser), fetched only
as a query needs them. Every link is relative and names index.html, so the site works under
any prefix and, search aside, from the disk.

A rebuild renders only pages whose inputs changed: each page's fingerprint (its papers, its
neighbours, the code and templates) is kept in a manifest in the output folder, and files
whose content is unchanged are not rewritten, so a daily upload carries only what changed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jinja2 import Environment

from paperboy import __version__, config, feeds, listings
from paperboy.export import write_if_changed
from paperboy.record import Paper
from paperboy.store import Store
from paperboy.web import rendering, views
from paperboy.web.urls import Urls, page_path

MANIFEST = ".paperboy-site.json"
SHARDS = "search/shards.json"
_SECTIONS = ("new", "cross", "replace")


@dataclass(slots=True)
class SiteResult:
    out: Path
    pages: int = 0  # pages of the site
    rendered: int = 0  # pages whose inputs changed since the last build
    written: int = 0  # files whose content changed
    papers: int = 0
    shards: int = 0  # monthly search shards
    categories: list[str] = field(default_factory=list)
    profile_feeds: list[str] = field(default_factory=list)  # profiles whose feed was written
    unranked: int = 0  # profiles without a feed: no vector index to rank their days by
    members_kept: list[str] = field(default_factory=list)  # members' profiles: never published


@dataclass(slots=True)
class _Writer:
    out: Path
    env: Environment
    result: SiteResult
    code: str  # fingerprint of what renders pages: a change re-renders them all
    old: dict[str, str]  # page -> fingerprint, from the last build's manifest
    new: dict[str, str] = field(default_factory=dict)

    def page(
        self,
        path: str,
        template: str,
        inputs: object = None,
        *,
        category: str,
        title: str,
        **ctx: object,
    ) -> None:
        """Render `template` to <out>/<path>index.html (or <out>/<path> for a file name).

        Given its `inputs` (every value it shows, whose repr is their fingerprint), the page
        is rendered only when they or the code differ from the last build's, or its file is
        missing: a rebuild with nothing changed renders almost nothing.
        """
        name = path + "index.html" if path == "" or path.endswith("/") else path
        self.result.pages += 1
        if inputs is not None and self.unchanged(name, f"{self.code}{inputs!r}"):
            return
        self.result.rendered += 1
        urls = Urls(path, static=True)
        html = rendering.render(
            self.env, template, urls, category=category, title=title, static_site=True, **ctx
        )
        self.file(name, html)

    def unchanged(self, name: str, inputs: str) -> bool:
        """Whether file `name` was made from these `inputs` by the last build and still is."""
        key = self.new[name] = hashlib.sha1(inputs.encode()).hexdigest()
        return self.old.get(name) == key and (self.out / name).exists()

    def file(self, relative: str, content: str | bytes) -> None:
        if write_if_changed(self.out / relative, content):
            self.result.written += 1


@dataclass(frozen=True, slots=True)
class Item:
    """A paper as a listing page names it: its text as listed, and where it is written."""

    number: int
    section: str
    arxiv_id: str
    title: str
    paper: Paper | None
    day_page: str | None  # the site path of the day page holding it in full (None: not here)


def write_site(
    store: Store,
    out: Path,
    categories: Sequence[str] | None = None,
    *,
    base_url: str = "",
    start: date | None = None,
    end: date | None = None,
) -> SiteResult:
    """Write the site of `categories` (default: the ones `paperboy update` keeps), holding
    the papers submitted from `start` to `end` and the listings announced then."""
    wanted = list(categories or config.categories())
    by_category = {c: list(store.papers(category=c, start=start, end=end)) for c in wanted}
    held = [c for c in wanted if by_category[c]]
    result = SiteResult(out, categories=held)
    writer = _Writer(
        out, rendering.environment(), result, _code_key(held, base_url), _manifest(out)
    )
    _copy_static(writer)
    homes: dict[str, tuple[Paper, str]] = {}
    for category in held:
        for paper in by_category[category]:
            if paper.arxiv_id not in homes or paper.primary_category == category:
                homes[paper.arxiv_id] = (paper, category)
    written = {c: {p.submitted_day for p in by_category[c]} for c in held}
    for category in held:
        others = [(c, len(by_category[c])) for c in held if c != category]
        _write_category(store, writer, category, by_category[category], start, end, others)
        _write_feeds(store, writer, category, base_url, written[category])
    _write_profile_feeds(store, writer, base_url, written, end)
    result.papers = len(homes)
    _write_search(writer, list(homes.values()), held)
    _write_home(writer, held, by_category)
    writer.file(MANIFEST, json.dumps({**writer.old, **writer.new}, sort_keys=True, indent=0))
    return result


def _code_key(categories: Sequence[str], base_url: str) -> str:
    """What every page depends on besides its data: templates, the code that fills them, the
    categories of the site (its navigation) and its public URL."""
    h = hashlib.sha1(f"{__version__}{categories}{base_url}".encode())
    for f in sorted(rendering.TEMPLATES.iterdir()):
        h.update(f.read_bytes())
    for module in (rendering, views):
        h.update(Path(module.__file__ or "").read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


def _manifest(out: Path) -> dict[str, str]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: everything is rendered again
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _copy_static(w: _Writer) -> None:
    """The pages' static files, the vendored KaTeX and its fonts included; not Swagger UI,
    which only the web app's /api/docs uses."""
    for f in rendering.STATIC.rglob("*"):
        relative = f.relative_to(rendering.STATIC)
        if f.is_file() and relative.parts[0] != "swagger-ui":
            w.file(f"static/{relative.as_posix()}", f.read_bytes())
    w.file(".nojekyll", b"")  # serve paths as they are on GitHub Pages


def _write_category(
    store: Store,
    w: _Writer,
    category: str,
    papers: Sequence[Paper],
    start: date | None,
    end: date | None,
    others: list[tuple[str, int]],
) -> None:
    by_day: dict[date, list[Paper]] = defaultdict(list)
    for p in papers:
        by_day[p.submitted_day].append(p)
    days = sorted(by_day)
    listing_days = _listing_days(store, category, start, end)
    years = sorted({d.year for d in days})
    _write_calendars(w, category, {d: len(by_day[d]) for d in days}, years, others)
    for i, day in enumerate(days):
        before, after = days[i - 1] if i else None, days[i + 1] if i + 1 < len(days) else None
        day_papers = by_day[day]
        listed = day in listing_days
        w.page(
            page_path("day", category, day),
            "site_day.html",
            (day_papers, before, after, listed),
            category=category,
            title=f"{category} · {day:%a} {day.day} {day:%b %Y}",
            day=day,
            view="submitted",
            papers=day_papers,
            items=[],
            previous=before,
            next=after,
            has_year=True,
            has_other=listed,
        )
    written = set(days)
    ordered = sorted(listing_days)
    for i, day in enumerate(ordered):
        before = ordered[i - 1] if i else None
        after = ordered[i + 1] if i + 1 < len(ordered) else None
        items = _listing_items(store, category, day, written)
        w.page(
            page_path("listing", category, day),
            "site_day.html",
            (items, before, after),
            category=category,
            title=f"{category} listing · {day:%a} {day.day} {day:%b %Y}",
            day=day,
            view="listing",
            papers=[],
            items=items,
            previous=before,
            next=after,
            has_year=day.year in years,
            has_other=day in written,
        )


def _listing_days(store: Store, category: str, start: date | None, end: date | None) -> set[date]:
    """Days with new submissions or cross-lists announced (shown by a source or rebuilt)."""
    listings.refresh_announcements(store)
    days = set(store.announcement_counts(category)) | set(store.listing_days(category))
    return {d for d in days if (start is None or d >= start) and (end is None or d <= end)}


def _listing_items(store: Store, category: str, day: date, written: set[date]) -> list[Item]:
    lines = [
        line for line in listings.day_listing(store, category, day) if line.section in _SECTIONS
    ]
    lines.sort(key=lambda line: _SECTIONS.index(line.section))  # stable: arXiv's order within
    items = []
    for n, line in enumerate(lines, 1):
        p = line.paper
        held = p is not None and p.submitted_day in written
        page = page_path("day", category, p.submitted_day) if p is not None and held else None
        items.append(Item(n, line.section, line.arxiv_id, line.title, p, page))
    return items


def _write_calendars(
    w: _Writer,
    category: str,
    counts: dict[date, int],
    years: list[int],
    others: list[tuple[str, int]],
) -> None:
    months: dict[tuple[int, int], int] = defaultdict(int)
    for d, n in counts.items():
        months[d.year, d.month] += n
    span = (min(counts), max(counts))
    path = page_path("category", category)
    page = views.category_page(category, months, span, Urls(path, static=True))
    w.page(
        path,
        "category.html",
        (counts, others),
        category=category,
        title=category,
        page=page,
        others=others,
    )
    for year in years:
        path = page_path("year", category, year=year)
        in_year = {d: n for d, n in counts.items() if d.year == year}
        ypage = views.year_page(category, year, in_year, years, Urls(path, static=True))
        title = f"{category} in {year}"
        w.page(path, "year.html", (in_year, years), category=category, title=title, page=ypage)


def _write_feeds(
    store: Store, w: _Writer, category: str, base_url: str, written: set[date]
) -> None:
    root = _root(base_url)
    for kind in ("atom", "rss"):
        body = feeds.category_feed(
            store,
            category,
            kind,
            f"{root}feeds/{category}.{kind}",
            page_url=_page_url(root, category, written) if root else None,
            site_url=root or f"https://arxiv.org/list/{category}/new",
        )
        w.file(f"feeds/{category}.{kind}", body)


def _write_profile_feeds(
    store: Store,
    w: _Writer,
    base_url: str,
    written: dict[str, set[date]],
    end: date | None,
) -> None:
    """Each profile's feed (its last days ranked for it), when there is an index to rank by.
    Always rewritten: a profile's library and marks change without any paper changing.

    A member's profile (a lab's store) is left out, and its feed removed if an earlier build
    wrote it: the web server gives it only to the member, with their token, and a static
    site is for anyone to read."""
    summaries = store.profiles.summaries()
    w.result.members_kept = [s.name for s in summaries if s.owner is not None]
    for name in w.result.members_kept:
        (w.out / _profile_feed(name)).unlink(missing_ok=True)
    names = [s.name for s in summaries if s.owner is None]
    if not names:
        return
    from paperboy.vectors import neighbours  # numpy and faiss: only when there are profiles

    index = neighbours.load(store)
    if index is None:
        w.result.unranked = len(names)
        return
    root = _root(base_url)
    for name in names:
        profile = store.profiles.get(name)
        assert profile is not None
        category = profile.category
        path = _profile_feed(name)
        body = feeds.profile_feed(
            store,
            profile,
            index,
            "atom",
            f"{root}{path}",
            page_url=_page_url(root, category, written.get(category, set())) if root else None,
            site_url=root or f"https://arxiv.org/list/{category}/new",
            today=end,
        )
        w.file(path, body)
        w.result.profile_feeds.append(name)


def _profile_feed(name: str) -> str:
    return f"feeds/profile/{name}.atom"


def _root(base_url: str) -> str:
    return base_url.rstrip("/") + "/" if base_url else ""


def _page_url(root: str, category: str, written: set[date]) -> Callable[[Paper], str]:
    """A paper's place in the site: its day page when the site holds that day, else arXiv."""

    def page_url(p: Paper) -> str:
        if p.submitted_day in written:
            return f"{root}{category}/{p.submitted_day.isoformat()}/#{p.arxiv_id}"
        return f"https://arxiv.org/abs/{p.arxiv_id}"

    return page_url


def search_rows(
    papers: Iterable[tuple[Paper, str]], categories: Sequence[str]
) -> list[list[object]]:
    """One shard's rows: [id, day, index of its category, title, authors, categories,
    abstract], newest first; the category names where its page is."""
    return [
        [p.arxiv_id, p.submitted_day.isoformat(), categories.index(home), " ".join(p.title.split()),
         ", ".join(p.authors), " ".join(p.categories), " ".join(p.abstract.split())]
        for p, home in sorted(papers, key=lambda item: item[0].published, reverse=True)
    ]  # fmt: skip


def _write_search(w: _Writer, papers: Sequence[tuple[Paper, str]], categories: list[str]) -> None:
    """search/index.html, search/shards.json (which shards exist) and one gzip JSON shard per
    month of submission, which the browser fetches only when a query reaches that month."""
    months: dict[str, list[tuple[Paper, str]]] = defaultdict(list)
    for p, home in papers:
        months[f"{p.submitted_day:%Y-%m}"].append((p, home))
    shards = []
    for month in sorted(months, reverse=True):
        rows = json.dumps(
            search_rows(months[month], categories), ensure_ascii=False, separators=(",", ":")
        )
        name = f"search/{month}.json.gz"
        if not w.unchanged(name, rows):  # compressing is most of a no-op rebuild's time
            w.file(name, gzip.compress(rows.encode("utf-8"), compresslevel=9, mtime=0))
        shards.append([month, len(months[month])])
    w.result.shards = len(shards)
    index = {"categories": categories, "papers": len(papers), "shards": shards}
    w.file(SHARDS, json.dumps(index, separators=(",", ":")))
    w.page(
        "search/",
        "static_search.html",
        (len(papers), len(shards)),
        category=categories[0] if categories else config.DEFAULT_CATEGORY,
        title="Search",
        indexed=len(papers),
        shards=len(shards),
    )


def _write_home(w: _Writer, categories: list[str], by_category: dict[str, list[Paper]]) -> None:
    cards = []
    for category in categories:
        papers = by_category[category]
        span = (min(p.submitted_day for p in papers), max(p.submitted_day for p in papers))
        cards.append((category, len(papers), span))
    category = categories[0] if categories else config.DEFAULT_CATEGORY
    w.page("", "home.html", cards, category=category, title="paperboy", cards=cards)
    message = "No such page."
    w.page("404.html", "error.html", message, category=category, title="Not found", message=message)
