"""The `paperboy` command: a thin layer over the library, one function per command."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from paperboy import config, export, harvest, importer, listings, taxonomy
from paperboy.announce import announcement_days
from paperboy.holidays import HolidayFileError
from paperboy.sources import PoliteClient, SourceError
from paperboy.store import SQLiteStore, StoreBusyError, default_db_path, open_store
from paperboy.store.schema import SchemaError
from paperboy.update import run_update

app = typer.Typer(
    help="Collect arXiv papers of a category, keep them in a local database, write digests.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)
_state: dict[str, Path] = {}


_Names = TypeVar("_Names", str, list[str], str | None, list[str] | None)


def check_categories(value: _Names) -> _Names:
    """Option callback: every category named must be arXiv's (a typo names the nearest)."""
    names = [value] if isinstance(value, str) else (value or [])
    for name in names:
        try:
            taxonomy.check_category(name)
        except taxonomy.UnknownCategory as exc:
            raise typer.BadParameter(str(exc), param_hint="--category") from None
    return value


DateOpt = Annotated[str | None, typer.Option(help="YYYY-MM-DD")]
CategoryOpt = Annotated[
    str,
    typer.Option("--category", "-c", help="arXiv category, e.g. cs.CV", callback=check_categories),
]
OptionalCategoryOpt = Annotated[
    str | None, typer.Option("--category", "-c", callback=check_categories)
]
CategoriesOpt = Annotated[
    list[str] | None, typer.Option("--category", "-c", callback=check_categories)
]


@app.callback()
def main(
    db: Annotated[
        Path | None,
        typer.Option(help="SQLite database file (default: $PAPERBOY_DB or the user data dir)"),
    ] = None,
) -> None:
    _state["db"] = db if db is not None else default_db_path()


def store() -> SQLiteStore:
    return open_store(_state.get("db", default_db_path()))


def parse_day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name) from None


def parse_range(from_: str | None, to: str | None) -> tuple[date | None, date | None]:
    """--from and --to as days; a range that ends before it starts is an error."""
    start, end = parse_day(from_, "--from"), parse_day(to, "--to")
    if start is not None and end is not None and start > end:
        raise typer.BadParameter(f"--from {start} is after --to {end}", param_hint="--from")
    return start, end


def run() -> None:
    """The `paperboy` entry point: an error a user can act on (the store busy or written by a
    newer paperboy) ends in one line naming it, never a traceback, whatever the command."""
    try:
        app(prog_name="paperboy")
    except (StoreBusyError, SchemaError, HolidayFileError) as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        sys.exit(1)


def fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(message)}")  # a URL may hold [/x]
    return typer.Exit(code=1)


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="digest files or directories (recursive)")],
) -> None:
    """Load digest files of either format (collector or listing) into the store."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise fail(f"no such file or directory: {', '.join(missing)}")
    files = list(importer.iter_files(paths))
    try:
        with store() as s, Progress(console=console, transient=True) as progress:
            task = progress.add_task("importing", total=len(files))
            report = importer.import_paths(s, paths, on_file=lambda _: progress.advance(task))
    except StoreBusyError as exc:
        raise fail(str(exc)) from None
    typer.echo(report.summary())
    if report.rejected:
        raise typer.Exit(code=1)


class Format(StrEnum):
    collector = "collector"
    listing = "listing"
    json = "json"


@app.command("export")
def export_(
    out: Annotated[Path, typer.Option(help="output directory ('-' or a file for json)")],
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.collector,
    category: CategoryOpt = config.DEFAULT_CATEGORY,
    from_: Annotated[str | None, typer.Option("--from", help="first day, YYYY-MM-DD")] = None,
    to: Annotated[str | None, typer.Option("--to", help="last day, YYYY-MM-DD")] = None,
    day: Annotated[str | None, typer.Option("--date", help="one day, YYYY-MM-DD")] = None,
) -> None:
    """Write digests from the store: collector archive, announcement listings, or JSON lines."""
    one = parse_day(day, "--date")
    start, end = (one, one) if one else parse_range(from_, to)
    with store() as s:
        if format is Format.json:
            result = _export_json(s, out, category, start, end)
        elif format is Format.listing:
            result = _export_listings(s, out, category, start, end)
        else:
            result = export.write_collector_archive(s, out, category, start, end)
    message = f"wrote {result.files} files, {result.papers} papers to {out}"
    # With JSON on stdout, the summary must not mix into the data.
    typer.echo(message, err=str(out) == "-")


def _export_json(
    s: SQLiteStore, out: Path, category: str, start: date | None, end: date | None
) -> export.ExportResult:
    if str(out) == "-":
        return export.write_json_lines(s, sys.stdout, category, start, end)
    target = out / "papers.jsonl" if out.is_dir() else out
    with export.atomic_file(target) as stream:  # a killed export leaves no partial file
        return export.write_json_lines(s, stream, category, start, end)


def _export_listings(
    s: SQLiteStore, out: Path, category: str, start: date | None, end: date | None
) -> export.ExportResult:
    if start is None or end is None:
        raise fail("a listing export needs --date, or --from and --to")
    listings.refresh_announcements(s)  # repair what an interrupted run left undated
    files = papers = 0
    for day in export.days(start, end):
        entries = export.listing_for_day(s, category, day)
        if entries:
            export.write_listing(out, category, day, entries)
            files += 1
            papers += len(entries)
    return export.ExportResult(files, papers)


@app.command()
def update(
    out: Annotated[Path | None, typer.Option(help="archive directory")] = None,
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category",
            "-c",
            help="categories (default: $PAPERBOY_CATEGORIES or cs.CV)",
            callback=check_categories,
        ),
    ] = None,
) -> None:
    """The main job: harvest everything since the last complete window, then write the archive."""
    archive = out or config.archive_dir()
    db = _state.get("db", default_db_path())
    categories = category or config.categories()
    try:
        for name in categories:
            taxonomy.check_category(name)
    except taxonomy.UnknownCategory as exc:
        raise fail(f"PAPERBOY_CATEGORIES: {exc}") from None
    try:
        with harvest.harvest_lock(db), store() as s, PoliteClient() as client:
            run_update(s, client, categories, archive, log=typer.echo)
    except harvest.LockedError as exc:
        raise fail(str(exc)) from None
    except SourceError as exc:
        raise fail(_unreachable(exc)) from None
    typer.echo(f"archive: {archive / 'calendar.md'}")


def _unreachable(exc: SourceError) -> str:
    return (
        f"arXiv could not be reached or answered wrongly: {exc}\n"
        "Nothing partial was recorded as complete; run the command again later. "
        "(No network? `paperboy demo` shows paperboy on a bundled sample.)"
    )


class Source(StrEnum):
    api = "api"
    oai = "oai"
    rss = "rss"


@app.command("harvest")
def harvest_(
    category: CategoryOpt = config.DEFAULT_CATEGORY,
    from_: Annotated[str | None, typer.Option("--from", help="first day, YYYY-MM-DD")] = None,
    to: Annotated[str | None, typer.Option("--to", help="last day, YYYY-MM-DD")] = None,
    source: Annotated[
        Source,
        typer.Option(
            help="api: by submission date; oai: by modification date; rss: today's announcement"
        ),
    ] = Source.api,
    fill_gaps: Annotated[bool, typer.Option(help="re-fetch the days `gaps` reports")] = False,
) -> None:
    """Fetch papers from arXiv into the store (complete windows are never fetched twice)."""
    start, end = parse_range(from_, to)
    db = _state.get("db", default_db_path())
    try:
        with harvest.harvest_lock(db), store() as s, PoliteClient() as client:
            results = _harvest(s, client, category, source, start, end, fill_gaps)
            listings.refresh_announcements(s)  # what changed is pending, and any earlier miss
            for result in results:
                typer.echo(result.summary(client))
        if any(r.problems for r in results):
            raise typer.Exit(code=1)  # stored what could be read; the rest is named above
    except harvest.LockedError as exc:
        raise fail(str(exc)) from None
    except SourceError as exc:
        raise fail(_unreachable(exc)) from None


def _harvest(
    s: SQLiteStore,
    client: PoliteClient,
    category: str,
    source: Source,
    start: date | None,
    end: date | None,
    fill_gaps: bool,
) -> list[harvest.HarvestResult]:
    if fill_gaps:
        return [
            harvest.harvest_api(s, client, category, gap.day - timedelta(days=5),
                                gap.day - timedelta(days=1), force=True)
            for gap in _gaps(s, category, start, end)
        ]  # fmt: skip
    if source is Source.rss:
        return [harvest.harvest_rss(s, client, category)]
    if start is None or end is None:
        raise fail("give the days to harvest: --from YYYY-MM-DD --to YYYY-MM-DD")
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"{category} via {source}", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        if source is Source.oai:
            return [harvest.harvest_oai(s, client, category, start, end, progress=advance)]
        return [harvest.harvest_api(s, client, category, start, end, progress=advance)]


def _gaps(s: SQLiteStore, category: str, start: date | None, end: date | None) -> list[harvest.Gap]:
    counts = s.announcement_counts(category)
    if not counts:
        return []
    first, last = start or min(counts), end or max(counts)
    return harvest.find_gaps(counts, announcement_days(first, last))


@app.command()
def gaps(
    category: CategoryOpt = config.DEFAULT_CATEGORY,
    from_: Annotated[str | None, typer.Option("--from", help="first day, YYYY-MM-DD")] = None,
    to: Annotated[str | None, typer.Option("--to", help="last day, YYYY-MM-DD")] = None,
) -> None:
    """List announcement days whose paper counts look wrong (weekends and holidays excluded)."""
    start, end = parse_range(from_, to)
    with store() as s:
        found = _gaps(s, category, start, end)
    for gap in found:
        typer.echo(f"{gap.day:%Y-%m-%d %a}: {gap.count} papers, {gap.reason}")
    typer.echo(f"{len(found)} suspicious days; `paperboy harvest --fill-gaps` re-fetches them")


_SECTION_TITLES = {
    "new": "New submissions",
    "cross": "Cross-lists",
    "replace": "Replacements",
    "replace-cross": "Replacements of cross-lists",
}


@app.command("listing")
def listing_(
    category: CategoryOpt = config.DEFAULT_CATEGORY,
    day: Annotated[
        str, typer.Option("--date", help="YYYY-MM-DD, 'today', 'yesterday' or 'latest'")
    ] = "latest",
    markdown: Annotated[bool, typer.Option(help="print format B (new and cross-lists)")] = False,
) -> None:
    """Print arXiv's announcement listing of a category for one day, from the store."""
    with store() as s:
        listings.refresh_announcements(s)  # repair what an interrupted run left undated
        when = _listing_day(s, category, day)
        shown = listings.listing_of(s, category, when)
        lines = shown.lines
    if markdown:
        from paperboy.formats import listing as format_b

        typer.echo(format_b.render(category, when, listings.format_b_entries(lines)), nl=False)
        return
    if not lines:
        why = shown.closed or shown.provisional or "not harvested yet"
        raise fail(f"no {category} listing known for {when:%a, %-d %b %Y}: {why}")
    how = "as announced" if lines[0].observed else "rebuilt from the store"
    out = Console(soft_wrap=True)  # one line per title: easy to read, grep and pipe
    out.print(f"[bold]{category}[/bold] listing for {when:%a, %-d %b %Y} ({how})")
    if shown.provisional:
        out.print(f"[yellow]{escape(shown.provisional)}[/yellow]")
    number = 0
    for section, title in _SECTION_TITLES.items():
        part = [line for line in lines if line.section == section]
        if part:
            out.print(f"\n[bold]{title}[/bold] ({len(part)})")
        for line in part:
            number += 1
            authors = ", ".join(line.paper.authors) if line.paper else ""
            out.print(f"{number:>4}. [cyan]{line.arxiv_id}[/cyan] {line.title}", highlight=False)
            if authors:
                out.print(f"      [dim]{authors}[/dim]", highlight=False)


