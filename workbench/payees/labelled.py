"""The labelled names the classifier learns from, read from the public data folder.

The folder (``names-labeled``: probablepeople's tagged names, the .gov registry, the federal
agencies list and the SEC registrant names) is found through ``WORKBENCH_PAYEES_DATA`` or as
``shared/data/names-labeled`` beside the working directory or the installed package. It is
read, never copied into the package.
"""

from __future__ import annotations

import hashlib
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from workbench.payees.labels import BUSINESS, GOVERNMENT, INDIVIDUAL

DATA_ENV = "WORKBENCH_PAYEES_DATA"
FILES = ("company_labeled.xml", "person_labeled.xml", "probablepeople_test_data_labeled.xml",
         "gov_entities_dotgov.csv", "federal_agencies_and_bureaus.csv",
         "sec_company_tickers_titles.csv")


class LabelledDataMissing(FileNotFoundError):
    """The labelled-names folder is not there; the message says how to point at it."""


def find_data_dir() -> Path:
    """The labelled-names folder, or :class:`LabelledDataMissing` naming where it looked."""
    env = os.environ.get(DATA_ENV)
    candidates = [Path(env)] if env else []
    if not env:
        for start in (Path.cwd(), Path(__file__).resolve()):
            for parent in [start, *start.parents]:
                candidates.append(parent / "shared" / "data" / "names-labeled")
    for path in candidates:
        if all((path / f).is_file() for f in FILES):
            return path
    where = env or "shared/data/names-labeled above the working directory or the package"
    raise LabelledDataMissing(
        f"labelled names not found ({where}); set {DATA_ENV} to the folder holding "
        f"{', '.join(FILES)}")


def data_hash(folder: Path) -> str:
    """SHA-256 over the labelled files, in a fixed order (the model's lineage)."""
    digest = hashlib.sha256()
    for name in FILES:
        digest.update(name.encode())
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()


def _xml_names(path: Path) -> list[tuple[str, str]]:
    """(name, kind) pairs from a probablepeople file; kind is person, household or corporation."""
    rows = []
    for element in ET.parse(path).getroot().iter("Name"):
        tags = [child.tag for child in element]
        text = " ".join(" ".join(child.text or "" for child in element).split())
        if not text:
            continue
        if any(t.startswith("Corporation") or t == "ShortForm" for t in tags):
            kind = "corporation"
        elif "And" in tags:
            kind = "household"
        else:
            kind = "person"
        rows.append((text, kind))
    return rows


def _probablepeople(path: Path, source: str, label_of: dict[str, str]) -> pd.DataFrame:
    rows = [(name, label_of[kind], f"{source}:{kind}") for name, kind in _xml_names(path)]
    return pd.DataFrame(rows, columns=["name", "label", "source"])


# probablepeople's organisation file mixes businesses with some public bodies; these are the
# public ones, as an AP team files them (a party committee or a union stays a business).
_PUBLIC_BODY_IN_COMPANY_FILE = (
    r"\b(?:school district|sanitary district|water district|fire district|board of education|"
    r"county commission|city council|village of|town of|city of|county of|state of|"
    r"department of|dept of|police department|sheriff|public schools|housing authority|"
    r"port authority|transit authority|water authority|township)\b")
_NOT_PUBLIC = (r"\b(?:committee|pac|party|union|association|club|friends|for congress|campaign|"
               r"republican|democratic|org|organization|lodge|fraternal|group|independents)\b")


def _relabel_public_bodies(frame: pd.DataFrame) -> pd.DataFrame:
    names = frame["name"].str.casefold()
    public = names.str.contains(_PUBLIC_BODY_IN_COMPANY_FILE, regex=True)
    public &= ~names.str.contains(_NOT_PUBLIC, regex=True)
    frame.loc[public, "label"] = GOVERNMENT
    frame.loc[public, "source"] = frame.loc[public, "source"] + ":public-body"
    return frame


def load_labelled(folder: Path | None = None) -> pd.DataFrame:
    """Every labelled name: columns ``name``, ``label``, ``source`` (file and kind).

    Households and persons are ``individual``; the organisation names are ``business`` except
    the public bodies among them; .gov organisations and federal agencies and bureaus are
    ``government``; SEC registrants are ``business``. A name seen twice is kept once.
    """
    folder = folder or find_data_dir()
    pp_labels = {"person": INDIVIDUAL, "household": INDIVIDUAL, "corporation": BUSINESS}
    parts = [
        _relabel_public_bodies(_probablepeople(folder / "company_labeled.xml",
                                               "probablepeople-company", pp_labels)),
        _probablepeople(folder / "person_labeled.xml", "probablepeople-person", pp_labels),
        _relabel_public_bodies(_probablepeople(folder / "probablepeople_test_data_labeled.xml",
                                               "probablepeople-test", pp_labels)),
    ]
    dotgov = pd.read_csv(folder / "gov_entities_dotgov.csv", dtype=str)
    gov_names = pd.concat([dotgov["organization_name"], dotgov["suborganization_name"]])
    parts.append(pd.DataFrame({"name": gov_names, "label": GOVERNMENT, "source": "dotgov"}))
    agencies = pd.read_csv(folder / "federal_agencies_and_bureaus.csv", dtype=str)
    federal = pd.concat([agencies["Agency"], agencies["Bureau"]])
    parts.append(pd.DataFrame({"name": federal, "label": GOVERNMENT, "source": "federal"}))
    sec = pd.read_csv(folder / "sec_company_tickers_titles.csv", dtype=str)
    parts.append(pd.DataFrame({"name": sec["title"], "label": BUSINESS, "source": "sec"}))
    frame = pd.concat(parts, ignore_index=True).dropna(subset=["name"])
    frame["name"] = frame["name"].str.strip()
    frame = frame[frame["name"] != ""]
    # a name under two labels keeps the first (the public-body sources come before the SEC)
    return frame.drop_duplicates(subset=["name"]).reset_index(drop=True)
