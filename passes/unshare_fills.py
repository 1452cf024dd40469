"""fxn-unshare-fills: each op that writes into a ``linalg.fill``'s result gets a fill of its own.

Lowerings start each accumulation (a convolution, a matrix product) from a
``linalg.fill`` of zeros, one per op; ``cse`` then merges the fills of the
same shape and value into one shared by several accumulations. Each of
them writes into its destination, so bufferization has to copy the shared
buffer for all but one: a read and a write of the whole accumulator where
a fill would only have written it, and a copy no chunk of a parallel loop
can take over. This pass gives every writing use its own fill, cloned at
the original; uses that only read keep the original. It runs first in the
"vectorized" stage, before ``fxn-parallelize``, which fuses a fill used
once into its consumer's chunks (a fill left whole is vectorized into a
loop, which a later ``cse`` may merge again). Before/after::

    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1x32x1x784xf32>)
    %a = linalg.conv_2d_nchw_fchw ins(...) outs(%z : ...)
    %b = linalg.conv_2d_nchw_fchw ins(...) outs(%z : ...)
    ==>
    %z = linalg.fill ins(%zero : f32) outs(%e : ...)
    %z1 = linalg.fill ins(%zero : f32) outs(%e : ...)
    %a = linalg.conv_2d_nchw_fchw ins(...) outs(%z : ...)
    %b = linalg.conv_2d_nchw_fchw ins(...) outs(%z1 : ...)
"""

from __future__ import annotations

from dataclasses import dataclass

from fxn.mlir import ir

from .registry import FxnPass
from .transform_scripts import ops_named


def writes_into(user, operand_number: int) -> bool:
    """Whether ``user`` writes into its operand ``operand_number``: a linalg op's destination (its last
    operands, one per result) or a tensor an ``scf.forall`` shares with its chunks."""
    if user.name == "scf.forall":
        return isinstance(user.operands[operand_number].type, ir.RankedTensorType)
    return user.name.startswith("linalg.") and operand_number >= len(user.operands) - len(user.results)


@dataclass
class FxnUnshareFills(FxnPass):
    """Give each op that writes into a linalg.fill's result its own fill (see the module docstring)."""

    argument = "fxn-unshare-fills"

    def run_on(self, op) -> None:
        cloned = 0
        with op.context:
            for fill in ops_named(op, "linalg.fill"):
                written = [(use.owner, use.operand_number) for use in fill.results[0].uses
                           if writes_into(use.owner, use.operand_number)]
                read_only = len(list(fill.results[0].uses)) > len(written)
                for user, number in written[0 if read_only else 1:]:
                    clone = fill.operation.clone(ir.InsertionPoint(fill))
                    user.operands[number] = clone.results[0]
                    cloned += 1
        self.count("cloned", "fills cloned for an op that writes into them", cloned)
