"""The peers: one module each, imported only in its own process."""

