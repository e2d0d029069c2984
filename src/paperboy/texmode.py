r"""Text-mode LaTeX in titles, abstracts and comments made plain Unicode; math left alone.

Authors write `360{\deg}`, `B\'ezier`, `\textbf{S}hifted windows`, `87\%` and `\url{…}`
outside `$…$`, and arXiv keeps them as written. The web pages pass text through `text_mode`
before the browser's KaTeX renders what is inside the math delimiters, so neither kind of
markup is left raw. Macros it does not know (a paper's own `\ours`) stay as written.
"""

from __future__ import annotations

import re
import unicodedata

# Math as KaTeX's auto-render finds it; an escaped `\$` opens nothing.
_MATH = re.compile(r"(?<!\\)\$\$.+?(?<!\\)\$\$|(?<!\\)\$.+?(?<!\\)\$|\\\(.+?\\\)|\\\[.+?\\\]", re.S)

_COMBINING = {
    "`": "\u0300", "'": "\u0301", "^": "\u0302", "~": "\u0303", "=": "\u0304", ".": "\u0307",
    '"': "\u0308", "c": "\u0327", "v": "\u030c", "u": "\u0306", "H": "\u030b", "r": "\u030a",
    "k": "\u0328",
}  # fmt: skip
_LETTER = r"(\\[ij](?![a-zA-Z])|[a-zA-Z])"
# \'e \'{e} \"{\i}; the letter-named accents (\c{c}, \v{s}, \r{A}) need their braces.
_ACCENT_BODY = (
    r"(?:\\([`'^~=.\"])\s*(?:\{"
    + _LETTER
    + r"\}|"
    + _LETTER
    + r")|\\([cvuHrk])\{"
    + _LETTER
    + r"\})"
)
_ACCENT = re.compile(r"\{" + _ACCENT_BODY + r"\}|" + _ACCENT_BODY)  # {\'e} first, then \'e

_SYMBOLS = {
    "deg": "°", "degree": "°", "textdegree": "°", "pm": "±", "textpm": "±", "mp": "∓",
    "times": "×", "texttimes": "×", "div": "÷", "sim": "∼", "approx": "≈", "infty": "∞",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "cdot": "·", "ldots": "…",
    "dots": "…", "textgreater": ">", "textless": "<", "textendash": "–", "textemdash": "—",
    "rightarrow": "→", "to": "→", "leftarrow": "←", "textbullet": "•", "copyright": "©",
    "textregistered": "®", "texttrademark": "™", "textasciitilde": "~", "textbackslash": "\\",
    "O": "Ø", "o": "ø", "AA": "Å", "aa": "å", "ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ",
    "OE": "Œ", "L": "Ł", "l": "ł", "i": "ı", "j": "ȷ",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # Abbreviations papers define for themselves, common enough to know.
    "ie": "i.e.", "eg": "e.g.", "etc": "etc.", "wrt": "w.r.t.", "etal": "et al.",
    "vs": "vs.", "cf": "cf.", "aka": "a.k.a.",
}  # fmt: skip
# `{\deg}`, `\deg{}`, `\deg`: a known name not running into more letters.
_SYMBOL = re.compile(r"\{\\([a-zA-Z]+)\}|\\([a-zA-Z]+)(?![a-zA-Z])(?:\{\})?")

_SWITCHES = (
    "bf|it|em|sl|sc|tt|rm|sf|small|footnotesize|scriptsize|tiny|normalsize|large|Large"
    "|bfseries|itshape|ttfamily"
)
# What opens a group whose text stays and whose markup goes: `\textbf{`, `{\bf `, `\color{x}{`.
_OPENER = re.compile(
    r"\\(?:textbf|textit|textsl|textsc|texttt|textrm|textsf|textup|textmd|textnormal|emph"
    r"|underline|text|mbox|hbox|url|nolinkurl)\s*\{"
    r"|\\(?:textcolor|color)\{[^{}]*\}\s*\{"
    r"|\{\\(?:" + _SWITCHES + r")(?![a-zA-Z])\s*"
)
_LEFTOVER = re.compile(r"\\color\{[^{}]*\}|\\(?:" + _SWITCHES + r")(?![a-zA-Z])\s*")
_HREF = re.compile(r"\\href\{([^{}]*)\}\{([^{}]*)\}")
_CITE = re.compile(r"\\cite[tp]?\*?(?:\[[^\]]*\])?\{([^{}]*)\}")
_FOOTNOTE = re.compile(r"\\footnote\{([^{}]*)\}")
_ESCAPES = {"%": "%", "&": "&", "_": "_", "#": "#", "{": "{", "}": "}", ",": "\u2009",
            ";": " ", ":": " ", " ": " ", "-": "", "/": ""}  # fmt: skip
_ESCAPE = re.compile(r"\\([%&_#{},;: /-])")
_QUOTES = re.compile(r"``(.*?)(?:''|\")", re.S)


def text_mode(text: str) -> str:
    """`text` with its text-mode LaTeX outside math delimiters made Unicode."""
    if "\\" not in text and "``" not in text:
        return text  # most titles and abstracts: nothing to do
    text = _HREF.sub(_href, text)  # first: its label can be a `$…$` typewriter hack
    out: list[str] = []
    at = 0
    for m in _MATH.finditer(text):
        out.append(_plain(text[at : m.start()]))
        out.append(m.group(0))
        at = m.end()
    out.append(_plain(text[at:]))
    return "".join(out)


def _plain(text: str) -> str:
    if "\\" not in text and "``" not in text:
        return text
    text = _QUOTES.sub(r"“\1”", text)
    text = _CITE.sub(r"[\1]", text)
    text = _FOOTNOTE.sub(r" (\1)", text)
    text = _ACCENT.sub(_accent, text)
    text = _LEFTOVER.sub("", _unwrap(text))
    text = _SYMBOL.sub(_symbol, text)
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group(1)], text)


def _unwrap(text: str) -> str:
    """Each markup group (outermost first) replaced by its text; an unclosed one left as is."""
    at = 0
    while m := _OPENER.search(text, at):
        close = _closing(text, m.end())
        if close < 0:
            at = m.end()
            continue
        text = text[: m.start()] + text[m.end() : close] + text[close + 1 :]
        at = m.start()
    return text


def _closing(text: str, start: int) -> int:
    """Index of the `}` closing a group whose text starts at `start`, or -1."""
    depth = 0
    for i in range(start, len(text)):
        c = text[i]
        if c == "\\":
            continue
        if c == "{" and text[i - 1] != "\\":
            depth += 1
        elif c == "}" and text[i - 1] != "\\":
            if depth == 0:
                return i
            depth -= 1
    return -1


def _accent(m: re.Match[str]) -> str:
    groups = [g for g in m.groups() if g is not None]
    mark, letter = groups[0], groups[1]
    base = {"\\i": "i", "\\j": "j"}.get(letter, letter)
    return unicodedata.normalize("NFC", base + _COMBINING[mark])


def _symbol(m: re.Match[str]) -> str:
    name = m.group(1) or m.group(2)
    value = _SYMBOLS.get(name)
    if value is None:
        return m.group(0)
    following = m.string[m.end() : m.end() + 1]
    if value.endswith(".") and following == ".":  # "\etc." is not "etc.."
        return value[:-1]
    return value


def _href(m: re.Match[str]) -> str:
    url, label = m.group(1).strip(), m.group(2).strip().strip("$")  # {$github.com/x$}: no math
    return url if label in ("", url) else f"{label} ({url})"
