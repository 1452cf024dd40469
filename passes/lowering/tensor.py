"""Generic lowering of the tensor fxn ops (constants and shape manipulation).

Shapes change through ``tensor.collapse_shape``/``expand_shape`` (views,
free) and a ``linalg.generic`` reading through the permutation (transpose);
broadcasting is a ``linalg.generic`` too. Ops
that pick elements by position (slice, concat, pad) are one generic each
that computes every result element from its indices
(:func:`~.structured.generate`): the result is always a fresh buffer, so
bufferization never has to copy a strided view (a ``memref.copy`` that would
call MLIR's runtime library), and each element is written once.

What the reference checks at run time on dynamic dims (a broadcast source
of size 1 or the target size, a reshape's element count, a slice limit
within the dim, pad amounts below a reflected dim's size, equal sizes of
concatenated inputs) the compiled code assumes; a dynamic dim of size 1
that ``broadcast_to`` should repeat is read as if it had the target size
(see :mod:`.elementwise`). :mod:`.dim_assumptions` states these assumptions
in terms of a function's argument dims, so that a caller can check them
before each call (derived sizes, such as a concatenation's, are listed as
unchecked).
"""

from __future__ import annotations

import math

from fxn.lazy import numpy as np

from fxn.dialects import TensorType
from fxn.dialects.elements import elements_to_numpy, numpy_to_elements, resource_blobs, splat_elements, splat_scalar
from fxn.dialects.types import normalize_axis
from fxn.mlir import arith, ir, linalg, scf, tensor

from . import lowering
from .bounds import BROADCAST_ERROR_FUNCTION, fail_unless
from .structured import (
    add_sizes,
    element_type,
    elementwise,
    empty_of_sizes,
    generate,
    if_else,
    index,
    index_value,
    signless_int,
    sizes,
    tensor_type,
)


def _int_array(op, name: str) -> list[int]:
    return list(ir.DenseI64ArrayAttr(op.attributes[name]))


@lowering("fxn.constant")
def lower_constant(op, target):
    """An ``arith.constant`` (bufferization makes it a global), ``dense<>`` or ``dense_resource<>`` as given.

    LLVM's translation cannot emit an i1 resource blob, so an i1
    ``dense_resource`` is read from the module and spelled out as ``dense<>``.
    A ``ui8`` constant becomes the ``i8`` constant of the same bytes (lowered
    code is signless).
    """
    value = op.attributes["value"]
    dtype = tensor_type(op.results[0]).dtype
    if dtype in ("i1", "ui8") and not isinstance(value, ir.DenseElementsAttr):
        value = numpy_to_elements(elements_to_numpy(value, resource_blobs(_enclosing_module(op))))
    if dtype == "ui8":
        splat = splat_scalar(value)  # a splat of any size stays one value
        value = (splat_elements(splat.view(np.int8), tensor_type(op.results[0]).with_dtype("i8")) if splat is not None
                 else numpy_to_elements(elements_to_numpy(value).view(np.int8)))
    return arith.constant(value.type, value)


def _enclosing_module(op):
    parent = op.operation.parent
    while parent.name != "builtin.module":
        parent = parent.parent
    return parent


@lowering("fxn.broadcast_to")
def lower_broadcast_to(op, target):
    return elementwise([op.operands[0]], tensor_type(op.results[0]), lambda x: x)


@lowering("fxn.transpose")
def lower_transpose(op, target):
    source = op.operands[0]
    rank = tensor_type(source).rank
    permutation = [p % rank for p in _int_array(op, "permutation")]
    if permutation == list(range(rank)):
        return source  # also every 0-d transpose, which linalg.transpose cannot express
    source_sizes = sizes(source)
    init = empty_of_sizes([source_sizes[p] for p in permutation], tensor_type(source).dtype)
    # A generic reading through the permutation (not linalg.transpose): elementwise fusion can then
    # merge it into its consumer, e.g. the cast of an HWC uint8 image to an f32 CHW one.
    inverse = [permutation.index(axis) for axis in range(rank)]
    maps = [ir.AffineMap.get_permutation(inverse), ir.AffineMap.get_identity(rank)]

    @linalg.generic([source], [init], maps, [linalg.IteratorType.parallel] * rank)
    def transposed(element, _):
        return element

    return transposed


