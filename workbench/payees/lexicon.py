"""Word lists that tell the three kinds of payee apart.

Public-body words come from the way AP files name councils, counties, departments and their
Indian and UK equivalents; given-name and surname frequencies come from probablepeople's census
ratios (shipped in its package) and Faker's Indian and British name lists.
"""

from __future__ import annotations

import re
from functools import cache

# Phrases that name a public body (matched on normalised names, word bounded).
PUBLIC_BODY_PHRASES = (
    # US
    "city of", "town of", "village of", "county of", "state of", "borough of", "township of",
    "commonwealth of", "district of columbia", "city and county", "consolidated government",
    "department of", "dept of", "board of education", "board of supervisors",
    "board of commissioners", "school district", "public schools", "independent school district",
    "unified school district", "water district", "fire district", "sanitary district",
    "utility district", "park district", "library district", "port authority",
    "housing authority", "transit authority", "water authority", "police department",
    "fire department", "sheriffs office", "sheriff", "county clerk", "clerk of court",
    "tax collector", "treasurer", "county treasurer", "assessor", "attorney general",
    "secretary of state", "internal revenue service", "us treasury", "united states",
    "us department", "social security administration", "postal service", "national guard",
    "tribal", "tribe", "pueblo of", "rancheria", "nation", "municipal", "municipality",
    "township", "county", "parish", "borough", "state university", "public health",
    "state police", "highway patrol", "court", "commission", "election", "elections",
    "government of", "government", "ministry of", "ministry",
    # India
    "nagar nigam", "nagar palika", "nagar panchayat", "gram panchayat", "zila parishad",
    "zilla parishad", "panchayat samiti", "municipal corporation", "municipal council",
    "municipal corp", "development authority", "collectorate", "tehsil", "govt of india",
    "government of india",
    "rajya", "pradesh sarkar", "state electricity board", "public works department",
    "income tax department", "commissioner of", "directorate of", "mahanagar palika",
    # UK
    "council", "city council", "county council", "borough council", "district council",
    "parish council", "town council", "metropolitan borough", "hm revenue", "hmrc",
    "nhs trust", "nhs foundation trust", "nhs", "constabulary", "police", "crown commercial",
    "local authority", "combined authority", "fire and rescue",
)

# Words an AP file carries for trading names (legal forms are separate: see normalize.py).
BUSINESS_WORDS = frozenset([
    "services", "service", "plumbing", "construction", "consulting", "consultants", "solutions",
    "systems", "technologies", "technology", "enterprises", "enterprise", "holdings", "holding",
    "group", "partners", "associates", "industries", "manufacturing", "manufacturers", "trading",
    "traders", "logistics", "transport", "transportation", "motors", "electrical", "electricals",
    "electric", "supplies", "supply", "stores", "store", "restaurant", "cafe", "hotel", "hotels",
    "bank", "insurance", "capital", "investments", "investment", "properties", "property",
    "realty", "foods", "food", "pharma", "pharmaceuticals", "labs", "laboratories", "software",
    "media", "studio", "studios", "design", "marketing", "international", "global", "works",
    "steel", "cement", "textiles", "exports", "imports", "brothers", "sons", "agencies",
    "products", "engineering", "contractors", "contracting", "builders", "equipment", "rentals",
    "rental", "automotive", "auto", "energy", "oil", "gas", "mining", "chemicals", "chemical",
    "packaging", "printing", "print", "distributors", "distribution", "wholesale", "retail",
    "shop", "mart", "market", "markets", "farms", "farm", "dairy", "bakery", "salon", "spa",
    "clinic", "dental", "pharmacy", "healthcare", "health", "medical", "communications", "network",
    "networks", "digital", "ventures", "venture", "fund", "funds", "trust", "bancorp", "financial",
    "finance", "securities", "acquisition", "therapeutics", "biosciences", "biotech", "resources",
    "partners", "llc", "inc", "corp", "ltd", "plc", "co", "company", "limited"
])

# Words of organisations that are neither a person nor a public body in an AP file: churches,
# private schools and colleges, unions, committees and PACs, associations, clubs, practices.
ORGANISATION_WORDS = frozenset([
    "church", "churches", "chapel", "cathedral", "basilica", "temple", "synagogue", "mosque",
    "parish", "ministries", "baptist", "methodist", "lutheran", "presbyterian", "catholic",
    "episcopal", "evangelical", "christian", "congregation", "diocese", "academy", "college",
    "university", "school", "schools", "elem", "elementary", "seminary", "institute",
    "committee", "pac", "cope", "union", "local", "afl", "cio", "brotherhood", "workers",
    "association", "assn", "society", "club", "league", "alliance", "coalition", "federation",
    "foundation", "fund", "chapter", "lodge", "fraternal", "order", "legion", "post",
    "citizens", "friends", "residents", "campaign", "elect", "party", "republican",
    "democratic", "republicans", "democrats", "caucus", "council", "guild", "chamber",
    "law", "attorneys", "lawyers", "counselors", "office", "offices", "clinic", "hospital",
    "center", "restaurant", "grill", "bar", "pub", "tavern", "inn", "hotel", "apartments",
])
HONORIFICS = frozenset([
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "fr", "shri", "sri",
    "smt", "kumari", "km", "kum", "thiru", "thirumathi", "selvi", "hon", "lady", "lord"
])
GENERATIONAL = frozenset(["jr", "sr", "ii", "iii", "iv", "v"])
PROFESSIONAL = frozenset(["md", "phd", "esq", "cpa", "dds", "dvm", "rn", "jd", "mba", "pe", "do"])
# "John Smith DBA Smith Plumbing": a sole trader trading under a business name
DBA_PATTERN = re.compile(r"\b(?:dba|d b a|doing business as|trading as)\b")

# Phrases that settle a name as a public body on their own (when it has no legal form).
DEFINITE_PUBLIC_BODY = frozenset({
    "city of", "town of", "village of", "county of", "state of", "borough of", "township of",
    "commonwealth of", "department of", "ministry of", "government of", "board of education",
    "school district", "public schools", "police department", "fire department",
    "sheriffs office", "nagar nigam", "nagar palika", "nagar panchayat", "gram panchayat",
    "zila parishad", "zilla parishad", "panchayat samiti", "municipal corp",
    "municipal corporation", "municipal council", "mahanagar palika", "city council",
    "county council", "borough council", "district council", "parish council", "town council",
    "metropolitan borough", "nhs trust", "nhs foundation trust", "hm revenue", "constabulary",
})

_PHRASE_RE = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, PUBLIC_BODY_PHRASES),
                                                     key=len, reverse=True)) + r")\b")


def public_body_phrases(text: str) -> list[str]:
    """The public-body phrases in a normalised name, longest first where they overlap."""
    return _PHRASE_RE.findall(text)


@cache
def name_ratios() -> dict[str, float]:
    """Lower-case name -> share of its uses as a given name (0 = always a surname).

    probablepeople's census ratios for US names; Faker's Indian and British lists add names
    the census lacks (given names 1.0, surnames 0.0).
    """
    from faker.providers.person.en_GB import Provider as GB
    from faker.providers.person.en_IN import Provider as IN
    from probablepeople.gender import gender_names
    from probablepeople.ratios import ratios

    table = {name.lower(): float(share) for name, share in ratios.items()}
    for provider in (IN, GB):
        for given in provider.first_names:
            table.setdefault(given.lower(), 1.0)
        for surname in provider.last_names:
            table.setdefault(surname.lower(), 0.0)
    for given in gender_names:
        table.setdefault(given.lower(), 1.0)
    return table