def _listing_day(s: SQLiteStore, category: str, value: str) -> date:
    today = date.today()
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    if value == "latest":
        latest = listings.latest_complete(s, category, today)
        if latest is None:
            raise fail(f"the store holds no complete {category} listing yet: run `paperboy update`")
        return latest
    parsed = parse_day(value, "--date")
    assert parsed is not None
    return parsed


# ---------------------------------------------------------------- reading: search, web, site


@app.command("search")
def search_(
    query: Annotated[list[str], typer.Argument(help='words, "phrases", ti: au: abs: cat:, -word')],
    from_: Annotated[str | None, typer.Option("--from", help="first day, YYYY-MM-DD")] = None,
    to: Annotated[str | None, typer.Option("--to", help="last day, YYYY-MM-DD")] = None,
    category: OptionalCategoryOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 20,
    json_: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Full-text search of the store, best match first (BM25, title weighted).

    Put -- before a query that leaves words out: paperboy search -- gan -survey
    """
    import json

    from paperboy import search

    start, end = parse_range(from_, to)
    with store() as s:
        result = search.search(
            s, " ".join(query), category=category, start=start, end=end, limit=limit
        )
        if json_:
            typer.echo(json.dumps(search.result_json(s, result), ensure_ascii=False, indent=1))
            return
    Console(soft_wrap=True).print(search.result_text(result), highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    category: OptionalCategoryOpt = None,
    cache_mb: Annotated[int, typer.Option(help="rendered-page cache, MB (0: none)")] = 64,
    base_url: Annotated[
        str | None,
        typer.Option(help="public URL of the site, for feed links (PAPERBOY_BASE_URL)"),
    ] = None,
) -> None:
    """Serve the web reader: day pages, calendars, search, paper pages, feeds, JSON API."""
    from paperboy.web.app import serve as run

    run(_state.get("db", default_db_path()), host, port, category, cache_mb, base_url)


@app.command()
def site(
    out: Annotated[Path, typer.Option(help="directory to write the site to")],
    category: CategoriesOpt = None,
    base_url: Annotated[str, typer.Option(help="public URL of the site, for feed links")] = "",
) -> None:
    """Write the static site (day, calendar and paper pages, feeds, browser search)."""
    from paperboy.site import write_site

    with store() as s:
        result = write_site(s, out, category or None, base_url=base_url)
    search = "with browser search" if result.search_index else "without search (too many papers)"
    typer.echo(
        f"{result.pages} pages ({result.written} files changed), {result.papers} papers, "
        f"{search}: {out / 'index.html'}"
    )


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Serve the small real sample shipped with paperboy, from a temporary store."""
    from paperboy.web.app import demo as run

    run(host, port)
