"""The `paperboy` command: a thin layer over the library, one function per command.

It starts in a fraction of a second: what takes long to load (httpx, lxml, rich, jinja2,
fastapi, uvicorn, ftfy) is imported inside the commands that use it, never at the top here.
"""

from __future__ import annotations

import itertools
import re
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
from urllib.parse import urlsplit

import typer
import typer.core

from paperboy import __version__, config, taxonomy
from paperboy.holidays import HolidayFileError
from paperboy.store import (
    Location,
    LockedError,
    Store,
    StoreBusyError,
    StoreConnectError,
    default_db_path,
    location,
    open_store,
)
from paperboy.store import exists as store_exists
from paperboy.store.accounts import User
from paperboy.store.profiles import Profile
from paperboy.store.schema import SchemaError
from paperboy.wording import plural

if TYPE_CHECKING:
    from paperboy import export, harvest
    from paperboy.ranking import RankedDay
    from paperboy.sources import PoliteClient, SourceError
    from paperboy.vectors.neighbours import VectorIndex

app = typer.Typer(
    help="Collect arXiv papers of a category, keep them in a local database, write digests.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # plain help: rich would take longer to load than all the rest
    pretty_exceptions_enable=False,
)
_state: dict[str, str] = {}
_verbose: list[bool] = [False]  # set by -v, read when an error is printed


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


_DB_HELP = (
    "the store: a SQLite file or a postgresql:// URL (default: $PAPERBOY_DB or a SQLite file "
    "in the user data dir)"
)
# Every command takes --db too, so it can follow the subcommand as well as precede it.
DbOpt = Annotated[str | None, typer.Option("--db", help=_DB_HELP, show_default=False)]
ListingDayOpt = Annotated[
    str, typer.Option("--date", help="YYYY-MM-DD, 'today', 'yesterday' or 'latest'")
]
ProfileOpt = Annotated[str, typer.Option("--profile", "-p", help="the profile to rank for")]


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"paperboy {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    db: DbOpt = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="on an error, show its details and traceback")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", help="print the version and exit", callback=_show_version),
    ] = False,
) -> None:
    if db is not None:
        _state["db"] = db
    _verbose[0] = verbose


def db_path(db: str | None = None) -> Location:
    """The store a command works on: its own --db, else the one before it, else the default."""
    given = db or _state.get("db")
    return location(given) if given else default_db_path()


