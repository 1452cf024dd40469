"""Reference kernels of the reduction ops (see ``fxn.dialects.reduction``)."""
