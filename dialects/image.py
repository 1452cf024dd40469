"""TODO: image ops."""
