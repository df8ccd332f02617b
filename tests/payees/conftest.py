"""Fixtures for the payees tests: the labelled names (skipped when absent) and a small model."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.payees.labelled import LabelledDataMissing, find_data_dir, load_labelled


@pytest.fixture(scope="session")
def labelled() -> pd.DataFrame:
    try:
        find_data_dir()
    except LabelledDataMissing as exc:
        pytest.skip(str(exc))
    return load_labelled()


@pytest.fixture(scope="session")
def small_training(labelled: pd.DataFrame) -> pd.DataFrame:
    """A seeded sample of every source: enough to learn from, quick to train on."""
    parts = [g.sample(min(len(g), 600), random_state=3) for _, g in labelled.groupby("source")]
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="session")
def small_classifier(small_training: pd.DataFrame):
    from workbench.payees.classify import PayeeClassifier

    return PayeeClassifier.train(small_training, seed=5)
