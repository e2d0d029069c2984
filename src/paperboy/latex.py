"""LaTeX in titles, abstracts and comments -> readable Unicode: the one place that knows it.

arXiv's titles and abstracts are plain text with bits of LaTeX: inline math (`$C^3$`,
`$\\mathcal{O}(n)$`), accents (`\\"{o}`), a few text macros (`\\textbf`, `\\%`, `{\\deg}`).
pylatexenc does the conversion; this module decides what is math (`math_spans`: "$100 and
$200" stays money), keeps what is plain text plain (`%`, `~`, `&`, `--` are not LaTeX to
these authors), and turns scripts into Unicode super/subscripts where every character has
one (`x^2` -> x², `AP_{50}` -> AP₅₀), else keeps them readable (`F_V`, `x^(ab)`).

Two outputs, one set of rules: `to_unicode` converts everything (feeds, terminals);
`text_mode` converts only the text outside the math spans and keeps each span as written,
for the web pages, where the browser's KaTeX typesets the math.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import cache

from pylatexenc import latexwalker
from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    SpecialsTextSpec,
    get_default_latex_context_db,
)
from pylatexenc.latexwalker import (
    LatexCharsNode,
    LatexMacroNode,
    LatexNode,
    LatexWalker,
)
from pylatexenc.macrospec import MacroSpec

# pylatexenc logs a warning for every unbalanced brace it tolerates; to_unicode never fails,
# so those would only be noise on the terminal of whoever renders a feed.
logging.getLogger("pylatexenc").setLevel(logging.ERROR)

SUPERSCRIPTS = dict(
    zip(
        "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδεθιφχ′*†‡, ",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᵋᶿᶥᵠᵡ′*†‡, ",
        strict=True,
    )
)
SUPERSCRIPTS.update({"∘": "°", "○": "°", "−": "⁻", "'": "′"})
SUBSCRIPTS = dict(
    zip(
        "0123456789+-=()aehijklmnoprstuvxβγρφχ, ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ, ",
        strict=True,
    )
)
SUBSCRIPTS["−"] = "₋"

# Font and size switches: they change how text looks, never what it says.
_SWITCHES = frozenset({
    "em", "it", "bf", "rm", "sl", "sc", "tt", "sf", "cal", "small", "footnotesize",
    "scriptsize", "tiny", "normalsize", "large", "Large", "huge", "Huge", "ttfamily",
    "bfseries", "itshape", "rmfamily", "sffamily", "noindent", "centering", "xspace", "left",
    "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr", "displaystyle", "textstyle",
    "scriptstyle", "hfill", "break", "nolinebreak", "protect", "romannumeral",
})  # fmt: skip
# Macros that only style their argument: plain text reads better (and searches) than 𝐛𝐨𝐥𝐝.
_PLAIN = frozenset({
    "mathbf", "boldsymbol", "bm", "mathit", "mathsf", "mathtt", "mathrm", "textbf", "textit",
    "textsf", "texttt", "textrm", "textsc", "textnormal", "textup", "emph", "underline",
    "mbox", "operatorname", "ul",
})  # fmt: skip
_WORDS = {
    "deg": "°",
    "degree": "°",
    "textdegree": "°",
    "ie": "i.e.",
    "eg": "e.g.",
    "etc": "etc.",
    "wrt": "w.r.t.",
    "vs": "vs.",
    "etal": "et al.",
    "cf": "cf.",
    "aka": "a.k.a.",
    "textgreater": ">",
    "textless": "<",
    "percent": "%",
    "textasciitilde": "~",
    "\\": " ",
    "newline": " ",
    "par": " ",
    "-": "",  # a hyphenation hint (kinema\-tics), not a character
}
_ACCENTS = {
    "bar": "\u0305",
    "overline": "\u0305",
    "hat": "\u0302",
    "widehat": "\u0302",
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "vec": "\u20d7",
    "dot": "\u0307",
    "ddot": "\u0308",
}


class _Converter(LatexNodes2Text):  # type: ignore[misc]  # pylatexenc has no type hints
    """pylatexenc's converter, with scripts handled in math and unknown macros kept by name."""

    def __init__(self) -> None:
        # Spaces as the source has them: "\\ie the" keeps its space, "{a} {b}" too.
        spaces = {"between-macro-and-chars": False, "between-latex-constructs": True}
        super().__init__(latex_context=_context(), math_mode="text", strict_latex_spaces=spaces)
        self.in_math = False

    def math_text(self, latex: str) -> str:
        """The text of the inside of one math span."""
        self.in_math = True
        try:
            return str(self.nodelist_to_text(_parse(latex)))
        finally:
            self.in_math = False

    def nodelist_to_text(self, nodelist: Sequence[LatexNode]) -> str:
        if not self.in_math:
            return str(super().nodelist_to_text(nodelist))
        out: list[str] = []
        pending = ""  # '^' or '_' still waiting for its argument
        previous: LatexNode | None = None
        for node in nodelist:
            if isinstance(node, LatexCharsNode):
                if isinstance(previous, LatexMacroNode) and self._is_bare_macro_node(previous):
                    out.append("" if pending else previous.macro_post_space)
                for char in node.chars:
                    if pending and not char.isspace():
                        degree = pending == "^" and char == "o" and "".join(out)[-1:].isdigit()
                        out.append("°" if degree else _script(pending, char))  # 360^o
                        pending = ""
                    elif char in "^_" and not pending:
                        pending = char
                    elif not pending:
                        out.append(char)
            else:
                text = str(self.node_to_text(node))
                out.append(_script(pending, text) if pending else text)
                pending = ""
            previous = node
        out.append(pending)
        return "".join(out)

    def _is_bare_macro_node(self, node: LatexNode | None) -> bool:
        # pylatexenc keeps the space after a bare macro; after a switch ("{\\em Foo}") none.
        if isinstance(node, LatexMacroNode) and node.macroname in _SWITCHES:
            return False
        return bool(super()._is_bare_macro_node(node))

    def macro_node_to_text(self, node: LatexMacroNode) -> str:
        name = node.macroname
        if self.in_math and name in _ACCENTS:
            arg = str(self.node_arg_to_text(node, 0))
            return arg + _ACCENTS[name] if len(arg) == 1 else f"{name}({arg})"
        if self.latex_context.get_macro_spec(name) is None:
            # An author's own macro (\systemname, \ours): its name says more than nothing.
            return str(name)
        return str(super().macro_node_to_text(node))


