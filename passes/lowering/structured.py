"""Building blocks of the generic lowering: element types, empty tensors, broadcast maps, generics.

Everything here builds upstream ops (``tensor``, ``linalg``, ``arith``) at
the current insertion point and location.
"""

from __future__ import annotations

from typing import Callable, Sequence

from fxn.dialects import TensorType
from fxn.mlir import arith, ir, linalg, tensor


def element_type(dtype: str) -> ir.Type:
    """The MLIR scalar type of an fxn element type name."""
    return TensorType(dtype, ()).to_mlir().element_type


def tensor_type(value: ir.Value) -> TensorType:
    return TensorType.from_mlir(value.type)


def index(value: int) -> ir.Value:
    return arith.constant(ir.IndexType.get(), value)


def dynamic_sizes(result: TensorType, sources: Sequence[ir.Value]) -> list[ir.Value]:
    """Run-time sizes of ``result``'s dynamic dims, read from sources aligned to the right.

    For each dynamic result dim the first source whose aligned dim is dynamic
    gives the size (type inference guarantees one exists).
    """
    sizes = []
    for axis, size in enumerate(result.shape):
        if size is not None:
            continue
        for source in sources:
            source_type = tensor_type(source)
            source_axis = axis - (result.rank - source_type.rank)
            if source_axis >= 0 and source_type.shape[source_axis] is None:
                sizes.append(tensor.dim(source, index(source_axis)))
                break
        else:
            raise ValueError(f"no operand gives the size of dynamic dimension {axis} of {result}")
    return sizes


def empty(result: TensorType, sources: Sequence[ir.Value] = ()) -> ir.Value:
    """``tensor.empty`` of type ``result`` (dynamic sizes from ``sources``)."""
    dynamic = iter(dynamic_sizes(result, sources))
    sizes = [next(dynamic) if d is None else d for d in result.shape]
    return tensor.empty(sizes, element_type(result.dtype))


def broadcast_map(operand: TensorType, result: TensorType) -> ir.AffineMap:
    """The indexing map reading ``operand`` broadcast (PyTorch rules, right-aligned) to ``result``.

    A static size-1 dim against a larger result dim reads index 0; other
    dims follow the result's iteration dim.
    """
    offset = result.rank - operand.rank
    exprs = []
    for axis, size in enumerate(operand.shape):
        result_size = result.shape[axis + offset]
        if size == 1 and result_size != 1:
            exprs.append(ir.AffineConstantExpr.get(0))
        else:
            exprs.append(ir.AffineDimExpr.get(axis + offset))
    return ir.AffineMap.get(result.rank, 0, exprs)


def elementwise(operands: Sequence[ir.Value], result: TensorType, body: Callable) -> ir.Value:
    """A ``linalg.generic`` applying ``body(*scalars) -> scalar`` to every element, operands broadcast."""
    init = empty(result, operands)
    identity = ir.AffineMap.get_identity(result.rank)
    maps = [broadcast_map(tensor_type(v), result) for v in operands] + [identity]
    iterators = [linalg.IteratorType.parallel] * result.rank

    @linalg.generic(list(operands), [init], maps, iterators)
    def generic(*scalars):
        return body(*scalars[:-1])

    return generic