# ----------------------------------------------------------------------------
# reshape: collapse to 1-d, expand to the result shape.


def _flatten(source: ir.Value) -> ir.Value:
    """``source`` as a 1-d tensor of its elements in row-major order."""
    source_type = tensor_type(source)
    if source_type.rank == 1:
        return source
    if source_type.rank == 0:
        return tensor.expand_shape(source_type.with_shape([1]).to_mlir(), source, [], [], [1])
    count = math.prod(source_type.shape) if source_type.is_static else None
    flat = source_type.with_shape([count]).to_mlir()
    return tensor.collapse_shape(flat, source, [list(range(source_type.rank))])


def _unflatten(flat: ir.Value, result: TensorType) -> ir.Value:
    """The 1-d ``flat`` laid out as ``result`` (at most one dynamic dim, whose size follows from the count)."""
    count = math.prod(result.shape) if result.is_static else None
    if tensor_type(flat).shape != (count,):
        # A dynamic input reshaped to a static shape: its count is checked by the reference only.
        flat = tensor.cast(result.with_shape([count]).to_mlir(), flat)
    if result.rank == 1:
        return flat
    if result.rank == 0:
        return tensor.collapse_shape(result.to_mlir(), flat, [])
    output_shape = []
    if not result.is_static:
        known = math.prod(d for d in result.shape if d is not None)
        output_shape = [arith.divui(tensor.dim(flat, index(0)), index(known))]
    static = [ir.ShapedType.get_dynamic_size() if d is None else d for d in result.shape]
    return tensor.expand_shape(result.to_mlir(), flat, [list(range(result.rank))], output_shape, static)


@lowering("fxn.reshape")
def lower_reshape(op, target):
    source, result = op.operands[0], tensor_type(op.results[0])
    if tensor_type(source) == result:
        return source
    return _unflatten(_flatten(source), result)


# ----------------------------------------------------------------------------
# slice, concat, pad.


@lowering("fxn.slice")
def lower_slice(op, target):
    source, result = op.operands[0], tensor_type(op.results[0])
    starts, strides = _int_array(op, "starts"), _int_array(op, "strides")

    def element_at(indices):
        positions = [
            arith.addi(arith.muli(i, index(stride)), index(start)) if (start, stride) != (0, 1) else i
            for i, start, stride in zip(indices, starts, strides)
        ]
        return tensor.extract(source, positions)

    return generate(empty_of_sizes(result.shape, result.dtype), element_at)


@lowering("fxn.concat")
def lower_concat(op, target):
    """Each result element reads the input whose range along ``dim`` holds it (only that one: inputs may be empty)."""
    inputs = list(op.operands)
    result = tensor_type(op.results[0])
    dim = normalize_axis(op.attributes["dim"].value, result.rank)
    ends = []  # where each input's range along dim ends
    for piece in inputs:
        ends.append(add_sizes(ends[-1] if ends else 0, sizes(piece)[dim]))
    result_sizes = sizes(inputs[0])
    result_sizes[dim] = ends[-1]
    init = empty_of_sizes(_static_where_known(result_sizes, result), result.dtype)
    element = element_type(result.dtype)

    def element_at(indices):
        def read(k: int) -> ir.Value:
            shifted = list(indices)
            if k:
                shifted[dim] = arith.subi(indices[dim], index_value(ends[k - 1]))
            if k == len(inputs) - 1:
                return tensor.extract(inputs[k], shifted)
            inside = arith.cmpi(arith.CmpIPredicate.ult, indices[dim], index_value(ends[k]))
            return if_else(inside, element, lambda: tensor.extract(inputs[k], shifted), lambda: read(k + 1))

        return read(0)

    return generate(init, element_at)