def store(db: str | None = None) -> Store:
    return open_store(db_path(db))


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
    newer paperboy, a file that cannot be written) ends in one line naming it, never a
    traceback, whatever the command; `-v` adds the traceback."""
    try:
        app(prog_name="paperboy")
    except (StoreBusyError, StoreConnectError, SchemaError, HolidayFileError) as exc:
        _error(str(exc))
        sys.exit(1)
    except OSError as exc:
        _error(os_message(exc))
        sys.exit(1)
    except Exception as exc:  # a bug: still one line, with the way to its details
        _error(f"unexpected {type(exc).__name__}: {exc}")
        if not _verbose[0]:
            typer.echo("`paperboy -v ...` shows the traceback; please report it", err=True)
        sys.exit(1)


def os_message(exc: OSError) -> str:
    """'cannot write /proc/foo: No such file or directory' from an OSError, without its errno."""
    where = f" {exc.filename}" if exc.filename else ""
    return f"cannot write{where}: {exc.strerror or exc}"


def _error(message: str, detail: str | None = None) -> None:
    typer.echo(typer.style("error:", fg="red") + f" {message}", err=True)
    if _verbose[0]:
        if detail:
            typer.echo(detail, err=True)
        if sys.exc_info()[0] is not None:
            traceback.print_exc()


def fail(message: str, detail: str | None = None) -> typer.Exit:
    """Print an error in one line (and with -v, `detail` and the traceback being handled);
    raise the result to end the command with status 1."""
    _error(message, detail)
    return typer.Exit(code=1)


@contextmanager
def writing(what: str) -> Iterator[None]:
    """An OSError while writing `what` ends the command with one line naming the file."""
    try:
        yield
    except OSError as exc:
        raise fail(f"{what}: {os_message(exc)}") from None


def _vector_index(s: Store, missing: str) -> VectorIndex:
    """The store's vector index, or an error saying how to build it (`missing`: what the
    command lacks without one)."""
    from paperboy.vectors import neighbours  # numpy and faiss: only for the commands using it

    index = neighbours.load(s)
    if index is None:
        if s.vectors.active() is not None:
            raise fail(
                "the index was built by an older paperboy: run `paperboy index` to rebuild it"
            )
        raise fail(f"{missing}: run `paperboy index`")
    return index


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="digest files or directories (recursive)")],
    db: DbOpt = None,
) -> None:
    """Load digest files of either format (collector or listing) into the store."""
    from rich.console import Console
    from rich.progress import Progress

    from paperboy import importer
    from paperboy.digest_worker import WorkerError

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise fail(f"no such file or directory: {', '.join(missing)}")
    files = list(importer.iter_files(paths))
    console = Console(stderr=True)
    try:
        with store(db) as s:
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("importing", total=len(files))
                report = importer.import_paths(s, paths, on_file=lambda _: progress.advance(task))
            typer.echo(report.summary())
            _keep_index(s)
    except StoreBusyError as exc:
        raise fail(str(exc)) from None
    except WorkerError as exc:
        raise fail(
            f"{exc}; every file stored so far is whole: run the same import again to finish"
        ) from None
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
    db: DbOpt = None,
) -> None:
    """Write digests from the store: collector archive, announcement listings, or JSON lines."""
    from paperboy import export

    one = parse_day(day, "--date")
    start, end = (one, one) if one else parse_range(from_, to)
    if format is not Format.json and out.exists() and not out.is_dir():
        raise fail(f"--out {out} is a file: a {format} export writes a directory of files")
    with store(db) as s, writing(f"cannot export to {out}"):
        if format is Format.json:
            result = _export_json(s, out, category, start, end)
        elif format is Format.listing:
            result = _export_listings(s, out, category, start, end)
        else:
            result = export.write_collector_archive(s, out, category, start, end)
    unchanged = result.files - result.written
    message = (
        f"{plural(result.files, 'file')} ({result.written} written, {unchanged} unchanged), "
        f"{plural(result.papers, 'paper')} in {out}"
    )
    # With JSON on stdout, the summary must not mix into the data.
    typer.echo(message, err=str(out) == "-")


@app.command("copy")
def copy_(
    from_: Annotated[str, typer.Option("--from", help="the store to copy: a file or a URL")],
    to: Annotated[str, typer.Option("--to", help="an empty store (or an unfinished copy)")],
) -> None:
    """Copy a whole store into another, SQLite or PostgreSQL either way; an interrupted copy
    goes on where it stopped when run again, and the end compares every table's rows."""
    from paperboy.store.transfer import CopyError, copy_store

    source_at, target_at = location(from_), location(to)
    if not store_exists(source_at):
        raise fail(f"--from {from_}: no such store")
    try:
        with (
            open_store(source_at) as source,
            open_store(target_at) as target,
            source.writer(),
            target.writer(),
            _progress_bar() as bar,
        ):
            report = copy_store(source, target, progress=lambda t, n, of: bar.show(t, n, of))
    except (CopyError, LockedError) as exc:
        raise fail(str(exc)) from None
    papers, rows = report.tables["papers"], sum(report.tables.values())
    again = " (resumed)" if report.resumed else ""
    typer.echo(
        f"copied {papers} papers ({rows} rows in {len(report.tables)} tables){again}: "
        f"{source.name} -> {target.name}; every table's count matches"
    )


def _export_json(
    s: Store, out: Path, category: str, start: date | None, end: date | None
) -> export.ExportResult:
    from paperboy import export

    if str(out) == "-":
        return export.write_json_lines(s, sys.stdout, category, start, end)
    target = out / "papers.jsonl" if out.is_dir() else out
    with export.atomic_file(target) as stream:  # a killed export leaves no partial file
        return export.write_json_lines(s, stream, category, start, end)


def _export_listings(
    s: Store, out: Path, category: str, start: date | None, end: date | None
) -> export.ExportResult:
    from paperboy import export, listings

    if start is None or end is None:
        raise fail("a listing export needs --date, or --from and --to")
    listings.refresh_announcements(s)  # repair what an interrupted run left undated
    files = papers = written = 0
    for day in export.days(start, end):
        entries = export.listing_for_day(s, category, day)
        if entries:
            written += export.write_listing(out, category, day, entries)
            files += 1
            papers += len(entries)
    return export.ExportResult(files, papers, written)


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
    db: DbOpt = None,
) -> None:
    """The main job: harvest everything since the last complete window, then write the archive."""
    from paperboy.sources import PoliteClient, SourceError
    from paperboy.update import run_update

    archive = out or config.archive_dir()
    path = db_path(db)
    existed = store_exists(path)
    categories = category or config.categories()
    try:
        for name in categories:
            taxonomy.check_category(name)
    except taxonomy.UnknownCategory as exc:
        raise fail(f"PAPERBOY_CATEGORIES: {exc}") from None
    smtp = _smtp_settings()
    try:
        with (
            open_store(path) as s,
            s.writer(),
            PoliteClient() as client,
            _progress_bar() as bar,
        ):
            done = run_update(
                s, client, categories, archive, log=bar.echo, progress=bar.show,
                smtp=smtp, web=config.web_url(),
            )  # fmt: skip
    except LockedError as exc:
        raise fail(str(exc)) from None
    except SourceError as exc:
        store_note = f"created the store {path}; " if not existed else ""
        raise _source_failure(exc, store_note) from None
    with writing("cannot write the archive"):
        typer.echo(f"archive: {archive / 'calendar.md'}")
    for line in done.undelivered:
        _error(line)
    if done.undelivered:
        raise typer.Exit(code=1)


