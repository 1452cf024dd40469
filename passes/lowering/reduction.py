"""Generic lowering of the reduction fxn ops: ``linalg.generic`` reductions into filled accumulators, and scans.

Also the building blocks the nn and image lowerings share: the accumulator
type (f16 accumulates in f32), scalar constants and conversions, filled
accumulators, reducing generics, the elementwise "finish" that rounds an
accumulator to the result type, unit-dim reshapes, and the located error
of a lowering that needs static dims.
"""

from __future__ import annotations

from typing import Callable, Sequence

from fxn.dialects import TensorType
from fxn.dialects.reduction import reduced_axes
from fxn.dialects.types import FLOAT_DTYPES, UNSIGNED_DTYPES, bit_width
from fxn.mlir import arith, ir, linalg, scf, tensor

from ..registry import PassFailure
from . import lowering, math_expansion
from .structured import (element_type, elementwise, index, index_value, reassociation, signless_int, tensor_type,
                         unit_dim_groups, window, with_window)

# ----------------------------------------------------------------------------
# Shared numeric building blocks.


def accumulator_dtype(dtype: str) -> str:
    """The element type an op computes in: f32 for f16 (rounded once at the end), else ``dtype``."""
    return "f32" if dtype == "f16" else dtype


def is_float(dtype: str) -> bool:
    return dtype in FLOAT_DTYPES


def scalar(dtype: str, value) -> ir.Value:
    """An ``arith.constant`` of element type ``dtype`` (floats may be ±inf)."""
    mlir_type = element_type(dtype)
    if is_float(dtype):
        return arith.constant(mlir_type, ir.FloatAttr.get(mlir_type, float(value)))
    return arith.constant(mlir_type, signless_int(int(value), dtype))


def convert(value: ir.Value, dtype: str) -> ir.Value:
    """A float scalar widened or narrowed to ``dtype`` (ints pass: fxn never mixes int widths here)."""
    target = element_type(dtype)
    if value.type == target or not is_float(dtype):
        return value
    width = ir.FloatType(value.type).width
    return arith.extf(target, value) if ir.FloatType(target).width > width else arith.truncf(target, value)


def add(dtype: str, a: ir.Value, b: ir.Value) -> ir.Value:
    return arith.addf(a, b) if is_float(dtype) else arith.addi(a, b)


def multiply(dtype: str, a: ir.Value, b: ir.Value) -> ir.Value:
    return arith.mulf(a, b) if is_float(dtype) else arith.muli(a, b)


def lowest(dtype: str):
    """The value no maximum loses to: -inf, or the type's minimum integer."""
    if is_float(dtype):
        return float("-inf")
    return 0 if dtype in UNSIGNED_DTYPES else -(1 << (bit_width(dtype) - 1))


def highest(dtype: str):
    if is_float(dtype):
        return float("inf")
    return (1 << bit_width(dtype)) - 1 if dtype in UNSIGNED_DTYPES else (1 << (bit_width(dtype) - 1)) - 1


def maximum(dtype: str) -> Callable[[ir.Value, ir.Value], ir.Value]:
    """The scalar maximum of ``dtype``: IEEE ``maximum`` (NaN propagates) for floats, signed or unsigned for integers."""
    return arith.maximumf if is_float(dtype) else arith.maxui if dtype in UNSIGNED_DTYPES else arith.maxsi


def minimum(dtype: str) -> Callable[[ir.Value, ir.Value], ir.Value]:
    return arith.minimumf if is_float(dtype) else arith.minui if dtype in UNSIGNED_DTYPES else arith.minsi


def size_of(value: ir.Value, axis: int):
    """The static size of ``value``'s ``axis``, or its run-time size as an index value."""
    size = tensor_type(value).shape[axis]
    return tensor.dim(value, index(axis)) if size is None else size


def loop_index(dim: int) -> ir.Value:
    """The current iteration index of loop ``dim`` inside a ``linalg.generic`` body."""
    return linalg.IndexOp(dim).result


def filled(dtype: str, sizes: Sequence, value) -> ir.Value:
    """A tensor of ``sizes`` (ints or index values) holding ``value`` everywhere (``linalg.fill``)."""
    init = tensor.empty(list(sizes), element_type(dtype))
    return linalg.fill(scalar(dtype, value), outs=[init])


def dims(rank: int, positions: Sequence[int]) -> ir.AffineMap:
    """The map from ``rank`` loop dims to the listed dims."""
    return ir.AffineMap.get(rank, 0, [ir.AffineDimExpr.get(p) for p in positions])


