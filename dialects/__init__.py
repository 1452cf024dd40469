"""The fxn dialect: op definitions, type rules and the reference semantics.

- ``types``: element types, tensor types and broadcasting, shared by all ops.
- ``base``: how an op is declared (operands, attribute specs, inference).
- ``elementwise``, ``tensor``, ``reduction``, ``nn``, ``image``, ``function``: the ops.
- ``reference``: numpy kernels that define what every op computes.

``TensorType`` and ``VerifyError`` import no MLIR; the rest imports the
bindings when first named.
"""

from .types import TensorType, VerifyError


def new_context():
    """A fresh MLIR context with the fxn dialect (and every upstream dialect) available."""
    from fxn.mlir import ir

    from .base import load_dialect

    context = ir.Context()
    load_dialect(context)
    return context


def __getattr__(name: str):
    if name in ("OPS", "FxnDialect", "FxnOp", "load_dialect"):
        from . import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["OPS", "FxnDialect", "FxnOp", "TensorType", "VerifyError", "load_dialect", "new_context"]
