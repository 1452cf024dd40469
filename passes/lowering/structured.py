"""Building blocks of the generic lowering: element types, sizes, empty tensors, broadcast maps, generics.

Everything here builds upstream ops (``tensor``, ``linalg``, ``arith``,
``scf``) at the current insertion point and location.
"""

from __future__ import annotations

from typing import Callable, Sequence

from fxn.dialects import TensorType
from fxn.dialects.types import FLOAT_DTYPES, UNSIGNED_DTYPES, bit_width
from fxn.mlir import arith, ir, linalg_ops, scf, tensor


def element_type(dtype: str) -> ir.Type:
    """The MLIR scalar type lowered code computes ``dtype`` in: integers are signless (``ui8`` is ``i8``).

    arith ops take signless integers only; an unsigned type's lowering picks
    the unsigned op variants itself (``maxui``, ``uitofp``, ``ult`` ...), and
    :mod:`.signless` retypes the remaining ``ui8`` values at the end.
    """
    if dtype in FLOAT_DTYPES:
        return TensorType(dtype, ()).to_mlir().element_type
    return ir.IntegerType.get_signless(bit_width(dtype))


def signless_int(value: int, dtype: str) -> int:
    """``value`` of integer type ``dtype`` as the signed value of the same bits (``255`` of ``ui8`` is ``-1``)."""
    bits = bit_width(dtype)
    if dtype in UNSIGNED_DTYPES and value >= 1 << (bits - 1):
        return value - (1 << bits)
    return value


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


def unit_dim_groups(rank: int, unit_axes: Sequence[int]) -> list[list[int]]:
    """The dims of a rank-``rank`` shape grouped around its other dims: each of those starts a group, which
    takes the unit dims before it; trailing unit dims join the last group (all unit dims: no group). The
    reassociation between the shape with and without ``unit_axes``."""
    groups: list[list[int]] = []
    pending: list[int] = []
    for axis in range(rank):
        pending.append(axis)
        if axis not in unit_axes:
            groups.append(pending)
            pending = []
    if pending and groups:
        groups[-1].extend(pending)
    return groups


def reassociation(groups: Sequence[Sequence[int]]) -> ir.ArrayAttr:
    """The reassociation attribute of ``tensor.expand_shape``/``collapse_shape``: dims grouped as listed."""
    i64 = ir.IntegerType.get_signless(64)
    return ir.ArrayAttr.get([ir.ArrayAttr.get([ir.IntegerAttr.get(i64, a) for a in g]) for g in groups])


def without_broadcast_dims(operand: ir.Value, result: TensorType) -> tuple[ir.Value, ir.AffineMap]:
    """``operand`` without the size-1 dims it is broadcast along (``tensor.collapse_shape``), and the indexing
    map reading it as :func:`broadcast_map` does.

    The map is then a projected permutation (a ``(C, 1, 1)`` vector reads
    ``(d0)``, not ``(d0, 0, 0)``), which upstream's fusion of elementwise ops
    through reshapes requires.
    """
    source = tensor_type(operand)
    offset = result.rank - source.rank
    broadcast = [size == 1 and result.shape[axis + offset] != 1 for axis, size in enumerate(source.shape)]
    if not any(broadcast):
        return operand, broadcast_map(source, result)
    dropped = [axis for axis, flag in enumerate(broadcast) if flag]
    kept = [axis for axis, flag in enumerate(broadcast) if not flag]
    collapsed = source.with_shape([source.shape[axis] for axis in kept])
    value = tensor.collapse_shape(collapsed.to_mlir(), operand,
                                  reassociation(unit_dim_groups(source.rank, dropped)))
    return value, ir.AffineMap.get(result.rank, 0, [ir.AffineDimExpr.get(axis + offset) for axis in kept])


def elementwise(operands: Sequence[ir.Value], result: TensorType, body: Callable) -> ir.Value:
    """A ``linalg.generic`` applying ``body(*scalars) -> scalar`` to every element, operands broadcast (read
    without their broadcast dims: :func:`without_broadcast_dims`)."""
    init = empty(result, operands)
    identity = ir.AffineMap.get_identity(result.rank)
    reads = [without_broadcast_dims(v, result) for v in operands]
    maps = [m for _, m in reads] + [identity]
    return generic([v for v, _ in reads], [init], maps, ["parallel"] * result.rank,
                   lambda *scalars: body(*scalars[:-1]))


