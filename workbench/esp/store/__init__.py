"""The ESP domain's records in the SQL store: wells and fields, ingest runs, quality by day,
evaluations, each with its lineage; and who may see which wells."""