def _smtp_settings() -> config.SMTPSettings | None:
    try:
        return config.smtp()
    except config.ConfigError as exc:
        raise fail(str(exc)) from None


def _keep_index(s: Store) -> None:
    """After `import`: index the papers just stored if the store has an index (`update`
    builds one when there is none; an import, often a one-off bulk load of years, only
    extends one and says how to build it)."""
    from paperboy.vectors import neighbours

    if not neighbours.usable(s.vectors.active()):
        typer.echo("run `paperboy index` for similar papers and search by meaning", err=True)
        return
    _run_index(s, full=False)


def _run_index(s: Store, *, full: bool) -> None:
    """`paperboy index` with a progress bar on stderr and its one-line summary."""
    import time

    from paperboy.vectors import build

    started = time.perf_counter()
    with _progress_bar() as bar:
        report = build.index(s, full=full, progress=bar.show)
    typer.echo(report.summary(time.perf_counter() - started))


class _Bar:
    """A rich progress bar on stderr, started by the first `show`, stopped by `echo` (lines
    printed after it) and at the end of `_progress_bar`."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._task: Any = None

    def show(self, what: str, done: int, total: int | None) -> None:
        if self._progress is None:
            from rich.console import Console
            from rich.progress import Progress

            self._progress = Progress(console=Console(stderr=True), transient=True)
            self._progress.start()
            self._task = self._progress.add_task(what, total=total)
        self._progress.update(self._task, description=what, completed=done, total=total)

    def echo(self, line: str) -> None:
        self.stop()
        typer.echo(line)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


@contextmanager
def _progress_bar() -> Iterator[_Bar]:
    bar = _Bar()
    try:
        yield bar
    finally:
        bar.stop()


def _source_failure(exc: SourceError, store_note: str = "") -> typer.Exit:
    """arXiv failed for good: one line saying which host and why (the full URL with -v), one
    saying what was kept and what to do."""
    failure = fail(source_problem(exc), detail=str(exc))
    typer.echo(
        f"{store_note}nothing partial was recorded as complete: run it again later "
        "(no network? `paperboy demo` shows paperboy on a bundled sample)",
        err=True,
    )
    return failure


def source_problem(exc: SourceError) -> str:
    """'cannot reach arXiv at export.arxiv.org: Name or service not known (2 attempts)': the
    host and the last problem, without the query URL (hundreds of characters) or an errno."""
    host = urlsplit(exc.url).hostname if exc.url else None
    if host is None or exc.problem is None:
        text = str(exc)
        return (
            f"arXiv answered wrongly: {text.replace(exc.url, host) if exc.url and host else text}"
        )
    reason = re.sub(r"\[Errno -?\d+\]\s*", "", exc.problem)
    tries = f" ({plural(exc.attempts, 'attempt')})" if exc.attempts > 1 else ""
    if reason.startswith(("ConnectError: ", "ConnectTimeout: ")):
        return f"cannot reach arXiv at {host}: {reason.split(': ', 1)[1]}{tries}"
    return f"arXiv at {host} failed: {reason}{tries}"


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
    db: DbOpt = None,
) -> None:
    """Fetch papers from arXiv into the store (complete windows are never fetched twice)."""
    from paperboy import listings
    from paperboy.sources import PoliteClient, SourceError

    start, end = parse_range(from_, to)
    path = db_path(db)
    try:
        with open_store(path) as s, s.writer(), PoliteClient() as client:
            results = _harvest(s, client, category, source, start, end, fill_gaps)
            listings.refresh_announcements(s)  # what changed is pending, and any earlier miss
            for result in results:
                typer.echo(result.summary(client))
        if any(r.problems for r in results):
            raise typer.Exit(code=1)  # stored what could be read; the rest is named above
    except LockedError as exc:
        raise fail(str(exc)) from None
    except SourceError as exc:
        raise _source_failure(exc) from None


def _harvest(
    s: Store,
    client: PoliteClient,
    category: str,
    source: Source,
    start: date | None,
    end: date | None,
    fill_gaps: bool,
) -> list[harvest.HarvestResult]:
    from rich.console import Console
    from rich.progress import Progress

    from paperboy import harvest

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
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(f"{category} via {source}", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        if source is Source.oai:
            return [harvest.harvest_oai(s, client, category, start, end, progress=advance)]
        return [harvest.harvest_api(s, client, category, start, end, progress=advance)]


def _gaps(s: Store, category: str, start: date | None, end: date | None) -> list[harvest.Gap]:
    from paperboy import harvest
    from paperboy.announce import announcement_days

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
    db: DbOpt = None,
) -> None:
    """List announcement days whose paper counts look wrong (weekends and holidays excluded)."""
    start, end = parse_range(from_, to)
    with store(db) as s:
        found = _gaps(s, category, start, end)
    for gap in found:
        typer.echo(f"{gap.day:%Y-%m-%d %a}: {plural(gap.count, 'paper')}, {gap.reason}")
    typer.echo(
        f"{plural(len(found), 'suspicious day')}; `paperboy harvest --fill-gaps` re-fetches them"
    )


_SECTION_TITLES = {
    "new": "New submissions",
    "cross": "Cross-lists",
    "replace": "Replacements",
    "replace-cross": "Replacements of cross-lists",
}


@app.command("listing")
def listing_(
    category: CategoryOpt = config.DEFAULT_CATEGORY,
    day: ListingDayOpt = "latest",
    markdown: Annotated[bool, typer.Option(help="print format B (new and cross-lists)")] = False,
    db: DbOpt = None,
) -> None:
    """Print arXiv's announcement listing of a category for one day, from the store."""
    from paperboy import listings
    from paperboy.latex import to_unicode

    with store(db) as s:
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
    # One line per title (typer.echo never wraps): easy to read, grep and pipe.
    out = typer.echo
    out(f"{typer.style(category, bold=True)} listing for {when:%a, %-d %b %Y} ({how})")
    if shown.provisional:
        out(typer.style(shown.provisional, fg="yellow"))
    number = 0
    for section, title in _SECTION_TITLES.items():
        part = [line for line in lines if line.section == section]
        if part:
            out(f"\n{typer.style(title, bold=True)} ({len(part)})")
        for line in part:
            number += 1
            authors = ", ".join(line.paper.authors) if line.paper else ""
            title = " ".join(to_unicode(line.title).split())  # $C^3$ reads C³ in a terminal
            out(f"{number:>4}. {typer.style(line.arxiv_id, fg='cyan')} {title}")
            if authors:
                out("      " + typer.style(authors, dim=True))


