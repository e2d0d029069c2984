"""The query language: what a person types -> a safe FTS5 expression and filters.

The query language is arXiv's, forgiving: bare words (all must match), "quoted phrases",
prefixes (`segment*`), exclusions (`-word`, `NOT word`, `ANDNOT word`), `OR`, `AND`,
parentheses, and field filters `ti:` `au:` `abs:` `co:` `all:` `cat:` (`ti:"neural field"`,
`au:kaiming_he`, `cat:cs.RO`, `cat:cs.*`, `ti:(gan OR diffusion)`). The user's words never
reach FTS5 as syntax: every term is re-quoted as an FTS5 string, and input that cannot be
understood is dropped with a note. Any string gives results or a message, never an error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from paperboy.store.fts import Filters

MAX_QUERY_CHARS = 1000
MAX_DEPTH = 32  # nested parentheses a query may use
MAX_TERMS = 32

FIELDS: dict[str, str | None] = {
    "ti": "title",
    "title": "title",
    "au": "authors",
    "author": "authors",
    "authors": "authors",
    "abs": "abstract",
    "abstract": "abstract",
    "co": "comment",
    "comment": "comment",
    "all": None,
}
CATEGORY_FIELDS = frozenset({"cat", "category"})
# English function words found in more than half of the 2021 cs.CV abstracts; their BM25
# weight (idf) is zero, see _Compiler.all_of.
STOPWORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "a",
        "in",
        "we",
        "for",
        "on",
        "is",
        "this",
        "that",
        "with",
        "by",
        "our",
        "from",
        "are",
        "as",
        "an",
        "which",
    ]
)
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT"})
_CATEGORY = re.compile(r"^[A-Za-z][A-Za-z\-]*(?:\.[A-Za-z\-]+)?$")

# One lexical token: a parenthesis, a field opening a group (`ti:(`), or a term with an
# optional '-' and field prefix, as a "phrase" (closing quote optional) or a bare word.
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<lparen>-?\()
    | (?P<rparen>\))
    | (?P<gfield>[A-Za-z]+):\(
    | (?P<neg>-(?=\S))?
      (?:(?P<field>[A-Za-z]+):(?=[^\s()]))?
      (?:"(?P<phrase>[^"]*)"?(?P<pstar>\*)? | (?P<word>[^\s()"]+))
    )""",
    re.VERBOSE,
)


# ---------------------------------------------------------------- the query tree


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    column: str | None = None  # an FTS5 column, None for all
    prefix: bool = False
    quoted: bool = False  # typed as a "phrase": kept word for word

    @property
    def stopword(self) -> bool:
        bare = self.column is None and not (self.quoted or self.prefix)
        return bare and self.text.lower() in STOPWORDS


@dataclass(frozen=True, slots=True)
class Category:
    pattern: str  # 'cs.CV', or 'cs.*' for a prefix


@dataclass(frozen=True, slots=True)
class All:
    include: tuple[Node, ...]
    exclude: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True)
class Any_:
    parts: tuple[Node, ...]


Node = Term | Category | All | Any_


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # '(' ')' 'op' 'term' 'group'
    value: str = ""
    column: str | None = None
    negated: bool = False
    prefix: bool = False
    category: bool = False
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """What a query string means: an FTS5 MATCH expression (None when no words) and filters."""

    text: str
    match: str | None
    filters: Filters
    notes: tuple[str, ...] = ()
    # For search by meaning (see `meaning`): whether the query uses the query language
    # beyond bare words and -exclusions, its free words, and the rest as FTS5 expressions.
    syntax: bool = False
    words: str = ""
    constraint: str | None = None  # field terms the free words leave, to match as well
    excluded: str | None = None  # the top level's words to leave out
    authors: tuple[str, ...] = ()  # the names asked for in `au:` terms (not left out)

    @property
    def empty(self) -> bool:
        return self.match is None and self.filters.empty


# ---------------------------------------------------------------- lexing


def _clean(text: str) -> tuple[str, list[str]]:
    """Text SQLite can bind (no lone surrogates, no NULs), shortened to a sane length."""
    notes = []
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", " ")
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"Only the first {MAX_QUERY_CHARS} characters of the query were used.")
    return text, notes


def _lex(text: str) -> Iterator[_Tok]:
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:  # only trailing whitespace is left
            return
        pos = m.end()
        yield _token(m)


