"""The fxn dialect: op definitions, type rules and the reference semantics.

- ``types``: element types, tensor types and broadcasting, shared by all ops.
- ``base``: how an op is declared (operands, attribute specs, inference).
- ``elementwise``, ``tensor``, ``reduction``, ``nn``, ``image``: the ops.
- ``reference``: numpy kernels that define what every op computes.
"""

from fxn.mlir import ir

from .base import OPS, FxnDialect, FxnOp, load_dialect
from .types import TensorType, VerifyError


def new_context() -> ir.Context:
    """A fresh MLIR context with the fxn dialect (and every upstream dialect) available."""
    context = ir.Context()
    load_dialect(context)
    return context


__all__ = ["OPS", "FxnDialect", "FxnOp", "TensorType", "VerifyError", "load_dialect", "new_context"]
