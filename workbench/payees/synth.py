"""A synthetic supplier master for benchmarks and tests, and queries made from it.

``synth_master(483_227, seed=7)`` writes suppliers from India, the US and the UK: trading names
built from surnames, brands, towns and trades, with the legal forms each country uses; street
addresses, cities and postal codes in each country's format; and tax ids (GSTIN with its check
character, EIN, UK VAT). Near-duplicates are there on purpose: about 2 % of rows are a second
record of the same supplier (same tax id, name written differently), and about 4 % are a
*different* supplier sharing all but one word with another ("Acme Steel" / "Acme Foods").
Names, towns and street words come from Faker's locale lists; the trades are ours.

``perturbed_queries`` and ``distractor_queries`` make the matching benchmark's queries: master
names with typos, suffix changes, word-order changes and abbreviations (they must match), and
names that share a word with a supplier but are another business (they must not).
"""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

from workbench.payees.normalize import ABBREVIATIONS, normalize_parts

TRADES = [
    "Steel", "Foods", "Plumbing", "Logistics", "Textiles", "Cement", "Castings", "Forgings",
    "Chemicals", "Pharma", "Electricals", "Engineering", "Construction", "Builders", "Traders",
    "Exports", "Packaging", "Printers", "Motors", "Auto", "Parts", "Hardware", "Paints",
    "Plastics", "Polymers", "Rubber", "Glass", "Ceramics", "Timber", "Furniture", "Fabrics",
    "Garments", "Dairy", "Bakery", "Spices", "Rice", "Mills", "Flour", "Mills", "Sugar", "Oils",
    "Seeds", "Fertilisers", "Agro", "Irrigation", "Pumps", "Valves", "Bearings", "Fasteners",
    "Tools", "Machinery", "Equipment", "Instruments", "Electronics", "Cables", "Wires",
    "Transformers", "Switchgear", "Solar", "Energy", "Power", "Fuels", "Petroleum", "Gas",
    "Transport", "Freight", "Couriers", "Shipping", "Travels", "Tours", "Hotels", "Caterers",
    "Restaurants", "Security", "Facility", "Services", "Cleaning", "Services", "Consulting",
    "Accountants", "Legal", "Services", "Software", "Systems", "Technologies", "Networks",
    "Telecom", "Media", "Advertising", "Marketing", "Events", "Interiors", "Architects",
    "Surveyors", "Labs", "Diagnostics", "Healthcare", "Medical", "Supplies", "Surgicals",
    "Opticals", "Stationers", "Books", "Paper", "Mills", "Cartons", "Laminates", "Coatings",
    "Refractories", "Minerals", "Mining", "Quarries", "Aggregates", "Ready", "Mix", "Roofing",
    "Scaffolding", "Cranes", "Earthmovers", "Rentals", "Uniforms", "Footwear", "Leather",
    "Jewellers", "Infrastructure", "Industries", "Manufacturing"
]
DESCRIPTORS = [
    "Precision", "National", "Global", "United", "Royal", "Modern", "Standard", "Premier",
    "Eastern", "Western", "Northern", "Southern", "Central", "Coastal", "Metro", "Pioneer",
    "Classic", "Allied", "General", "Supreme", "Prime", "Apex", "Summit", "Crown", "Star", "Sun",
    "Green", "Blue", "Golden", "Silver", "Diamond", "Unique", "Quality", "Reliable", "Rapid"
]
BRAND_SYLLABLES = [
    "ka", "ri", "to", "na", "mi", "zo", "lu", "ve", "ra", "ko", "sa", "ni", "da", "te", "ro", "ma",
    "li", "vo", "ze", "xa", "qui", "tor", "var", "lex", "dyn", "tek", "gra", "flo", "nex", "sol",
    "vi", "ta", "cor", "mar", "del", "fin", "gal", "pol", "ron", "tra", "zen"
]
SUFFIXES = {
    "IN": ["Pvt Ltd", "Private Limited", "Ltd", "Limited", "LLP", "& Co"],
    "US": ["Inc", "LLC", "Corp", "Corporation", "Co", "Incorporated"],
    "GB": ["Ltd", "Limited", "PLC", "LLP"],
}
SUFFIX_SWAP = {"pvt ltd": "Private Limited", "ltd": "Limited", "inc": "Incorporated",
               "corp": "Corporation", "co": "Company", "llc": "L.L.C.", "llp": "L.L.P.",
               "plc": "Public Limited Company"}
COUNTRY_SHARE = {"IN": 0.45, "US": 0.35, "GB": 0.20}
GSTIN_CHARS = string.digits + string.ascii_uppercase


def people(country: str) -> tuple[list[str], list[str]]:
    from faker.providers.person.en_GB import Provider as GB
    from faker.providers.person.en_IN import Provider as IN
    from faker.providers.person.en_US import Provider as US

    provider = {"IN": IN, "US": US, "GB": GB}[country]
    return list(provider.first_names), list(provider.last_names)


