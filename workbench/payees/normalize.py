"""Name normalisation shared by classification and matching.

``normalize("ACME Corp.")`` gives ``"acme corp"``: Unicode NFKC, case folded, "&" spelled
"and", apostrophes and dots dropped (so "L.L.C." is "llc" and "O'Brien" is "obrien"), other
punctuation a space, common abbreviations spelled out ("intl" -> "international") and the
legal-form words at the end written one way ("Corporation" -> "corp", "Private Limited" ->
"pvt ltd"). The legal forms are the terms of cleanco (a maintained list of company types by
country); only their canonical spelling is ours.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from cleanco.termdata import terms_by_country, terms_by_type

_DROP = re.compile(r"[.'’`´]")  # dropped: "l.l.c." -> "llc", "o'brien" -> "obrien"
_AMP = re.compile(r"\s*[&+]\s*")
_NON_WORD = re.compile(r"[^\w]+")
_SPACE = re.compile(r"\s+")

# Legal forms written several ways in English-speaking AP files; every other cleanco term
# keeps its own (cleaned) spelling.
_CANONICAL_LEGAL = {
    "incorporated": "inc", "inc": "inc",
    "corporation": "corp", "corp": "corp", "corpn": "corp",
    "company": "co", "co": "co", "and co": "and co", "and company": "and co",
    "limited": "ltd", "ltd": "ltd", "ltda": "ltda",
    "private limited": "pvt ltd", "pvt ltd": "pvt ltd", "private ltd": "pvt ltd",
    "pvt limited": "pvt ltd", "pte ltd": "pte ltd", "pte limited": "pte ltd",
    "pty ltd": "pty ltd", "pty limited": "pty ltd", "proprietary limited": "pty ltd",
    "public limited company": "plc", "plc": "plc",
    "limited liability company": "llc", "llc": "llc",
    "limited liability partnership": "llp", "llp": "llp",
    "limited partnership": "lp", "lp": "lp",
    "professional corporation": "pc", "pc": "pc", "pllc": "pllc",
    "opc pvt ltd": "opc pvt ltd", "one person company": "opc",
    "gmbh": "gmbh", "ag": "ag", "sa": "sa", "nv": "nv", "bv": "bv", "srl": "srl", "spa": "spa",
}

# Two-letter cleanco terms that are also common name words ("Da Silva", "Pt Barnum"); they
# count as a legal form only after another legal form or when the name has 3+ words.
_WEAK_LEGAL = frozenset({"as", "ab", "da", "et", "og", "pt", "sd", "mb", "ba", "bl", "bm", "ee",
                         "ks", "kd", "kb", "kt", "ky", "oe", "ad", "sp", "ud", "fa", "ik", "ps",
                         "ep", "ok", "ec", "ev", "sf", "hf", "gp", "ij", "xk", "xt", "ei", "ae",
                         "nl", "sa", "nv", "ag", "ay", "oy", "pp", "ca", "kf"})

# Abbreviations that AP files use for the same word; spelt out so that both forms compare.
ABBREVIATIONS = {
    "intl": "international", "natl": "national",
    "mfg": "manufacturing", "mfrs": "manufacturers", "mfr": "manufacturer",
    "svc": "service", "svcs": "services", "serv": "services", "bros": "brothers",
    "assoc": "associates", "assocs": "associates", "dept": "department",
    "govt": "government", "gov": "government", "mgmt": "management", "engg": "engineering",
    "eng": "engineering", "inds": "industries", "elec": "electrical",
    "equip": "equipment", "eqpt": "equipment", "hosp": "hospital", "univ": "university",
    "ctr": "center", "cntr": "center", "centre": "center", "distrib": "distribution",
    "ents": "enterprises", "grp": "group", "hldgs": "holdings",
    "hldg": "holding", "sys": "systems", "solns": "solutions", "mktg": "marketing",
    "constr": "construction", "transp": "transport", "invts": "investments", "cty": "county",
    "twp": "township", "muni": "municipal", "sch": "school", "schl": "school", "n": "and",
}


def _clean(text: str) -> str:
    """NFKC, case fold, "&" -> "and", dots and apostrophes dropped, other punctuation a space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _AMP.sub(" and ", text)
    text = _DROP.sub("", text)
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return _SPACE.sub(" ", text).strip()


@cache
def legal_terms() -> dict[tuple[str, ...], str]:
    """Every cleanco legal-form term as a token tuple, mapped to its canonical spelling."""
    raw = {t for terms in terms_by_type.values() for t in terms}
    raw |= {t for terms in terms_by_country.values() for t in terms}
    raw |= set(_CANONICAL_LEGAL)
    table: dict[tuple[str, ...], str] = {}
    for term in raw:
        cleaned = _clean(term)
        if cleaned:
            table[tuple(cleaned.split())] = _CANONICAL_LEGAL.get(cleaned, cleaned)
    return table


@cache
def _max_term_len() -> int:
    return max(len(k) for k in legal_terms())


@dataclass(frozen=True)
class NormalizedName:
    """A name taken apart: ``text`` is the full normalised name, ``core`` drops the legal form."""

    text: str
    core: str
    legal: tuple[str, ...]  # canonical legal forms found at the end, in order


def _split_legal(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Peel legal-form terms off the end (longest first): "acme steel pvt ltd" -> pvt ltd."""
    table = legal_terms()
    legal: list[str] = []
    while len(tokens) > 1:
        for size in range(min(_max_term_len(), len(tokens) - 1), 0, -1):
            key = tuple(tokens[-size:])
            if key in table:
                weak = size == 1 and key[0] in _WEAK_LEGAL
                if weak and not legal and len(tokens) < 3:
                    continue
                legal.insert(0, table[key])
                tokens = tokens[:-size]
                break
        else:
            break
    # "and co" is peeled as one term; a bare trailing "and" left behind belongs to it
    if tokens and tokens[-1] == "and" and legal and legal[0] == "co":
        tokens = tokens[:-1]
        legal[0] = "and co"
    return tokens, legal


def normalize_parts(name: object) -> NormalizedName:
    """Normalise one name; blanks (None, NaN, whitespace) give an empty name."""
    if not isinstance(name, str):
        return NormalizedName("", "", ())
    tokens = [ABBREVIATIONS.get(t, t) for t in _clean(name).split()]
    tokens = " ".join(tokens).split()  # an abbreviation may have been dropped to nothing
    core, legal = _split_legal(tokens)
    text = " ".join([*core, *legal])
    if core and core[0] == "the" and len(core) > 1:
        core = core[1:]
    return NormalizedName(text, " ".join(core), tuple(legal))


def normalize(name: object) -> str:
    """The normalised form of a name (see the module's docstring)."""
    return normalize_parts(name).text
