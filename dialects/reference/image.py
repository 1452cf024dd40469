"""Reference kernels of the image ops (see ``fxn.dialects.image``)."""
