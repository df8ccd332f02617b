"""Normalisation: Unicode, case, punctuation, "&", legal suffixes, abbreviations, blanks."""

from __future__ import annotations

import pytest

from workbench.payees.normalize import normalize, normalize_parts


@pytest.mark.parametrize(("raw", "expected"), [
    ("ACME Corp.", "acme corp"),
    ("Acme Corporation", "acme corp"),
    ("acme  incorporated", "acme inc"),
    ("Tata Steel Private Limited", "tata steel pvt ltd"),
    ("Tata Steel Pvt. Ltd.", "tata steel pvt ltd"),
    ("Smith & Sons Plumbing", "smith and sons plumbing"),
    ("Smith+Sons", "smith and sons"),
    ("O'Brien Pty. Ltd.", "obrien pty ltd"),
    ("Widgets, L.L.C.", "widgets llc"),
    ("ＡＣＭＥ　Ｉｎｃ", "acme inc"),  # full-width letters and space (NFKC)
    ("STRASSE GmbH", "strasse gmbh"),
    ("Straße GmbH", "strasse gmbh"),  # case folding, not just lower()
    ("Intl Paper Co", "international paper co"),
    ("Acme Mfg. Co.", "acme manufacturing co"),
])
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_core_drops_legal_forms_and_leading_the() -> None:
    parts = normalize_parts("The Swidler Spanola & Co, LLC")
    assert parts.core == "swidler spanola"
    assert parts.legal == ("and co", "llc")


def test_short_legal_words_in_personal_names_are_kept() -> None:
    assert normalize_parts("Jose Da").legal == ()
    assert normalize_parts("Jose Da Silva").core == "jose da silva"


@pytest.mark.parametrize("blank", [None, float("nan"), "", "   ", 12.5])
def test_blank_or_unreadable_is_empty(blank: object) -> None:
    assert normalize(blank) == ""
