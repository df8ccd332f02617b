"""Payees: the classifier on validation splits carved out of the training part only.

    .venv/bin/python benchmarks/payees_validation.py [--seeds 1,2,3,4,5]

The held-out names (``evaluate.split`` with the model's seed) are never used here: this is
where settings are compared before the held-out figure of ``bench_payees.py`` is measured
once. Prints each split's errors and accuracy, the total, and the reliability table
(about 40 s).
"""

from __future__ import annotations

import argparse

import pandas as pd

from workbench.payees.classify import DEFAULT_SEED, PayeeClassifier
from workbench.payees.evaluate import Evaluation, split
from workbench.payees.labelled import load_labelled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3,4,5")
    args = parser.parse_args()
    training, _held_out = split(load_labelled(), 0.2, DEFAULT_SEED)
    found = []
    for seed in (int(s) for s in args.seeds.split(",")):
        train, check = split(training, 0.2, seed)
        out = PayeeClassifier.train(train, seed=DEFAULT_SEED).classify(check["name"].tolist())
        out.insert(0, "name", check["name"].to_numpy())
        out.insert(1, "truth", check["label"].to_numpy())
        out["correct"] = out["label"] == out["truth"]
        print(f"split {seed}: {(~out['correct']).sum()} errors of {len(out)}, "
              f"{out['correct'].mean():.3%}", flush=True)
        found.append(out)
    evaluation = Evaluation(pd.concat(found, ignore_index=True), len(training))
    wrong = int((~evaluation.predictions["correct"]).sum())
    print(f"all splits: {wrong} errors of {len(evaluation.predictions)}, "
          f"mean accuracy {evaluation.accuracy:.3%}")
    print(evaluation.reliability().to_string(index=False))


if __name__ == "__main__":
    main()