def reducing_generic(source: ir.Value, axes: Sequence[int], inits: Sequence[ir.Value], body: Callable) -> list:
    """A ``linalg.generic`` folding ``source`` over ``axes`` into ``inits`` (shaped as the other dims).

    ``body(element, *accumulators) -> new accumulators`` runs once per
    element, in order along the reduced axes (first element first).
    """
    rank = tensor_type(source).rank
    kept = [a for a in range(rank) if a not in axes]
    iterators = [linalg.IteratorType.reduction if a in axes else linalg.IteratorType.parallel for a in range(rank)]
    maps = [ir.AffineMap.get_identity(rank)] + [dims(rank, kept)] * len(inits)

    @linalg.generic([source], list(inits), maps, iterators)
    def generic(element, *accumulators):
        return body(element, *accumulators)

    return [generic] if isinstance(generic, ir.Value) else list(generic)


def finish(accumulator: ir.Value, result: TensorType, body: Callable | None = None, operands=()) -> ir.Value:
    """``accumulator`` rounded to ``result``'s element type after ``body(acc, *operand elements)``.

    ``operands`` are ``(value, map)`` pairs read alongside the accumulator
    (its map is the identity). Returns ``accumulator`` itself when there is
    nothing to do.
    """
    source = tensor_type(accumulator)
    if body is None and source.dtype == result.dtype:
        return accumulator
    rank = source.rank
    init = tensor.empty([size_of(accumulator, a) for a in range(rank)], element_type(result.dtype))
    identity = ir.AffineMap.get_identity(rank)
    maps = [identity] + [m for _, m in operands] + [identity]

    @linalg.generic([accumulator] + [v for v, _ in operands], [init], maps, [linalg.IteratorType.parallel] * rank)
    def generic(acc, *elements):
        value = body(acc, *elements[:-1]) if body else acc
        return convert(value, result.dtype)

    return generic


def require_static(op, value: ir.Value, axes: Sequence[int], what: str = "spatial dims") -> None:
    """PassFailure at ``op`` unless ``value``'s ``axes`` are static (the lowering needs their sizes)."""
    source = tensor_type(value)
    if any(source.shape[a] is None for a in axes):
        raise PassFailure(f"{op.operation.name} needs static {what} to lower; got {source}", op.location)


def expand_shape(value: ir.Value, result: TensorType, groups, dynamic_sizes) -> ir.Value:
    """``tensor.expand_shape`` of ``value`` to ``result``, source dim ``i`` becoming the dims ``groups[i]``."""
    dynamic = ir.ShapedType.get_dynamic_size()
    static = [dynamic if d is None else d for d in result.shape]
    return tensor.expand_shape(result.to_mlir(), value, reassociation(groups), dynamic_sizes, static)


def with_unit_dims(value: ir.Value, result: TensorType, unit_axes: Sequence[int]) -> ir.Value:
    """``value`` reshaped to ``result`` by inserting size-1 dims at ``unit_axes`` (``tensor.expand_shape``)."""
    if not unit_axes:
        return value
    groups = unit_dim_groups(result.rank, unit_axes)
    kept = [a for a in range(result.rank) if a not in unit_axes]
    dynamic_sizes = [size_of(value, kept.index(a)) for a in range(result.rank) if result.shape[a] is None]
    return expand_shape(value, result, groups, dynamic_sizes)


# ----------------------------------------------------------------------------
# fxn.reduce


def _combiner(kind: str, dtype: str) -> tuple[Callable, object]:
    """The binary scalar op of a reduction kind and its identity."""
    if kind in ("sum", "mean"):
        return (lambda a, b: add(dtype, a, b)), 0
    if kind == "prod":
        return (lambda a, b: multiply(dtype, a, b)), 1
    if kind == "max":
        return maximum(dtype), lowest(dtype)
    return minimum(dtype), highest(dtype)


def element_count(source: ir.Value, axes: Sequence[int], dtype: str) -> ir.Value:
    """The number of elements reduced, as a ``dtype`` float scalar."""
    sizes = [size_of(source, a) for a in axes]
    static = 1
    for size in (s for s in sizes if isinstance(s, int)):
        static *= size
    count = index(static)
    for size in (s for s in sizes if not isinstance(s, int)):
        count = arith.muli(count, size)
    as_integer = arith.index_cast(ir.IntegerType.get_signless(64), count)
    return arith.sitofp(element_type(dtype), as_integer)


