"""fxn-constant-fold: evaluate fxn ops whose operands are all constants."""

from __future__ import annotations

from dataclasses import dataclass, field

from fxn.lazy import numpy as np

from fxn.dialects import OPS, TensorType, elementwise
from fxn.dialects.elements import ModuleElements, element_count, numpy_to_elements, splat_elements, splat_scalar
from fxn.dialects.reference import load_kernels
from fxn.mlir import ir, rewrite

from .patterns import defining_op, outermost_op, tensor_type
from .registry import FxnPass

_MATCH_FAILED = True

#: Ops left as they are: a constant already, and fxn.empty (zeros would cost a copy that nothing needs).
_NEVER_FOLDED = ("fxn.constant", "fxn.empty")

#: Ops whose result holds only elements of their one input: a splat input gives the same splat.
_SPLAT_KEEPING = ("fxn.broadcast_to", "fxn.reshape", "fxn.transpose", "fxn.slice")


@dataclass
class FxnConstantFold(FxnPass):
    """Replace fxn ops whose operands are all constants by the constant they compute.

    The value is computed by the reference interpreter's kernel, so folding
    means exactly what running the op means. Only ops whose result and
    constant operands are statically shaped with at most ``max-elements``
    elements each are evaluated, to keep large weights out of the IR and the
    pass's memory bounded; ``fxn.empty`` is never folded. Splats are never expanded beyond that bound: an
    elementwise op of splats, broadcast_to / reshape / transpose / slice of a
    splat, a concat of equal splats and a pad that adds only the splat's own
    value give a splat of any size, computed from the one value; other ops
    of larger constants stay. Before/after::

        %a = "fxn.constant"() {value = dense<2.0> : tensor<2xf32>} : () -> tensor<2xf32>
        %b = "fxn.exp"(%a) : (tensor<2xf32>) -> tensor<2xf32>
        ==>
        %b = "fxn.constant"() {value = dense<7.3890562> : tensor<2xf32>} : () -> tensor<2xf32>
    """

    argument = "fxn-constant-fold"
    max_elements: int = field(
        default=1024, metadata={"help": "evaluate only ops whose result and operands have at most this many elements"}
    )

    def run_on(self, op) -> None:
        from fxn.interpreter import evaluate_op

        elements = ModuleElements(outermost_op(op))

        def fold(target, rewriter):
            result_type = tensor_type(target.results[0])
            if not result_type.is_static:
                return _MATCH_FAILED
            producers = [defining_op(v, "fxn.constant") for v in target.operands]
            if any(p is None for p in producers):
                return _MATCH_FAILED
            values = [p.attributes["value"] for p in producers]
            # Splats fold from their one value, whatever the bound; the rest only within it.
            value = fold_splats(target, values, result_type)
            if value is None:
                types = [result_type, *(TensorType.from_mlir(v.type) for v in values)]
                if not all(self._within_bound(t) for t in types):
                    return _MATCH_FAILED
                try:
                    value = numpy_to_elements(evaluate_op(target, [elements(v) for v in values], elements))
                except MemoryError:  # a bound set past this machine's memory: leave the op as it is
                    return _MATCH_FAILED
            with rewriter.ip:
                folded = OPS["fxn.constant"].build(value=value, loc=target.location)
            rewriter.replace_op(target, [folded])
            self.count("num-folded", "Number of ops folded to constants")

        patterns = rewrite.RewritePatternSet()
        for name, op_class in OPS.items():
            if name not in _NEVER_FOLDED:
                patterns.add(op_class, fold)
        rewrite.apply_patterns_and_fold_greedily(op, patterns.freeze())

    def _within_bound(self, type_: TensorType) -> bool:
        return element_count(type_.shape) <= self.max_elements


def fold_splats(op, values: list[ir.Attribute], result_type: TensorType) -> ir.DenseElementsAttr | None:
    """``op``'s result on the splat constants ``values`` as a splat, computed from their one values.

    None unless every operand is a splat and the op's semantics make the
    result one. Nothing is expanded, whatever the sizes.
    """
    scalars = [splat_scalar(v) for v in values]
    if not scalars or any(s is None for s in scalars) or element_count(result_type.shape) == 0:
        return None
    name = op.operation.name
    # Each result element of an op of dialects/elementwise.py depends only on the
    # operand elements at its (broadcast) position: on splats, all are the same.
    if OPS[name].__module__ == elementwise.__name__:
        scalar = _elementwise_scalar(op, scalars, result_type)
    elif name in _SPLAT_KEEPING or _joins_equal_splats(op, scalars) or _pads_with_own_value(op, scalars[0]):
        scalar = scalars[0]
    else:
        return None
    return splat_elements(scalar, result_type)


def _elementwise_scalar(op, scalars: list[np.ndarray], result_type: TensorType) -> np.ndarray:
    """The reference kernel of an elementwise op on 0-d operands: every element of its splat result."""
    name = op.operation.name
    op_class = OPS[name]
    attrs = vars(op_class.decode_attrs(op.attributes))
    with np.errstate(all="ignore"):
        result = load_kernels()[name](
            *op_class.group_operands(scalars).values(), result_type=result_type.with_shape(()), **attrs
        )
    return np.asarray(result)


def _joins_equal_splats(op, scalars: list[np.ndarray]) -> bool:
    # Bits, not values: +0.0 and -0.0 differ, a NaN equals itself.
    return op.operation.name == "fxn.concat" and len({s.tobytes() for s in scalars}) == 1


def _pads_with_own_value(op, scalar: np.ndarray) -> bool:
    """A pad copying edge elements (reflect, replicate), or filling with ``scalar``'s exact bits."""
    if op.operation.name != "fxn.pad":
        return False
    attrs = OPS["fxn.pad"].decode_attrs(op.attributes)
    fill = np.full((), attrs.value, dtype=scalar.dtype)  # converted as the reference kernel does
    return attrs.mode != "constant" or fill.tobytes() == scalar.tobytes()