def generic(inputs: Sequence[ir.Value], outputs: Sequence[ir.Value], maps: Sequence[ir.AffineMap],
            iterators: Sequence[str], body: Callable) -> ir.Value:
    """A ``linalg.generic`` of tensors with one result: ``body(*block_arguments)`` builds the value it yields.

    The op as the bindings' ``linalg.generic`` builds it, from the generated
    op class: their ``linalg`` package imports its named-op DSL and numpy,
    which cost a scalar function's compile more than all the rest.
    ``iterators`` are ``"parallel"`` or ``"reduction"``.
    """
    op = linalg_ops.GenericOp(
        [v.type for v in outputs], inputs, outputs, ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for m in maps]),
        ir.ArrayAttr.get([ir.Attribute.parse(f"#linalg.iterator_type<{kind}>") for kind in iterators]))
    block = op.regions[0].blocks.append(*[v.type.element_type for v in (*inputs, *outputs)])
    with ir.InsertionPoint(block):
        linalg_ops.YieldOp([body(*block.arguments)])
    return op.result


# ----------------------------------------------------------------------------
# Sizes (a static int, or an index value known at run time) and tensors built element by element.


def sizes(value: ir.Value) -> list[int | ir.Value]:
    """Each dim of ``value``: its static size, or a ``tensor.dim`` reading it."""
    return [
        tensor.dim(value, index(axis)) if size is None else size
        for axis, size in enumerate(tensor_type(value).shape)
    ]


def index_value(size: int | ir.Value) -> ir.Value:
    """``size`` as an index value (a constant if it is static)."""
    return index(size) if isinstance(size, int) else size


def add_sizes(a: int | ir.Value, b: int | ir.Value) -> int | ir.Value:
    """``a + b``, folded when both are static or one is 0."""
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    if isinstance(a, int) and a == 0:
        return b
    if isinstance(b, int) and b == 0:
        return a
    return arith.addi(index_value(a), index_value(b))


def _mixed(values: Sequence[int | ir.Value]) -> tuple[list[ir.Value], list[int]]:
    """Offsets or sizes as ``tensor`` slice ops take them: the run-time values, and every one static or dynamic."""
    dynamic = ir.ShapedType.get_dynamic_size()
    return ([v for v in values if not isinstance(v, int)],
            [v if isinstance(v, int) else dynamic for v in values])


def window(value: ir.Value, offsets: Sequence[int | ir.Value], window_sizes: Sequence[int | ir.Value],
           result: TensorType) -> ir.Value:
    """``tensor.extract_slice`` of ``value`` (unit strides) at ``offsets`` of ``window_sizes`` (ints or index
    values) as ``result``, which may drop unit dims."""
    dynamic_offsets, static_offsets = _mixed(offsets)
    dynamic_sizes, static_sizes = _mixed(window_sizes)
    return tensor.extract_slice(result.to_mlir(), value, dynamic_offsets, dynamic_sizes, [], static_offsets,
                                static_sizes, [1] * len(static_sizes))


def with_window(value: ir.Value, into: ir.Value, offsets: Sequence[int | ir.Value],
                window_sizes: Sequence[int | ir.Value]) -> ir.Value:
    """``into`` with the window of :func:`window` replaced by ``value`` (``tensor.insert_slice``)."""
    dynamic_offsets, static_offsets = _mixed(offsets)
    dynamic_sizes, static_sizes = _mixed(window_sizes)
    return tensor.insert_slice(value, into, dynamic_offsets, dynamic_sizes, [], static_offsets, static_sizes,
                               [1] * len(static_sizes))


def empty_of_sizes(dim_sizes: Sequence[int | ir.Value], dtype: str) -> ir.Value:
    """``tensor.empty`` with the given mixed static/dynamic sizes."""
    return tensor.empty(list(dim_sizes), element_type(dtype))


def generate(init: ir.Value, element_at: Callable[[list[ir.Value]], ir.Value]) -> ir.Value:
    """A tensor like ``init`` whose element at each index is ``element_at(indices)`` (a ``linalg.generic``, no inputs).

    ``element_at`` builds, inside the body, the scalar at the given index
    values, typically a ``tensor.extract`` from a tensor defined outside.
    Unlike an identity copy, canonicalization cannot fold such a generic into
    a view of its source, so the result is always a fresh contiguous buffer
    (returning or inserting a strided view would bufferize to a
    ``memref.copy`` that lowers to a call of MLIR's runtime library).
    """
    rank = tensor_type(init).rank
    return generic([], [init], [ir.AffineMap.get_identity(rank)], ["parallel"] * rank,
                   lambda _: element_at([linalg_ops.IndexOp(axis).result for axis in range(rank)]))


def if_else(
    condition: ir.Value, result_type: ir.Type, then_value: Callable[[], ir.Value], else_value: Callable[[], ir.Value]
) -> ir.Value:
    """``condition ? then_value() : else_value()`` as an ``scf.if``: only the chosen side runs (e.g. reads memory)."""
    branch = scf.IfOp(condition, [result_type], has_else=True)
    with ir.InsertionPoint(branch.then_block):
        scf.YieldOp([then_value()])
    with ir.InsertionPoint(branch.else_block):
        scf.YieldOp([else_value()])
    return branch.results[0]
