"""Reference kernels of the nn ops (see ``fxn.dialects.nn``)."""
