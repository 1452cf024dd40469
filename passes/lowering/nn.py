"""Generic lowering of the nn fxn ops: contractions, convolutions, pooling and inference batch norm.

Products and sums accumulate in :func:`~.reduction.accumulator_dtype` (f32
for f16) in a zero-filled tensor and are rounded once by a final
elementwise generic, which also adds a bias after the sum (the reference's
order). Upstream named ops are used where one fits (``linalg.matmul``,
``batch_matmul``, ``matvec``, ``vecmat``, ``dot``, ``conv_2d_nchw_fchw``,
``conv_2d_ngchw_gfchw``, ``pooling_nchw_max/sum``); the rest are
``linalg.generic``. Convolution and pooling windows need static spatial dims.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from fxn.dialects import TensorType
from fxn.dialects.types import UNSIGNED_DTYPES
from fxn.mlir import arith, ir, linalg, math, tensor

from . import lowering
from .image import Band, dense_constant, resample_axis
from .reduction import (
    accumulator_dtype,
    add,
    convert,
    dims,
    expand_shape,
    filled,
    finish,
    loop_index,
    lowest,
    multiply,
    reassociation,
    require_static,
    scalar,
    size_of,
    with_unit_dims,
)
from .structured import element_type, elementwise, index, tensor_type, window

# ----------------------------------------------------------------------------
# Contractions: fxn.matmul and fxn.linear.


def _batch_expressions(operand: TensorType, batch: tuple) -> list[ir.AffineExpr]:
    """Index expressions of ``operand``'s batch dims (right-aligned to ``batch``, size 1 broadcast)."""
    own = operand.shape[: max(operand.rank - 2, 0)]
    offset = len(batch) - len(own)
    return [
        ir.AffineConstantExpr.get(0) if size == 1 and batch[axis + offset] != 1 else ir.AffineDimExpr.get(axis + offset)
        for axis, size in enumerate(own)
    ]


def _contraction(lhs: ir.Value, rhs: ir.Value, init: ir.Value, lhs_dims, rhs_dims, loops: int) -> ir.Value:
    """``init[out] += lhs[lhs_dims] * rhs[rhs_dims]`` over ``loops`` loops, the last one contracted.

    ``lhs_dims``/``rhs_dims`` are affine expressions; the output reads every loop but the last.
    """
    dtype = tensor_type(init).dtype
    maps = [
        ir.AffineMap.get(loops, 0, lhs_dims),
        ir.AffineMap.get(loops, 0, rhs_dims),
        dims(loops, range(loops - 1)),
    ]
    iterators = [linalg.IteratorType.parallel] * (loops - 1) + [linalg.IteratorType.reduction]

    @linalg.generic([lhs, rhs], [init], maps, iterators)
    def generic(a, b, acc):
        return add(dtype, acc, multiply(dtype, convert(a, dtype), convert(b, dtype)))

    return generic


def _matmul_sizes(lhs: ir.Value, rhs: ir.Value, result: TensorType) -> list:
    """The result's sizes: batch dims from whichever operand knows them, then rows of lhs, columns of rhs."""
    lhs_type, rhs_type = tensor_type(lhs), tensor_type(rhs)
    batch = result.rank - (lhs_type.rank > 1) - (rhs_type.rank > 1)
    sizes = []
    for axis in range(batch):
        size = result.shape[axis]
        if size is None:
            for value, operand in ((lhs, lhs_type), (rhs, rhs_type)):
                source_axis = axis - (batch - max(operand.rank - 2, 0))
                if source_axis >= 0 and operand.shape[source_axis] is None:
                    size = size_of(value, source_axis)
                    break
        sizes.append(size)
    if lhs_type.rank > 1:
        sizes.append(size_of(lhs, lhs_type.rank - 2))
    if rhs_type.rank > 1:
        sizes.append(size_of(rhs, rhs_type.rank - 1))
    return sizes


