"""Generic lowering of the tensor fxn ops (constants and shape manipulation)."""

from __future__ import annotations

from fxn.mlir import arith

from . import lowering


@lowering("fxn.constant")
def lower_constant(op, target):
    return arith.constant(op.results[0].type, op.attributes["value"])