def _static_where_known(dim_sizes, result: TensorType) -> list:
    """``dim_sizes`` with the result type's static sizes (an input's dim may be dynamic where the result's is not)."""
    return [size if static is None else static for size, static in zip(dim_sizes, result.shape)]


def padding_value(value: float, dtype: str) -> ir.Value:
    """The pad attribute as a constant of ``dtype`` (floats rounded to nearest, as numpy's ``full`` does)."""
    numpy_dtype = TensorType(dtype, ()).numpy_dtype
    converted = np.asarray(value, numpy_dtype).item()
    if numpy_dtype.kind == "f":
        return arith.constant(element_type(dtype), float(converted))
    return arith.constant(element_type(dtype), signless_int(int(converted), dtype))


@lowering("fxn.pad")
def lower_pad(op, target):
    """Each result element reads the source element its mode maps it to, or is the padding value."""
    source, result = op.operands[0], tensor_type(op.results[0])
    low, high = _int_array(op, "low"), _int_array(op, "high")
    if result.rank == 0:
        return source
    source_sizes = sizes(source)
    dim_sizes = [add_sizes(add_sizes(size, before), after) for size, before, after in zip(source_sizes, low, high)]
    init = empty_of_sizes(_static_where_known(dim_sizes, result), result.dtype)
    source_sizes = [index_value(size) for size in source_sizes]
    mode = op.attributes["mode"].value
    if mode == "constant":
        fill = padding_value(op.attributes["value"].value, result.dtype)
        return generate(init, lambda positions: _constant_padded(source, positions, low, high, source_sizes, fill))

    def element_at(positions):
        indices = [
            position if before == after == 0 else _source_index(position, before, size, mode)
            for position, before, after, size in zip(positions, low, high, source_sizes)
        ]
        return tensor.extract(source, indices)

    return generate(init, element_at)


def _constant_padded(source: ir.Value, positions, low, high, source_sizes, fill: ir.Value) -> ir.Value:
    """The source element at ``positions - low`` where that is inside the source, else ``fill``."""
    indices = [arith.subi(p, index(before)) if before else p for p, before in zip(positions, low)]
    inside = None
    for i, size, before, after in zip(indices, source_sizes, low, high):
        if before or after:
            # Unsigned: a negative index (a position in the low padding) is huge.
            in_dim = arith.cmpi(arith.CmpIPredicate.ult, i, size)
            inside = in_dim if inside is None else arith.andi(inside, in_dim)
    if inside is None:
        return tensor.extract(source, indices)
    return if_else(inside, fill.type, lambda: tensor.extract(source, indices), lambda: fill)


def _source_index(position: ir.Value, before: int, size: ir.Value, mode: str) -> ir.Value:
    """The source index a reflect- or replicate-padded position copies (the reference's ``_pad_sources``)."""
    offset = arith.subi(position, index(before))
    last = arith.subi(size, index(1))
    if mode == "replicate":
        return arith.minsi(arith.maxsi(offset, index(0)), last)
    mirrored = arith.maxsi(offset, arith.subi(index(0), offset))  # |offset|
    inside = arith.cmpi(arith.CmpIPredicate.slt, mirrored, size)
    return arith.select(inside, mirrored, arith.subi(arith.muli(last, index(2)), mirrored))


# ----------------------------------------------------------------------------
# dim, dynamic_slice, dynamic_update_slice: sizes and windows known at run time.


@lowering("fxn.dim")
def lower_dim(op, target):
    source = op.operands[0]
    axis = normalize_axis(op.attributes["axis"].value, tensor_type(source).rank)
    i64 = ir.IntegerType.get_signless(64)
    size = arith.index_cast(i64, tensor.dim(source, index(axis)))
    return tensor.from_elements(op.results[0].type, [size])