def _listing_day(s: Store, category: str, value: str) -> date:
    today = date.today()
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    if value == "latest":
        from paperboy import listings

        latest = listings.latest_complete(s, category, today)
        if latest is None:
            raise fail(f"the store holds no complete {category} listing yet: run `paperboy update`")
        return latest
    parsed = parse_day(value, "--date")
    assert parsed is not None
    return parsed


# ---------------------------------------------------------------- reading: search, web, site


class SearchMode(StrEnum):
    keyword = "keyword"
    semantic = "semantic"
    hybrid = "hybrid"


class QueryCommand(typer.core.TyperCommand):
    """A command whose free-text argument takes every word that is not one of its options,
    wherever it stands: `paperboy search gan -survey --limit 5` searches for "gan -survey"
    and shows 5 hits. A `--` is dropped, so options after it are still options."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's (vendored) click
        takes_value = {
            name: not (param.is_flag or param.count)
            for param in self.get_params(ctx)
            if isinstance(param, typer.core.TyperOption)
            for name in (*param.opts, *param.secondary_opts)
        }
        takes_value.update(dict.fromkeys(ctx.help_option_names, False))
        options: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            name = arg.split("=", 1)[0] if arg.startswith("--") else arg
            if name in takes_value:
                options.append(arg)
                if takes_value[name] and name == arg:
                    options.extend(itertools.islice(rest, 1))  # its value
            elif arg != "--":
                words.append(arg)
        return super().parse_args(ctx, [*options, "--", *words])


@app.command("search", cls=QueryCommand)
def search_(
    query: Annotated[
        list[str],
        typer.Argument(help='words, "phrases", ti: au: abs: cat:, -word; or a paper\'s id or URL'),
    ],
    from_: Annotated[str | None, typer.Option("--from", help="first day, YYYY-MM-DD")] = None,
    to: Annotated[str | None, typer.Option("--to", help="last day, YYYY-MM-DD")] = None,
    category: OptionalCategoryOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 20,
    mode: Annotated[
        SearchMode | None,
        typer.Option(
            help="keyword (BM25), semantic (by meaning) or hybrid (both); "
            "default: hybrid for plain words, keyword for field queries",
            show_default=False,
        ),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    db: DbOpt = None,
) -> None:
    """Search the store, best match first: by keyword (BM25, title weighted), by meaning
    (the vector index of `paperboy index`), or both fused (hybrid).

    A paper's id or URL in any form (2103.15358v2, arXiv:2103.15358, an arxiv.org abs or pdf
    link, cs/0112017) prints that paper, all its fields and versions.
    """
    import json

    from paperboy import search, terminal
    from paperboy.ids import parse_ref

    text = " ".join(query)
    start, end = parse_range(from_, to)
    wanted = search.mode_named(mode.value if mode else None)
    with store(db) as s:
        found = search.lookup(s, text)  # a paper by its id or link: that paper
        if found is not None and not found.hits:
            raise fail(f"{text.strip()} is not in the store {db_path(db)}")
        index = None
        if found is None and search.needs_index(text, wanted):
            from paperboy.vectors import neighbours

            index = neighbours.load(s)
        result = found or search.search(
            s,
            text,
            category=category,
            start=start,
            end=end,
            limit=limit,
            mode=wanted,
            index=index,
        )
        if json_:
            typer.echo(json.dumps(terminal.result_json(s, result), ensure_ascii=False, indent=1))
        elif found is not None:
            paper, ref = found.hits[0].paper, parse_ref(text)
            asked = ref.version if ref is not None else None
            typer.echo(terminal.paper_text(paper, s.versions(paper.arxiv_id), asked))
        else:
            typer.echo(terminal.result_text(result))


@app.command("index")
def index_(
    full: Annotated[
        bool, typer.Option("--full", help="refit the model on the whole store")
    ] = False,
    db: DbOpt = None,
) -> None:
    """Build the vector space behind similar papers and search by meaning.

    New papers are projected into the existing space; the model is refitted when there is
    none, it was written by an older paperboy, the store has grown by 20%, or with --full.
    Safe to interrupt: the previous index stays in use until the new one is complete.
    """
    with store(db) as s:
        _run_index(s, full=full)


@app.command("similar")
def similar_(
    paper: Annotated[str, typer.Argument(help="a paper's id or URL (2103.15358v2, arxiv.org)")],
    limit: Annotated[int, typer.Option(min=1, max=200)] = 10,
    json_: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    db: DbOpt = None,
) -> None:
    """Papers most similar to one paper, closest first (by meaning, from `paperboy index`)."""
    import json

    from paperboy import terminal
    from paperboy.ids import parse_ref
    from paperboy.similar import similar

    ref = parse_ref(paper)
    if ref is None:
        raise fail(f"{paper.strip()!r} is not an arXiv id or link (e.g. 2103.15358)")
    with store(db) as s:
        found = s.get(ref.arxiv_id)
        if found is None:
            raise fail(f"{ref.arxiv_id} is not in the store {db_path(db)}")
        index = _vector_index(s, "no index for similar papers yet")
        hits = similar(s, index, found, limit)
        if json_:
            data = terminal.similar_json(s, found, hits, limit)
            typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            typer.echo(terminal.similar_text(found, hits))


@app.command("authors")
def authors_(
    name: Annotated[str, typer.Argument(help="a name, or part of one, as you remember it")],
    limit: Annotated[int, typer.Option(min=1, max=200)] = 10,
    json_: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    db: DbOpt = None,
) -> None:
    """Author names on papers here like NAME, most alike first (the spelling to search
    `au:` for, or to follow in a profile)."""
    import json

    with store(db) as s:
        found = s.similar_authors(name, limit)
    if json_:
        rows = [{"name": a.name, "papers": a.papers, "similarity": a.similarity} for a in found]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    elif not found:
        raise fail(f"no author name here is like {name.strip()!r}")
    else:
        width = max(len(a.name) for a in found)
        for a in found:
            typer.echo(f"{a.name:<{width}}  {plural(a.papers, 'paper'):>10}  {a.similarity:.2f}")


def _check_port(host: str, port: int) -> None:
    """Fail in one line, before any URL is announced, when `host:port` cannot be listened on."""
    import errno
    import socket

    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except OSError as exc:
        raise fail(f"cannot listen on {host}: {exc.strerror or exc}") from None
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise fail(
                    f"port {port} on {host} is busy (another server uses it): "
                    "choose another with --port"
                ) from None
            raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


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
    accounts: Annotated[
        bool,
        typer.Option(
            "--accounts", help="a lab's server: members sign in (`paperboy user add` first)"
        ),
    ] = False,
    db_read: Annotated[
        str | None,
        typer.Option(
            "--db-read",
            help="a read replica of --db to read from (PAPERBOY_DB_READ); writes go to --db",
            show_default=False,
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Serve the web reader: day pages, calendars, search, paper pages, feeds, JSON API."""
    _check_port(host, port)
    if accounts:
        with store(db) as s:
            if not any(u.is_admin for u in s.users.all()):
                raise fail(
                    "--accounts: this store has no admin yet; add one first with "
                    "`paperboy user add NAME --admin`"
                )
    from paperboy.web.app import serve as run

    replica = location(db_read) if db_read else config.read_replica()
    run(db_path(db), host, port, category, cache_mb, base_url, accounts, replica)


