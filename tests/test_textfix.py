"""Mojibake: what is repaired, what is recognised, what is left alone."""

from __future__ import annotations

import pytest
from lxml import etree

from paperboy.textfix import is_degraded_copy, repair, xml_safe


def test_repairs_latin1_mojibake() -> None:
    assert repair("GÃ¼l Varol") == ("Gül Varol", False)
    assert repair("Luis GÃ³mez-Chova") == ("Luis Gómez-Chova", False)


def test_reports_a_lost_byte_it_cannot_repair() -> None:
    assert repair("Vladimir RisojeviÄ") == ("Vladimir RisojeviÄ", True)


def test_leaves_good_text_alone() -> None:
    for good in ("Gül Varol", "“quoted” — dash", "Ångström, Æsir", "naïve café", "plain"):
        assert repair(good) == (good, False)


def test_recognises_mojibake_of_a_clean_text() -> None:
    clean = "Vladimir Risojević, Vladan Stojnić and Gül Varol"
    assert is_degraded_copy("Vladimir RisojeviÄ, Vladan StojniÄ and GÃ¼l Varol", clean)
    assert is_degraded_copy("Vladimir Risojević, Vladan Stojnić and GÃ¼l Varol", clean)
    assert not is_degraded_copy(clean, clean)
    assert not is_degraded_copy("Vladimir Risojevic, Vladan Stojnic and Gul Varol", clean)
    assert not is_degraded_copy(clean, "Vladimir RisojeviÄ, Vladan StojniÄ and GÃ¼l Varol")


def test_xml_safe_removes_only_what_xml_cannot_carry() -> None:
    kept = "tab\tnewline\nreturn\r é “q” ﬁ \ufe0f \U0001f600 \ufdcf \ufff0 \U0010fffd"
    assert xml_safe(kept) == kept
    etree.Element("x").text = kept  # lxml takes all of it
    bad = "\x00\x01\x08\x0b\x0c\x0e\x1f\ud800\udfff\ufdd0\ufdef\ufffe\uffff\U0001fffe\U0010ffff"
    assert xml_safe("a" + bad + "b") == "ab"
    for c in "\x00\x01\x1f\ufffe\uffff":  # what lxml (feeds, the site) refuses
        with pytest.raises(ValueError, match="XML compatible"):
            etree.Element("x").text = c