class _Window:
    """Per dim of a window op's input: the first position read (index), size (index or int), stride; checked.

    Built at the op: extracts the run-time starts and sizes, wraps the
    negative start of a dropped dim, and emits the bounds checks of
    :mod:`.bounds` (see ``fxn.dialects.tensor.WindowOp``).
    """

    def __init__(self, op, source: ir.Value, indices: list[ir.Value]):
        self.rank = tensor_type(source).rank
        self.sizes = _int_array(op, "sizes")
        self.strides = _int_array(op, "strides")
        self.drop = set(_int_array(op, "drop"))
        i64 = ir.IntegerType.get_signless(64)
        self.zero = arith.constant(i64, 0)
        scalars = [tensor.extract(i, []) for i in indices]
        starts, run_time_sizes = scalars[: self.rank], iter(scalars[self.rank :])
        module = _enclosing_module(op)
        extents = [arith.index_cast(i64, index_value(size)) for size in sizes(source)]
        self.starts: list[ir.Value] = []
        for axis in range(self.rank):
            if self.sizes[axis] == -1:
                self.sizes[axis] = arith.index_cast(ir.IndexType.get(), arith.maxsi(next(run_time_sizes), self.zero))
            start, extent = starts[axis], extents[axis]
            if axis in self.drop:
                negative = arith.cmpi(arith.CmpIPredicate.slt, start, self.zero)
                position = arith.select(negative, arith.addi(start, extent), start)
                inside = arith.cmpi(arith.CmpIPredicate.ult, position, extent)  # unsigned: below 0 is huge
                fail_unless(inside, start, extent, axis, module)
                start = position
            else:
                self._check_range(start, axis, extent, module, i64)
            self.starts.append(arith.index_cast(ir.IndexType.get(), start))

    def _check_range(self, start, axis: int, extent, module, i64) -> None:
        """Both ends of a non-empty window dim lie in ``[0, extent)``; report the first that does not."""
        size, stride = self.sizes[axis], self.strides[axis]
        if size == 0:
            return
        count = arith.constant(i64, size) if isinstance(size, int) else arith.index_cast(i64, size)
        steps = arith.subi(count, arith.constant(i64, 1))
        last = arith.addi(start, arith.muli(steps, arith.constant(i64, stride)))
        first_inside = arith.cmpi(arith.CmpIPredicate.ult, start, extent)
        inside = arith.andi(first_inside, arith.cmpi(arith.CmpIPredicate.ult, last, extent))
        if not isinstance(size, int):
            inside = arith.ori(inside, arith.cmpi(arith.CmpIPredicate.eq, count, self.zero))
        fail_unless(inside, arith.select(first_inside, last, start), extent, axis, module)

    def kept_sizes(self) -> list:
        """The window's sizes without the dropped dims."""
        return [size for axis, size in enumerate(self.sizes) if axis not in self.drop]

    def source_positions(self, window_indices: list[ir.Value]) -> list[ir.Value]:
        """The input position of each dim for the given indices of the window's kept dims."""
        kept = iter(window_indices)
        positions = []
        for axis in range(self.rank):
            if axis in self.drop:
                positions.append(self.starts[axis])
                continue
            k = next(kept)
            stride = self.strides[axis]
            positions.append(arith.addi(self.starts[axis], arith.muli(k, index(stride)) if stride != 1 else k))
        return positions


@lowering("fxn.dynamic_slice")
def lower_dynamic_slice(op, target):
    """One element: ``tensor.extract``; else a generic reading each window element (any stride)."""
    source, *indices = op.operands
    result = tensor_type(op.results[0])
    window = _Window(op, source, list(indices))
    if result.rank == 0:
        element = tensor.extract(source, window.source_positions([]))
        return tensor.from_elements(op.results[0].type, [element])
    init = empty_of_sizes(_static_where_known(window.kept_sizes(), result), result.dtype)
    return generate(init, lambda positions: tensor.extract(source, window.source_positions(positions)))


