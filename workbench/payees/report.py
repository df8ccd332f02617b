"""The figures of the payee report (``notebooks/payees_report.ipynb``) and the review page.

:func:`gather` reads one classification run and one match run as the acting user may see them
(a run is visible to those who see everything and to users granted one of its ``entity:``
scopes); the other functions shape what was read into the report's tables and charts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from workbench.core.access import Permission, Principal
from workbench.payees.store import records
from workbench.payees.store.models import PayeeRun
from workbench.store.db import Store, open_store
from workbench.store.users import LoginFailed, log_in

LOW_CONFIDENCE = 0.8  # below this, a name goes to an analyst for review
BLANK = "(blank)"  # the label mix's row for names that could not be read
SCORE_BINS = [i / 10 for i in range(11)]  # top-1 scores in tenths
# the columns of records.classification_rows and records.match_rows, kept when a run is empty
CLASSIFICATION_COLUMNS = {"row": "int64", "name": "object", "label": "object",
                          "confidence": "float64", "reason": "object", "normalized": "object"}
MATCH_COLUMNS = {"row": "int64", "name": "object", "rank": "float64", "supplier_id": "object",
                 "supplier_name": "object", "score": "float64", "match": "bool"}


@dataclass(frozen=True)
class RunSummary:
    """What the report says about one run: its id and lineage, as plain values."""

    id: int
    kind: str
    source: str
    n_rows: int
    model: str
    master: str | None
    scopes: list[str]
    created_by: str
    created_at: str  # UTC, to the minute
    parameters: dict

    @classmethod
    def of(cls, run: PayeeRun) -> RunSummary:
        return cls(run.id, run.kind, run.source, run.n_rows, run.model_version, run.master,
                   list(run.scopes), run.created_by, f"{run.created_at:%Y-%m-%d %H:%M}",
                   dict(run.parameters or {}))


@dataclass(frozen=True)
class PayeeReport:
    classify_run: RunSummary | None
    match_run: RunSummary | None
    classifications: pd.DataFrame  # a row per name: row, name, label, confidence, reason
    matches: pd.DataFrame  # a row per candidate: row, name, rank, supplier_id, score, match
    low_confidence: float


def connect(url: str | None = None, username: str | None = None,
            password: str | None = None) -> tuple[Store, Principal]:
    """Open the SQL store (migrating it if needed) and log in; the login is audited."""
    store = open_store(url)
    try:
        return store, log_in(store, username, password)
    except LoginFailed:
        store.dispose()
        raise


def latest_run(session: Session, user: Principal, kind: str) -> PayeeRun | None:
    """The newest run of ``kind`` (classify | match) that the user may see."""
    return next((r for r in records.list_runs(session, user) if r.kind == kind), None)


def _chosen(session: Session, user: Principal, kind: str, run_id: int) -> PayeeRun | None:
    """Run ``run_id`` (0: the latest visible one); AccessDenied or NotFound for another's."""
    if not run_id:
        return latest_run(session, user, kind)
    run = records.get_run(session, user, run_id)
    if run.kind != kind:
        raise ValueError(f"payee run {run_id} is a {run.kind} run, not a {kind} run")
    return run


def gather(store: Store, user: Principal, classify_run: int = 0, match_run: int = 0,
           low_confidence: float = LOW_CONFIDENCE) -> PayeeReport:
    """Everything the report shows: the rows of one classification and one match run."""
    user.require(Permission.VIEW_OWN, "read payee runs")
    with store.session() as session:
        runs = {kind: _chosen(session, user, kind, run_id)
                for kind, run_id in (("classify", classify_run), ("match", match_run))}
        classified = runs["classify"]
        matched = runs["match"]
        rows = _typed(records.classification_rows(session, user, classified.id)
                      if classified else None, CLASSIFICATION_COLUMNS)
        matches = _typed(records.match_rows(session, user, matched.id) if matched else None,
                         MATCH_COLUMNS)
        return PayeeReport(RunSummary.of(classified) if classified else None,
                           RunSummary.of(matched) if matched else None, rows, matches,
                           low_confidence)


