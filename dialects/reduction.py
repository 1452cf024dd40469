"""TODO: reduction ops."""
