"""The Python frontend: turns a typed Python function into fxn-dialect IR.

:func:`trace` is the one entry point the compiler uses; ``types`` derives
parameter types from annotations and arguments. ``fma`` and ``crop`` (from
:mod:`.intrinsics`, imported on first use since they need torch) call fxn
ops that torch has no function for.
"""

from .errors import FrontendError, UnsupportedOperation
from .trace import TracedFunction, trace

__all__ = ["trace", "TracedFunction", "FrontendError", "UnsupportedOperation", "fma", "crop"]


def __getattr__(name):
    if name in ("fma", "crop"):
        from . import intrinsics

        return getattr(intrinsics, name)
    raise AttributeError(f"module 'fxn.frontend' has no attribute {name!r}")
