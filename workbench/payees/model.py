"""The learnt part of the payee classifier: two linear text models stacked under a small
gradient-boosted model.

1. **Features**: TF-IDF of the normalised name's character 2-5-grams, and of its words, pairs
   of adjacent words and evidence markers (:mod:`workbench.payees.features`).
2. **Two first-level models** on those features, with different biases: a linear support-vector
   machine (its decision values) and a complement naive Bayes (its log-probabilities).
3. **A stacker**: a histogram gradient-boosted classifier over the two models' *out-of-fold*
   outputs (5 folds, so it learns how far to trust each on names they never saw) and the
   counts of the name's structure (:func:`workbench.payees.features.structure`). Its class
   probabilities are the confidence.

Chosen on validation splits of the training part only (``benchmarks/README.md``): the stack
made 17 % fewer validation errors than the calibrated SVM alone.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from workbench.payees.features import NameFeatures, structure

FOLDS = 5
SVM_C = 0.5
NB_ALPHA = 0.3
BOOSTER = {"max_iter": 200, "learning_rate": 0.05, "max_leaf_nodes": 15}


def words_and_pairs(model_text: str) -> list[str]:
    """The word-level terms: each word and marker, and each pair of adjacent words
    ("school district", "county council"); markers do not pair."""
    terms = model_text.split()
    words = [t for t in terms if not t.startswith("__")]
    return terms + [f"{a} {b}" for a, b in pairwise(words)]


@dataclass
class NameModel:
    """Vectorisers, the two text models and the stacker, fitted together."""

    char_vectorizer: object
    word_vectorizer: object
    svm: object
    bayes: object
    stacker: object

    @property
    def classes_(self) -> np.ndarray:
        return self.stacker.classes_

    @classmethod
    def fit(cls, feats: Sequence[NameFeatures], labels: np.ndarray, seed: int) -> NameModel:
        """Fit on the features of the training names (in a fixed order: see the caller)."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.model_selection import StratifiedKFold, cross_val_predict
        from sklearn.naive_bayes import ComplementNB
        from sklearn.svm import LinearSVC

        char_vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                   sublinear_tf=True, dtype=np.float32)
        word_vec = TfidfVectorizer(analyzer=words_and_pairs, min_df=1, sublinear_tf=True,
                                   dtype=np.float32)
        x = _stack(char_vec.fit_transform([f.text for f in feats]),
                   word_vec.fit_transform([f.model_text for f in feats]))
        svm = LinearSVC(C=SVM_C, random_state=seed)
        bayes = ComplementNB(alpha=NB_ALPHA)
        folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
        level_one = np.hstack([
            cross_val_predict(svm, x, labels, cv=folds, method="decision_function"),
            cross_val_predict(bayes, x, labels, cv=folds, method="predict_log_proba"),
            structure(feats)])
        svm.fit(x, labels)
        bayes.fit(x, labels)
        # boosted probabilities run over-confident (0.95-0.99 was right 94 % of the time on
        # validation splits): isotonic calibration on 5 folds of the out-of-fold inputs
        stacker = CalibratedClassifierCV(
            HistGradientBoostingClassifier(random_state=seed, **BOOSTER), method="isotonic",
            cv=folds, ensemble=False)
        stacker.fit(level_one, labels)
        return cls(char_vec, word_vec, svm, bayes, stacker)

    def predict_proba(self, feats: Sequence[NameFeatures]) -> np.ndarray:
        """Class probabilities (columns in :attr:`classes_` order)."""
        x = _stack(self.char_vectorizer.transform([f.text for f in feats]),
                   self.word_vectorizer.transform([f.model_text for f in feats]))
        level_one = np.hstack([self.svm.decision_function(x), self.bayes.predict_log_proba(x),
                               structure(feats)])
        return self.stacker.predict_proba(level_one)

    def fingerprint(self, digest: hashlib._Hash) -> None:
        """Feed the learnt numbers into ``digest``."""
        digest.update(np.ascontiguousarray(self.svm.coef_).tobytes())
        digest.update(np.ascontiguousarray(self.bayes.feature_log_prob_).tobytes())
        digest.update("\n".join(sorted(self.char_vectorizer.vocabulary_)).encode())
        # the fitted trees have no public arrays; their pickle is deterministic for a version
        digest.update(pickle.dumps(self.stacker, protocol=4))


def _stack(char_x, word_x):
    from scipy.sparse import hstack

    return hstack([char_x, word_x], format="csr")
