"""Small builders the importers share: constants, casts and operands brought to one type.

Everything is built at the current insertion point and location, so the
caller's ``with location, InsertionPoint(...)`` decides where ops go and
which source line they carry.
"""

from __future__ import annotations

from fxn.lazy import numpy as np

from fxn.dialects import TensorType
from fxn.dialects.elementwise import CastOp
from fxn.dialects.tensor import ConstantOp
from fxn.dialects.types import dtype_of_numpy, numpy_dtypes
from fxn.mlir import ir

from .errors import Unsupported

#: Constants with more elements than this keep their bytes in a resource blob, not a literal.
RESOURCE_THRESHOLD = 4096


def type_of(value: ir.Value) -> TensorType:
    return TensorType.from_mlir(value.type)


def is_value(operand) -> bool:
    return isinstance(operand, ir.Value)


def constant(array: np.ndarray) -> ir.Value:
    """An ``fxn.constant`` holding ``array``: a splat, a ``dense<>`` literal or, if large, a resource."""
    array = np.asarray(array)
    flat = array.reshape(-1)
    if flat.size > 1 and (flat == flat[0]).all():
        return ConstantOp.build(value=_splat(array))
    if flat.size > RESOURCE_THRESHOLD:
        return ConstantOp.from_numpy(array, resource="fxn_constant")
    return ConstantOp.from_numpy(array)


def _splat(array: np.ndarray) -> ir.DenseElementsAttr:
    tensor_type = TensorType(dtype_of_numpy(array.dtype), array.shape).to_mlir()
    first = array.reshape(-1)[0].item()
    if np.issubdtype(array.dtype, np.floating):
        element = ir.FloatAttr.get(tensor_type.element_type, first)
    else:
        element = ir.IntegerAttr.get(tensor_type.element_type, int(first))
    return ir.DenseElementsAttr.get_splat(tensor_type, element)


def scalar(value, dtype: str) -> ir.Value:
    """A 0-d constant of element type ``dtype`` holding the Python scalar ``value`` (rounded as numpy does)."""
    with np.errstate(all="ignore"):
        return constant(np.asarray(value).astype(numpy_dtypes()[dtype]))


def cast(value: ir.Value, dtype: str) -> ir.Value:
    """``value`` converted to element type ``dtype`` by ``fxn.cast`` (unchanged if it has it)."""
    source = type_of(value)
    if source.dtype == dtype:
        return value
    return CastOp.build(value, result_type=source.with_dtype(dtype))


def operand(value, dtype: str) -> ir.Value:
    """A tensor cast to ``dtype``, a Python scalar as a 0-d constant of ``dtype``, or the size of a dynamic dim
    (``x.shape[0]``) read at run time."""
    if _named_size(value):
        from fxn.dialects.tensor import DimOp

        value = DimOp.build(value.value, axis=value.axis)
    return cast(value, dtype) if is_value(value) else scalar(value, dtype)


def _named_size(value) -> bool:
    """Whether ``value`` is a ``DynamicSize`` that names its dim (so that ``fxn.dim`` reads it)."""
    from .aten import DynamicSize

    return isinstance(value, DynamicSize) and value.value is not None


def operands(values, dtype: str) -> list[ir.Value]:
    return [operand(v, dtype) for v in values]


def promotion_operand(operand) -> TensorType | bool | int | float:
    """What type promotion sees of an operand: a tensor's type, the Python scalar itself, or for the size of a
    dynamic dim (``x.shape[0]``), a 0-d i64 tensor's type.

    Unsupported for anything else, and for a size known only at run time
    whose dim the graph does not name.
    """
    if is_value(operand):
        return type_of(operand)
    if _named_size(operand):
        return TensorType("i64", ())
    if type(operand).__name__ == "DynamicSize":
        raise Unsupported("a number known only at run time is used where fxn needs an array (float(), int(), "
                          "bool() or .item() of an array, or a size fxn cannot name): keep it an array "
                          "(x.sum() rather than x.sum().item())")
    if not isinstance(operand, (bool, int, float)):
        raise Unsupported(f"a {type(operand).__name__} ({operand!r}) is used as a number; fxn computes with "
                          "bools, ints and floats")
    return operand