@lowering("fxn.dynamic_update_slice")
def lower_dynamic_update_slice(op, target):
    """A loop nest over the window storing each update element with ``tensor.insert``.

    Bufferization writes in place when the input is not used again (a
    store into an array carried by a loop), else into one copy of it; no
    strided view is ever copied (which would call MLIR's runtime library).
    One element is one ``tensor.insert``.
    """
    source, update, *indices = op.operands
    window = _Window(op, source, list(indices))
    update_type = tensor_type(update)
    update_sizes = [index_value(size) for size in sizes(update)]
    kept_sizes = window.kept_sizes()
    _check_broadcast(op, window, update_type, update_sizes)

    def element_at(ks: list) -> ir.Value:
        tail = ks[len(ks) - update_type.rank:] if update_type.rank else []
        window_static = [isinstance(size, int) for size in kept_sizes][len(ks) - len(tail):]
        return tensor.extract(update, [_broadcast_read(*read) for read in
                                       zip(tail, update_sizes, update_type.shape, window_static)])

    def nest(level: int, carried: ir.Value, ks: list) -> ir.Value:
        if level == len(kept_sizes):
            return tensor.insert(element_at(ks), carried, window.source_positions(ks))
        loop = scf.ForOp(index(0), index_value(kept_sizes[level]), index(1), [carried])
        with ir.InsertionPoint(loop.body):
            scf.YieldOp([nest(level + 1, loop.inner_iter_args[0], [*ks, loop.induction_variable])])
        return loop.results[0]

    return nest(0, source, [])


def _check_broadcast(op, window: _Window, update_type, update_sizes: list) -> None:
    """Each update dim whose size is known only at run time is 1 or its window dim's size; else a ``ValueError``
    (:mod:`.bounds`) names both sizes and the input's axis."""
    i64 = ir.IntegerType.get_signless(64)
    kept_axes = [axis for axis in range(window.rank) if axis not in window.drop]
    aligned = zip(update_type.shape[::-1], update_sizes[::-1], kept_axes[::-1])
    for static, size, axis in aligned:
        window_size = window.sizes[axis]
        if static == 1 or static is not None and isinstance(window_size, int):
            continue  # broadcast, or both static: the verifier saw them fit
        size, window_size = (arith.index_cast(i64, index_value(s)) for s in (size, window_size))
        one = arith.constant(i64, 1)
        fits = arith.ori(arith.cmpi(arith.CmpIPredicate.eq, size, one),
                         arith.cmpi(arith.CmpIPredicate.eq, size, window_size))
        fail_unless(fits, size, window_size, axis, _enclosing_module(op), BROADCAST_ERROR_FUNCTION)


def _broadcast_read(position: ir.Value, size: ir.Value, static: int | None, window_static: bool) -> ir.Value:
    """Where a broadcast update dim of ``size`` is read for window ``position``: 0 if it has size 1, never past
    its end (:func:`_check_broadcast` has stopped a size that fits neither way; unchecked, it is read clamped)."""
    if static == 1:
        return index(0)
    if static is not None and window_static:
        return position  # the verifier saw both sizes equal
    last = arith.subi(size, index(1))
    return arith.minui(position, last)


def _count(size: ir.Value) -> ir.Value:
    """A run-time size operand (a 0-d i64 tensor) as an index, below 0 counting as 0."""
    i64 = ir.IntegerType.get_signless(64)
    return arith.index_cast(ir.IndexType.get(), arith.maxsi(tensor.extract(size, []), arith.constant(i64, 0)))


@lowering("fxn.full")
def lower_full(op, target):
    value, *run_time = op.operands
    result = tensor_type(op.results[0])
    counts = iter(_count(size) for size in run_time)
    if result.rank == 0:
        return value
    init = empty_of_sizes([next(counts) if size is None else size for size in result.shape], result.dtype)
    element = tensor.extract(value, [])
    return generate(init, lambda positions: element)


@lowering("fxn.empty")
def lower_empty(op, target):
    """``tensor.empty``: bufferization allocates it and writes nothing."""
    result = tensor_type(op.results[0])
    counts = iter(_count(size) for size in op.operands)
    return empty_of_sizes([next(counts) if size is None else size for size in result.shape], result.dtype)