def _typed(frame: pd.DataFrame | None, columns: dict[str, str]) -> pd.DataFrame:
    """A run's rows; an empty frame with the same columns when there is no run or no row."""
    if frame is None or frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    return frame


def runs_table(r: PayeeReport) -> pd.DataFrame:
    """The two runs the report reads, with their lineage."""
    rows = [{"run": run.id, "kind": run.kind, "source": run.source, "names": run.n_rows,
             "model / master": run.master or run.model, "entities": ", ".join(run.scopes),
             "by": run.created_by, "at (UTC)": run.created_at}
            for run in (r.classify_run, r.match_run) if run is not None]
    return pd.DataFrame(rows)


# --- classification ------------------------------------------------------------------------
def label_mix(r: PayeeReport) -> pd.DataFrame:
    """Names per label and their share of the run; blank names are a row of their own."""
    if r.classifications.empty:
        return pd.DataFrame(columns=["label", "names", "share", "mean confidence"])
    rows = r.classifications.assign(label=r.classifications["label"].replace("", BLANK))
    mix = rows.groupby("label").agg(names=("name", "size"),
                                    mean_confidence=("confidence", "mean")).reset_index()
    mix["share"] = mix["names"] / mix["names"].sum()
    mix = mix.rename(columns={"mean_confidence": "mean confidence"})
    return mix[["label", "names", "share", "mean confidence"]].sort_values(
        "names", ascending=False).reset_index(drop=True)


def to_review(r: PayeeReport, limit: int | None = None) -> pd.DataFrame:
    """Labelled names with confidence below the threshold, lowest first (blank names have no
    label to confirm and are left out; their reason says why)."""
    rows = r.classifications
    if rows.empty:
        return pd.DataFrame(columns=["row", "name", "label", "confidence", "reason"])
    low = rows[(rows["label"] != "") & (rows["confidence"] < r.low_confidence)]
    low = low.sort_values(["confidence", "row"], kind="stable")
    low = low[["row", "name", "label", "confidence", "reason"]].reset_index(drop=True)
    return low if limit is None else low.head(limit)


def review_by_label(r: PayeeReport) -> pd.DataFrame:
    """Names to review per label, next to the label's names in the run."""
    mix = label_mix(r).set_index("label")["names"]
    low = to_review(r)["label"].value_counts()
    table = pd.DataFrame({"names": mix, "to review": low}).fillna(0).astype(int)
    table["share to review"] = table["to review"] / table["names"]
    return table.drop(index=BLANK, errors="ignore").rename_axis("label").reset_index()


# --- matching ------------------------------------------------------------------------------
def top_candidates(r: PayeeReport) -> pd.DataFrame:
    """A row per query name: its best candidate (none: supplier and score empty)."""
    if r.matches.empty:
        return pd.DataFrame(columns=["row", "name", "supplier_id", "supplier_name", "score",
                                     "match"])
    best = r.matches.sort_values(["row", "rank"], na_position="last").drop_duplicates("row")
    best = best.assign(match=best["match"].astype(bool))
    return best[["row", "name", "supplier_id", "supplier_name", "score", "match"]] \
        .reset_index(drop=True)


def match_rates(r: PayeeReport) -> pd.DataFrame:
    """Names, names whose top-1 candidate is an accepted match, and the score's quartiles."""
    best = top_candidates(r)
    matched = int(best["match"].sum())
    scores = best["score"].dropna()
    rows = [("names", f"{len(best):,}"),
            ("matched (top-1 score at or above the threshold)", f"{matched:,}"),
            ("match rate", f"{matched / len(best):.1%}" if len(best) else "–"),
            ("names with no candidate at all", f"{int(best['score'].isna().sum()):,}")]
    threshold = r.match_run.parameters.get("threshold") if r.match_run else None
    if threshold is not None:
        rows.insert(0, ("threshold (score)", f"{float(threshold):.2f}"))
    if len(scores):
        q1, median, q3 = scores.quantile([0.25, 0.5, 0.75])
        rows.append(("top-1 score: quartiles", f"{q1:.2f} / {median:.2f} / {q3:.2f}"))
    return pd.DataFrame(rows, columns=["", "value"]).set_index("")


