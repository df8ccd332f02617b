"""Ingestion: the reject checks of spec section 2, the pipeline into the store, quarantine."""
