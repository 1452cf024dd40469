"""Reference kernels of the tensor ops (see ``fxn.dialects.tensor``)."""
