"""fxn-fuse-fma: a float multiply whose only use is an add becomes one ``fxn.fma``."""

from __future__ import annotations

from dataclasses import dataclass, field

from fxn.dialects import OPS

from .patterns import apply_counting, defining_op, tensor_type
from .registry import FxnPass

_MATCH_FAILED = True  # a pattern function returns a truthy value when it does not apply


def _fuse(op, rewriter):
    """``add(mul(x, y), z)`` or ``add(z, mul(x, y))`` -> ``fma(x, y, z)`` when the product has no other use."""
    if not tensor_type(op.results[0]).is_float:
        return _MATCH_FAILED
    for product, addend in ((op.operands[0], op.operands[1]), (op.operands[1], op.operands[0])):
        mul = defining_op(product, "fxn.mul")
        if mul is None or len(list(product.uses)) != 1:
            continue
        x, y = mul.operands[0], mul.operands[1]
        with rewriter.ip:
            fused = OPS["fxn.fma"].build(x, y, addend, loc=op.location)
        if fused.type != op.results[0].type:  # cannot happen (both broadcast x, y, z alike): keep the IR
            rewriter.erase_op(fused.owner)
            return _MATCH_FAILED
        rewriter.replace_op(op, [fused])
        rewriter.erase_op(mul)
        return None
    return _MATCH_FAILED


@dataclass
class FxnFuseFma(FxnPass):
    """Fuse a float multiply whose only use is an add into one fxn.fma (rounded once).

    ``add(mul(x, y), z)`` and ``add(z, mul(x, y))`` become ``fma(x, y, z)``,
    with any broadcasting of the three operands: ``fxn.fma`` broadcasts them
    as the multiply and the add did, so the result type is the add's. A
    multiply with another use stays, as does every integer multiply-add.

    The fused op rounds once where the pair rounded twice, so results may
    differ in the last bit: the rewrite is a floating-point contraction (C's
    ``-ffp-contract=on``), made only with ``contract=true``, the default;
    ``contract=false`` keeps every multiply and add, for pipelines that must
    round as the source does. Before/after::

        %p = "fxn.mul"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
        %r = "fxn.add"(%z, %p) : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
        ==>
        %r = "fxn.fma"(%x, %y, %z) : (tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    """

    argument = "fxn-fuse-fma"
    contract: bool = field(default=True, metadata={"help": "fuse (rounding once); false leaves the IR as it is"})

    def run_on(self, op) -> None:
        if not self.contract:
            return
        fused = apply_counting(op, OPS["fxn.add"], _fuse)
        if fused:
            self.count("fused", "multiply-adds fused into fxn.fma", fused)