@cache
def _context() -> object:
    """pylatexenc's macros, without the typesetting specials plain text does not mean."""
    db = get_default_latex_context_db().filter_context(exclude_categories=["nonascii-specials"])
    macros = [MacroTextSpec(name, "") for name in _SWITCHES]
    macros += [MacroTextSpec(name, discard=False) for name in _PLAIN]
    macros += [MacroTextSpec(name, text) for name, text in _WORDS.items()]
    macros += [
        MacroTextSpec("url", "%s"),
        MacroTextSpec(
            "textsuperscript", lambda n, l2tobj: _script("^", l2tobj.node_arg_to_text(n, 0))
        ),
        MacroTextSpec(
            "textsubscript", lambda n, l2tobj: _script("_", l2tobj.node_arg_to_text(n, 0))
        ),
        MacroTextSpec("href", _href),
        MacroTextSpec("unicode", _unicode),
        MacroTextSpec("color", ""),
        MacroTextSpec("cite", lambda n, l2tobj: f"[{_last_arg(n, l2tobj)}]"),
        MacroTextSpec("citep", lambda n, l2tobj: f"[{_last_arg(n, l2tobj)}]"),
        MacroTextSpec("citet", lambda n, l2tobj: f"[{_last_arg(n, l2tobj)}]"),
        MacroTextSpec("footnote", lambda n, l2tobj: f" ({_last_arg(n, l2tobj)})"),
    ]
    db.add_context_category(
        "paperboy", macros=macros, specials=[SpecialsTextSpec("&", "&")], prepend=True
    )
    return db


def _last_arg(node: LatexMacroNode, l2tobj: LatexNodes2Text) -> str:
    """The mandatory argument of \\cite*[p. 3]{key} or \\footnote{text}, after any options."""
    return str(l2tobj.node_arg_to_text(node, len(node.nodeargd.argnlist) - 1))