def _named_matmul(lhs: TensorType, rhs: TensorType):
    """The upstream named op computing ``torch.matmul`` of these operand types, if one does."""
    named = {(2, 2): linalg.matmul, (2, 1): linalg.matvec, (1, 2): linalg.vecmat, (1, 1): linalg.dot}
    if (lhs.rank, rhs.rank) in named:
        return named[lhs.rank, rhs.rank]
    broadcasts = 1 in (lhs.shape[0], rhs.shape[0]) and lhs.shape[0] != rhs.shape[0]
    if lhs.rank == rhs.rank == 3 and not broadcasts:
        return linalg.batch_matmul
    return None


def _matmul_generic(lhs: ir.Value, rhs: ir.Value, init: ir.Value, result: TensorType) -> ir.Value:
    """``torch.matmul`` with broadcast batch dims as one contraction: loops (batch..., [m], [n], k)."""
    lhs_type, rhs_type = tensor_type(lhs), tensor_type(rhs)
    loops = result.rank + 1
    batch = result.shape[: result.rank - (lhs_type.rank > 1) - (rhs_type.rank > 1)]
    k = ir.AffineDimExpr.get(loops - 1)
    m = [ir.AffineDimExpr.get(len(batch))] if lhs_type.rank > 1 else []
    n = [ir.AffineDimExpr.get(result.rank - 1)] if rhs_type.rank > 1 else []
    lhs_dims = _batch_expressions(lhs_type, batch) + m + [k]
    rhs_dims = _batch_expressions(rhs_type, batch) + [k] + n
    return _contraction(lhs, rhs, init, lhs_dims, rhs_dims, loops)


@lowering("fxn.matmul")
def lower_matmul(op, target):
    lhs, rhs = op.lhs, op.rhs
    result = tensor_type(op.results[0])
    init = filled(accumulator_dtype(result.dtype), _matmul_sizes(lhs, rhs, result), 0)
    named = _named_matmul(tensor_type(lhs), tensor_type(rhs))
    product = named(lhs, rhs, outs=[init]) if named else _matmul_generic(lhs, rhs, init, result)
    return finish(product, result)


def _add_bias(accumulator: ir.Value, bias: ir.Value | None, axis: int, result: TensorType) -> ir.Value:
    """``accumulator + bias`` (``bias`` along ``axis``) rounded to ``result``; the bias is added after the sum."""
    if bias is None:
        return finish(accumulator, result)
    dtype = tensor_type(accumulator).dtype
    bias_map = dims(result.rank, [axis])
    return finish(accumulator, result, lambda acc, b: add(dtype, acc, convert(b, dtype)), [(bias, bias_map)])


@lowering("fxn.linear")
def lower_linear(op, target):
    x, weight = op.input, op.weight
    result = tensor_type(op.results[0])
    rank = result.rank
    sizes = [size_of(x, a) for a in range(rank - 1)] + [size_of(weight, 0)]
    init = filled(accumulator_dtype(result.dtype), sizes, 0)
    # Loops (batch..., out, in): input[batch..., in] * weight[out, in].
    loop = [ir.AffineDimExpr.get(d) for d in range(rank + 1)]
    product = _contraction(x, weight, init, loop[: rank - 1] + [loop[rank]], [loop[rank - 1], loop[rank]], rank + 1)
    return _add_bias(product, op.bias, rank - 1, result)


# ----------------------------------------------------------------------------
# fxn.conv2d, and the padding it shares with pooling.


