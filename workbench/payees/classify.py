"""Classify payee names as business, individual or government, with a confidence and a reason.

Two layers, both learnt from the same training names:

1. **Rules** that settle a name outright: a blank name (empty label), a sole trader's DBA
   (business, as spec section 1 says), an exact hit in the government or business gazetteer
   (the .gov registry and federal agencies; the SEC registrants), a definite public-body
   phrase without a legal form ("City of ...", "Nagar Nigam", "County Council"), a household
   ("John and Mary Smith") and a personal title before a personal name ("Dr. Jane Doe"). Each rule's
   confidence is its measured precision on the training names (Laplace-smoothed).
2. **A stacked model** (:mod:`workbench.payees.model`) for every other name: a linear
   support-vector machine and a complement naive Bayes on character 2-5-grams of the
   normalised name plus its words, its pairs of adjacent words and the evidence markers of
   :mod:`workbench.payees.features`, combined by a small gradient-boosted model that also
   reads the name's structure; its class probability is the confidence.

The same training names and seed give the same model (:meth:`PayeeClassifier.fingerprint`).
The model is trained on first use and cached (see :func:`load_classifier`); nothing is fetched.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.payees.features import NameFeatures, describe
from workbench.payees.labels import BUSINESS, GOVERNMENT, INDIVIDUAL
from workbench.payees.lexicon import DEFINITE_PUBLIC_BODY
from workbench.payees.model import NameModel

MODEL_VERSION = "payees-clf-3"
DEFAULT_SEED = 16
CACHE_ENV = "WORKBENCH_CACHE_DIR"
OUTPUT_COLUMNS = ["label", "confidence", "reason", "normalized"]
_MODEL_CODE = ("workbench.payees.classify", "workbench.payees.features",
               "workbench.payees.lexicon", "workbench.payees.model",
               "workbench.payees.normalize")

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    reason: str


RULES = {
    "dba": Rule("dba", BUSINESS, "trades under a business name (DBA / trading as)"),
    "public_body": Rule("public_body", GOVERNMENT, "names a public body"),
    "gov_gazetteer": Rule("gov_gazetteer", GOVERNMENT,
                          "listed in the .gov registry or the federal agencies list"),
    "biz_gazetteer": Rule("biz_gazetteer", BUSINESS, "listed as an SEC registrant"),
    "household": Rule("household", INDIVIDUAL, "household: given names joined by 'and'"),
    "title": Rule("title", INDIVIDUAL, "personal title before a personal name"),
}


def _rule_for(feats: NameFeatures, gov: frozenset[str], biz: frozenset[str]) -> str | None:
    """The rule that settles this name, if any (in the order of the module's docstring)."""
    if feats.dba:
        return "dba"
    if feats.text in gov:
        return "gov_gazetteer"
    if feats.text in biz:
        return "biz_gazetteer"
    definite = [p for p in feats.public if p in DEFINITE_PUBLIC_BODY]
    # a legal form rules it out, unless it is part of the phrase ("Municipal Corporation")
    if definite and (not feats.legal or any(p.endswith(feats.legal[-1]) for p in definite)):
        return "public_body"
    if feats.household:
        return "household"
    if (feats.titles and "__honorific" in feats.markers and not feats.public
            and not feats.business and not feats.legal and (feats.given or feats.surnames)):
        return "title"
    return None


def _quote(words: Sequence[str]) -> str:
    return ", ".join(f"'{w}'" for w in words[:2])


def model_reason(feats: NameFeatures, label: str) -> str:
    """What in the name supports the model's label, in words an AP analyst reads."""
    if label == GOVERNMENT and feats.public:
        return f"public-body word {_quote(feats.public)}"
    if label == BUSINESS and feats.legal:
        return f"legal suffix {_quote(feats.legal[::-1])}"
    if label == BUSINESS and feats.business:
        return f"business word {_quote(feats.business)}"
    if label == INDIVIDUAL and feats.given and feats.surnames:
        return (f"personal-name structure: given name {_quote(feats.given)}, "
                f"surname {_quote(feats.surnames)}")
    if label == INDIVIDUAL and (feats.given or feats.surnames):
        return f"personal-name structure: known name {_quote(feats.given + feats.surnames)}"
    return f"character patterns of {label} names (model)"


@dataclass
class PayeeClassifier:
    """A trained classifier: gazetteers, rule precisions and the stacked model."""

    seed: int
    training_hash: str
    gov_gazetteer: frozenset[str]
    biz_gazetteer: frozenset[str]
    rule_confidence: dict[str, float]
    model: NameModel
    n_training: int
    label_counts: dict[str, int] = field(default_factory=dict)

    # --- training -------------------------------------------------------------------------
    @classmethod
    def train(cls, examples: pd.DataFrame, seed: int = DEFAULT_SEED) -> PayeeClassifier:
        """Learn from ``examples`` (columns ``name``, ``label``; optional ``source``)."""
        examples = examples.sort_values(["label", "name"], kind="stable").reset_index(drop=True)
        feats = [describe(n) for n in examples["name"]]
        texts = np.array([f.text for f in feats], dtype=object)
        labels = examples["label"].to_numpy()
        source = examples.get("source", pd.Series("", index=examples.index)).fillna("")
        gov = frozenset(texts[(labels == GOVERNMENT) & source.str.match(r"dotgov|federal")])
        biz = frozenset(texts[(labels == BUSINESS) & source.str.match("sec")])
        rule_confidence = cls._rule_precision(feats, labels, gov, biz)

        model = NameModel.fit(feats, labels, seed)
        training_hash = hashlib.sha256(
            pd.util.hash_pandas_object(examples[["name", "label"]], index=False).to_numpy()
            .tobytes()).hexdigest()
        return cls(seed=seed, training_hash=training_hash, gov_gazetteer=gov,
                   biz_gazetteer=biz, rule_confidence=rule_confidence, model=model,
                   n_training=len(examples),
                   label_counts=examples["label"].value_counts().sort_index().to_dict())

    @staticmethod
    def _rule_precision(feats: list[NameFeatures], labels: np.ndarray, gov: frozenset[str],
                        biz: frozenset[str]) -> dict[str, float]:
        """Each rule's share right on the training names it fires on.

        The gazetteers hold every training name of their lists, so they would shadow the
        other rules here: those are measured without them, and each gazetteer on its own.
        """
        hits = dict.fromkeys(RULES, 0)
        right = dict.fromkeys(RULES, 0)
        empty: frozenset[str] = frozenset()
        for f, label in zip(feats, labels, strict=True):
            fired = [_rule_for(f, empty, empty)]
            fired += [name for name, listed in (("gov_gazetteer", gov), ("biz_gazetteer", biz))
                      if f.text in listed]
            for rule in filter(None, fired):
                hits[rule] += 1
                right[rule] += int(RULES[rule].label == label)
        return {r: (right[r] + 1) / (hits[r] + 2) for r in RULES}

    def fingerprint(self) -> str:
        """SHA-256 of the learnt numbers: equal for the same training names and seed."""
        digest = hashlib.sha256(self.training_hash.encode())
        digest.update(str(self.seed).encode())
        self.model.fingerprint(digest)
        return digest.hexdigest()

    # --- use ------------------------------------------------------------------------------
    def classify(self, names: Sequence[object], progress: Progress | None = None,
                 batch: int = 20_000) -> pd.DataFrame:
        """One row per name, in order: ``label``, ``confidence``, ``reason``, ``normalized``."""
        frames = []
        for start in range(0, len(names), batch):
            chunk = names[start:start + batch]
            frames.append(self._classify_batch(list(chunk)))
            if progress:
                progress(len(chunk))
        if not frames:
            return pd.DataFrame(columns=OUTPUT_COLUMNS)
        return pd.concat(frames, ignore_index=True)

    def _classify_batch(self, names: list[object]) -> pd.DataFrame:
        feats = [describe(n) for n in names]
        labels = [""] * len(names)
        confidence = np.zeros(len(names))
        reasons = [""] * len(names)
        to_model = []
        for i, (name, f) in enumerate(zip(names, feats, strict=True)):
            if not f.text:
                reasons[i] = _blank_reason(name)
                continue
            rule = _rule_for(f, self.gov_gazetteer, self.biz_gazetteer)
            if rule:
                labels[i], reasons[i] = RULES[rule].label, RULES[rule].reason
                if rule == "public_body":
                    reasons[i] = f"names a public body: {_quote(f.public)}"
                confidence[i] = self.rule_confidence[rule]
            else:
                to_model.append(i)
        if to_model:
            proba = self.model.predict_proba([feats[i] for i in to_model])
            best = proba.argmax(axis=1)
            classes = self.model.classes_
            for row, i in enumerate(to_model):
                labels[i] = str(classes[best[row]])
                confidence[i] = float(proba[row, best[row]])
                reasons[i] = model_reason(feats[i], labels[i])
        return pd.DataFrame({"label": labels, "confidence": np.round(confidence, 4),
                             "reason": reasons, "normalized": [f.text for f in feats]})


def _blank_reason(name: object) -> str:
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return "blank name: nothing to classify"
    if not isinstance(name, str):
        return f"unreadable name: a {type(name).__name__}, not text"
    if name.strip():
        return "unreadable name: no letters or digits"
    return "blank name: nothing to classify"


# --- building and caching ---------------------------------------------------------------
def cache_dir() -> Path:
    root = os.environ.get(CACHE_ENV)
    return Path(root) if root else Path.home() / ".cache" / "workbench" / "payees"


def training_examples(corrections: pd.DataFrame | None = None,
                      data_dir: Path | None = None) -> pd.DataFrame:
    """The labelled names, with analysts' corrections replacing the label of the same name."""
    from workbench.payees.labelled import load_labelled

    examples = load_labelled(data_dir)
    if corrections is not None and len(corrections):
        fixed = corrections[["name", "label"]].drop_duplicates("name", keep="last").copy()
        fixed["source"] = "correction"
        examples = pd.concat([examples[~examples["name"].isin(fixed["name"])], fixed],
                             ignore_index=True)
    return examples


def load_classifier(corrections: pd.DataFrame | None = None, seed: int = DEFAULT_SEED,
                    data_dir: Path | None = None) -> PayeeClassifier:
    """The classifier for the labelled data (plus corrections): from the cache or trained now.

    The cache file is keyed by the training names, the seed, the model version and the code of
    the rules and features, so new labelled data, a new correction or changed code trains a new
    model on the next use.
    """
    import sklearn

    examples = training_examples(corrections, data_dir)
    digest = hashlib.sha256(
        pd.util.hash_pandas_object(examples[["name", "label"]], index=False).to_numpy().tobytes()
        + f"{seed}|{MODEL_VERSION}|{sklearn.__version__}".encode())
    for module in _MODEL_CODE:  # a change to the rules or features retrains too
        digest.update(Path(importlib.import_module(module).__file__ or "").read_bytes())
    key = digest.hexdigest()[:20]
    path = cache_dir() / f"{MODEL_VERSION}-{key}.pickle"
    if path.is_file():
        try:
            with path.open("rb") as handle:
                loaded = pickle.load(handle)
            if isinstance(loaded, PayeeClassifier):
                return loaded
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass  # a damaged cache file is rebuilt below
    classifier = PayeeClassifier.train(examples, seed=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        pickle.dump(classifier, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the whole new one
    return classifier


def classify_names(names: Sequence[object], **kwargs: object) -> pd.DataFrame:
    """Classify with the default classifier (see :func:`load_classifier`)."""
    return load_classifier(**kwargs).classify(names)  # type: ignore[arg-type]
