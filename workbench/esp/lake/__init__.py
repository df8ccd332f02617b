"""The telemetry store on disk: Parquet partitions by well and day, rollups, quality, archive."""
