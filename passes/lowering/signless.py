"""Retype ``ui8`` to ``i8`` after the fxn ops are lowered: upstream dialects compute on signless integers.

The fxn dialect keeps unsignedness in its types (``tensor<4xui8>``) because
the semantics of max, comparison, casts and pooling depend on it. Lowerings
read it from the fxn op's operand and result types and choose the unsigned
arith variants (``maxui``, ``uitofp``, ``cmpi ult`` ...); the values they
build are signless (``tensor<4xi8>``) or still carry the ``ui8`` of the op
they replace (a ``linalg.generic`` block argument of a ``ui8`` operand).
While fxn ops remain, a signless replacement is cast back to the op's
unsigned type (:func:`restore_unsigned`), so that the ops lowered after it
still see ``ui8`` operands. Once no fxn op is left, :func:`make_signless`
gives every value, block argument and function signature the signless type
of the same width, which arith and LLVM accept, and drops those casts; the
bits never change.
"""

from __future__ import annotations

from fxn.mlir import ir

_CAST = "builtin.unrealized_conversion_cast"


def signless(mlir_type: ir.Type) -> ir.Type:
    """``mlir_type`` with unsigned integer element types made signless (other types unchanged)."""
    if isinstance(mlir_type, ir.RankedTensorType):
        element = signless(mlir_type.element_type)
        if element == mlir_type.element_type:
            return mlir_type
        return ir.RankedTensorType.get(mlir_type.shape, element, mlir_type.encoding, loc=ir.Location.unknown())
    if isinstance(mlir_type, ir.FunctionType):
        return ir.FunctionType.get([signless(t) for t in mlir_type.inputs], [signless(t) for t in mlir_type.results])
    if isinstance(mlir_type, ir.IntegerType) and mlir_type.is_unsigned:
        return ir.IntegerType.get_signless(mlir_type.width)
    return mlir_type


def _retype(value: ir.Value) -> None:
    new_type = signless(value.type)
    if new_type != value.type:
        value.set_type(new_type)


def restore_unsigned(value: ir.Value, fxn_type: ir.Type) -> ir.Value:
    """``value`` as ``fxn_type`` (an ``unrealized_conversion_cast``) if it is that type made signless."""
    if value.type == fxn_type or value.type != signless(fxn_type):
        return value
    return ir.Operation.create(_CAST, results=[fxn_type], operands=[value]).result


def make_signless(root) -> None:
    """Retype every unsigned integer value in ``root`` (results, block arguments, function types) to signless."""

    def visit(op):
        for result in op.results:
            _retype(result)
        for region in op.regions:
            for block in region.blocks:
                for argument in block.arguments:
                    _retype(argument)
        if "function_type" in op.attributes:
            function_type = ir.TypeAttr(op.attributes["function_type"]).value
            op.attributes["function_type"] = ir.TypeAttr.get(signless(function_type))
        return ir.WalkResult.ADVANCE

    with root.context:
        root.walk(visit)
        for cast in _identity_casts(root):
            cast.results[0].replace_all_uses_with(cast.operands[0])
            cast.erase()


def _identity_casts(root) -> list:
    casts = []

    def visit(op):
        if op.name == _CAST and op.operands[0].type == op.results[0].type:
            casts.append(op)
        return ir.WalkResult.ADVANCE

    root.walk(visit)
    return casts