@lowering("fxn.reduce")
def lower_reduce(op, target):
    attrs = op.attrs()
    source = op.input
    result = tensor_type(op.results[0])
    source_type = tensor_type(source)
    # A 0-d input's one "axis" holds its single element: nothing to reduce.
    axes = [a for a in reduced_axes(attrs.axes, source_type.rank) if a < source_type.rank]
    if not axes:
        return source
    accumulator = accumulator_dtype(result.dtype)
    combine, identity = _combiner(attrs.kind, accumulator)
    kept = [a for a in range(source_type.rank) if a not in axes]
    init = filled(accumulator, [size_of(source, a) for a in kept], identity)
    (reduced,) = reducing_generic(source, axes, [init], lambda x, acc: combine(convert(x, accumulator), acc))
    body = None
    if attrs.kind == "mean":
        extent = element_count(source, axes, accumulator)
        body = lambda acc: arith.divf(acc, extent)  # noqa: E731
    rounded = finish(reduced, result.with_shape([source_type.shape[a] for a in kept]), body)
    return with_unit_dims(rounded, result, axes if attrs.keepdims else ())


# ----------------------------------------------------------------------------
# fxn.softmax


def _broadcast_along(value: ir.Value, like: ir.Value, axes: Sequence[int], dtype: str, body: Callable) -> ir.Value:
    """Elementwise ``body(x, v)`` of ``like`` and ``value`` (``like`` without ``axes``), into a ``dtype`` tensor."""
    rank = tensor_type(like).rank
    kept = [a for a in range(rank) if a not in axes]
    init = tensor.empty([size_of(like, a) for a in range(rank)], element_type(dtype))
    identity = ir.AffineMap.get_identity(rank)
    maps = [identity, dims(rank, kept), identity]

    @linalg.generic([like, value], [init], maps, [linalg.IteratorType.parallel] * rank)
    def generic(x, v, _):
        return body(x, v)

    return generic


#: The unit attribute of an ``scf.for`` whose iterations are independent: each reads what it likes but writes
#: only its own window of the loop-carried tensor (``fxn-parallelize`` may run them as an ``scf.forall``).
INDEPENDENT_ITERATIONS = "fxn.independent_iterations"


def by_rows(source: ir.Value, dtype: str, row_result: Callable[[ir.Value], ir.Value]) -> ir.Value:
    """A 2-d ``dtype`` tensor whose row ``i`` is ``row_result(source row i)``: one row at a time, so that the
    passes over a row stay in the cache (an ``scf.for`` of :data:`INDEPENDENT_ITERATIONS`)."""
    rows, columns = size_of(source, 0), size_of(source, 1)
    row_type = tensor_type(source).with_shape(tensor_type(source).shape[1:])
    init = tensor.empty([rows, columns], element_type(dtype))
    loop = scf.ForOp(index(0), index_value(rows), index(1), [init])
    loop.operation.attributes[INDEPENDENT_ITERATIONS] = ir.UnitAttr.get()
    with ir.InsertionPoint(loop.body):
        row_index, done = loop.induction_variable, loop.inner_iter_args[0]
        row_window = [row_index, 0], [1, columns]
        computed = row_result(window(source, *row_window, row_type))
        scf.YieldOp([with_window(computed, done, *row_window)])
    return loop.results[0]


def row_sum(row: ir.Value, dtype: str, term: Callable[[ir.Value], ir.Value] = lambda x: x) -> ir.Value:
    """The ``dtype`` scalar sum of ``term(x)`` over a 1-d ``row``."""
    (total,) = reducing_generic(row, [0], [filled(dtype, [], 0)], lambda x, acc: arith.addf(term(x), acc))
    return tensor.extract(total, [])


def _softmax_row(row: ir.Value, result: TensorType, accumulator: str) -> ir.Value:
    """Softmax of a 1-d ``row``: its maximum, ``exp(x - max)``, their sum, one reciprocal (a scalar), and the
    exponentials times it."""
    (maximum,) = reducing_generic(row, [0], [filled(accumulator, [], float("-inf"))],
                                  lambda x, m: arith.maximumf(convert(x, accumulator), m))
    largest = tensor.extract(maximum, [])
    row_type = tensor_type(row)
    exps = elementwise([row], row_type.with_dtype(accumulator),
                       lambda x: math_expansion.exp(arith.subf(convert(x, accumulator), largest)))
    reciprocal = arith.divf(scalar(accumulator, 1.0), row_sum(exps, accumulator))
    return elementwise([exps], row_type.with_dtype(result.dtype),
                       lambda e: convert(arith.mulf(e, reciprocal), result.dtype))


