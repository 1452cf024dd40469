"""Tensor and shape ops: constants and ops that move or copy elements without arithmetic.

Every op accepts every fxn element type and keeps it. Attributes that list one
entry per dimension (``shape``, ``starts``, ``pad`` amounts ...) are
``array<i64: ...>``. Where a dimension is dynamic, the verifier accepts what may
be valid at run time and the reference kernel checks the actual size.
"""

import math

from fxn.lazy import numpy as np

from .base import (
    ElementsAttrSpec,
    EnumAttr,
    FloatAttr,
    FxnOp,
    IntArrayAttr,
    IntAttr,
    Operand,
    VariadicOperand,
)
from .elements import numpy_to_elements, numpy_to_resource
from .types import ALL_DTYPES, DYNAMIC, INT_DTYPES, TensorType, VerifyError, format_shape, normalize_axis, numpy_dtypes


def _require_one_per_dim(name: str, values, operand: TensorType) -> None:
    if len(values) != operand.rank:
        raise VerifyError(
            f"attribute '{name}' has {len(values)} entries; the input {operand} has rank {operand.rank}"
        )


class ConstantOp(FxnOp, name="constant"):
    """A tensor whose contents are the ``value`` attribute; the result type is the attribute's type.

    Small tensors use ``dense<...>``; large weights use ``dense_resource<key>``
    with the bytes in the module's ``dialect_resources`` section.

    ``%c = "fxn.constant"() {value = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>``
    """

    value = ElementsAttrSpec()

    @classmethod
    def infer_type(cls, args, attrs):
        return TensorType.from_mlir(attrs.value.type, "attribute 'value'")

    @classmethod
    def from_numpy(cls, array: "np.ndarray", resource: str | None = None, loc=None, ip=None):
        """A constant holding ``array``: ``dense<...>``, or ``dense_resource<resource>`` if a key is given."""
        array = np.asarray(array)
        value = numpy_to_elements(array) if resource is None else numpy_to_resource(array, resource)
        return cls.build(value=value, loc=loc, ip=ip)


class BroadcastToOp(FxnOp, name="broadcast_to"):
    """Broadcast ``input`` to ``shape`` as ``torch.broadcast_to`` does.

    The input's dims align with the trailing dims of ``shape``; each must be 1
    (repeated) or equal to the target size. Target sizes are non-negative
    (no ``-1``), so the result is static. A dynamic input dim is accepted and
    must be 1 or the target size at run time.

    ``%r = "fxn.broadcast_to"(%x) {shape = array<i64: 2, 3>} : (tensor<3xf32>) -> tensor<2x3xf32>``
    """

    input: Operand
    shape = IntArrayAttr(minimum=0)

    @classmethod
    def infer_type(cls, args, attrs):
        source, target = args.input.shape, attrs.shape
        if len(source) > len(target):
            raise VerifyError(
                f"input rank {len(source)} exceeds the rank {len(target)} of target shape {format_shape(target)}"
            )
        for axis, (size, wanted) in enumerate(zip(source, target[len(target) - len(source) :])):
            if size not in (DYNAMIC, 1, wanted):
                raise VerifyError(
                    f"input shape {format_shape(source)} cannot broadcast to target shape "
                    f"{format_shape(target)}: dimension {axis} has size {size}, not 1 or {wanted}"
                )
        return args.input.with_shape(target)


class ReshapeOp(FxnOp, name="reshape"):
    """The elements of ``input`` in row-major order, laid out as ``shape`` (``torch.reshape``).

    At most one entry of ``shape`` is ``-1``: that size is inferred from the
    element count (dynamic if the input has a dynamic dim). Static element
    counts must match; a dynamic input's count is checked at run time.

    ``%r = "fxn.reshape"(%x) {shape = array<i64: -1, 2>} : (tensor<2x3x2xf32>) -> tensor<6x2xf32>``
    """

    input: Operand
    shape = IntArrayAttr(minimum=-1)

    @classmethod
    def infer_type(cls, args, attrs):
        shape = list(attrs.shape)
        if shape.count(-1) > 1:
            raise VerifyError(f"shape {format_shape(shape)} has more than one -1")
        known = math.prod(d for d in shape if d != -1)
        if -1 in shape:
            shape[shape.index(-1)] = _inferred_size(args.input, shape, known)
        else:
            _check_element_count(args.input, shape, known)
        return args.input.with_shape(shape)


