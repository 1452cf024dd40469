"""The generic lowering of the fxn dialect to upstream MLIR (linalg, tensor, arith, math).

One table maps each fxn op to a function ``lower(op, target) -> ir.Value``
that builds the replacement at the op (insertion point and location set by
the caller). A backend's :attr:`~fxn.backends.base.Backend.lowerings` replace
entries of this table for its target; everything else is shared.
"""

from pathlib import Path
from typing import Callable

#: The transform script that converts vector ops to LLVM with 32-bit indices, for targets of that width
#: (see its comments and :func:`fxn.compiler.pipeline_text`).
VECTOR_TO_LLVM_INDEX32 = Path(__file__).with_name("vector_to_llvm_index32.mlir")

#: op name -> lowering function, filled by the modules below.
LOWERINGS: dict[str, Callable] = {}


def lowering(op_name: str):
    """Register the decorated function as the generic lowering of ``op_name``."""

    def register(fn):
        if op_name in LOWERINGS:
            raise ValueError(f"duplicate lowering for {op_name}")
        LOWERINGS[op_name] = fn
        return fn

    return register


def load_lowerings() -> dict[str, Callable]:
    """Import every lowering module and return the table."""
    from . import elementwise, float_text, function, image, nn, reduction, string, string_methods, tensor  # noqa: F401

    return LOWERINGS
