"""BibTeX exports (Zotero, Mendeley, Google Scholar, arXiv, DBLP) as library papers.

Each exporter puts the arXiv id somewhere else: Zotero in `eprint`, `url`, `doi`
(10.48550/arXiv.…) and `note` ("arXiv:2103.14030 [cs]"); Mendeley in `arxivId` and `eprint`;
Google Scholar only in `journal` ("arXiv preprint arXiv:2103.14030"); DBLP in `eprint` and
`volume` ("abs/2103.14030" of CoRR). A published version may carry only its journal's DOI,
which arXiv records for many papers; the rest are matched by their exact title.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bibtexparser.entrypoint import parse_string
from bibtexparser.model import DuplicateBlockKeyBlock, Entry

from paperboy.ids import PaperRef, parse_id, parse_ref
from paperboy.profiles.library import (
    Found,
    LibraryError,
    LibraryRead,
    Unmatched,
    id_in,
    match_title,
    read_text,
    with_store_status,
)
from paperboy.store import Store

# Free-text fields that can hold "arXiv:ID" or an arXiv URL, in the order they are tried.
_TEXT_FIELDS = ("url", "doi", "journal", "journaltitle", "note", "howpublished", "booktitle")


@dataclass(frozen=True, slots=True)
class BibEntry:
    key: str
    line: int  # 1-based line of the entry's start
    fields: dict[str, str]  # lower-cased names

    @property
    def title(self) -> str:
        """The title as a reader reads it: exporters' case-keeping braces dropped."""
        return " ".join(self.fields.get("title", "").replace("{", "").replace("}", "").split())


def read_bib_file(store: Store, path: Path) -> LibraryRead:
    """The papers of a BibTeX file: by the id it carries, a DOI the store knows, or title."""
    read = LibraryRead(path, "bib")
    entries = parse_bib(path)
    read.items = len(entries)
    pending: list[BibEntry] = []
    for entry in entries:
        found = entry_id(entry)
        if found is None:
            pending.append(entry)
        else:
            read.found.append(Found(found[0], found[1], entry.key))
    by_doi = store.profiles.with_dois([e.fields["doi"] for e in pending if "doi" in e.fields])
    for entry in pending:
        ids = by_doi.get(entry.fields.get("doi", "").lower(), [])
        if len(ids) == 1:
            read.found.append(Found(ids[0], "journal DOI", entry.key))
            continue
        arxiv_id, why = match_title(store, entry.fields.get("title", ""))
        if arxiv_id is None:
            read.unmatched.append(Unmatched(entry.key, entry.title, why))
        else:
            read.found.append(Found(arxiv_id, "title", entry.key))
    return with_store_status(store, read)


def entry_id(entry: BibEntry) -> tuple[str, str] | None:
    """(arXiv id, the field it was in) when the entry names one."""
    fields = entry.fields
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").lower()
    candidates: list[tuple[str, str | None]] = []
    if prefix == "arxiv" and "eprint" in fields:
        candidates.append(("eprint", _bare(parse_ref(fields["eprint"]))))
    if "arxivid" in fields:
        candidates.append(("arxivId", _bare(parse_ref(fields["arxivid"]))))
    if fields.get("journal", "").lower() == "corr" and "volume" in fields:
        candidates.append(("volume", _bare(parse_id(fields["volume"].removeprefix("abs/")))))
    candidates += [(name, id_in(fields[name])) for name in _TEXT_FIELDS if name in fields]
    return next(((i, name) for name, i in candidates if i is not None), None)


def _bare(ref: PaperRef | None) -> str | None:
    return None if ref is None else ref.arxiv_id


def parse_bib(path: Path) -> list[BibEntry]:
    """The entries of a BibTeX file; LibraryError naming the file and line of the first
    entry that does not parse (an exporter's repeated key is no error: both are read)."""
    text = read_text(path)
    with _quiet():
        library = parse_string(text)
    entries = [_entry(e) for e in library.entries]
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(
            block.ignore_error_block, Entry
        ):
            entries.append(_entry(block.ignore_error_block, unenclose=True))
            continue
        reason = getattr(block.error, "abort_reason", None) or str(block.error) or "bad syntax"
        line = (block.start_line or 0) + 1
        raise LibraryError(f"{path} line {line}: not a BibTeX entry ({_one_line(reason)})")
    if not entries:
        raise LibraryError(f"{path}: no BibTeX entries in it")
    return sorted(entries, key=lambda e: e.line)


def _entry(entry: Entry, unenclose: bool = False) -> BibEntry:
    fields = {}
    for f in entry.fields:
        value = str(f.value)
        if unenclose:  # a duplicate's block skips the parser's own unenclosing
            value = _unenclosed(value)
        fields[f.key.lower()] = value
    return BibEntry(entry.key, (entry.start_line or 0) + 1, fields)


def _unenclosed(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and (value[0], value[-1]) in {("{", "}"), ('"', '"')}:
        return value[1:-1]
    return value


def _one_line(text: str) -> str:
    return " ".join(text.split()).rstrip(".")


@contextmanager
def _quiet() -> Iterator[None]:
    """bibtexparser logs each bad block as a warning (and warns of undefined @strings);
    the caller reports what matters instead."""
    logger = logging.getLogger("bibtexparser.splitter")
    before = logger.disabled
    logger.disabled = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.disabled = before