@app.command()
def site(
    out: Annotated[Path, typer.Option(help="directory to write the site to")],
    category: CategoriesOpt = None,
    base_url: Annotated[str, typer.Option(help="public URL of the site, for feed links")] = "",
    from_: Annotated[str | None, typer.Option("--from", help="first day, YYYY-MM-DD")] = None,
    to: Annotated[str | None, typer.Option("--to", help="last day, YYYY-MM-DD")] = None,
    db: DbOpt = None,
) -> None:
    """Write the static site (day, listing and calendar pages, feeds, browser search)."""
    from paperboy.site import write_site

    start, end = parse_range(from_, to)
    if out.exists() and not out.is_dir():
        raise fail(f"--out {out} is a file: the site is a directory of files")
    with store(db) as s, writing(f"cannot write the site to {out}"):
        result = write_site(s, out, category or None, base_url=base_url, start=start, end=end)
    typer.echo(
        f"{plural(result.pages, 'page')} ({plural(result.written, 'file')} changed), "
        f"{plural(result.papers, 'paper')}, with browser search in "
        f"{plural(result.shards, 'monthly shard')}: {out / 'index.html'}"
    )
    if result.profile_feeds:
        names = ", ".join(result.profile_feeds)
        typer.echo(f"feeds of {plural(len(result.profile_feeds), 'profile')} ({names}): "
                   f"{out / 'feeds' / 'profile'}")  # fmt: skip
    if result.unranked:
        typer.echo(f"no feed for {plural(result.unranked, 'profile')}: no vector index to "
                   "rank their days by (run `paperboy index`)", err=True)  # fmt: skip
    if result.members_kept:
        kept = f"{plural(len(result.members_kept), 'profile')} ({', '.join(result.members_kept)})"
        typer.echo(f"no feed published for {kept} of members: `paperboy serve --accounts` "
                   "gives each member their own")  # fmt: skip


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Serve the small real sample shipped with paperboy, from a temporary store."""
    _check_port(host, port)
    from paperboy.web.app import demo as run

    run(host, port)


@app.command("rank")
def rank_(
    profile: ProfileOpt,
    day: ListingDayOpt = "latest",
    category: OptionalCategoryOpt = None,
    limit: Annotated[int, typer.Option(min=0, help="papers to show (0: every one)")] = 20,
    json_: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    db: DbOpt = None,
) -> None:
    """A day's announcement listing ranked for a profile, best first, with the reasons.

    Every section counts (new, cross-lists, replacements). The order comes from the
    profile's library (saved papers included) against "not interested" papers and the
    archive, then followed authors, keywords and categories.
    """
    import json

    from paperboy import terminal

    with store(db) as s:
        chosen = _profile(s, profile)
        ranked = _ranked_day(s, chosen, category or chosen.category, day, limit)
        if json_:
            data = terminal.ranked_json(s, chosen.name, ranked, limit)
            typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            typer.echo(terminal.ranked_text(chosen.name, ranked))


def _ranked_day(s: Store, profile: Profile, category: str, day: str, limit: int) -> RankedDay:
    """The listing of `day` (as --date gives it) ranked for `profile`, or an error saying
    why there is none."""
    from paperboy.ranking import rank_day

    when = _listing_day(s, category, day)
    index = _vector_index(s, "no vector index to rank with yet")
    ranked = rank_day(s, profile, when, index, category, limit)
    if not ranked.total:
        why = ranked.closed or ranked.provisional or "not harvested yet"
        raise fail(f"no {category} listing known for {when:%a, %-d %b %Y}: {why}")
    return ranked


# ---------------------------------------------------------------- profiles

profile_app = typer.Typer(
    help="Research profiles: a library of papers, followed authors, keywords, categories.",
    no_args_is_help=True,
)
app.add_typer(profile_app, name="profile")


@profile_app.command("add")
def profile_add(
    name: Annotated[str, typer.Argument(help="the profile's name (made if new, else extended)")],
    ids: Annotated[
        list[Path] | None,
        typer.Option("--ids", help="text file of arXiv ids or URLs, one a line, # comments"),
    ] = None,
    bib: Annotated[
        list[Path] | None,
        typer.Option("--bib", help="BibTeX export (Zotero, Mendeley, Google Scholar, ...)"),
    ] = None,
    author: Annotated[
        list[str] | None, typer.Option("--author", help="an author to follow, as arXiv spells it")
    ] = None,
    keyword: Annotated[
        list[str] | None,
        typer.Option("--keyword", help="TERM or TERM:WEIGHT (a negative weight pushes down)"),
    ] = None,
    category: CategoriesOpt = None,
    email: Annotated[
        str | None,
        typer.Option("--email", help="where `update` sends the daily digest ('' stops it)"),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--user", help="the member it belongs to, on a lab's server"),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Make a profile, or add to one: library papers from files, authors, keywords, categories.

    Everything is read and checked before anything is written, and written at once: a bad
    file or value leaves the profile as it was.
    """
    from paperboy.profiles import build, report
    from paperboy.profiles.library import LibraryError

    with store(db) as s:
        owner = s.users.named(user) if user is not None else None
        if user is not None and owner is None:
            raise fail(f"--user: no member named {user!r} (`paperboy user list`)")
        try:
            done = build.add(
                s, name, ids or [], bib or [], author or [], keyword or [], category or [],
                email=email, owner=owner.id if owner else None,
            )  # fmt: skip
        except (LibraryError, build.ProfileInputError) as exc:
            raise fail(str(exc)) from None
    for line in report.add_text(done):
        typer.echo(line)


