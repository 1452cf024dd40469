"""TODO: tensor ops."""
