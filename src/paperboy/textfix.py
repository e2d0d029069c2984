"""Broken text: repair what ftfy can, recognise mojibake of a clean text, report the rest.

Digest files in the wild hold UTF-8 that was read as Latin-1 or cp1252 (`GÃ¼l` for `Gül`),
sometimes with a byte lost on the way (`RisojeviÄ` for `Risojević`). We repair only text that
ftfy judges broken, so good text passes through untouched (exact round trips depend on it).
"""

from __future__ import annotations

import re

_C1 = re.compile("[\u0080-\u009f]")
# What XML 1.0 cannot carry (every view writes XML or HTML from stored text): C0 controls but
# tab, newline and carriage return; surrogates (only a JSON escape can make one); and
# Unicode's non-characters, U+FDD0–U+FDEF and the last two code points of every plane.
_NOT_XML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)


# Everything outside these ranges is a candidate: a quick first look (the exact class above
# is slow on long texts) that clean text, nearly all of it, passes at once.
_SUSPECT = re.compile("[^\t\n\r -\ud7ff\ue000-\ufdcf]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML cannot carry (see _NOT_XML); others untouched."""
    if _SUSPECT.search(text) is None:
        return text
    return _NOT_XML.sub("", text)


_LOST_BYTE = re.compile(r"(?<=[a-z])[ÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑ](?=[\s,.;:)\]]|$)")


def repair(text: str) -> tuple[str, bool]:
    """(text with mojibake fixed, whether it still looks broken)."""
    if text.isascii():
        return text, False
    import ftfy  # a sixth of a second to load: only importing text needs it
    from ftfy.badness import is_bad

    fixed = ftfy.fix_encoding(text) if is_bad(text) else text
    return fixed, bool(is_bad(fixed)) or _has_lost_byte(fixed)


def _has_lost_byte(text: str) -> bool:
    # A lead byte of a two-byte UTF-8 sequence decoded alone ('Ä', 'Ã', 'Å' …) ending a
    # lower-case word is what a lost continuation byte leaves behind ('RisojeviÄ').
    return _LOST_BYTE.search(text) is not None


def _garbles(word: str) -> set[str]:
    """The ways a word's UTF-8 bytes come out when read as Latin-1 or cp1252."""
    raw = word.encode("utf-8")
    latin = raw.decode("latin-1")
    return {
        latin,
        _C1.sub("", latin),
        raw.decode("cp1252", errors="ignore"),
        raw.decode("cp1252", errors="replace"),
    }


def is_degraded_copy(candidate: str, clean: str) -> bool:
    """True when `candidate` is `clean` with some of its words turned to mojibake.

    Mojibake never touches ASCII bytes, so spaces survive and the texts align word by word.
    """
    if candidate == clean or clean.isascii():
        return False
    cand_words = candidate.split(" ")
    clean_words = clean.split(" ")
    if len(cand_words) != len(clean_words):
        return False
    return all(
        c == w or (not w.isascii() and c in _garbles(w))
        for c, w in zip(cand_words, clean_words, strict=True)
    )
