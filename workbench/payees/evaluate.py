"""Held-out evaluation of the classifier: accuracy, per-class precision and recall, confusion
matrix and the reliability (calibration) table.

The split is stratified by source file and label, with a seed; probablepeople's own test file is
always held out. The gazetteers and the model are built from the training part only, so a
held-out name is never looked up in a list that contains it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.payees.classify import DEFAULT_SEED, PayeeClassifier
from workbench.payees.labels import LABELS

CONFIDENT = 0.9  # the spec's promise: among confidence >= 0.9, at least 90 % are right
BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001)


def split(examples: pd.DataFrame, test_share: float = 0.2,
          seed: int = DEFAULT_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test): a seeded share of every (source, label) group, plus the test file."""
    rng = np.random.default_rng(seed)
    always_test = examples["source"].str.startswith("probablepeople-test")
    test = np.zeros(len(examples), dtype=bool)
    for _, index in examples[~always_test].groupby(["source", "label"]).indices.items():
        rows = examples.index[~always_test][index]
        chosen = rng.choice(len(rows), size=round(len(rows) * test_share), replace=False)
        test[examples.index.get_indexer(rows[chosen])] = True
    test |= always_test.to_numpy()
    return examples[~test].reset_index(drop=True), examples[test].reset_index(drop=True)


@dataclass
class Evaluation:
    """The held-out results; ``predictions`` has one row per held-out name."""

    predictions: pd.DataFrame
    n_train: int

    @property
    def accuracy(self) -> float:
        return float(self.predictions["correct"].mean())

    def per_class(self) -> pd.DataFrame:
        p = self.predictions
        rows = []
        for label in LABELS:
            predicted, actual = p["label"] == label, p["truth"] == label
            both = int((predicted & actual).sum())
            rows.append({"label": label, "n": int(actual.sum()),
                         "precision": both / max(int(predicted.sum()), 1),
                         "recall": both / max(int(actual.sum()), 1)})
        return pd.DataFrame(rows)

    @property
    def balanced_accuracy(self) -> float:
        return float(self.per_class()["recall"].mean())

    def confusion(self) -> pd.DataFrame:
        """Rows: the true label; columns: the label given ("" for none)."""
        table = pd.crosstab(self.predictions["truth"], self.predictions["label"])
        return table.reindex(index=list(LABELS), columns=[*LABELS, ""], fill_value=0)

    def reliability(self) -> pd.DataFrame:
        """Per confidence bin: names, mean confidence and the share right."""
        p = self.predictions
        bins = pd.cut(p["confidence"], BINS, right=False)
        table = p.groupby(bins, observed=True).agg(
            names=("correct", "size"), mean_confidence=("confidence", "mean"),
            share_right=("correct", "mean")).reset_index()
        table["confidence"] = table.pop("confidence").astype(str)
        return table[["confidence", "names", "mean_confidence", "share_right"]]

    def confident_share_right(self) -> tuple[int, float]:
        confident = self.predictions[self.predictions["confidence"] >= CONFIDENT]
        return len(confident), float(confident["correct"].mean()) if len(confident) else 1.0

    def errors(self, limit: int = 20) -> pd.DataFrame:
        wrong = self.predictions[~self.predictions["correct"]]
        return wrong.sort_values("confidence", ascending=False).head(limit)


def evaluate_classifier(examples: pd.DataFrame, seed: int = DEFAULT_SEED,
                        test_share: float = 0.2) -> Evaluation:
    """Train on the training part and classify the held-out part."""
    train, test = split(examples, test_share, seed)
    classifier = PayeeClassifier.train(train, seed=seed)
    predicted = classifier.classify(test["name"].tolist())
    predicted.insert(0, "name", test["name"].to_numpy())
    predicted.insert(1, "truth", test["label"].to_numpy())
    predicted.insert(2, "source", test["source"].to_numpy())
    predicted["correct"] = predicted["label"] == predicted["truth"]
    return Evaluation(predicted, len(train))
