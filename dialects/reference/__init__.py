"""The reference semantics of the fxn dialect, as numpy kernels.

One kernel per op, registered by op name. A kernel takes the op's operands
as numpy arrays in declaration order (``None`` for an absent optional
operand, a list for a variadic one), the decoded attributes as keywords and
``result_type`` (the op's :class:`~fxn.dialects.types.TensorType`), and
returns an array of exactly the result's dtype and shape. These kernels are
the definition every backend is tested against, so they favour clarity and
exactness over speed.
"""

from typing import Callable

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


def load_kernels() -> dict[str, Callable]:
    """Import every kernel module and return the table."""
    from . import elementwise, image, nn, reduction, tensor  # noqa: F401

    return KERNELS