def _inferred_size(source: TensorType, shape, known: int) -> int | None:
    """The size that ``-1`` in ``shape`` stands for (``known`` = product of the other sizes)."""
    if known == 0:
        raise VerifyError(
            f"shape {format_shape(shape)} leaves the size of -1 ambiguous: "
            "the other dimensions hold no elements"
        )
    if not source.is_static:
        return DYNAMIC
    count = math.prod(source.shape)
    if count % known:
        raise VerifyError(
            f"cannot reshape {source} ({count} elements) into shape {format_shape(shape)}: "
            f"{count} is not a multiple of {known}"
        )
    return count // known


def _check_element_count(source: TensorType, shape, count: int) -> None:
    """Refuse a reshape whose element count cannot match (static part of a dynamic input included)."""
    static_part = math.prod(d for d in source.shape if d is not DYNAMIC)
    if source.is_static and static_part != count:
        raise VerifyError(
            f"cannot reshape {source} ({static_part} elements) into shape {format_shape(shape)} ({count} elements)"
        )
    # A dynamic input holds a multiple of its static part.
    if not source.is_static and (count % static_part if static_part else count):
        raise VerifyError(
            f"cannot reshape {source} (a multiple of {static_part} elements) into shape "
            f"{format_shape(shape)} ({count} elements)"
        )


class TransposeOp(FxnOp, name="transpose"):
    """Reorder the dims of ``input``: result dim ``i`` is input dim ``permutation[i]`` (``torch.permute``).

    Entries may be negative (counted from the end), as in torch.

    ``%r = "fxn.transpose"(%x) {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>``
    """

    input: Operand
    permutation = IntArrayAttr()

    @classmethod
    def infer_type(cls, args, attrs):
        rank = args.input.rank
        if len(attrs.permutation) != rank:
            raise VerifyError(
                f"permutation {format_shape(attrs.permutation)} has {len(attrs.permutation)} entries; "
                f"the input {args.input} has rank {rank}"
            )
        normalized = [p + rank if p < 0 else p for p in attrs.permutation]
        if sorted(normalized) != list(range(rank)):
            raise VerifyError(
                f"permutation {format_shape(attrs.permutation)} is not a permutation of 0..{rank - 1}"
            )
        return args.input.with_shape(args.input.shape[p] for p in normalized)


