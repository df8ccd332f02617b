"""The ESP data contract: columns, physical ranges, reject reasons and the readers."""