def _profile(s: Store, name: str) -> Profile:
    """The profile called `name`, or a one-line error naming the profiles there are."""
    profile = s.profiles.get(name)
    if profile is None:
        known = [p.name for p in s.profiles.summaries()]
        there = f"; there are: {', '.join(known)}" if known else "; there are none yet"
        raise fail(f"no profile named {name!r} in {s.name}{there}")
    return profile


@profile_app.command("show")
def profile_show(
    name: Annotated[str, typer.Argument(help="the profile's name")],
    json_: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    db: DbOpt = None,
) -> None:
    """Print a profile: its library (with titles), authors, keywords, categories, marks."""
    import json

    from paperboy.profiles import report

    with store(db) as s:
        profile = _profile(s, name)
        if json_:
            typer.echo(json.dumps(report.profile_json(s, profile), ensure_ascii=False, indent=1))
        else:
            typer.echo("\n".join(report.profile_text(s, profile)))


@profile_app.command("list")
def profile_list(db: DbOpt = None) -> None:
    """List the store's profiles with their sizes."""
    from paperboy.profiles import report

    with store(db) as s:
        typer.echo("\n".join(report.list_text(s.profiles.summaries())))


@profile_app.command("remove")
def profile_remove(
    name: Annotated[str, typer.Argument(help="the profile's name")],
    db: DbOpt = None,
) -> None:
    """Remove a profile with its library, authors, keywords, categories and marks."""
    with store(db) as s:
        profile = _profile(s, name)
        s.profiles.remove(profile.name)
    typer.echo(
        f"removed profile {profile.name} ({plural(len(profile.library), 'library paper')}, "
        f"{plural(len(profile.marks), 'mark')})"
    )


