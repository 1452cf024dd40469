"""fxn-constant-fold: evaluate fxn ops whose operands are all constants."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fxn.dialects import OPS
from fxn.dialects.elements import elements_to_numpy, numpy_to_elements, resource_blobs
from fxn.mlir import ir, rewrite

from .patterns import defining_op, tensor_type
from .registry import FxnPass

_MATCH_FAILED = True


@dataclass
class FxnConstantFold(FxnPass):
    """Replace fxn ops whose operands are all constants by the constant they compute.

    The value is computed by the reference interpreter's kernel, so folding
    means exactly what running the op means. Only ops whose result is
    statically shaped with at most ``max-elements`` elements are folded, to
    keep large weights out of the IR. Before/after::

        %a = "fxn.constant"() {value = dense<2.0> : tensor<2xf32>} : () -> tensor<2xf32>
        %b = "fxn.exp"(%a) : (tensor<2xf32>) -> tensor<2xf32>
        ==>
        %b = "fxn.constant"() {value = dense<7.3890562> : tensor<2xf32>} : () -> tensor<2xf32>
    """

    argument = "fxn-constant-fold"
    max_elements: int = field(default=1024, metadata={"help": "fold only ops whose result has at most this many elements"})

    def run_on(self, op) -> None:
        from fxn.interpreter import evaluate_op

        blobs = {}

        def elements(attr):
            if isinstance(attr, ir.DenseElementsAttr):
                return elements_to_numpy(attr)
            if not blobs:
                blobs.update(resource_blobs(_module_of(op)))
            return elements_to_numpy(attr, blobs)

        def fold(target, rewriter):
            result_type = tensor_type(target.results[0])
            if not result_type.is_static or int(np.prod(result_type.shape)) > self.max_elements:
                return _MATCH_FAILED
            producers = [defining_op(v, "fxn.constant") for v in target.operands]
            if any(p is None for p in producers):
                return _MATCH_FAILED
            inputs = [elements(p.attributes["value"]) for p in producers]
            value = evaluate_op(target, inputs, elements)
            with rewriter.ip:
                folded = OPS["fxn.constant"].build(value=numpy_to_elements(value), loc=target.location)
            rewriter.replace_op(target, [folded])
            self.count("num-folded", "Number of ops folded to constants")

        patterns = rewrite.RewritePatternSet()
        for name, op_class in OPS.items():
            if name != "fxn.constant":
                patterns.add(op_class, fold)
        rewrite.apply_patterns_and_fold_greedily(op, patterns.freeze())


def _module_of(op):
    while op.parent is not None:
        op = op.parent
    return op
