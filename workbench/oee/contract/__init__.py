"""The OEE data contract: table specs, readers and the data container."""