# ---------------------------------------------------------------- members (a lab's server)

user_app = typer.Typer(
    help="Members of a lab's paperboy (`paperboy serve --accounts`): add, remove, list.",
    no_args_is_help=True,
)
app.add_typer(user_app, name="user")
PasswordStdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="read the password from the first line of standard input"
    ),
]


def _new_password(from_stdin: bool) -> str:
    from paperboy.accounts import check_password
    from paperboy.store.accounts import AccountError

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        return check_password(password)
    except AccountError as exc:
        raise fail(str(exc)) from None


def _member(s: Store, name: str) -> User:
    """The member called `name`, or a one-line error."""
    user = s.users.named(name)
    if user is None:
        raise fail(f"no member named {name!r} in {s.name} (`paperboy user list`)")
    return user


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="the member's sign-in name")],
    admin: Annotated[bool, typer.Option("--admin", help="an admin, not a member")] = False,
    password_stdin: PasswordStdinOpt = False,
    db: DbOpt = None,
) -> None:
    """Add a member, asking for their password (stored only as an Argon2 hash)."""
    from paperboy.accounts import add_member, check_name
    from paperboy.store.accounts import AccountError

    with store(db) as s:
        try:
            check_name(name)
            if s.users.named(name) is not None:  # said before the password is asked for
                raise AccountError(f"there is already a member named {name!r}")
            user = add_member(
                s, name, _new_password(password_stdin), "admin" if admin else "member"
            )
        except AccountError as exc:
            raise fail(str(exc)) from None
    typer.echo(
        f"added {user.name} ({user.role}): they sign in at /login of `paperboy serve --accounts`"
    )


@user_app.command("remove")
def user_remove(
    name: Annotated[str, typer.Argument(help="the member's name")],
    db: DbOpt = None,
) -> None:
    """Remove a member with their profiles (libraries, marks, digests); their sessions end.
    What they put on reading lists stays there."""
    with store(db) as s:
        user = _member(s, name)
        owned = len(s.profiles.summaries(owner=user.id))
        s.users.remove(user.name)
    typer.echo(f"removed {user.name} and {plural(owned, 'profile')}")


