"""Adding to a profile: its library files, authors, keywords and categories, read and checked
first, then written in one transaction (a failure anywhere leaves the store as it was)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from paperboy import taxonomy
from paperboy.delivery.addresses import AddressError, addresses
from paperboy.profiles.bib import read_bib_file
from paperboy.profiles.library import LibraryRead, read_ids_file
from paperboy.store import Store
from paperboy.store.author_names import AuthorName
from paperboy.store.profiles import Keyword

# Names go into URLs (/feeds/profile/NAME.atom) and file names as they are.
SUGGESTED_NAMES = 3  # names like a followed one no paper here is by
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ProfileInputError(ValueError):
    """A profile name, keyword or category that cannot be used; the message says why."""


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ProfileInputError(
            f"{name!r} cannot name a profile: use letters, digits, '.', '_' or '-' "
            "(at most 64, starting with a letter or digit)"
        )
    return name


def parse_keyword(text: str) -> Keyword:
    """'TERM' (weight 1) or 'TERM:WEIGHT'; a negative weight pushes papers down."""
    term, sep, weight = text.rpartition(":")
    value = 1.0
    if sep:
        try:
            value = float(weight)
        except ValueError:
            term = text  # a colon inside the term itself ("cs:foo")
        else:
            if not math.isfinite(value):
                raise ProfileInputError(f"keyword {text!r}: the weight must be a finite number")
    else:
        term = text
    term = " ".join(term.split())
    if not term:
        raise ProfileInputError(f"keyword {text!r} has no term (TERM or TERM:WEIGHT)")
    return Keyword(term, value)


@dataclass(slots=True)
class AddReport:
    """What `add` did to a profile."""

    name: str
    created: bool
    reads: list[LibraryRead] = field(default_factory=list)
    papers_added: int = 0
    papers_known: int = 0  # found in the files, already in the library
    library_size: int = 0
    authors_added: list[str] = field(default_factory=list)
    # Followed names no paper here is by, each with the names most like it that are.
    authors_unseen: dict[str, list[AuthorName]] = field(default_factory=dict)
    keywords: list[Keyword] = field(default_factory=list)
    categories_added: list[str] = field(default_factory=list)
    email: str | None = None  # the digest's address, when `email_set`
    email_set: bool = False


def add(
    store: Store,
    name: str,
    ids_files: Sequence[Path] = (),
    bib_files: Sequence[Path] = (),
    authors: Sequence[str] = (),
    keywords: Sequence[str] = (),
    categories: Sequence[str] = (),
    email: str | None = None,
    owner: int | None = None,
    labels: Mapping[Path, str] | None = None,
) -> AddReport:
    """Create the profile or extend it (`email` '' takes its address away, None keeps it);
    with `owner`, the profile is that member's (one of another member's is refused);
    `labels` names files in the library's origins instead of their paths (uploads).
    Every file is read and every value checked before anything is written; then all of it
    is written in one transaction."""
    check_name(name)
    labels = labels or {}
    existing = store.profiles.get(name)
    if owner is not None and existing is not None and existing.owner not in (None, owner):
        raise ProfileInputError(f"the profile {name!r} belongs to another member")
    if email:
        try:
            addresses(email)
        except AddressError as exc:
            raise ProfileInputError(f"--email: {exc}") from None
    parsed = [parse_keyword(k) for k in keywords]
    for category in categories:
        try:
            taxonomy.check_category(category)
        except taxonomy.UnknownCategory as exc:
            raise ProfileInputError(str(exc)) from None
    names = [" ".join(a.split()) for a in authors]
    if any(not a for a in names):
        raise ProfileInputError("an --author needs a name")
    unseen = {
        a: store.similar_authors(a, SUGGESTED_NAMES) for a in names if not store.author_papers(a)
    }
    reads = [read_ids_file(store, p) for p in ids_files]
    reads += [read_bib_file(store, p) for p in bib_files]
    for read in reads:
        read.label = labels.get(read.path)
    with store.transaction():
        pid, created = store.profiles.ensure(name, owner)
        if owner is not None and not created:
            store.profiles.set_owner(pid, owner)
        report = AddReport(name, created, reads, keywords=parsed)
        rows = [(f.arxiv_id, read.origin) for read in reads for f in read.found]
        unique = list(dict.fromkeys(a for a, _ in rows))
        report.papers_added = len(store.profiles.add_papers(pid, rows))
        report.papers_known = len(unique) - report.papers_added
        report.authors_added = store.profiles.add_authors(pid, names)
        report.authors_unseen = unseen
        store.profiles.set_keywords(pid, parsed)
        report.categories_added = store.profiles.add_categories(pid, categories)
        if email is not None:
            store.profiles.set_email(pid, email or None)
            report.email, report.email_set = email or None, True
        report.library_size = len(store.profiles.papers(pid))
    return report
