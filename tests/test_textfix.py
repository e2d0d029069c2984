"""Mojibake: what is repaired, what is recognised, what is left alone."""

from __future__ import annotations

from paperboy.textfix import is_degraded_copy, repair


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