def pad(value: ir.Value, low: Sequence[int], high: Sequence[int], pad_value) -> ir.Value:
    """``value`` padded by static ``low``/``high`` amounts per dim with the scalar ``pad_value``.

    One ``linalg.generic`` over the padded shape selecting between the
    input (read at clamped indices) and the pad value. ``tensor.pad``, or a
    copy into a slice of a filled tensor, would bufferize to a
    ``memref.copy`` into a strided view: a call into MLIR's runtime
    library, which compiled code must not need.
    """
    if not any(low) and not any(high):
        return value
    source = tensor_type(value)
    sizes = [size_of(value, a) for a in range(source.rank)]
    padded_sizes = [
        s + lo + hi if isinstance(s, int) else arith.addi(s, index(lo + hi)) for s, lo, hi in zip(sizes, low, high)
    ]
    fill = scalar(source.dtype, pad_value)
    init = tensor.empty(padded_sizes, element_type(source.dtype))
    if any(s == 0 for s in sizes if isinstance(s, int)):  # nothing to read: all padding
        return linalg.fill(fill, outs=[init])
    rank = source.rank
    zero = index(0)
    padded_axes = [a for a in range(rank) if low[a] or high[a]]
    bounds = {a: index(sizes[a]) if isinstance(sizes[a], int) else sizes[a] for a in padded_axes}
    last = {a: arith.subi(bounds[a], index(1)) for a in padded_axes}

    @linalg.generic([], [init], [ir.AffineMap.get_identity(rank)], [linalg.IteratorType.parallel] * rank)
    def padded(_):
        indices = [loop_index(a) for a in range(rank)]
        inside = None
        for axis in padded_axes:
            shifted = arith.subi(indices[axis], index(low[axis]))
            within = arith.andi(
                arith.cmpi(arith.CmpIPredicate.sge, shifted, zero),
                arith.cmpi(arith.CmpIPredicate.slt, shifted, bounds[axis]),
            )
            inside = within if inside is None else arith.andi(inside, within)
            # Clamped so that the read stays in bounds; the select drops it outside.
            indices[axis] = arith.minsi(arith.maxsi(shifted, zero), last[axis])
        return arith.select(inside, tensor.extract(value, indices), fill)

    return padded


def split_axis(value: ir.Value, axis: int, outer: int) -> ir.Value:
    """``value`` with dim ``axis`` of size ``s`` split into ``(outer, s / outer)`` (``tensor.expand_shape``)."""
    source = tensor_type(value)
    size = source.shape[axis]
    inner = None if size is None else size // outer
    result = source.with_shape(source.shape[:axis] + (outer, inner) + source.shape[axis + 1 :])
    groups = [[a] for a in range(axis)] + [[axis, axis + 1]] + [[a + 1] for a in range(axis + 1, source.rank)]
    dynamic_sizes = []
    for a, d in enumerate(result.shape):
        if d is None:
            size_value = size_of(value, a if a <= axis else a - 1)
            dynamic_sizes.append(arith.divsi(size_value, index(outer)) if a == axis + 1 else size_value)
    return expand_shape(value, result, groups, dynamic_sizes)


def _phases(value: ir.Value, axis: int, stride: int, phases: int, count: int) -> ir.Value:
    """``value`` (A, B, H, W) split along ``axis`` (2: rows, 3: columns) into ``phases`` stacked as channels:
    ``(A, phases * B, count, W)`` with ``out[a, p*B + b, i, w] = value[a, b, stride*i + p, w]`` (rows), or
    ``(A, phases * B, H, count)`` with ``out[a, p*B + b, h, j] = value[a, b, h, stride*j + p]`` (columns).

    One ``linalg.generic`` reading with a strided map, then a reshape.
    """
    source = tensor_type(value)
    spatial = list(source.shape[2:])
    spatial[axis - 2] = count
    init = tensor.empty([size_of(value, 0), phases, source.shape[1], *spatial], element_type(source.dtype))
    d = [ir.AffineDimExpr.get(i) for i in range(5)]  # a, p, b, rows, columns
    reads = [d[0], d[2], d[3], d[4]]
    reads[axis] = d[axis + 1] * stride + d[1]
    read = ir.AffineMap.get(5, 0, reads)

    @linalg.generic([value], [init], [read, ir.AffineMap.get_identity(5)], [linalg.IteratorType.parallel] * 5)
    def split(element, _):
        return element

    result = source.with_shape((source.shape[0], phases * source.shape[1], *spatial))
    return tensor.collapse_shape(result.to_mlir(), split, reassociation([[0], [1, 2], [3], [4]]))