def _token(m: re.Match[str]) -> _Tok:
    if m["lparen"]:
        return _Tok("(", negated=m["lparen"].startswith("-"))
    if m["rparen"]:
        return _Tok(")")
    if m["gfield"]:
        name = m["gfield"].lower()
        return _Tok("group", column=FIELDS.get(name), category=name in CATEGORY_FIELDS)
    name = (m["field"] or "").lower()
    phrase = m["phrase"]
    raw = phrase if phrase is not None else m["word"] or ""
    if m["field"] and name not in FIELDS and name not in CATEGORY_FIELDS:
        raw = f"{m['field']}:{raw}"  # not a field: 'http://…', 'Note:' are words
        name = ""
    if phrase is None and not m["neg"] and not name and raw in _OPERATORS:
        return _Tok("op", raw)
    prefix = bool(m["pstar"]) if phrase is not None else raw.endswith("*")
    column = FIELDS.get(name)
    if name in ("au", "author", "authors") and phrase is None:
        raw = raw.replace("_", " ")  # arXiv's au:del_maestro
    return _Tok(
        "term",
        raw.rstrip("*") if phrase is None else raw,
        column=column,
        negated=bool(m["neg"]),
        prefix=prefix,
        category=name in CATEGORY_FIELDS,
        quoted=phrase is not None,
    )


# ---------------------------------------------------------------- parsing


@dataclass(slots=True)
class _Parser:
    """Recursive descent that never fails: stray operators and parentheses are skipped."""

    toks: list[_Tok]
    notes: list[str] = field(default_factory=list)
    pos: int = 0
    depth: int = 0  # open parentheses around the current token

    def peek(self) -> _Tok | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def parse(self) -> Node:
        parts: list[Node] = []
        while self.peek() is not None:
            parts.append(self.any_of(None, False))
            if self.peek() is not None:  # a ')' nothing opened
                self.pos += 1
                self._note("A closing parenthesis without an opening one was ignored.")
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def any_of(self, column: str | None, category: bool) -> Node:
        parts = [self.all_of(column, category)]
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.value == "OR":
            self.pos += 1
            parts.append(self.all_of(column, category))
        return parts[0] if len(parts) == 1 else Any_(tuple(parts))

    def all_of(self, column: str | None, category: bool) -> Node:
        include: list[Node] = []
        exclude: list[Node] = []
        negate = False
        while (tok := self.peek()) is not None and tok.kind != ")":
            if tok.kind == "op":
                if tok.value == "OR":
                    break
                self.pos += 1
                negate = tok.value in ("NOT", "ANDNOT")
                continue
            if tok.kind in ("(", "group") and self.depth >= MAX_DEPTH:
                self.pos += 1  # so deep a nesting means nothing; recursing on it overflows
                self._note(f"Parentheses nested deeper than {MAX_DEPTH} were ignored.")
                continue
            node, negated = self.unary(column, category)
            (exclude if negated != negate else include).append(node)
            negate = False
        if len(include) == 1 and not exclude:
            return include[0]
        return All(tuple(include), tuple(exclude))

    def unary(self, column: str | None, category: bool) -> tuple[Node, bool]:
        tok = self.toks[self.pos]
        self.pos += 1
        if tok.kind in ("(", "group"):
            inner_column = tok.column if tok.kind == "group" else column
            self.depth += 1
            inner = self.any_of(inner_column, category or tok.category)
            self.depth -= 1
            if self.peek() is not None:
                self.pos += 1  # the matching ')'
            else:
                self._note("An unclosed parenthesis was closed at the end of the query.")
            return inner, tok.negated
        if tok.category or category:
            return Category(tok.value + ("*" if tok.prefix else "")), tok.negated
        return Term(tok.value, tok.column or column, tok.prefix, tok.quoted), tok.negated

    def _note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)


# ---------------------------------------------------------------- compiling to FTS5


def _has_token(text: str) -> bool:
    """Whether FTS5's unicode61 tokenizer finds a word in `text` (letters, digits, private
    use); emoji and punctuation alone make no token, and an empty phrase matches nothing."""
    return any(
        unicodedata.category(ch)[0] in "LN" or unicodedata.category(ch) == "Co" for ch in text
    )