class SliceOp(FxnOp, name="slice"):
    """Per dim ``d``, the elements ``input[starts[d]:limits[d]:strides[d]]``.

    ``0 <= start <= limit <= size`` (the size bound is checked at run time
    for a dynamic dim) and ``stride >= 1``; the result size is
    ``ceil((limit - start) / stride)``, static even for a dynamic input dim.
    Unlike Python slicing, nothing is clamped and there are no negative indices.

    ``%r = "fxn.slice"(%x) {limits = array<i64: 5>, starts = array<i64: 1>, strides = array<i64: 2>} : (tensor<6xf32>) -> tensor<2xf32>``
    """

    input: Operand
    starts = IntArrayAttr(minimum=0)
    limits = IntArrayAttr(minimum=0)
    strides = IntArrayAttr(minimum=1)

    @classmethod
    def infer_type(cls, args, attrs):
        for name in ("starts", "limits", "strides"):
            _require_one_per_dim(name, getattr(attrs, name), args.input)
        shape = []
        for axis, (size, start, limit, stride) in enumerate(
            zip(args.input.shape, attrs.starts, attrs.limits, attrs.strides)
        ):
            if start > limit:
                raise VerifyError(f"dimension {axis}: start {start} exceeds limit {limit}")
            if size is not DYNAMIC and limit > size:
                raise VerifyError(f"dimension {axis}: limit {limit} exceeds size {size}")
            shape.append(-(-(limit - start) // stride))
        return args.input.with_shape(shape)


class PadOp(FxnOp, name="pad"):
    """Add ``low[d]`` elements before and ``high[d]`` after each dim ``d`` (``torch.nn.functional.pad``).

    ``mode`` chooses the new elements: ``"constant"`` fills with ``value``;
    ``"reflect"`` mirrors the input without repeating its edge (each amount
    below the dim's size); ``"replicate"`` repeats the edge element (a padded
    dim must not be empty). Any dim may be padded, in any mode. ``value`` is
    checked even where unused: it must be representable exactly in the element
    type (integral and in range for integers, 0 or 1 for i1).

    ``%r = "fxn.pad"(%x) {high = array<i64: 2>, low = array<i64: 1>, mode = "constant", value = 0.0 : f64} : (tensor<3xf32>) -> tensor<6xf32>``
    """

    input: Operand
    low = IntArrayAttr(minimum=0)
    high = IntArrayAttr(minimum=0)
    mode = EnumAttr("constant", "reflect", "replicate", default="constant")
    value = FloatAttr(default=0.0)

    @classmethod
    def infer_type(cls, args, attrs):
        for name in ("low", "high"):
            _require_one_per_dim(name, getattr(attrs, name), args.input)
        _check_pad_value(attrs.value, args.input.dtype)
        shape = []
        for axis, (size, low, high) in enumerate(zip(args.input.shape, attrs.low, attrs.high)):
            if size is not DYNAMIC:
                check_pad_amounts(attrs.mode, axis, size, low, high)
            shape.append(DYNAMIC if size is DYNAMIC else low + size + high)
        return args.input.with_shape(shape)


def check_pad_amounts(mode: str, axis: int, size: int, low: int, high: int) -> None:
    """VerifyError unless ``mode`` can pad a dim of ``size`` elements by ``low`` and ``high``."""
    if mode == "reflect" and max(low, high) > 0 and max(low, high) >= size:
        raise VerifyError(
            f"reflect padding of dimension {axis} needs amounts below its size {size}; got low {low}, high {high}"
        )
    if mode == "replicate" and size == 0 and max(low, high) > 0:
        raise VerifyError(f"replicate padding of dimension {axis} needs a non-empty dimension")


def _check_pad_value(value: float, dtype: str) -> None:
    if dtype == "i1" and value not in (0.0, 1.0):
        raise VerifyError(f"padding value {value} must be 0 or 1 for an i1 tensor")
    if dtype in INT_DTYPES:
        bounds = np.iinfo(numpy_dtypes()[dtype])
        if not value.is_integer():
            raise VerifyError(f"padding value {value} is not an integer, as the {dtype} tensor needs")
        if not bounds.min <= value <= bounds.max:
            raise VerifyError(f"padding value {value} is out of range for {dtype}")


class ConcatOp(FxnOp, name="concat"):
    """Join two or more inputs along ``dim`` (``torch.cat``); ``dim`` may be negative.

    All inputs share element type and rank (at least 1). Other dims must be
    equal (a dynamic dim is compatible with any size and takes the static
    size if one is known); the result size along ``dim`` is the sum, dynamic
    if any input's is. Unlike torch, 1-d empty inputs are not skipped.

    Python-defined ops are verified by IRDL, which gives a variadic operand
    group a single type: the first two inputs are separate operands and may
    differ in any way; a third and later inputs must all have one type
    (chain concats otherwise).

    ``%r = "fxn.concat"(%a, %b) {dim = 0 : i64} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<3x3xf32>``
    """

    first: Operand
    second: Operand
    rest: VariadicOperand
    dim = IntAttr()

    @classmethod
    def infer_type(cls, args, attrs):
        inputs = [args.first, args.second, *args.rest]
        if len({str(i) for i in args.rest}) > 1:
            raise VerifyError(
                "inputs after the second must share one type (a limit of IRDL variadic operands); got "
                + ", ".join(str(i) for i in args.rest)
            )
        if len({i.dtype for i in inputs}) > 1:
            raise VerifyError("input element types differ: " + ", ".join(i.dtype for i in inputs))
        if len({i.rank for i in inputs}) > 1:
            raise VerifyError("input ranks differ: " + ", ".join(str(i.rank) for i in inputs))
        if inputs[0].rank == 0:
            raise VerifyError("cannot concatenate 0-d tensors")
        dim = normalize_axis(attrs.dim, inputs[0].rank)
        shape = [_joined_size(inputs, axis, dim) for axis in range(inputs[0].rank)]
        return inputs[0].with_shape(shape)


def _joined_size(inputs: list[TensorType], axis: int, dim: int) -> int | None:
    """The result size along ``axis``: the sum along ``dim``, else the size all inputs share."""
    sizes = [i.shape[axis] for i in inputs]
    if axis == dim:
        return DYNAMIC if DYNAMIC in sizes else sum(sizes)
    static = sorted({s for s in sizes if s is not DYNAMIC})
    if len(static) > 1:
        raise VerifyError(
            f"input sizes differ in dimension {axis}, which is not the concatenation dimension {dim}: "
            + ", ".join("?" if s is DYNAMIC else str(s) for s in sizes)
        )
    return static[0] if static else DYNAMIC


# ----------------------------------------------------------------------------
# Sizes and windows known at run time: what Python's ``len(x)``, ``x[i]``,
# ``x[a:b]`` and ``out[i] = v`` compute when an index is not a constant.


class DimOp(FxnOp, name="dim"):
    """The size of dim ``axis`` of ``input`` (``x.shape[axis]``) as a 0-d i64; ``axis`` may be negative.

    ``%n = "fxn.dim"(%x) {axis = 0 : i64} : (tensor<?x3xf32>) -> tensor<i64>``
    """

    input: Operand
    axis = IntAttr()

    @classmethod
    def infer_type(cls, args, attrs):
        if args.input.rank == 0:
            raise VerifyError("a 0-d tensor has no dims")
        normalize_axis(attrs.axis, args.input.rank)
        return TensorType("i64", ())


class WindowOp(FxnOp):
    """Operands and attributes shared by :class:`DynamicSliceOp` and :class:`DynamicUpdateSliceOp`.

    A *window* of ``input`` picks, along each dim ``d``, the ``size[d]``
    elements at ``start[d] + k * strides[d]`` for ``k`` in ``[0, size[d])``.
    ``indices`` are 0-d ``i64`` tensors: one start per dim of ``input``, then
    one size for each ``-1`` entry of ``sizes``, in order (the other sizes
    are static; a run-time size below 0 counts as 0). ``strides`` are
    non-zero; a negative stride walks the dim backwards. ``drop`` lists
    ascending dims of static size 1 that the window's shape leaves out (an
    integer index, as ``x[i]`` drops dim 0); the start of a dropped dim may
    be negative and then counts from the dim's end, as a Python index does.

    Every picked position must lie in ``[0, dim size)``: otherwise compiled
    code stops with an ``IndexError`` naming the index, the axis and its size
    (for a dropped dim, the start as given), unless it was lowered with
    ``fxn-lower-to-linalg{bounds-check=false}``; a window of size 0 picks
    nothing and never fails.
    Subclasses declare their tensor operands, then ``indices: VariadicOperand``.
    """

    sizes = IntArrayAttr()
    strides = IntArrayAttr()
    drop = IntArrayAttr()

    @classmethod
    def window_shape(cls, input: TensorType, indices: list, attrs) -> list:
        """The window's shape without the dropped dims (``None`` where a size is given at run time)."""
        rank = input.rank
        _require_one_per_dim("sizes", attrs.sizes, input)
        _require_one_per_dim("strides", attrs.strides, input)
        dynamic = sum(size == -1 for size in attrs.sizes)
        if len(indices) != rank + dynamic:
            raise VerifyError(f"expected {rank} starts and {dynamic} run-time sizes ({rank + dynamic} indices); "
                              f"got {len(indices)}")
        for position, index in enumerate(indices):
            if index.dtype != "i64" or index.rank != 0:
                raise VerifyError(f"index #{position} must be a 0-d i64 tensor; got {index}")
        for axis, (size, stride) in enumerate(zip(attrs.sizes, attrs.strides)):
            if size < -1:
                raise VerifyError(f"dimension {axis}: size {size} is neither a size nor -1 (given at run time)")
            if stride == 0:
                raise VerifyError(f"dimension {axis}: stride must not be 0")
            extent = input.shape[axis]
            if size > 0 and extent is not DYNAMIC and 1 + (size - 1) * abs(stride) > extent:
                raise VerifyError(f"dimension {axis}: {size} elements {abs(stride)} apart do not fit in size {extent}")
        if list(attrs.drop) != sorted(set(attrs.drop)) or any(not 0 <= d < rank for d in attrs.drop):
            raise VerifyError(f"drop {format_shape(attrs.drop)} must list ascending dims of 0..{rank - 1}")
        for axis in attrs.drop:
            if attrs.sizes[axis] != 1:
                raise VerifyError(f"dropped dimension {axis} must have size 1; got {attrs.sizes[axis]}")
        return [DYNAMIC if size == -1 else size for axis, size in enumerate(attrs.sizes) if axis not in attrs.drop]


class DynamicSliceOp(WindowOp, name="dynamic_slice"):
    """A copy of the window of ``input`` (see :class:`WindowOp`) whose starts and sizes are run-time values.

    Python's ``x[i]``, ``x[i, :]``, ``x[a:b]``, ``x[::-1]`` once the frontend
    has turned the key into starts, sizes and strides (clamping slice bounds,
    as Python does). A result dim of a ``-1`` size is dynamic.

    ``%r = "fxn.dynamic_slice"(%x, %i, %j) {drop = array<i64: 0>, sizes = array<i64: 1, 4>, strides = array<i64: 1, 1>} : (tensor<3x4xf32>, tensor<i64>, tensor<i64>) -> tensor<4xf32>``
    """

    input: Operand
    indices: VariadicOperand

    @classmethod
    def infer_type(cls, args, attrs):
        return args.input.with_shape(cls.window_shape(args.input, args.indices, attrs))


class DynamicUpdateSliceOp(WindowOp, name="dynamic_update_slice"):
    """``input`` with its window (see :class:`WindowOp`) replaced by ``update``: Python's ``out[i] = v``, as a value.

    ``update`` has ``input``'s element type and broadcasts to the window's
    shape (without the dropped dims) as NumPy's assignment does: aligned to
    the right, each dim equal or 1. Where a dim of ``update`` or of the
    window is known only at run time and they differ, compiled code reads
    ``update`` clamped to its size (nothing outside it), the reference
    refuses it. The input itself is not changed: the result is a new tensor
    (bufferization writes in place when ``input`` has no later use).

    ``%r = "fxn.dynamic_update_slice"(%x, %v, %i) {drop = array<i64: 0>, sizes = array<i64: 1>, strides = array<i64: 1>} : (tensor<5xf32>, tensor<f32>, tensor<i64>) -> tensor<5xf32>``
    """

    input: Operand
    update: Operand
    indices: VariadicOperand

    @classmethod
    def infer_type(cls, args, attrs):
        window = cls.window_shape(args.input, args.indices, attrs)
        if args.update.dtype != args.input.dtype:
            raise VerifyError(f"update element type {args.update.dtype} differs from the input's {args.input.dtype}")
        if args.update.rank > len(window):
            raise VerifyError(f"update {args.update} has more dims than the window {format_shape(window)}")
        for size, wanted in zip(reversed(args.update.shape), reversed(window)):
            if size is not DYNAMIC and wanted is not DYNAMIC and size not in (1, wanted):
                raise VerifyError(f"update {args.update} does not broadcast to the window {format_shape(window)}")
        return args.input


class FullOp(FxnOp, name="full"):
    """A tensor of ``shape`` whose every element is the 0-d ``value`` (``np.full(shape, value)``, ``np.zeros(n)``).

    The ``-1`` entries of ``shape`` are given at run time by ``sizes``, 0-d
    ``i64`` tensors in order (a size below 0 counts as 0); the result's dims
    there are dynamic. The element type is ``value``'s.

    ``%r = "fxn.full"(%v, %n) {shape = array<i64: -1, 3>} : (tensor<f32>, tensor<i64>) -> tensor<?x3xf32>``
    """

    value: Operand
    sizes: VariadicOperand
    shape = IntArrayAttr(minimum=-1)

    @classmethod
    def infer_type(cls, args, attrs):
        if args.value.rank != 0:
            raise VerifyError(f"value must be a 0-d tensor; got {args.value}")
        _check_run_time_sizes(args.sizes, attrs.shape)
        return args.value.with_shape(DYNAMIC if size == -1 else size for size in attrs.shape)


def _check_run_time_sizes(sizes, shape) -> None:
    """VerifyError unless ``sizes`` are one 0-d i64 tensor per -1 entry of ``shape``."""
    dynamic = sum(size == -1 for size in shape)
    if len(sizes) != dynamic:
        raise VerifyError(f"shape {format_shape(shape)} has {dynamic} run-time sizes; got {len(sizes)} size operands")
    for position, size in enumerate(sizes):
        if size.dtype != "i64" or size.rank != 0:
            raise VerifyError(f"size #{position} must be a 0-d i64 tensor; got {size}")


class EmptyOp(FxnOp, name="empty"):
    """A tensor of ``shape`` and element type ``dtype`` whose elements are unspecified (``np.empty(n)``).

    Every element must be written before it is read: compiled code leaves
    the memory as the allocator gave it (no fill pass), and the reference
    kernel gives zeros. A program whose result depends on an unwritten
    element means nothing, as in NumPy. The ``-1`` entries of ``shape`` are
    given at run time by ``sizes``, 0-d ``i64`` tensors in order (a size below
    0 counts as 0); the result's dims there are dynamic.

    ``%r = "fxn.empty"(%n) {dtype = "f32", shape = array<i64: -1, 3>} : (tensor<i64>) -> tensor<?x3xf32>``
    """

    sizes: VariadicOperand
    dtype = EnumAttr(*ALL_DTYPES)
    shape = IntArrayAttr(minimum=-1)

    @classmethod
    def infer_type(cls, args, attrs):
        _check_run_time_sizes(args.sizes, attrs.shape)
        return TensorType(attrs.dtype, [DYNAMIC if size == -1 else size for size in attrs.shape])
