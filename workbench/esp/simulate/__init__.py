"""A physically plausible ESP field simulator with labelled episodes (see field.py)."""