def match_rate(r: PayeeReport) -> float:
    """Share of the run's names with an accepted top-1 match (0 for an empty run)."""
    best = top_candidates(r)
    return float(best["match"].mean()) if len(best) else 0.0


def score_distribution(r: PayeeReport) -> pd.DataFrame:
    """Top-1 scores in tenths: names per bin, split into matched and not matched."""
    best = top_candidates(r).dropna(subset=["score"])
    if best.empty:
        return pd.DataFrame(columns=["score from", "score to", "matched", "names"])
    bins = pd.cut(best["score"].clip(0, 1), SCORE_BINS, include_lowest=True, right=False)
    # right=False leaves a score of exactly 1 outside [0.9, 1.0): it belongs in the top bin
    bins = bins.fillna(bins.cat.categories[-1]) if bins.isna().any() else bins
    counted = best.assign(bin=bins, matched=best["match"].map({True: "matched",
                                                               False: "not matched"}))
    table = counted.groupby(["bin", "matched"], observed=True).size().rename("names") \
        .reset_index()
    table["score from"] = [b.left for b in table["bin"]]
    table["score to"] = [min(b.right, 1.0) for b in table["bin"]]
    return table[["score from", "score to", "matched", "names"]]


def unmatched(r: PayeeReport) -> pd.DataFrame:
    """Names whose best candidate is below the threshold (or who have none), best first:
    a supplier to add to the master, or a near miss to look at."""
    best = top_candidates(r)
    if best.empty:
        return pd.DataFrame(columns=["row", "name", "best supplier_id", "best supplier",
                                     "best score"])
    missed = best[~best["match"]].sort_values(["score", "row"], ascending=[False, True],
                                              na_position="last")
    return missed.rename(columns={"supplier_id": "best supplier_id",
                                  "supplier_name": "best supplier", "score": "best score"}
                         ).drop(columns=["match"]).reset_index(drop=True)


# --- charts (Altair specs; the notebook draws them as SVG through reports.charts) ----------
def label_chart(r: PayeeReport) -> Any:
    import altair as alt

    mix = label_mix(r)
    return alt.Chart(mix, title="Names per label").mark_bar().encode(
        x=alt.X("names:Q", title="names"), y=alt.Y("label:N", sort="-x", title=None),
        tooltip=["label:N", "names:Q", alt.Tooltip("share:Q", format=".1%")],
    ).properties(width=420, height=30 * max(len(mix), 1))


def confidence_chart(r: PayeeReport) -> Any:
    import altair as alt

    rows = r.classifications[r.classifications["label"] != ""] if len(r.classifications) \
        else r.classifications
    base = alt.Chart(rows, title="Confidence per name, by label")
    bars = base.mark_bar().encode(
        x=alt.X("confidence:Q", bin=alt.Bin(step=0.05), title="confidence"),
        y=alt.Y("count():Q", title="names"), color=alt.Color("label:N", title="label"))
    rule = alt.Chart(pd.DataFrame({"threshold": [r.low_confidence]})).mark_rule(
        color="#c0392b", strokeDash=[4, 3]).encode(x="threshold:Q")
    return (bars + rule).properties(width=520, height=220)


def score_chart(r: PayeeReport) -> Any:
    import altair as alt

    table = score_distribution(r)
    return alt.Chart(table, title="Top-1 match score per name").mark_bar().encode(
        x=alt.X("score from:Q", bin=alt.Bin(binned=True, step=0.1), title="top-1 score",
                scale=alt.Scale(domain=[0, 1])),
        x2="score to:Q", y=alt.Y("names:Q", stack=True, title="names"),
        color=alt.Color("matched:N", title=None,
                        scale=alt.Scale(domain=["matched", "not matched"],
                                        range=["#1f4e79", "#e08a00"])),
    ).properties(width=520, height=220)