@user_app.command("list")
def user_list(db: DbOpt = None) -> None:
    """List the members, their roles and profiles."""
    with store(db) as s:
        users = s.users.all()
        if not users:
            typer.echo("no members: `paperboy user add NAME --admin` adds the first")
        for user in users:
            profiles = [p.name for p in s.profiles.summaries(owner=user.id)]
            owned = f": {', '.join(profiles)}" if profiles else ""
            typer.echo(
                f"{user.name} ({user.role}, since {user.created[:10]}), "
                f"{plural(len(profiles), 'profile')}{owned}"
            )


@user_app.command("set-password")
def user_set_password(
    name: Annotated[str, typer.Argument(help="the member's name")],
    password_stdin: PasswordStdinOpt = False,
    db: DbOpt = None,
) -> None:
    """Give a member a new password; every session they have signed in ends."""
    from paperboy.accounts import set_password

    with store(db) as s:
        user = _member(s, name)
        set_password(s, user.name, _new_password(password_stdin))
    typer.echo(f"new password for {user.name}; their sessions have ended")


# ---------------------------------------------------------------- e-mailed digests


@app.command("digest")
def digest_(
    profile: ProfileOpt,
    day: ListingDayOpt = "latest",
    to: Annotated[
        list[str] | None, typer.Option("--to", help="address (default: the profile's --email)")
    ] = None,
    send: Annotated[bool, typer.Option("--send", help="send it (else print it)")] = False,
    limit: Annotated[int, typer.Option(min=0, help="papers in it (0: all)")] = config.DIGEST_SIZE,
    mime: Annotated[bool, typer.Option("--mime", help="print the whole MIME message")] = False,
    db: DbOpt = None,
) -> None:
    """A profile's ranked day as an e-mail: printed, or sent with --send.

    SMTP settings come from PAPERBOY_SMTP_HOST, _PORT, _SECURITY (starttls, tls, none),
    _USER, _PASSWORD, _FROM and _CA_FILE; links back to the web reader from
    PAPERBOY_BASE_URL. A digest sent is recorded, so `update` does not send it again.
    """
    from paperboy.delivery import due, message
    from paperboy.delivery.addresses import AddressError
    from paperboy.delivery.addresses import addresses as addresses_of
    from paperboy.delivery.send import SendError

    smtp = _smtp_settings()
    if send and smtp is None:
        raise fail("--send needs an SMTP server: set PAPERBOY_SMTP_HOST and PAPERBOY_SMTP_FROM")
    with store(db) as s:
        chosen = _profile(s, profile)
        try:
            addresses = addresses_of(", ".join(to)) if to else None
        except AddressError as exc:
            raise fail(f"--to: {exc}") from None
        addresses = addresses or (addresses_of(chosen.email) if chosen.email else [])
        if send and not addresses:
            raise fail(
                "no address to send to: give --to, or "
                f"`paperboy profile add {chosen.name} --email ADDRESS`"
            )
        ranked = _ranked_day(s, chosen, chosen.category, day, limit)
        if send:
            assert smtp is not None
            try:
                due.deliver(s, smtp, chosen, ranked, addresses, config.web_url())
            except SendError as exc:
                raise fail(f"digest not sent: {exc}") from None
            typer.echo(
                f"sent {len(ranked.hits)} papers of {ranked.day:%a %-d %b %Y} to "
                f"{', '.join(addresses)}"
            )
            return
    sender = smtp.sender if smtp else "paperboy@localhost"
    digest = message.digest(chosen.name, ranked, config.web_url())
    if mime:
        sys.stdout.buffer.write(message.message(digest, sender, addresses).as_bytes())
        return
    typer.echo(
        f"From: {sender}\nTo: {', '.join(addresses) or '(no address)'}\nSubject: {digest.subject}\n"
    )
    typer.echo(message.text(digest), nl=False)


@app.command("deliver")
def deliver_(db: DbOpt = None) -> None:
    """E-mail every profile with an address its ranked latest day, unless already sent
    (what `update` does after harvesting; for a store harvested elsewhere)."""
    from paperboy import update

    smtp = _smtp_settings()
    if smtp is None:
        raise fail("no SMTP server: set PAPERBOY_SMTP_HOST and PAPERBOY_SMTP_FROM")
    with store(db) as s:
        failed = update.send_digests(s, smtp, date.today(), config.web_url(), typer.echo)
        if not s.profiles.emailed():
            typer.echo("no profile has an address: `paperboy profile add NAME --email ADDRESS`")
    for line in failed:
        _error(line)
    if failed:
        raise typer.Exit(code=1)