def cities(country: str) -> list[str]:
    from faker.providers.address.en_GB import Provider as GB
    from faker.providers.address.en_IN import Provider as IN
    from faker.providers.address.en_US import Provider as US

    if country == "IN":
        return list(IN.cities)
    if country == "GB":
        first, _ = people("GB")
        return [f"{p}{s}" for p in first[:60] for s in GB.city_suffixes[:6]]
    first, last = people("US")
    return [f"{p}{s}" for p in last[:120] for s in US.city_suffixes[:8]]


def gstin_check(first14: str) -> str:
    """The GSTIN check character (the mod-36 weighted sum the GST network publishes)."""
    total = 0
    for i, ch in enumerate(first14):
        product = GSTIN_CHARS.index(ch) * (2 if i % 2 else 1)
        total += product // 36 + product % 36
    return GSTIN_CHARS[(36 - total % 36) % 36]


def _tax_ids(rng: np.random.Generator, country: np.ndarray, person: np.ndarray) -> np.ndarray:
    out = np.empty(len(country), dtype=object)
    letters = np.array(list(string.ascii_uppercase))
    for i, c in enumerate(country):
        if c == "IN":
            pan = ("".join(rng.choice(letters, 3)) + ("P" if person[i] else "C")
                   + "".join(rng.choice(letters, 1)) + f"{rng.integers(0, 10_000):04d}"
                   + "".join(rng.choice(letters, 1)))
            first14 = f"{rng.integers(1, 38):02d}{pan}1Z"
            out[i] = first14 + gstin_check(first14)
        elif c == "US":
            out[i] = f"{rng.integers(10, 100)}-{rng.integers(0, 10**7):07d}"
        else:
            out[i] = f"GB{rng.integers(10**8, 10**9)}"
    return out


def _postal(rng: np.random.Generator, country: str) -> str:
    if country == "IN":
        return f"{rng.integers(1, 9)}{rng.integers(0, 10**5):05d}"
    if country == "US":
        return f"{rng.integers(1000, 100_000):05d}"
    up = string.ascii_uppercase
    return (f"{up[rng.integers(26)]}{up[rng.integers(26)]}{rng.integers(1, 30)} "
            f"{rng.integers(10)}{up[rng.integers(26)]}{up[rng.integers(26)]}")


def _brand(rng: np.random.Generator) -> str:
    return "".join(rng.choice(BRAND_SYLLABLES, rng.integers(2, 4))).capitalize()


def _trading_name(rng: np.random.Generator, country: str, pools: dict) -> tuple[str, bool]:
    """One supplier name and whether it is a person trading under their own name."""
    given, surnames = pools[country]["people"]
    surname = surnames[rng.integers(len(surnames))]
    trade = TRADES[rng.integers(len(TRADES))]
    kind = rng.random()
    if kind < 0.10:
        return f"{given[rng.integers(len(given))]} {surname}", True
    if kind < 0.38:
        core = f"{surname} {trade}"
    elif kind < 0.50:
        core = f"{surname} {rng.choice(['& Sons', 'Brothers', '& Co'])} {trade}"
    elif kind < 0.62:
        core = f"{surname} & {surnames[rng.integers(len(surnames))]} {trade}"
    elif kind < 0.82:
        core = f"{_brand(rng)} {trade}"
    else:
        city = pools[country]["cities"][rng.integers(len(pools[country]["cities"]))]
        core = f"{city} {DESCRIPTORS[rng.integers(len(DESCRIPTORS))]} {trade}"
    if rng.random() < 0.85:
        options = SUFFIXES[country]
        core = f"{core} {options[rng.integers(len(options))]}"
    return core, False


def _sibling(rng: np.random.Generator, name: str) -> str:
    """Another supplier's name: the same words but a different trade ("Acme Foods")."""
    words = name.split()
    legal_words = {w.lower() for options in SUFFIXES.values() for o in options for w in o.split()}
    position = len(words) - 1
    while position > 0 and words[position].lower() in legal_words:
        position -= 1
    words[position] = TRADES[rng.integers(len(TRADES))]
    return " ".join(words)


def _address(rng: np.random.Generator, country: str, pools: dict) -> str:
    street = pools[country]["people"][1][rng.integers(len(pools[country]["people"][1]))]
    number = rng.integers(1, 400)
    if country == "IN":
        kind = rng.choice(["Road", "Nagar", "Marg", "Main Road", "Industrial Area"])
        return f"{number}, {street} {kind}"
    suffix = rng.choice(["Street", "Road", "Avenue", "Lane", "Drive", "Way"])
    return f"{number} {street} {suffix}"


