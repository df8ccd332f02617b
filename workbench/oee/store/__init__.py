"""The OEE event store: events, counts and reference tables per dataset, and KPIs per machine
and shift and per machine and day, computed at import."""
