"""Classification: each label's rules, blanks, calibration fields, reproducibility."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.payees.classify import PayeeClassifier
from workbench.payees.evaluate import evaluate_classifier, split


def _one(classifier, name: object) -> dict:
    return classifier.classify([name]).iloc[0].to_dict()


@pytest.mark.parametrize("name", [
    "City of Springfield", "Nagar Nigam Lucknow", "Lancashire County Council",
    "Board of Education of Cook County", "Department of Revenue", "Brihanmumbai Municipal "
    "Corporation", "Gram Panchayat Rampur", "Ministry of Defence"])
def test_public_bodies_are_government(small_classifier, name: str) -> None:
    row = _one(small_classifier, name)
    assert row["label"] == "government", row
    assert row["reason"]


@pytest.mark.parametrize("name", [
    "Acme Steel LLC", "Sharma Textiles Pvt Ltd", "Smith & Sons Plumbing Inc",
    "Midlands Logistics Limited", "John Smith DBA Smith Plumbing"])
def test_businesses(small_classifier, name: str) -> None:
    row = _one(small_classifier, name)
    assert row["label"] == "business", row


def test_dba_is_business_by_rule(small_classifier) -> None:
    assert "DBA" in _one(small_classifier, "John Smith DBA Smith Plumbing")["reason"]


@pytest.mark.parametrize(("name", "reason"), [
    ("Dr. Jane Doe", "personal title"),
    ("John and Mary Smith", "household"),
    ("Mr and Mrs Robert Jones", "household"),
])
def test_individual_rules(small_classifier, name: str, reason: str) -> None:
    row = _one(small_classifier, name)
    assert row["label"] == "individual"
    assert reason in row["reason"]


def test_gazetteer_hits_give_the_registry_as_reason(small_classifier, small_training) -> None:
    gov = small_training[small_training["source"] == "dotgov"]["name"].iloc[0]
    sec = small_training[small_training["source"] == "sec"]["name"].iloc[0]
    assert "registry" in _one(small_classifier, gov)["reason"]
    assert "SEC" in _one(small_classifier, sec)["reason"]


def test_blank_and_unreadable_names_are_kept_with_a_reason(small_classifier) -> None:
    out = small_classifier.classify([None, "", "  ", "---", 42, "Acme LLC"])
    assert len(out) == 6
    assert list(out["label"][:5]) == [""] * 5
    assert out["reason"][0].startswith("blank") and out["reason"][3].startswith("unreadable")
    assert "not text" in out["reason"][4]
    assert out["label"][5] == "business"


def test_output_fields_and_ranges(small_classifier) -> None:
    out = small_classifier.classify(["Acme Corp.", "Jane Doe", "Town of Foster"])
    assert list(out.columns) == ["label", "confidence", "reason", "normalized"]
    assert out["confidence"].between(0, 1).all()
    assert out["normalized"][0] == "acme corp"


def test_same_data_and_seed_give_the_same_model(small_training) -> None:
    sample = small_training.sample(1200, random_state=1)
    first = PayeeClassifier.train(sample, seed=9)
    second = PayeeClassifier.train(sample.sample(frac=1.0, random_state=2), seed=9)  # reordered
    assert first.fingerprint() == second.fingerprint()
    names = small_training["name"].head(300).tolist()
    pd.testing.assert_frame_equal(first.classify(names), second.classify(names))
    other = PayeeClassifier.train(sample, seed=10)
    assert other.fingerprint() != first.fingerprint()


def test_split_holds_out_the_test_file_and_never_overlaps(labelled) -> None:
    train, test = split(labelled, seed=4)
    assert not set(train["name"]) & set(test["name"])
    assert test["source"].str.startswith("probablepeople-test").sum() == \
        labelled["source"].str.startswith("probablepeople-test").sum()
    share = len(test) / len(labelled)
    assert 0.18 < share < 0.23


def test_evaluation_tables_are_consistent(small_training) -> None:
    evaluation = evaluate_classifier(small_training, seed=2, test_share=0.25)
    confusion = evaluation.confusion()
    assert confusion.to_numpy().sum() == len(evaluation.predictions)
    assert np.isclose(np.trace(confusion.to_numpy()) / confusion.to_numpy().sum(),
                      evaluation.accuracy)
    reliability = evaluation.reliability()
    assert reliability["names"].sum() == len(evaluation.predictions)
    # even a small model is far better than chance on names it never saw
    assert evaluation.accuracy > 0.85


def test_organisation_words_and_name_lists_are_markers() -> None:
    from workbench.payees.features import describe

    assert describe("Calvary Baptist Church").markers.count("__orgword") == 2
    assert "__name_list" in describe("Boies, Schiller & Flexner").markers
    assert "__name_list" in describe("Campbell, Black, Carnine, Hedin").markers
    plain = describe("Smith, John").markers
    assert "__orgword" not in plain and "__name_list" not in plain


def test_word_model_reads_words_pairs_and_markers() -> None:
    from workbench.payees.model import words_and_pairs

    assert words_and_pairs("lancashire county council __public __ntok3") == [
        "lancashire", "county", "council", "__public", "__ntok3",
        "lancashire county", "county council"]
    assert words_and_pairs("acme") == ["acme"]


def test_structure_counts_what_the_name_shows() -> None:
    from workbench.payees.features import MARKER_FAMILIES, SHAPE, describe, structure

    rows = structure([describe("Dr. Jane Doe"), describe("Acme Steel Pvt. Ltd."),
                      describe("Town of Foster")])
    col = {name: i for i, name in enumerate([*SHAPE, *MARKER_FAMILIES])}
    doctor, firm, town = rows
    assert doctor[col["tokens"]] == 3 and doctor[col["titles"]] == 1  # title included
    assert doctor[col["given_names"]] == 1 and doctor[col["surnames"]] == 1
    assert doctor[col["__given_first"]] == 1 and doctor[col["__honorific"]] == 1
    assert firm[col["legal_forms"]] == 1 and firm[col["__legal"]] == 2  # "pvt ltd": 2 markers
    assert firm[col["business_words"]] == 1  # "steel"
    assert town[col["public_phrases"]] == 1 and town[col["__public"]] == 2
    assert rows.shape == (3, len(SHAPE) + len(MARKER_FAMILIES))
