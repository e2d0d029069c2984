"""Pages shared by the web app and the static site: where pages live, what each shows, the
template environment, and the server-side SVG (a year's heat map, papers per month).

Nothing from a paper's text becomes markup: templates autoescape, and the two helpers that
return Markup (`linkify`, `marked`) escape every piece of text they are given.
"""

from __future__ import annotations

import calendar
import math
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, quote_plus, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from paperboy import announce, export
from paperboy.formats.listing import Entry
from paperboy.record import Paper, Version
from paperboy.search import split_marks
from paperboy.store import SQLiteStore, fts
from paperboy.texmode import text_mode

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
HTML_SINCE = date(2023, 12, 1)  # arXiv renders HTML for papers submitted since then


# ---------------------------------------------------------------- where pages live


class Urls:
    """Paths of every page, relative to the site root ('cs.CV/2021-12-20/').

    The web app links with absolute paths under `root`; the static site links relatively
    from the page being written (`here`) and names index.html, so it works under any prefix
    (GitHub Pages project sites) and straight from the disk.
    """

    def __init__(self, here: str = "", *, static: bool = False, root: str = "/") -> None:
        self.here = here
        self.static_site = static
        self.root = root if root.endswith("/") else root + "/"
        self._links: dict[str, str] = {}  # a day page links the same few paths many times

    def to(self, path: str, query: Mapping[str, str] | None = None) -> str:
        link = self._links.get(path)
        if link is None:
            link = self._links[path] = self._link(path)
        return link + "?" + urlencode(query) if query else link

    def _link(self, path: str) -> str:
        if not self.static_site:
            return self.root + path
        if path == "" or path.endswith("/"):
            path += "index.html"
        here = self.here
        here_dir = here if here.endswith("/") or not here else posixpath.dirname(here)
        return posixpath.relpath("/" + path, "/" + here_dir)

    def folder(self, path: str) -> str:
        """A directory's link with a trailing '/', for scripts that append to it."""
        link = self.to(path)
        return link.removesuffix("index.html") if self.static_site else link

    def home(self) -> str:
        return self.to("")

    def category(self, category: str) -> str:
        return self.to(f"{category}/")

    def year(self, category: str, year: int) -> str:
        return self.to(f"{category}/{year}/")

    def day(self, category: str, day: date, view: str = "submitted") -> str:
        tail = "listing/" if view == "listing" else ""
        return self.to(f"{category}/{day.isoformat()}/{tail}")

    def paper(self, arxiv_id: str) -> str:
        return self.to(f"abs/{quote(arxiv_id)}/")

    def search(self, **params: str) -> str:
        return self.to(
            "search/" if self.static_site else "search", {k: v for k, v in params.items() if v}
        )

    def search_with(self, form: Mapping[str, str], **extra: str) -> str:
        """The search page with a form's fields (blank ones left out) and `extra`."""
        return self.search(**{**form, **extra})

    def static(self, name: str) -> str:
        return self.to(f"static/{name}")

    def feed(self, category: str, kind: str = "atom") -> str:
        return self.to(f"feeds/{category}.{kind}")

    def search_feed(self, q: str, category: str = "", kind: str = "atom") -> str:
        return self.to(
            f"feeds/search.{kind}", {k: v for k, v in (("q", q), ("category", category)) if v}
        )


def page_path(
    kind: str, category: str = "", day: date | None = None, year: int = 0, arxiv_id: str = ""
) -> str:
    """The canonical path of a page, as the static site writes it."""
    if kind == "paper":
        return f"abs/{arxiv_id}/"
    if kind == "year":
        return f"{category}/{year}/"
    if kind == "category":
        return f"{category}/"
    assert day is not None
    return f"{category}/{day.isoformat()}/" + ("listing/" if kind == "listing" else "")


# ---------------------------------------------------------------- text helpers for templates

