"""What a name shows about its kind: marker tokens for the model and evidence for the reason.

``describe("Dr. Jane Doe")`` notes a personal title, a known given name and a known surname;
``describe("Nagar Nigam Lucknow")`` notes the public-body phrase "nagar nigam". The markers
(``__given_first``, ``__legal_llc``, ``__public``, ``__orgword`` ...) join the name's words as
inputs of the text models, so that they learn how much each kind of evidence weighs;
:func:`structure` counts them for the stacker (:mod:`workbench.payees.model`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from workbench.payees.lexicon import (
    BUSINESS_WORDS,
    DBA_PATTERN,
    GENERATIONAL,
    HONORIFICS,
    ORGANISATION_WORDS,
    PROFESSIONAL,
    name_ratios,
    public_body_phrases,
)
from workbench.payees.normalize import normalize_parts

GIVEN_SHARE = 0.5  # a name used as a given name at least this often counts as one


@dataclass
class NameFeatures:
    """One name's normalised forms and the evidence found in it."""

    text: str
    core: str
    legal: tuple[str, ...]
    public: list[str] = field(default_factory=list)
    business: list[str] = field(default_factory=list)
    given: list[str] = field(default_factory=list)
    surnames: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    dba: bool = False
    household: bool = False
    markers: list[str] = field(default_factory=list)

    @property
    def model_text(self) -> str:
        """The words and markers the word-level part of the model reads."""
        return " ".join([self.text, *self.markers])


def _person_tokens(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t not in HONORIFICS and t not in GENERATIONAL
            and t not in PROFESSIONAL and t != "and"]


def describe(name: object, raw_has_comma: bool | None = None) -> NameFeatures:
    """Normalise ``name`` and collect its evidence (see the module's docstring)."""
    parts = normalize_parts(name)
    feats = NameFeatures(parts.text, parts.core, parts.legal)
    if not parts.text:
        return feats
    tokens = parts.core.split()
    ratios = name_ratios()
    markers = feats.markers
    markers.append(f"__ntok{min(len(tokens), 6)}")
    for term in parts.legal:
        markers += ["__legal", f"__legal_{term.replace(' ', '_')}"]
    feats.public = public_body_phrases(parts.text)
    for phrase in feats.public:
        markers += ["__public", f"__public_{phrase.replace(' ', '_')}"]
    feats.business = [t for t in tokens if t in BUSINESS_WORDS]
    markers += ["__bizword"] * min(len(feats.business), 2)
    org = [t for t in tokens if t in ORGANISATION_WORDS]
    markers += ["__orgword"] * min(len(org), 2)
    # "Boies, Schiller & Flexner": a list of names, as a firm is called
    if isinstance(name, str) and (name.count(",") >= 2 or (
            "," in name and ("&" in name or " and " in name.casefold()))):
        markers.append("__name_list")
    feats.titles = [t for t in tokens if t in HONORIFICS]
    if tokens and tokens[0] in HONORIFICS:
        markers.append("__honorific")
    if any(t in GENERATIONAL for t in tokens[1:]):
        markers.append("__generational")
    if any(t in PROFESSIONAL for t in tokens[1:]):
        markers.append("__professional")
    if any(ch.isdigit() for ch in parts.text):
        markers.append("__digit")
    if any(len(t) == 1 and t.isalpha() for t in tokens):
        markers.append("__initial")
    comma = raw_has_comma if raw_has_comma is not None else (
        isinstance(name, str) and "," in name)
    if comma and len(tokens) <= 4 and not parts.legal:
        markers.append("__comma_short")
    person = _person_tokens(tokens)
    for position, token in enumerate(person):
        share = ratios.get(token)
        where = "first" if position == 0 else ("last" if position == len(person) - 1 else "mid")
        if share is None:
            markers.append(f"__unknown_{where}")
        elif share >= GIVEN_SHARE:
            feats.given.append(token)
            markers.append(f"__given_{where}")
        else:
            feats.surnames.append(token)
            markers.append(f"__surname_{where}")
    known = len(feats.given) + len(feats.surnames)
    if person and known == len(person):
        markers.append("__all_known_names")
    feats.dba = bool(DBA_PATTERN.search(parts.text))
    if "and" in tokens and not feats.business and not feats.public and not parts.legal:
        left, _, right = " ".join(tokens).partition(" and ")
        left_given = [t for t in _person_tokens(left.split()) if ratios.get(t, 0) >= GIVEN_SHARE]
        right_tokens = _person_tokens(right.split())
        titles_only = bool(left) and all(t in HONORIFICS for t in left.split())
        if ((left_given or titles_only) and len(right_tokens) >= 2
                and ratios.get(right_tokens[0], 0) >= GIVEN_SHARE):
            feats.household = True
            markers.append("__household")
    return feats


# Marker families counted for the stacker (a marker may belong to several: "__given_first" is
# in "__given_" and "__given_first").
MARKER_FAMILIES = (
    "__ntok", "__legal", "__public", "__bizword", "__orgword", "__name_list", "__honorific",
    "__generational", "__professional", "__digit", "__initial", "__comma_short", "__given_",
    "__surname_", "__unknown_", "__all_known", "__household", "__unknown_first",
    "__unknown_last", "__given_first", "__surname_last")


# The counts of a name's shape that come before the marker families in :func:`structure`.
SHAPE = ("tokens", "characters", "longest_token", "legal_forms", "public_phrases",
         "business_words", "given_names", "surnames", "titles", "dba", "household")


@cache
def _families(marker: str) -> tuple[int, ...]:
    return tuple(i for i, family in enumerate(MARKER_FAMILIES) if marker.startswith(family))


def structure(feats: Sequence[NameFeatures]) -> np.ndarray:
    """One row per name of counts that describe its shape: tokens, characters, the longest
    token, legal forms, public-body phrases, business words, known given names and surnames,
    titles, DBA and household flags, then the count of each marker family."""
    shape = len(SHAPE)
    out = np.zeros((len(feats), shape + len(MARKER_FAMILIES)))
    for row, f in enumerate(feats):
        tokens = f.core.split()
        out[row, :shape] = (len(tokens), len(f.text), max(map(len, tokens), default=0),
                         len(f.legal), len(f.public), len(f.business), len(f.given),
                         len(f.surnames), len(f.titles), f.dba, f.household)
        for marker in f.markers:
            for i in _families(marker):
                out[row, shape + i] += 1
    return out
