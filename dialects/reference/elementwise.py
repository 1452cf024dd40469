"""Reference kernels of the elementwise ops (see ``fxn.dialects.elementwise``)."""

import numpy as np

from . import kernel


@kernel("fxn.add")
def add(lhs, rhs, *, result_type):
    return np.add(lhs, rhs, dtype=result_type.numpy_dtype)