_URL = re.compile(r"https?://[^\s<>\"'`\\{}|^]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
# Listing abstracts keep arXiv's anchors: '<a href="URL" rel="…">this https URL</a>'.
_ANCHOR = re.compile(r'<a href="(?P<url>https?://[^"]+)"[^>]*>[^<]*</a>')


def _trim_url(url: str) -> str:
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def urls_in(text: str | None) -> list[str]:
    return [_trim_url(m.group(0)) for m in _URL.finditer(text or "")]


def linkify(text: str | None) -> Markup:
    """Text with its http(s) URLs made into links; everything else escaped."""
    if not text:
        return Markup("")
    text = _ANCHOR.sub(lambda m: m.group("url"), text)
    out: list[str] = []
    at = 0
    for m in _URL.finditer(text):
        url = _trim_url(m.group(0))
        out.append(str(escape(text[at : m.start()])))
        out.append(f'<a class="ext" rel="nofollow noopener" href="{escape(url)}">{escape(url)}</a>')
        at = m.start() + len(url)
    out.append(str(escape(text[at:])))
    return Markup("".join(out))


def marked(text: str) -> Markup:
    """Search-marked text (see paperboy.search) with the matched terms in <mark>."""
    return Markup(
        "".join(
            f"<mark>{escape(t)}</mark>" if hit else str(escape(t)) for t, hit in split_marks(text)
        )
    )


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str
    kind: str  # abs | pdf | html | doi | code | project


_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org")


def paper_links(paper: Paper) -> list[Link]:
    """The links a reader wants: arXiv's pages, the DOI, and code and project pages named in
    the abstract or comment."""
    links = [
        Link("Abstract", f"https://arxiv.org/abs/{paper.arxiv_id}", "abs"),
        Link("PDF", f"https://arxiv.org/pdf/{paper.arxiv_id}", "pdf"),
    ]
    if paper.submitted_day >= HTML_SINCE:
        links.append(Link("HTML", f"https://arxiv.org/html/{paper.versioned_id}", "html"))
    else:
        links.append(
            Link("HTML (ar5iv)", f"https://ar5iv.labs.arxiv.org/html/{paper.arxiv_id}", "html")
        )
    if paper.doi:
        for doi in paper.doi.split():
            links.append(Link(f"DOI {doi}", f"https://doi.org/{doi}", "doi"))
    seen: set[str] = set()
    for url in urls_in(paper.abstract) + urls_in(paper.comment):
        key = url.rstrip("/").lower()
        if key in seen or "arxiv.org/" in key:
            continue
        seen.add(key)
        host = url.split("/")[2].lower()
        is_code = any(
            host == h or host.endswith("." + h) for h in _CODE_HOSTS
        ) and not host.endswith("github.io")
        links.append(
            Link(url.split("://", 1)[1].rstrip("/"), url, "code" if is_code else "project")
        )
    return links


def first_code_link(paper: Paper) -> Link | None:
    """The first code (else project) link a paper names, for the compact lists."""
    named = [k for k in paper_links(paper) if k.kind in ("code", "project")]
    return next((k for k in named if k.kind == "code"), named[0] if named else None)


def author_links(names: Sequence[str], urls: Urls, limit: int = 12) -> Markup:
    """Authors, each linked to a search for their name; long lists end in 'and N more'."""
    shown = names if len(names) <= limit else names[: limit - 2]
    base = urls.search()
    links = [
        f'<a href="{escape(base)}?q={quote_plus(f"au:{chr(34)}{name}{chr(34)}")}">'
        f"{escape(name)}</a>"
        for name in shown
    ]
    more = (
        f', <span class="more">and {len(names) - len(shown)} more</span>'
        if len(names) > len(shown)
        else ""
    )
    return Markup(", ".join(links) + more)


def real_categories(paper: Paper) -> list[str]:
    """Categories that are arXiv's (not MSC/ACM class strings), primary first."""
    from paperboy.store import is_category

    cats = [c for c in paper.categories if is_category(c) and c != paper.primary_category]
    return [paper.primary_category, *cats]


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["linkify"] = linkify
    env.filters["marked"] = marked
    env.filters["texmode"] = text_mode
    env.filters["thousands"] = lambda n: f"{n:,}"
    env.filters["longdate"] = lambda d: f"{d:%A}, {d.day} {d:%B %Y}"
    env.filters["shortdate"] = lambda d: f"{d:%a} {d.day} {d:%b %Y}"
    env.globals["paper_links"] = paper_links
    env.globals["real_categories"] = real_categories
    env.globals["first_code_link"] = first_code_link
    env.globals["author_links"] = author_links
    return env


# ---------------------------------------------------------------- what each page shows


@dataclass(frozen=True, slots=True)
class ListingItem:
    number: int
    entry: Entry
    paper: Paper | None  # the stored paper, for authors and categories


@dataclass(frozen=True, slots=True)
class DayPage:
    category: str
    day: date
    view: str  # submitted | listing
    papers: list[Paper]
    listing: list[ListingItem]
    previous: date | None
    next: date | None
    has_year: bool  # the category has papers in this day's year: its calendar exists

    @property
    def new(self) -> list[ListingItem]:
        return [i for i in self.listing if i.entry.section == "new"]

    @property
    def cross(self) -> list[ListingItem]:
        return [i for i in self.listing if i.entry.section != "new"]


def day_page(store: SQLiteStore, category: str, day: date, view: str) -> DayPage:
    before, after = fts.adjacent_days(store, category, day)
    if view == "listing":
        entries = export.listing_for_day(store, category, day)
        papers = {p.arxiv_id: p for p in store.papers(ids=[e.arxiv_id for e in entries])}
        items = [ListingItem(n, e, papers.get(e.arxiv_id)) for n, e in enumerate(entries, 1)]
        previous, following = _adjacent_listing_days(store, category, day)
        has_year = _year_held(day, before, after, False)
        return DayPage(category, day, view, [], items, previous, following, has_year)
    held = list(store.papers(category=category, start=day, end=day))
    has_year = _year_held(day, before, after, bool(held))
    return DayPage(category, day, "submitted", held, [], before, after, has_year)


def _year_held(day: date, before: date | None, after: date | None, today: bool) -> bool:
    """Whether the category has papers in `day`'s year (so that its calendar exists)."""
    return today or any(d is not None and d.year == day.year for d in (before, after))


def _adjacent_listing_days(
    store: SQLiteStore, category: str, day: date
) -> tuple[date | None, date | None]:
    """Listing days by arXiv's schedule, within the span of the archive (plus the week after
    its last submission, when those papers are announced)."""
    span = fts.day_span(store, category)
    if span is None:
        return None, None
    first, last = span[0], span[1] + timedelta(days=7)
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    while before >= first and not announce.is_announcement_day(before):
        before -= timedelta(days=1)
    after = announce.next_announcement_day(after)
    return (before if before >= first else None, after if after <= last else None)


@dataclass(frozen=True, slots=True)
class PaperPage:
    paper: Paper
    versions: list[Version]
    links: list[Link]
    day_category: str  # whose day pages list it: the primary one, or one a static site holds
    listing_days: tuple[date, date] | None  # listing pages that exist (None: every day)

    def has_listing(self, day: date) -> bool:
        span = self.listing_days
        return span is None or span[0] <= day <= span[1]


def paper_page(
    store: SQLiteStore,
    arxiv_id: str,
    day_category: str | None = None,
    listing_days: tuple[date, date] | None = None,
) -> PaperPage | None:
    paper = store.get(arxiv_id)
    if paper is None:
        return None
    return PaperPage(
        paper,
        store.versions(arxiv_id),
        paper_links(paper),
        day_category or paper.primary_category,
        listing_days,
    )


def render(
    env: Environment,
    template: str,
    urls: Urls,
    *,
    category: str,
    title: str,
    static_site: bool = False,
    **context: object,
) -> str:
    """A page; every template gets the links, the current category, the title and the mode."""
    q = context.pop("q", "")
    return env.get_template(template).render(
        urls=urls, category=category, title=title, static_site=static_site, q=q, **context
    )


@dataclass(frozen=True, slots=True)
class YearPage:
    category: str
    year: int
    total: int
    busiest: tuple[date, int] | None
    years: list[int]
    heatmap: Markup


def year_page(
    category: str, year: int, counts: Mapping[date, int], years: Sequence[int], urls: Urls
) -> YearPage:
    busiest = max(counts.items(), key=lambda kv: kv[1]) if counts else None
    svg = year_heatmap(year, counts, lambda d: urls.day(category, d))
    return YearPage(category, year, sum(counts.values()), busiest, list(years), svg)


@dataclass(frozen=True, slots=True)
class CategoryPage:
    category: str
    total: int
    first: date | None
    last: date | None
    years: list[tuple[int, int]]  # (year, papers)
    plot: Markup


def category_page(
    category: str, months: Mapping[tuple[int, int], int], span: tuple[date, date] | None, urls: Urls
) -> CategoryPage:
    per_year: dict[int, int] = {}
    for (y, _), n in months.items():
        per_year[y] = per_year.get(y, 0) + n
    plot = month_plot(months, lambda y: urls.year(category, y))
    first, last = span if span else (None, None)
    return CategoryPage(category, sum(months.values()), first, last, sorted(per_year.items()), plot)


# ---------------------------------------------------------------- SVG

_CELL, _GAP = 24, 3
_STEP = _CELL + _GAP
_MONTH_H = 40 + 6 * _STEP


def heat_levels(counts: Sequence[int], levels: int = 4) -> list[int]:
    """Thresholds splitting the non-zero counts into `levels` classes of similar size, so that
    a year with one huge day still shows its texture."""
    values = sorted(n for n in counts if n > 0)
    if not values:
        return []
    return [values[min(len(values) - 1, (len(values) * k) // levels)] for k in range(1, levels)]


def level_of(n: int, thresholds: Sequence[int]) -> int:
    if n <= 0:
        return 0
    return 1 + sum(n >= t for t in thresholds)


def year_heatmap(year: int, counts: Mapping[date, int], href: Callable[[date], str]) -> Markup:
    """Twelve month calendars (weeks from Monday), each day shaded by its paper count.

    One small SVG per month, laid out by CSS grid: four months a row on a wide screen, two
    on a phone, each readable at its own size.
    """
    thresholds = heat_levels(list(counts.values()))
    months = "".join(_month_svg(year, m, counts, thresholds, href) for m in range(1, 13))
    return Markup(
        f'<div class="heatmap" role="group" aria-label="Papers per day in {year}">'
        f"{months}</div>{_legend(thresholds)}"
    )


def _month_svg(
    year: int,
    month: int,
    counts: Mapping[date, int],
    thresholds: Sequence[int],
    href: Callable[[date], str],
) -> str:
    out = [f'<svg class="monthcal" viewBox="0 0 {7 * _STEP} {_MONTH_H}" role="img" '
           f'aria-label="{calendar.month_name[month]} {year}">',
           f'<text class="month" x="0" y="14">{calendar.month_name[month]}</text>']  # fmt: skip
    for i, name in enumerate("MTWTFSS"):
        out.append(f'<text class="wd" x="{i * _STEP + _CELL / 2}" y="34">{name}</text>')
    first_col = date(year, month, 1).weekday()
    for d in range(1, calendar.monthrange(year, month)[1] + 1):
        day = date(year, month, d)
        slot = first_col + d - 1
        out.append(
            _day_cell(day, (slot % 7) * _STEP, 40 + (slot // 7) * _STEP, counts, thresholds, href)
        )
    out.append("</svg>")
    return "".join(out)


def _day_cell(
    day: date,
    x: int,
    y: int,
    counts: Mapping[date, int],
    thresholds: Sequence[int],
    href: Callable[[date], str],
) -> str:
    n = counts.get(day, 0)
    label = f"{day:%a} {day.day} {day:%b %Y}: {n:,} paper{'s' if n != 1 else ''}"
    cell = (
        f'<rect class="c l{level_of(n, thresholds)}" x="{x}" y="{y}" width="{_CELL}" '
        f'height="{_CELL}" rx="4"/><text class="dn" x="{x + _CELL / 2}" y="{y + 16}">'
        f"{day.day}</text><title>{escape(label)}</title>"
    )
    return f'<a href="{escape(href(day))}" class="day">{cell}</a>' if n else cell


def _legend(thresholds: Sequence[int]) -> str:
    bounds = [1, *thresholds]
    labels = ["none"] + [
        f"{lo:,}+" if i == len(bounds) - 1 else f"{lo:,}–{max(lo, bounds[i + 1] - 1):,}"
        for i, lo in enumerate(bounds)
    ]
    out = [f'<svg class="legend" viewBox="0 0 {5 * 86} 16" role="img" aria-label="Legend">']
    for i, label in enumerate(labels[:5]):
        out.append(
            f'<rect class="c l{i}" x="{i * 86}" y="1" width="14" height="14" rx="3"/>'
            f'<text x="{i * 86 + 19}" y="12.5">{escape(label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def nice_step(top: float, ticks: int = 4) -> int:
    """A round gridline step (1, 2 or 5 times a power of ten) giving about `ticks` lines."""
    raw = max(top / ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


@dataclass(frozen=True, slots=True)
class _Frame:
    """Geometry of the monthly plot, in SVG units."""

    width: int = 900
    height: int = 260
    left: int = 48
    bottom: int = 24
    top: int = 10

    @property
    def plot_w(self) -> int:
        return self.width - self.left - 8

    @property
    def plot_h(self) -> int:
        return self.height - self.bottom - self.top

    @property
    def base(self) -> int:
        return self.top + self.plot_h


def month_plot(months: Mapping[tuple[int, int], int], href: Callable[[int], str]) -> Markup:
    """Papers per month over the whole span as bars, a gridline scale and year labels."""
    if not months:
        return Markup("")
    series = _month_series(min(months), max(months))
    frame = _Frame()
    step = nice_step(max(months.values()))
    scale = max(step * math.ceil(max(months.values()) / step), 1)
    out = [
        f'<svg class="months" viewBox="0 0 {frame.width} {frame.height}" role="img" '
        'aria-label="Papers per month">',
        *_gridlines(frame, scale, step),
        *_bars(frame, series, months, scale, href),
        "</svg>",
    ]
    return Markup("".join(out))


def _month_series(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    start, end = first[0] * 12 + first[1] - 1, last[0] * 12 + last[1] - 1
    return [(k // 12, k % 12 + 1) for k in range(start, end + 1)]


def _gridlines(frame: _Frame, scale: int, step: int) -> list[str]:
    out = []
    for tick in range(0, scale + 1, step):
        y = frame.base - frame.plot_h * tick / scale
        out.append(
            f'<line class="grid" x1="{frame.left}" x2="{frame.width - 8}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/><text class="tick" x="{frame.left - 6}" '
            f'y="{y + 4:.1f}">{tick:,}</text>'
        )
    return out


def _bars(
    frame: _Frame,
    series: Sequence[tuple[int, int]],
    months: Mapping[tuple[int, int], int],
    scale: int,
    href: Callable[[int], str],
) -> list[str]:
    bar = frame.plot_w / len(series)
    years = len({y for y, _ in series})
    every = 1 if years <= 12 else 2 if years <= 24 else 5
    out = []
    for i, (y, m) in enumerate(series):
        n = months.get((y, m), 0)
        x = frame.left + i * bar
        h = frame.plot_h * n / scale
        if n:
            out.append(
                f'<a href="{escape(href(y))}"><rect class="bar" x="{x + bar * 0.1:.2f}" '
                f'y="{frame.base - h:.2f}" width="{max(bar * 0.8, 0.6):.2f}" '
                f'height="{h:.2f}"/><title>{calendar.month_abbr[m]} {y}: {n:,} papers</title></a>'
            )
        if m == 1 or i == 0:
            out.append(
                f'<line class="yr" x1="{x:.1f}" x2="{x:.1f}" y1="{frame.base}" '
                f'y2="{frame.base + 5}"/>'
            )
            if y % every == 0:
                out.append(f'<text class="year" x="{x:.1f}" y="{frame.height - 6}">{y}</text>')
    return out
