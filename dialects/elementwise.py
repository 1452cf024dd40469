"""Elementwise ops: arithmetic, math functions, comparison and selection.

Binary and ternary ops broadcast their operands as PyTorch does; operands
must share one element type (the frontend inserts ``fxn.cast`` where Python
would promote).
"""

from .base import FxnOp, Operand
from .types import NUMERIC_DTYPES, TensorType, VerifyError, broadcast_shapes


def elementwise_result(*operands: TensorType, dtypes=NUMERIC_DTYPES, kind="numeric") -> TensorType:
    """The broadcast type of same-typed operands whose element type is in ``dtypes``."""
    first = operands[0]
    for other in operands[1:]:
        if other.dtype != first.dtype:
            raise VerifyError(
                "operand element types differ: " + ", ".join(o.dtype for o in operands)
            )
    if first.dtype not in dtypes:
        raise VerifyError(f"requires {kind} operands; got {first.dtype}")
    return first.with_shape(broadcast_shapes(*(o.shape for o in operands)))


class AddOp(FxnOp, name="add"):
    """Elementwise ``lhs + rhs`` with broadcasting; integers wrap on overflow.

    ``%r = "fxn.add"(%a, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>``
    """

    lhs: Operand
    rhs: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        return elementwise_result(args.lhs, args.rhs)
