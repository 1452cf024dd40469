"""The Python frontend: turns a typed Python function into fxn-dialect IR.

:func:`.trace.trace` is the one entry point the compiler uses; ``types``
derives parameter types from annotations and arguments. ``fma`` and
``crop`` (from :mod:`.intrinsics`) call fxn ops that torch has no function
for. Nothing here imports torch until it is used: decorating a function
with ``@fxn.compile`` reads its annotations (``.types``) only.
"""

from .errors import FrontendError, UnsupportedOperation

__all__ = ["FrontendError", "UnsupportedOperation", "fma", "crop"]


def __getattr__(name):
    if name in ("fma", "crop"):
        from . import intrinsics

        return getattr(intrinsics, name)
    raise AttributeError(f"module 'fxn.frontend' has no attribute {name!r}")
