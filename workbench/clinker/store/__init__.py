"""The clinker domain's side of the store: its tables, migrations and conversions."""