def _href(node: LatexMacroNode, l2tobj: LatexNodes2Text) -> str:
    url, text = str(l2tobj.node_arg_to_text(node, 0)), str(l2tobj.node_arg_to_text(node, 1))
    return url if text in ("", url) else f"{text} ({url})"


def _unicode(node: LatexMacroNode, l2tobj: LatexNodes2Text) -> str:
    """MathJax's \\unicode{x2014} (hex) or \\unicode{8212} (decimal): that character."""
    code = str(l2tobj.node_arg_to_text(node, 0)).strip().lower()
    try:
        number = int(code[1:], 16) if code.startswith("x") else int(code)
        return chr(number)
    except (ValueError, OverflowError):
        return code


def _parse(latex: str) -> list[LatexNode]:
    walker = LatexWalker(latex, latex_context=_parse_context(), tolerant_parsing=True)
    nodes: list[LatexNode] = walker.get_latex_nodes()[0]
    return nodes


@cache
def _parse_context() -> object:
    """The parser's macros, plus the arguments of those it does not know; no typesetting
    specials (`~`, `--`, `''`): plain text here, and testing for them at every character is
    most of the parser's time."""
    db = latexwalker.get_default_latex_context_db()
    db = db.filter_context(exclude_categories=["nonascii-specials"])
    db.add_context_category(
        "paperboy",
        macros=[
            MacroSpec("href", "{{"),
            MacroSpec("unicode", "{"),
            MacroSpec("citep", "*[[{"),
            MacroSpec("citet", "*[[{"),
        ],
        prepend=True,
    )
    return db


def _script(kind: str, text: str) -> str:
    """`text` raised (kind '^') or lowered ('_'): Unicode when every character has a form."""
    table = SUPERSCRIPTS if kind == "^" else SUBSCRIPTS
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    if len(text) <= 1:
        return kind + text
    return f"{kind}({text})"


# Math is paired as MathJax pairs it on arXiv's pages (what authors proofread): the next
# unescaped `$` closes. "$6 to $26" becomes math too, harmless, since math keeps its letters
# and the spaces its source has.
_MATH = re.compile(
    r"\$\$(?P<display>.+?)\$\$"
    r"|\$(?P<inline>[^$]+?)\$"
    r"|\\\((?P<paren>.+?)\\\)"
    r"|\\\[(?P<bracket>.+?)\\\]",
    re.DOTALL,
)
_ESCAPED_DOLLAR = re.compile(r"(?<!\\)(\\\\)*\\$")
_BARE_PERCENT = re.compile(r"(?<!\\)((?:\\\\)*)%")
_BARE_DOLLAR = re.compile(r"(?<!\\)((?:\\\\)*)\$")
# A tie joins two words ("Fig.~1", "at~\url"); any other tilde means "about" (by ~1%).
_TIE = re.compile(r"(?<=[\w.,;:)\]}])~(?=[\w\\({\[])")
_QUOTES = re.compile(r"``(.*?)(?:''|\")", re.DOTALL)
_HREF_LABEL_MATH = re.compile(r"(\\href\{[^{}]*\}\{)\s*\$([^${}]*)\$\s*\}")
_DOUBLED_DOT = re.compile(r"(?<=\b(?:i\.e|e\.g|etc))\.\.")


def to_unicode(text: str) -> str:
    """`text` with its LaTeX, math included, turned into Unicode; text with no `$`,
    backslash or ``` `` ``` is unchanged.

    Never raises: what pylatexenc cannot make sense of comes out as close to the input as it
    can (an unclosed brace is dropped, an unknown macro keeps its name).
    """
    if "$" not in text and "\\" not in text and "``" not in text:
        return text
    conv = _Converter()
    text = _prepared(text)
    out: list[str] = []
    pos = 0
    for m in _math_spans(text):
        out.append(_text_part(conv, text[pos : m.start()]))
        math = next(g for g in m.groups() if g is not None)
        math = conv.math_text(_BARE_PERCENT.sub(r"\1\\%", math).replace("~", " "))
        out.append(_spaced(math, text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]))
        pos = m.end()
    out.append(_text_part(conv, text[pos:]))
    return "".join(out)


