"""TODO: nn ops."""