@lowering("fxn.softmax")
def lower_softmax(op, target):
    source = op.input
    result = tensor_type(op.results[0])
    if result.rank == 2 and op.attrs().dim % 2 == 1:
        accumulator = accumulator_dtype(result.dtype)
        return by_rows(source, result.dtype, lambda row: _softmax_row(row, result, accumulator))
    # A 0-d input is one slice of one element: the reductions below then reduce nothing.
    axes = [op.attrs().dim % result.rank] if result.rank else []
    accumulator = accumulator_dtype(result.dtype)
    kept_sizes = [size_of(source, a) for a in range(result.rank) if a not in axes]
    (maximum,) = reducing_generic(
        source, axes, [filled(accumulator, kept_sizes, float("-inf"))],
        lambda x, m: arith.maximumf(convert(x, accumulator), m),
    )
    exps = _broadcast_along(
        maximum, source, axes, accumulator, lambda x, m: math_expansion.exp(arith.subf(convert(x, accumulator), m))
    )
    (total,) = reducing_generic(exps, axes, [filled(accumulator, kept_sizes, 0)], arith.addf)
    one = scalar(accumulator, 1.0)
    reciprocal = elementwise([total], tensor_type(total), lambda s: arith.divf(one, s))
    return _broadcast_along(reciprocal, exps, axes, result.dtype,
                            lambda e, r: convert(arith.mulf(e, r), result.dtype))


# ----------------------------------------------------------------------------
# fxn.argmax


def _takes_over(dtype: str, x: ir.Value, best: ir.Value) -> ir.Value:
    """Whether ``x`` replaces the running maximum ``best``: greater, or the first NaN."""
    if not is_float(dtype):
        return arith.cmpi(arith.CmpIPredicate.ugt if dtype in UNSIGNED_DTYPES else arith.CmpIPredicate.sgt, x, best)
    greater = arith.cmpf(arith.CmpFPredicate.OGT, x, best)
    first_nan = arith.andi(arith.cmpf(arith.CmpFPredicate.UNO, x, x), arith.cmpf(arith.CmpFPredicate.ORD, best, best))
    return arith.ori(greater, first_nan)


@lowering("fxn.argmax")
def lower_argmax(op, target):
    attrs = op.attrs()
    source = op.input
    source_type = tensor_type(source)
    result = tensor_type(op.results[0]).to_mlir()
    i64 = element_type("i64")
    if source_type.rank == 0:  # one element: index 0
        return arith.constant(result, ir.DenseElementsAttr.get_splat(result, ir.IntegerAttr.get(i64, 0)))
    axis = attrs.dim % source_type.rank
    kept_sizes = [size_of(source, a) for a in range(source_type.rank) if a != axis]
    # Starting from (lowest, 0), only a strictly greater value or the first NaN moves the index.
    inits = [filled(source_type.dtype, kept_sizes, lowest(source_type.dtype)), filled("i64", kept_sizes, 0)]

    def step(x, best, best_index):
        take = _takes_over(source_type.dtype, x, best)
        position = arith.index_cast(i64, loop_index(axis))
        return [arith.select(take, x, best), arith.select(take, position, best_index)]

    _, indices = reducing_generic(source, [axis], inits, step)
    return with_unit_dims(indices, tensor_type(op.results[0]), [axis] if attrs.keepdims else [])


# ----------------------------------------------------------------------------
# fxn.cumulative: a sequential scan along the axis, one line of it at a time.


@lowering("fxn.cumulative")
def lower_cumulative(op, target):
    """Nested ``scf.for`` loops over the other dims, innermost the axis carrying the running value as a scalar.

    Elements are read with ``tensor.extract`` and written with
    ``tensor.insert`` into the loop-carried result, which bufferizes to
    loads and stores in place. Not vectorized: a per-step ``linalg.generic``
    over the other dims writing a slice of the result would be (its
    running values a vector), but upstream canonicalization turns the
    fully overwritten result slice into a fresh tensor, which bufferizes to
    a ``memref.copy`` of a strided view: a call of MLIR's runtime library
    (``memrefCopy``), which compiled code may not import.
    """
    attrs = op.attrs()
    source = op.input
    result = tensor_type(op.results[0])
    if result.rank == 0:  # one element: its own running sum or product
        return source
    axis = attrs.axis % result.rank
    accumulator = accumulator_dtype(result.dtype)
    combine, identity = _combiner(attrs.kind, accumulator)
    order = [a for a in range(result.rank) if a != axis] + [axis]
    init = tensor.empty([size_of(source, a) for a in range(result.rank)], element_type(result.dtype))

    def loops(level: int, indices: dict, carried: ir.Value) -> ir.Value:
        dim = order[level]
        innermost = level == len(order) - 1
        inits = [carried, scalar(accumulator, identity)] if innermost else [carried]
        loop = scf.ForOp(index(0), index_value(size_of(source, dim)), index(1), inits)
        with ir.InsertionPoint(loop.body):
            at = {**indices, dim: loop.induction_variable}
            if innermost:
                partial, running = loop.inner_iter_args
                position = [at[a] for a in range(result.rank)]
                total = combine(convert(tensor.extract(source, position), accumulator), running)
                scf.YieldOp([tensor.insert(convert(total, result.dtype), partial, position), total])
            else:
                scf.YieldOp([loops(level + 1, at, loop.inner_iter_args[0])])
        return loop.results[0]

    return loops(0, {}, init)
