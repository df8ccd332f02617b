"""Supplier matching: the spec's positives must match, distractors must not; other fields."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.payees.match import SupplierIndex
from workbench.payees.synth import (
    distractor_queries,
    gstin_check,
    perturbed_queries,
    synth_master,
)

SPEC_SUPPLIERS = pd.DataFrame([
    {"supplier_id": "A1", "name": "ACME CORPORATION", "postal_code": "411001", "tax_id": ""},
    {"supplier_id": "A2", "name": "Acme Steel Inc", "postal_code": "", "tax_id": ""},
    {"supplier_id": "A3", "name": "Smith & Sons Plumbing", "postal_code": "", "tax_id": ""},
    {"supplier_id": "A4", "name": "International Paper Company", "postal_code": "",
     "tax_id": "13-0872805"},
    {"supplier_id": "A5", "name": "Gardiner Roofing Ltd", "postal_code": "", "tax_id": ""},
])


@pytest.fixture(scope="module")
def master() -> pd.DataFrame:
    return pd.concat([synth_master(4000, seed=21), SPEC_SUPPLIERS], ignore_index=True)


@pytest.fixture(scope="module")
def index(master: pd.DataFrame) -> SupplierIndex:
    return SupplierIndex(master)


@pytest.mark.parametrize(("query", "expected"), [
    ("Acme Corp.", "A1"),                         # case, punctuation, legal suffix
    ("Plumbing Smith and Sons", "A3"),            # word order, "&"
    ("Smith & Sosn Plumbing", "A3"),              # a typo
    ("Smtih & Sons Plumbng", "A3"),               # two typos
    ("Intl Paper Co", "A4"),                      # abbreviations
    ("acme steel", "A2"),
])
def test_the_same_supplier_written_differently_matches(index, query: str, expected: str) -> None:
    best = index.match([query])[0][0]
    assert best.supplier_id == expected
    assert best.match, best


@pytest.mark.parametrize(("query", "not_this"), [
    ("Acme Foods", "A2"),                  # shares "Acme" with Acme Steel
    ("Smith & Sons Electricals", "A3"),    # shares "Smith & Sons"
    ("Gardner Roofing Ltd", "A5"),          # a different, real surname one letter away
])
def test_different_suppliers_sharing_a_word_do_not_match(index, query: str,
                                                         not_this: str) -> None:
    candidates = index.match([query], top_k=5)[0]
    assert not any(c.match and c.supplier_id == not_this for c in candidates), candidates


def test_top_k_scores_and_threshold(index) -> None:
    candidates = index.match(["Acme Corp"], top_k=4, threshold=0.95)[0]
    assert len(candidates) == 4
    scores = [c.score for c in candidates]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert [c.match for c in candidates] == [s >= 0.95 for s in scores]


def test_tax_id_and_postal_code_count_when_both_sides_have_them(index) -> None:
    query = pd.DataFrame({"name": ["Papers International"], "tax_id": ["13 0872805"]})
    assert index.match(query)[0][0].supplier_id == "A4"
    assert index.match(query)[0][0].match
    wrong_tax = pd.DataFrame({"name": ["International Paper Co"], "tax_id": ["99-9999999"]})
    assert not index.match(wrong_tax)[0][0].match
    near = pd.DataFrame({"name": ["Acme Corp"], "postal_code": ["411 001"]})
    far = pd.DataFrame({"name": ["Acme Corp"], "postal_code": ["560001"]})
    assert index.match(near)[0][0].score > index.match(far)[0][0].score


def test_blank_query_has_no_candidates(index) -> None:
    assert index.match([None, ""]) == [[], []]


def test_perturbed_queries_and_distractors(master, index) -> None:
    queries = perturbed_queries(master, 300, seed=4)
    found = index.match(queries)
    tax = dict(zip(master["supplier_id"], master["tax_id"], strict=True))
    right = [bool(c) and c[0].match and tax[c[0].supplier_id] == t
             for c, t in zip(found, queries["tax_id"], strict=True)]
    assert np.mean(right) >= 0.9
    distractors = distractor_queries(master, 150, seed=4)
    wrongly = [bool(c) and c[0].match for c in index.match(distractors)]
    assert np.mean(wrongly) <= 0.03


def test_a_batch_matches_as_its_queries_one_by_one(master, index) -> None:
    """Queries are blocked and scored a batch at once: no query may change another's result."""
    names = (perturbed_queries(master, 40, seed=9)["name"].tolist()
             + distractor_queries(master, 20, seed=9)["name"].tolist()
             + ["", "Acme Corp", "Smtih & Sons Plumbng", "the"])
    together = index.match(names, top_k=4, batch=25)
    alone = [index.match([name], top_k=4)[0] for name in names]
    assert [[c.to_dict() for c in found] for found in together] == \
        [[c.to_dict() for c in found] for found in alone]
    assert sum(bool(found) for found in together) >= len(names) - 2


def test_a_misspelt_word_finds_its_look_alikes() -> None:
    """"Gardinr" is no word of the master: its look-alike "gardiner" stands in for it, or the
    sixty plain "Roofing" suppliers, closer on the word they share, would fill the block."""
    master = pd.DataFrame({"supplier_id": [f"R{i}" for i in range(60)] + ["A5"],
                           "name": ["Roofing Ltd"] * 60 + ["Gardiner Roofing Ltd"]})
    best = SupplierIndex(master).match(["Gardinr Roofing"])[0][0]
    assert best.supplier_id == "A5" and best.match, best


def test_master_needs_id_and_name() -> None:
    with pytest.raises(ValueError, match="supplier_id"):
        SupplierIndex(pd.DataFrame({"name": ["x"]}))


def test_synthetic_master_is_reproducible_and_realistic() -> None:
    first, second = synth_master(800, seed=3), synth_master(800, seed=3)
    pd.testing.assert_frame_equal(first, second)
    assert not first.equals(synth_master(800, seed=4))
    assert len(first) == 800 and first["supplier_id"].is_unique
    assert set(first["country"]) == {"IN", "US", "GB"}
    # near-duplicates on purpose: records of one supplier share a tax id
    assert first["tax_id"].duplicated().sum() == int(800 * 0.02)
    gstins = first.loc[first["country"] == "IN", "tax_id"]
    assert all(len(g) == 15 and g[-1] == gstin_check(g[:14]) for g in gstins)


def test_gstin_check_character_of_a_published_example() -> None:
    assert gstin_check("27AAPFU0939F1Z") == "V"  # 27AAPFU0939F1ZV, the GSTN's sample