def synth_master(rows: int = 483_227, seed: int = 7) -> pd.DataFrame:
    """A supplier master of ``rows`` suppliers (see the module's docstring)."""
    rng = np.random.default_rng(seed)
    pools = {c: {"people": people(c), "cities": cities(c)} for c in COUNTRY_SHARE}
    n_dup = int(rows * 0.02)
    n_entities = rows - n_dup
    countries = rng.choice(list(COUNTRY_SHARE), n_entities, p=list(COUNTRY_SHARE.values()))
    names, person, seen = [], [], set()
    for country in countries:
        while True:
            if names and rng.random() < 0.04 and not person[-1]:
                name, is_person = _sibling(rng, names[-1]), False
            else:
                name, is_person = _trading_name(rng, country, pools)
            key = normalize_parts(name).core
            if key not in seen:
                break
        seen.add(key)
        names.append(name)
        person.append(is_person)
    person_arr = np.array(person)
    frame = pd.DataFrame({
        "name": names,
        "address": [_address(rng, c, pools) for c in countries],
        "city": [pools[c]["cities"][rng.integers(len(pools[c]["cities"]))] for c in countries],
        "postal_code": [_postal(rng, c) for c in countries],
        "country": countries,
        "tax_id": _tax_ids(rng, countries, person_arr),
    })
    dup_rows = frame.iloc[rng.choice(n_entities, n_dup, replace=False)].copy()
    dup_rows["name"] = [_variant(rng, n) for n in dup_rows["name"]]
    frame = pd.concat([frame, dup_rows], ignore_index=True)
    frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    frame.insert(0, "supplier_id", [f"S{i:07d}" for i in range(1, len(frame) + 1)])
    return frame


# --- queries for the matching benchmark ------------------------------------------------------
def _typo(rng: np.random.Generator, word: str) -> str:
    if len(word) < 5:
        return word
    i = int(rng.integers(1, len(word) - 1))
    op = rng.integers(4)
    if op == 0:  # swap two neighbours
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == 1:  # drop one
        return word[:i] + word[i + 1:]
    letter = string.ascii_lowercase[rng.integers(26)]
    if op == 2:  # replace one
        return word[:i] + letter + word[i + 1:]
    return word[:i] + letter + word[i:]  # insert one


_EXPANSIONS = {long: short for short, long in ABBREVIATIONS.items() if len(short) > 1}


def _variant(rng: np.random.Generator, name: str, kind: str | None = None) -> str:
    """The same supplier written differently: typos, suffix, order, abbreviation or case."""
    kind = kind or str(rng.choice(["typo", "suffix", "order", "abbreviation", "case"]))
    parts = normalize_parts(name)
    words = name.split()
    n_core = max(len(parts.core.split()), 1)
    core, tail = words[:n_core], words[n_core:]
    if kind == "typo":
        for _ in range(int(rng.integers(1, 3))):
            j = int(rng.integers(len(core)))
            core[j] = _typo(rng, core[j])
    elif kind == "suffix":
        legal = parts.legal[-1] if parts.legal else ""
        if legal in SUFFIX_SWAP and rng.random() < 0.6:
            tail = [SUFFIX_SWAP[legal]]
        else:
            tail = [] if tail else [str(rng.choice(["Ltd", "Inc", "LLC", "Pvt Ltd"]))]
    elif kind == "order" and len(core) > 1:
        core = core[-1:] + core[:-1]  # the trade first: "Plumbing Smith & Sons"
    elif kind == "abbreviation":
        swapped = [_EXPANSIONS.get(w.lower(), w) for w in core]
        if swapped == core:  # nothing to abbreviate: write "&" as "and" or the other way
            swapped = [{"&": "and", "and": "&"}.get(w.lower(), w) for w in core]
        if swapped == core:  # nothing to abbreviate at all: change the legal form instead
            return _variant(rng, name, "suffix")
        core = swapped
    else:
        return name.upper().replace(" ", "  ") + "." if rng.random() < 0.5 else name.lower()
    return " ".join([*core, *tail])


def perturbed_queries(master: pd.DataFrame, n: int, seed: int = 11) -> pd.DataFrame:
    """``n`` master names written differently; ``tax_id`` tells which supplier is meant."""
    rng = np.random.default_rng(seed)
    picks = master.iloc[rng.choice(len(master), n, replace=False)]
    kinds = rng.choice(["typo", "suffix", "order", "abbreviation", "case"], n)
    names = [_variant(rng, name, kind) for name, kind in zip(picks["name"], kinds, strict=True)]
    return pd.DataFrame({"name": names, "kind": kinds, "source_name": picks["name"].to_numpy(),
                         "tax_id": picks["tax_id"].to_numpy()})


def distractor_queries(master: pd.DataFrame, n: int, seed: int = 13) -> pd.DataFrame:
    """``n`` names that share words with a supplier but name no supplier in the master."""
    rng = np.random.default_rng(seed)
    cores = {normalize_parts(x).core for x in master["name"]}
    rows = []
    for name in master["name"].iloc[rng.choice(len(master), n * 3, replace=False)]:
        other = _sibling(rng, name)
        if normalize_parts(other).core not in cores and len(other.split()) > 1:
            rows.append({"name": other, "source_name": name})
        if len(rows) == n:
            break
    return pd.DataFrame(rows)
