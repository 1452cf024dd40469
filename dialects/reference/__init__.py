"""The reference semantics of the fxn dialect, as numpy kernels.

One kernel per op, registered by op name. A kernel takes the op's operands
as numpy arrays in declaration order (``None`` for an absent optional
operand, a list for a variadic one), the decoded attributes as keywords and
``result_type`` (the op's :class:`~fxn.dialects.types.TensorType`), and
returns an array of exactly the result's dtype and shape. These kernels are
the definition every backend is tested against, so they favour clarity and
exactness over speed.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Callable

from fxn.lazy import numpy as np

from fxn.dialects.types import TensorType, VerifyError, dtype_of_numpy

#: Kernel per op name (``"fxn.add"``).
KERNELS: dict[str, Callable] = {}


def kernel(op_name: str):
    """Register the decorated function as the reference kernel of ``op_name``."""

    def register(fn):
        if op_name in KERNELS:
            raise ValueError(f"duplicate reference kernel for {op_name}")
        KERNELS[op_name] = fn
        return fn

    return register


def shape_checked_kernel(op_class):
    """Register the decorated function as ``op_class``'s kernel, called with the run-time result type.

    The op's own type inference runs on the concrete operand shapes first, so
    dims that were dynamic in the IR are checked by the verifier's rules (a
    ValueError naming the fault) and the kernel sees a static result type.
    """

    def register(fn):
        @functools.wraps(fn)
        def run(*operands, result_type, **attrs):
            types = {
                name: None if array is None else TensorType(dtype_of_numpy(array.dtype), array.shape)
                for (name, _), array in zip(op_class.OPERANDS, operands)
            }
            try:
                concrete = op_class.infer_type(SimpleNamespace(**types), SimpleNamespace(**attrs))
            except VerifyError as error:
                raise ValueError(str(error)) from None
            return fn(*operands, result_type=concrete, **attrs)

        return kernel(op_class.OPERATION_NAME)(run)

    return register


def compute_dtype(dtype: np.dtype) -> np.dtype:
    """The type a kernel computes or accumulates in: f32 for f16 (rounded once at the end), else ``dtype``."""
    return np.dtype(np.float32) if dtype == np.float16 else np.dtype(dtype)


def load_kernels() -> dict[str, Callable]:
    """Import every kernel module and return the table."""
    from . import elementwise, function, image, nn, reduction, string, tensor  # noqa: F401

    return KERNELS