def text_mode(text: str) -> str:
    """`text` with its LaTeX outside the math spans turned into Unicode, each span (and an
    escaped `\\$`) kept as written for the browser's KaTeX, which pairs `$` the same way."""
    if "\\" not in text and "``" not in text:
        return text  # most titles and abstracts: nothing to do
    conv = _Converter()
    text = _prepared(text)
    out: list[str] = []
    pos = 0
    for m in _math_spans(text):
        out.append(_kept_dollars(conv, text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_kept_dollars(conv, text[pos:]))
    return "".join(out)


def _kept_dollars(conv: _Converter, text: str) -> str:
    # Unescaped, `\\$5 and \\$6` would become math to KaTeX.
    return "\\$".join(_text_part(conv, part) for part in text.split("\\$"))


def _prepared(text: str) -> str:
    """What both outputs do before looking for math: ``quotes'' made curly, and the `$` of a
    link label dropped (\\href{url}{$github.com/x$} is a typewriter hack, not math)."""
    text = _QUOTES.sub(r"“\1”", text)
    return _HREF_LABEL_MATH.sub(r"\1\2}", text)


def _spaced(math: str, before: str, after: str) -> str:
    """`math` keeping its own outer spaces only where the text beside it has none:
    "$6.0 to $26" reads "6.0 to 26", "apply $ \\sigma$ scaling" reads "apply σ scaling"."""
    if not before or before.isspace():
        math = math.lstrip()
    if not after or after.isspace():
        math = math.rstrip()
    return math


def _is_money(m: re.Match[str]) -> bool:
    """ "$6 to $26": a `$` before a digit, closed by one after a space and before a digit."""
    inline = m.group("inline")
    after = m.string[m.end() : m.end() + 1]
    return inline is not None and inline[0].isdigit() and inline[-1].isspace() and after.isdigit()


def math_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each math span of `text`, delimiters included, as to_unicode sees them."""
    return [m.span() for m in _math_spans(text)]


def _math_spans(text: str) -> list[re.Match[str]]:
    """The math spans of `text`, skipping `$` escaped as `\\$`."""
    spans: list[re.Match[str]] = []
    pos = 0
    while (m := _MATH.search(text, pos)) is not None:
        if text[m.start()] == "$" and _ESCAPED_DOLLAR.search(text, 0, m.start()):
            pos = m.start() + 1  # an escaped \$ is literal: look again after it
            continue
        if _is_money(m):
            pos = m.end()  # both are prices
            continue
        spans.append(m)
        pos = m.end()
    return spans


def _text_part(conv: _Converter, text: str) -> str:
    """Text outside math: its runs of LaTeX converted, the plain words between them kept.

    pylatexenc reads a character at a time, so only the words that hold LaTeX go to it (a
    run ends where its braces close and no bare macro waits for an argument).
    """
    out: list[str] = []
    run: list[str] = []
    depth, glued = 0, False
    for piece in _PIECES.findall(_TIE.sub(" ", text)):
        if piece.isspace() or not (run or _LATEXY.search(piece)):
            (run if run else out).append(piece)
            continue
        if run and not (depth > 0 or glued or _LATEXY.search(piece)):
            _flush(conv, run, out)
            out.append(piece)
            continue
        run.append(piece)
        depth = max(0, depth + len(_OPEN.findall(piece)) - len(_CLOSE.findall(piece)))
        glued = _BARE_MACRO_END.search(piece) is not None
    _flush(conv, run, out)
    return _DOUBLED_DOT.sub(".", "".join(out))


def _flush(conv: _Converter, run: list[str], out: list[str]) -> None:
    """Convert a run of LaTeX words into `out`; its trailing spaces stay as they were."""
    trailing: list[str] = []
    while run and run[-1].isspace():
        trailing.insert(0, run.pop())
    if run:
        latex = _BARE_DOLLAR.sub(r"\1\\$", _BARE_PERCENT.sub(r"\1\\%", "".join(run)))
        out.append(str(conv.nodelist_to_text(_parse(latex))))
    out.extend(trailing)
    run.clear()


_PIECES = re.compile(r"\s+|\S+")
_LATEXY = re.compile(r"[\\{}]")
_OPEN = re.compile(r"(?<!\\)\{")
_CLOSE = re.compile(r"(?<!\\)\}")
_BARE_MACRO_END = re.compile(r"\\(?:[A-Za-z]+|[^A-Za-z\s])$")