def _stride_one(padded_input: ir.Value, weight: ir.Value, axis: int, stride: int, out_size: int,
                spare: int = 0) -> tuple[ir.Value, ir.Value]:
    """The input and weight of the convolution with stride 1 along ``axis`` (2: rows, 3: columns) that equals
    one of stride ``stride`` there, with ``spare`` more positions of input at the end (joined rows' spare row).

    With stride ``s``, output ``j`` reads inputs ``s*j + k`` for the
    kernel's taps ``k = s*q + p``. Splitting the input into ``s`` phases
    ``p`` (``input[..., p::s]``, stacked as channels) and the taps alike
    (``weight[..., p::s]``, zero-padded to ``ceil(K / s)`` taps) gives a
    convolution of stride 1 along ``axis`` over ``s`` times the channels:
    vectors can then run along output columns, and rows can be joined (see
    ``fxn-tile-conv``).
    """
    kernel = tensor_type(weight).shape[axis]
    taps = -(-kernel // stride)
    phases = min(stride, kernel)
    count = out_size + taps - 1 + spare
    size = tensor_type(padded_input).shape[axis]
    needed = stride * (count - 1) + phases
    if needed > size:  # the last phases read zeros past the padding, against zero taps
        padded_input = pad(padded_input, [0] * 4, [needed - size if a == axis else 0 for a in range(4)], 0)
    read = stride * (taps - 1) + phases  # taps the phases read (a 1x1 kernel: its one tap)
    weight = pad(weight, [0] * 4, [read - kernel if a == axis else 0 for a in range(4)], 0)
    return _phases(padded_input, axis, stride, phases, count), _phases(weight, axis, stride, phases, taps)


def _splits_phases(op, x: ir.Value, weight: ir.Value, axis: int) -> bool:
    """Whether a convolution's stride along ``axis`` (2: rows, 3: columns) can be rewritten as phases
    (:func:`_stride_one`): a stride, no dilation or groups, static channels, f32 or f64."""
    attrs = op.attrs()
    static = tensor_type(x).shape[1] is not None and tensor_type(weight).shape[1] is not None
    return (attrs.groups == 1 and attrs.stride[axis - 2] > 1 and attrs.dilation[axis - 2] == 1 and static
            and tensor_type(x).dtype in ("f32", "f64"))


def _reshaped(value: ir.Value, shape: tuple) -> ir.Value:
    """A static 4-d ``value`` as static ``shape`` (N, C, H, W) <-> (N, C, 1, H * W): collapse, then expand."""
    source = tensor_type(value)
    flat = source.with_shape(source.shape[:2] + (source.shape[2] * source.shape[3],))
    collapsed = tensor.collapse_shape(flat.to_mlir(), value, reassociation([[0], [1], [2, 3]]))
    return expand_shape(collapsed, source.with_shape(shape), [[0], [1], [2, 3]], [])


def _pointwise_rows(groups: int, strides: Sequence[int], x: ir.Value, weight: ir.Value) -> bool:
    """Whether a convolution of ``x`` (padded, split into phases) is 1x1, stride 1 and ungrouped on static shapes:
    its rows can be one row."""
    shapes = (tensor_type(x).shape, tensor_type(weight).shape)
    return (groups == 1 and tuple(strides) == (1, 1) and shapes[1][2:] == (1, 1)
            and all(d is not None for shape in shapes for d in shape))


def _static_window(value: ir.Value, offsets: Sequence[int], sizes: Sequence[int]) -> ir.Value:
    """The static window of ``value`` at ``offsets`` of ``sizes`` (see :func:`.structured.window`)."""
    return window(value, offsets, sizes, tensor_type(value).with_shape(tuple(sizes)))


def _joins_rows(groups: int, strides: Sequence[int], dilation: Sequence[int], x: ir.Value, weight: ir.Value,
                kernel_rows: int, out_w: int, target) -> bool:
    """Whether a stride-1 convolution computes its rows as one long row (:func:`_joined_rows_convolution`):
    static shapes, no groups or dilation, several kernel rows (``kernel_rows``, once split into phases), and
    output rows that are not a whole number of the target's vectors."""
    shapes = (tensor_type(x).shape, tensor_type(weight).shape)
    if target is None or groups != 1 or tuple(strides) != (1, 1) or tuple(dilation) != (1, 1):
        return False
    if any(d is None for shape in shapes for d in shape) or tensor_type(x).dtype not in ("f32", "f64"):
        return False
    lanes = target.lanes(32 if tensor_type(x).dtype == "f32" else 64)
    return kernel_rows > 1 and out_w % lanes != 0


def _splits_rows(op, x: ir.Value, weight: ir.Value, out_w: int, target) -> bool:
    """Whether a convolution with a stride along the rows is rewritten with stride 1 there
    (:func:`_stride_one`): when its columns have stride 1 (or are split too) and it then runs as a 1x1
    convolution over one row, or on joined rows when its output rows are shorter than a vector (measured on
    ResNet-18's stride-2 layers: 14 and 7 columns twice as fast, 28 columns slower)."""
    attrs = op.attrs()
    if not _splits_phases(op, x, weight, 2) or not (attrs.stride[1] == 1 or _splits_phases(op, x, weight, 3)):
        return False
    kernel_rows, kernel_columns = tensor_type(weight).shape[2:]
    taps = -(-kernel_rows // attrs.stride[0]), -(-kernel_columns // attrs.stride[1])
    if taps == (1, 1):
        return True  # a 1x1 convolution over the subsampled pixels
    lanes = target.lanes(32 if tensor_type(x).dtype == "f32" else 64) if target is not None else 0
    return out_w < lanes and _joins_rows(1, (1, 1), attrs.dilation, x, weight, taps[0], out_w, target)


def _joined_rows_convolution(padded: ir.Value, weight: ir.Value, out_h: int, init_value: ir.Value) -> ir.Value:
    """A stride-1 convolution of ``padded`` (with one spare row of zeros at the bottom) computed on its rows
    joined into one: ``(N, F, out_h, Wp)``, of which the first ``out_w`` columns are the convolution.

    With rows of ``Wp`` pixels laid end to end, output pixel ``q = oh*Wp + ow``
    of kernel row ``kh`` reads the joined input at ``q + kh*Wp + kw``: one
    1 x KW convolution per kernel row over the joined row, shifted by
    ``kh*Wp``, accumulated in turn. Vectors then run along ``out_h * Wp``
    pixels, not along rows of ``out_w`` (a 7x7 image: 63 pixels, not 7 rows
    of 7); the ``Wp - out_w`` columns computed past each row's end are
    dropped.
    """
    n, c, rows, width = tensor_type(padded).shape
    filters, _, kernel_rows, kernel_width = tensor_type(weight).shape
    joined = _reshaped(padded, (n, c, 1, rows * width))
    length = out_h * width + kernel_width - 1
    accumulated = init_value
    for row in range(kernel_rows):
        taps = _static_window(weight, [0, 0, row, 0], [filters, c, 1, kernel_width])
        window = _static_window(joined, [0, 0, 0, row * width], [n, c, 1, length])
        accumulated = linalg.conv_2d_nchw_fchw(window, taps, outs=[accumulated], strides=[1, 1], dilations=[1, 1])
    return _reshaped(accumulated, (n, filters, out_h, width))


@lowering("fxn.conv2d")
def lower_conv2d(op, target):
    attrs = op.attrs()
    x, weight = op.input, op.weight
    result = tensor_type(op.results[0])
    require_static(op, x, (2, 3))
    require_static(op, weight, (2, 3))
    accumulator = accumulator_dtype(result.dtype)
    (ph, pw), groups = attrs.padding, attrs.groups
    out_h, out_w = result.shape[2:]
    # Strides become phases (stride 1 over more channels) where the vectors or the joined rows need it.
    split_columns = _splits_phases(op, x, weight, 3)
    split_rows = _splits_rows(op, x, weight, out_w, target)
    strides = [1 if split_rows else attrs.stride[0], 1 if split_columns else attrs.stride[1]]
    kernel_rows = tensor_type(weight).shape[2]
    kernel_rows = -(-kernel_rows // attrs.stride[0]) if split_rows else kernel_rows
    joined = _joins_rows(groups, strides, attrs.dilation, x, weight, kernel_rows, out_w, target)
    spare = int(joined and not split_rows)  # a spare row for the joined rows' last taps
    padded = pad(x, [0, 0, ph, pw], [0, 0, ph + spare, pw], 0)
    if split_columns:
        padded, weight = _stride_one(padded, weight, 3, attrs.stride[1], out_w)
    if split_rows:
        padded, weight = _stride_one(padded, weight, 2, attrs.stride[0], out_h, spare=int(joined))
    window = {"strides": strides, "dilations": list(attrs.dilation)}
    if joined:
        n, _, _, width = tensor_type(padded).shape
        init = filled(accumulator, [n, size_of(weight, 0), 1, out_h * width], 0)
        rows = _joined_rows_convolution(padded, weight, out_h, init)
        convolved = _static_window(rows, [0, 0, 0, 0], [n, size_of(weight, 0), out_h, out_w])
    elif _pointwise_rows(groups, strides, padded, weight):
        # A 1x1 convolution reads each pixel once: H x W as one row of H * W pixels, whose vectors run
        # across rows (a 7x7 image is one row of 49, not 7 rows of 7).
        n, channels, h, w = tensor_type(padded).shape
        init = filled(accumulator, [n, size_of(weight, 0), 1, h * w], 0)
        flat = linalg.conv_2d_nchw_fchw(_reshaped(padded, (n, channels, 1, h * w)), weight, outs=[init], **window)
        convolved = _reshaped(flat, (n, tensor_type(weight).shape[0], h, w))
    elif groups == 1:
        init = filled(accumulator, [size_of(x, 0), size_of(weight, 0), out_h, out_w], 0)
        convolved = linalg.conv_2d_nchw_fchw(padded, weight, outs=[init], **window)
    else:
        # Channels split into (groups, channels per group) on both sides.
        grouped_input = split_axis(padded, 1, groups)
        grouped_weight = split_axis(weight, 0, groups)
        sizes = [size_of(x, 0), groups, size_of(grouped_weight, 1), out_h, out_w]
        init = filled(accumulator, sizes, 0)
        grouped = linalg.conv_2d_ngchw_gfchw(grouped_input, grouped_weight, outs=[init], **window)
        convolved = tensor.collapse_shape(
            result.with_dtype(accumulator).to_mlir(), grouped, reassociation([[0], [1, 2], [3], [4]])
        )
    return _add_bias(convolved, op.bias, 1, result)


# ----------------------------------------------------------------------------
# A conv2d or linear with its activation: the op, then the activation as its elementwise op lowers (one
# generic on the result, which linalg-fuse-elementwise-ops joins to the generic adding the bias).


def apply_activation(op, value: ir.Value) -> ir.Value:
    """``value``, the conv2d or linear result of ``op`` (an ``fxn.*_activation``) in its element type, through
    ``op``'s activation (backends lowering the convolution their own way use it too)."""
    from .elementwise import ACTIVATION_BODIES

    result = tensor_type(op.results[0])
    return elementwise([value], result, ACTIVATION_BODIES[op.attrs().activation](op, result))


@lowering("fxn.conv2d_activation")
def lower_conv2d_activation(op, target):
    return apply_activation(op, lower_conv2d(op, target))


@lowering("fxn.linear_activation")
def lower_linear_activation(op, target):
    return apply_activation(op, lower_linear(op, target))


# ----------------------------------------------------------------------------
# Pooling: fxn.max_pool2d, fxn.avg_pool2d, fxn.adaptive_avg_pool2d.


def _batched(value: ir.Value) -> ir.Value:
    """A (C, H, W) value as (1, C, H, W); (N, C, H, W) as it is."""
    source = tensor_type(value)
    if source.rank == 4:
        return value
    return with_unit_dims(value, source.with_shape((1,) + source.shape), [0])


def _unbatched(value: ir.Value, result: TensorType) -> ir.Value:
    """The inverse of :func:`_batched` for a pooled value of ``result``'s rank."""
    if result.rank == 4:
        return value
    reshaped = result.with_dtype(tensor_type(value).dtype)
    return tensor.collapse_shape(reshaped.to_mlir(), value, reassociation([[0, 1], [2], [3]]))


@dataclass(frozen=True)
class _PoolAxis:
    """One spatial axis of a pooling op: input size, output count, and the window's geometry."""

    size: int
    count: int
    kernel: int
    stride: int
    padding: int
    dilation: int

    @property
    def high_padding(self) -> int:
        """Padding after the input: as far as the last window reads (a ceil-mode window may reach past ``padding``)."""
        read = (self.count - 1) * self.stride + self.dilation * (self.kernel - 1) + 1
        return max(read - self.padding - self.size, 0)

    def counted(self, include_padding: bool) -> np.ndarray:
        """Per output position, how many elements of its window an average divides by.

        The window ``[i * stride - padding, ... + kernel)`` meets the input, or
        the input and its padding, but never what a ceil-mode window reads beyond.
        """
        begin = np.arange(self.count) * self.stride - self.padding
        low, high = (-self.padding, self.size + self.padding) if include_padding else (0, self.size)
        return np.minimum(begin + self.kernel, high) - np.maximum(begin, low)


def _pool_axes(op, attrs, dilation) -> list[_PoolAxis]:
    """The (height, width) axes of a pooling op, whose input's spatial dims must be static."""
    require_static(op, op.input, (-2, -1))
    sizes, counts = tensor_type(op.input).shape[-2:], tensor_type(op.results[0]).shape[-2:]
    return [_PoolAxis(*axis) for axis in zip(sizes, counts, attrs.kernel_size, attrs.stride, attrs.padding, dilation)]


def _pooled(op, attrs, named, fill_value, pad_value, dtype: str, dilation, source=None) -> ir.Value:
    """``named`` pooling of the padded, batched input (or ``source``) into a ``dtype`` accumulator filled with ``fill_value``."""
    result = tensor_type(op.results[0])
    axes = _pool_axes(op, attrs, dilation)
    low, high = [0, 0] + [a.padding for a in axes], [0, 0] + [a.high_padding for a in axes]
    padded = pad(_batched(op.input if source is None else source), low, high, pad_value)
    window = tensor.empty(list(attrs.kernel_size), element_type(dtype))
    init = filled(dtype, [size_of(padded, 0), size_of(padded, 1), *result.shape[-2:]], fill_value)
    pooled = named(padded, window, outs=[init], strides=list(attrs.stride), dilations=list(dilation))
    return _unbatched(pooled, result)


@lowering("fxn.max_pool2d")
def lower_max_pool2d(op, target):
    attrs = op.attrs()
    dtype = tensor_type(op.input).dtype
    if dtype in UNSIGNED_DTYPES:
        # linalg's max pooling compares signed; x ^ 0x80 orders as signed as x does unsigned.
        flip = lambda x: arith.xori(x, scalar("i8", -128))  # noqa: E731
        flipped = elementwise([op.input], tensor_type(op.input).with_dtype("i8"), flip)
        pooled = _pooled(op, attrs, linalg.pooling_nchw_max, lowest("i8"), lowest("i8"), "i8", attrs.dilation, flipped)
        return elementwise([pooled], tensor_type(op.results[0]), flip)
    # Padding never wins: the lowest value (-inf for floats), as in PyTorch.
    return _pooled(op, attrs, linalg.pooling_nchw_max, lowest(dtype), lowest(dtype), dtype, attrs.dilation)


@lowering("fxn.avg_pool2d")
def lower_avg_pool2d(op, target):
    attrs = op.attrs()
    result = tensor_type(op.results[0])
    accumulator = accumulator_dtype(result.dtype)
    sums = _pooled(op, attrs, linalg.pooling_nchw_sum, 0, 0, accumulator, (1, 1))
    # The divisor is separable: (counted rows) x (counted columns), exact in floats.
    counts = [
        dense_constant(axis.counted(attrs.count_include_pad), accumulator) for axis in _pool_axes(op, attrs, (1, 1))
    ]
    return _divide_by_counts(sums, counts, result)


def _divide_by_counts(sums: ir.Value, counts, result: TensorType) -> ir.Value:
    """``sums[..., i, j] / (counts[0][i] * counts[1][j])`` rounded to ``result``."""
    rank = result.rank
    operands = [(counts[0], dims(rank, [rank - 2])), (counts[1], dims(rank, [rank - 1]))]
    return finish(sums, result, lambda s, rows, columns: arith.divf(s, arith.mulf(rows, columns)), operands)


def _adaptive_bins(size: int, count: int) -> np.ndarray:
    """``(count, size)`` 0/1 matrix: row ``i`` marks the input elements of adaptive bin ``i``.

    Bin ``i`` is ``[floor(i * size / count), ceil((i + 1) * size / count))``.
    """
    bins = np.arange(count)
    start = bins * size // count
    end = -(-(bins + 1) * size // count)
    positions = np.arange(size)
    return ((positions >= start[:, None]) & (positions < end[:, None])).astype(np.float64)


@lowering("fxn.adaptive_avg_pool2d")
def lower_adaptive_avg_pool2d(op, target):
    source = tensor_type(op.input)
    result = tensor_type(op.results[0])
    require_static(op, op.input, (-2, -1))
    accumulator = accumulator_dtype(result.dtype)
    sums, counts = op.input, []
    # Bin sums are separable: sum the row bins, then the column bins (0/1 weights, exact).
    for axis, size, count in zip((source.rank - 2, source.rank - 1), source.shape[-2:], result.shape[-2:]):
        bins = _adaptive_bins(size, count)
        sums = resample_axis(sums, axis, Band.from_matrix(bins, accumulator), accumulator)
        counts.append(dense_constant(bins.sum(axis=1), accumulator))
    return _divide_by_counts(sums, counts, result)


# ----------------------------------------------------------------------------
# fxn.batch_norm


@lowering("fxn.batch_norm")
def lower_batch_norm(op, target):
    eps = op.attrs().eps
    x = op.input
    result = tensor_type(op.results[0])
    accumulator = accumulator_dtype(result.dtype)
    rank = result.rank
    vectors = [op.running_mean, op.running_var, op.weight, op.bias]
    init = tensor.empty([size_of(x, a) for a in range(rank)], element_type(result.dtype))
    identity = ir.AffineMap.get_identity(rank)
    maps = [identity] + [dims(rank, [1])] * len(vectors) + [identity]
    epsilon_type = element_type(accumulator)

    @linalg.generic([x] + vectors, [init], maps, [linalg.IteratorType.parallel] * rank)
    def normalized(*elements):
        value, mean, var, scale, shift = (convert(e, accumulator) for e in elements[:-1])
        epsilon = arith.constant(epsilon_type, ir.FloatAttr.get(epsilon_type, eps))
        # The reference's order: (x - mean) / sqrt(var + eps) * weight + bias.
        deviation = arith.divf(arith.subf(value, mean), math.sqrt(arith.addf(var, epsilon)))
        return convert(arith.addf(arith.mulf(deviation, scale), shift), result.dtype)

    return normalized

