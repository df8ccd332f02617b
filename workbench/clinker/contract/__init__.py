"""The clinker data contract: table schemas, the network container, readers and writers."""
