"""What `paperboy profile` prints: what an add did, a profile in full (text or JSON), the
list of profiles."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from paperboy.latex import to_unicode
from paperboy.profiles.build import AddReport
from paperboy.profiles.library import LibraryRead
from paperboy.store import Store
from paperboy.store.profiles import Keyword, Profile, ProfileSummary
from paperboy.wording import plural

SHOWN_DELIVERIES = 5  # the latest digests `profile show` lists


def add_text(report: AddReport) -> list[str]:
    """Lines saying what was added: per file, matched and unmatched (listed), then totals."""
    given = report.reads or report.authors_added or report.keywords or report.categories_added
    if not report.created and not given and not report.email_set:
        return [
            f"profile {report.name} exists and nothing new was given "
            "(--ids, --bib, --author, --keyword, --category, --email add to it)"
        ]
    how = "created" if report.created else "extended"
    lines = [f"{how} profile {report.name}" + ("" if report.created else " (it existed)")]
    for read in report.reads:
        lines += read_text(read)
    if report.reads:
        lines.append(
            f"library: {plural(report.papers_added, 'paper')} added, "
            f"{report.papers_known} already in it, {report.library_size} in all"
        )
    if report.authors_added:
        lines.append(f"following: {', '.join(report.authors_added)}")
    for name, alike in report.authors_unseen.items():
        like = "; ".join(f"{a.name} ({plural(a.papers, 'paper')})" for a in alike)
        lines.append(
            f"  no paper here is by {name!r} yet" + (f"; names like it: {like}" if like else "")
        )
    if report.keywords:
        lines.append(f"keywords: {keywords_text(report.keywords)}")
    if report.categories_added:
        lines.append(f"categories: {', '.join(report.categories_added)}")
    if report.email_set:
        lines.append(
            f"digest: e-mailed to {report.email}" if report.email else "digest: not e-mailed"
        )
    return lines


def read_text(read: LibraryRead) -> list[str]:
    """'zotero.bib: 8 entries, 7 matched (2 by eprint, 1 by title), 1 unmatched:' and the
    unmatched ones, then the ids the store does not hold yet."""
    noun = "entry" if read.kind == "bib" else "line"
    ways = Counter(f.how for f in read.found)
    by = ", ".join(f"{n} by {how}" for how, n in ways.most_common()) if read.kind == "bib" else ""
    head = f"{read.label or read.path}: {plural(read.items, noun)}, {len(read.found)} matched"
    head += f" ({by})" if by else ""
    head += f", {len(read.unmatched)} unmatched" + (":" if read.unmatched else "")
    lines = [head]
    lines += [f"  {u.where}: {u.text!r}: {u.why}" for u in read.unmatched]
    missing = read.missing
    if missing:
        lines.append(
            f"  {plural(len(missing), 'paper')} not in the store yet (kept in the library; "
            "`paperboy update` may bring them):"
        )
        lines += [f"    {f.arxiv_id} ({f.where})" for f in missing]
    return lines


def keywords_text(keywords: Sequence[Keyword]) -> str:
    return ", ".join(f"{k.term} ({k.weight:g})" for k in keywords)


def _titles(store: Store, ids: Sequence[str]) -> dict[str, str]:
    titles: dict[str, str] = {}
    for at in range(0, len(ids), 500):
        for paper in store.papers(ids=ids[at : at + 500]):
            titles[paper.arxiv_id] = " ".join(paper.title.split())
    return titles


def profile_json(store: Store, profile: Profile) -> dict[str, object]:
    titles = _titles(store, profile.library_ids)
    return {
        "name": profile.name,
        "created": profile.created,
        "library": [
            {
                "arxiv_id": p.arxiv_id,
                "added": p.added,
                "origin": p.origin,
                "in_store": p.arxiv_id in titles,
                "title": titles.get(p.arxiv_id),
            }
            for p in profile.library
        ],
        "authors": list(profile.authors),
        "keywords": [{"term": k.term, "weight": k.weight} for k in profile.keywords],
        "categories": list(profile.categories),
        "marks": [{"arxiv_id": m.arxiv_id, "mark": m.mark, "at": m.at} for m in profile.marks],
        "email": profile.email,
        "deliveries": [
            {
                "day": d.day.isoformat(),
                "category": d.category,
                "address": d.address,
                "state": d.state,
                "at": d.at,
                "error": d.error,
            }
            for d in store.deliveries.of_profile(profile.id)
        ],
    }


def profile_text(store: Store, profile: Profile) -> list[str]:
    titles = _titles(store, profile.library_ids)
    lines = [f"profile {profile.name} (created {profile.created})"]
    lines.append(f"library: {plural(len(profile.library), 'paper')}")
    for p in profile.library:
        title = to_unicode(titles[p.arxiv_id]) if p.arxiv_id in titles else "(not in the store)"
        lines.append(f"  {p.arxiv_id:<12} {title}  [{p.origin}]")
    lines.append(f"authors: {', '.join(profile.authors) or '-'}")
    lines.append(f"keywords: {keywords_text(profile.keywords) or '-'}")
    lines.append(f"categories: {', '.join(profile.categories) or '-'}")
    lines.append(f"marks: {len(profile.saved)} saved, {len(profile.hidden)} hidden")
    lines.append(
        f"digest: e-mailed to {profile.email}" if profile.email else "digest: not e-mailed"
    )
    for d in store.deliveries.of_profile(profile.id)[:SHOWN_DELIVERIES]:
        why = f": {d.error}" if d.error else ""
        lines.append(f"  {d.day} {d.category} to {d.address}: {d.state} {d.at}{why}")
    return lines


def list_text(summaries: Sequence[ProfileSummary]) -> list[str]:
    if not summaries:
        return ["no profiles: `paperboy profile add NAME --bib FILE` makes one"]
    return [
        f"{s.name}: {plural(s.papers, 'paper')}, {plural(s.authors, 'author')}, "
        f"{plural(s.keywords, 'keyword')}, {plural(s.categories, 'category', 'categories')}, "
        f"{plural(s.marks, 'mark')} (created {s.created[:10]}"
        + (f", {s.owner}'s)" if s.owner else ")")
        for s in summaries
    ]