@dataclass(slots=True)
class _Compiler:
    notes: list[str]
    terms: int = 0
    groups: list[tuple[str, ...]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    def compile(self, node: Node) -> str | None:
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Category):
            self.groups.append(self.categories([node]))
            return None
        if isinstance(node, Any_):
            return self.any_of(node)
        return self.all_of(node)

    def term(self, node: Term) -> str | None:
        if not _has_token(node.text):
            return None
        if self.terms >= MAX_TERMS:
            self._note(f"Only the first {MAX_TERMS} terms of the query were used.")
            return None
        self.terms += 1
        quoted = '"' + node.text.replace('"', '""') + '"' + (" *" if node.prefix else "")
        return quoted if node.column is None else f"{node.column} : {quoted}"

    def any_of(self, node: Any_) -> str | None:
        cats = [p for p in node.parts if isinstance(p, Category)]
        if cats:
            self.groups.append(self.categories(cats))
        parts = [self.compile(p) for p in node.parts if not isinstance(p, Category)]
        kept = [p for p in parts if p is not None]
        if cats and kept:
            self._note("cat: is a filter: papers must be in that category whatever else matches.")
        return " OR ".join(f"({p})" for p in kept) if kept else None

    def all_of(self, node: All) -> str | None:
        words = [n for n in node.include if not (isinstance(n, Term) and n.stopword)]
        # Words in over half of all abstracts ('the', 'of', 'we') weigh nothing in BM25 and
        # filter out nothing, yet cost a pass over a huge index entry: leave them out
        # unless they are all there is.
        kept = words if any(not isinstance(n, Category) for n in words) else node.include
        include = [p for p in (self.compile(n) for n in kept) if p is not None]
        exclude = [p for p in (self._excluded(n) for n in node.exclude) if p is not None]
        if not include:
            if exclude:
                self._note("Words to leave out need a word to search for; they were ignored.")
            return None
        expr = " AND ".join(f"({p})" for p in include)
        if exclude:
            expr = f"({expr}) NOT ({' OR '.join(f'({p})' for p in exclude)})"
        return expr

    def _excluded(self, node: Node) -> str | None:
        if isinstance(node, Category):
            self.excluded.extend(self.categories([node]))
            return None
        return self.compile(node)

    def categories(self, nodes: Sequence[Category]) -> tuple[str, ...]:
        out = []
        for node in nodes:
            name = node.pattern
            stem = name.rstrip("*").rstrip(".")
            if "." not in stem and _CATEGORY.match(stem):
                out += [stem, f"{stem}.*"]  # an archive: 'cs' means cs.*, 'hep-th' itself
            elif name.endswith("*") and _CATEGORY.match(stem):
                out.append(f"{stem}*")
            else:
                if not _CATEGORY.match(name):
                    self._note(f"{name!r} is not an arXiv category name.")
                    name = name.replace("*", "")  # matched exactly: never a wildcard
                out.append(name)
        return tuple(out)

    def _note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)


def parse(
    text: str,
    category: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> ParsedQuery:
    """Read a query string; `category`, `start` and `end` add filters from outside it."""
    cleaned, notes = _clean(text)
    parser = _Parser(list(_lex(cleaned)), notes)
    compiler = _Compiler(notes)
    tree = parser.parse() if parser.toks else None
    match = compiler.compile(tree) if tree is not None else None
    groups = list(compiler.groups)
    if category:
        groups.append((category,))
    filters = Filters(tuple(groups), tuple(compiler.excluded), start, end)
    if tree is None:
        return ParsedQuery(cleaned, match, filters, tuple(notes))
    words, constraint, excluded = meaning(tree)
    syntax = any(_is_syntax(t) for t in parser.toks)
    # The names asked for in `au:` terms (those of exclusions are not).
    authors = tuple(
        dict.fromkeys(
            t.text for t in _included(tree) if t.column == "authors" and _has_token(t.text)
        )
    )
    return ParsedQuery(
        cleaned, match, filters, tuple(notes), syntax, words, constraint, excluded, authors
    )


def _included(node: Node) -> Iterator[Term]:
    """The terms of a query tree outside its exclusions, in order."""
    if isinstance(node, Term):
        yield node
    elif isinstance(node, All):
        for part in node.include:
            yield from _included(part)
    elif isinstance(node, Any_):
        for part in node.parts:
            yield from _included(part)


def _is_syntax(tok: _Tok) -> bool:
    """Anything but a bare word or a -word: a field, phrase, prefix, operator, parenthesis."""
    if tok.kind != "term":
        return True
    return bool(tok.column or tok.category or tok.quoted or tok.prefix)


def meaning(tree: Node) -> tuple[str, str | None, str | None]:
    """A query as search by meaning reads it: its free words (terms in no field, outside
    exclusions) to turn into a vector, and what must match besides, as FTS5 expressions:
    the field terms (`au:he`) and the top level's words to leave out (`-survey`)."""
    words = " ".join(t.text for t in _included(tree) if t.column is None)
    exclude = tree.exclude if isinstance(tree, All) else ()
    kept = All(tree.include) if isinstance(tree, All) else tree
    rest = _strip_free(kept)
    constraint = _Compiler([]).compile(rest) if rest is not None else None
    terms = tuple(n for n in exclude if not isinstance(n, Category))
    excluded = _Compiler([]).compile(Any_(terms)) if terms else None
    return words, constraint, excluded


def _strip_free(node: Node) -> Node | None:
    """`node` with its free words taken as true: None when nothing else is left."""
    if isinstance(node, Term):
        return node if node.column is not None else None
    if isinstance(node, Category):
        return None  # already a filter
    if isinstance(node, Any_):
        parts = [_strip_free(p) for p in node.parts]
        kept = [p for p in parts if p is not None]
        return None if len(kept) < len(parts) else Any_(tuple(kept))
    include = [p for p in (_strip_free(n) for n in node.include) if p is not None]
    if not include:
        return None
    return All(tuple(include), node.exclude)
