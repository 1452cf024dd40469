"""Generic lowering of the elementwise fxn ops: one ``linalg.generic`` each, operands broadcast."""

from __future__ import annotations

from fxn.mlir import arith, math

from . import lowering
from .structured import elementwise, tensor_type


def _binary(float_op, int_op):
    def lower(op, target):
        result = tensor_type(op.results[0])
        scalar = float_op if result.is_float else int_op
        return elementwise(list(op.operands), result, scalar)

    return lower


lowering("fxn.add")(_binary(arith.addf, arith.addi))
lowering("fxn.sub")(_binary(arith.subf, arith.subi))
lowering("fxn.mul")(_binary(arith.mulf, arith.muli))
lowering("fxn.max")(_binary(arith.maximumf, arith.maxsi))
lowering("fxn.min")(_binary(arith.minimumf, arith.minsi))


@lowering("fxn.div")
def lower_div(op, target):
    return elementwise(list(op.operands), tensor_type(op.results[0]), arith.divf)


@lowering("fxn.fma")
def lower_fma(op, target):
    # math.fma becomes llvm.fma: one rounding, a hardware FMA where the target has one.
    return elementwise(list(op.operands), tensor_type(op.results[0]), math.fma)
