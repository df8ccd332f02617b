"""The three labels of the payees contract (spec section 1)."""

BUSINESS = "business"
INDIVIDUAL = "individual"
GOVERNMENT = "government"
LABELS = (BUSINESS, GOVERNMENT, INDIVIDUAL)
