"""Generic lowering of the nn fxn ops: contractions, convolutions, pooling, inference batch norm and layer norm.

Products and sums accumulate in :func:`~.reduction.accumulator_dtype` (f32
for f16) in a zero-filled tensor and are rounded once by a final
elementwise generic, which also adds a bias after the sum (the reference's
order). Upstream named ops are used where one fits (``linalg.matmul``,
``batch_matmul``, ``matvec``, ``vecmat``, ``dot``, ``conv_2d_nchw_fchw``,
``conv_2d_ngchw_gfchw``, ``pooling_nchw_max/sum``); the rest are
``linalg.generic``. Convolution and pooling windows need static spatial dims.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Sequence

from fxn.lazy import numpy as np

from fxn.dialects import TensorType
from fxn.dialects.types import UNSIGNED_DTYPES
from fxn.mlir import arith, ir, linalg, math, tensor

from . import lowering
from .constants import constant_elements
from .image import Band, dense_constant, resample_axis
from .reduction import (
    accumulator_dtype,
    add,
    by_rows,
    convert,
    dims,
    element_count,
    expand_shape,
    filled,
    finish,
    loop_index,
    lowest,
    multiply,
    require_static,
    row_sum,
    scalar,
    size_of,
    with_unit_dims,
)
from .structured import element_type, elementwise, index, reassociation, tensor_type, window

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


#: Convolutions of fewer input channels split into phases compute them as one convolution over the stacked
#: phases (:func:`_stacked_weight_phases`), others as one convolution per phase (:func:`_weight_phases`).
STACKED_PHASES_BELOW = 4


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


def _input_phases(padded_input: ir.Value, axis: int, stride: int, kernel: int, out_size: int,
                  spare: int = 0) -> ir.Value:
    """The input of the stride-1 convolutions that together compute one of stride ``stride`` along ``axis``
    (2: rows, 3: columns) with ``kernel`` taps there: its phases ``input[..., p::s]`` (``p < min(s, kernel)``)
    stacked as blocks of channels (:func:`_phases`), each ``out_size + ceil(kernel / s) - 1`` long, with
    ``spare`` more positions at the end (the joined rows' spare rows).

    With stride ``s``, output ``j`` reads inputs ``s*j + k`` for the
    kernel's taps ``k = s*q + p``: phase ``p`` of the input with the taps
    ``weight[..., p::s]`` (:func:`_weight_phases`) is a convolution of stride
    1 along ``axis``, and the phases' convolutions add up to the strided one.
    Vectors can then run along output columns, and rows can be joined (see
    ``fxn-tile-conv``); no product is computed that the strided convolution
    does not compute.
    """
    assert tensor_type(padded_input).shape[axis] >= _phase_extent(stride, kernel, out_size, spare)
    return _phases(padded_input, axis, stride, min(stride, kernel), _phase_count(stride, kernel, out_size, spare))


def _phase_count(stride: int, kernel: int, out_size: int, spare: int = 0) -> int:
    """Positions of each phase along an axis that :func:`_input_phases` takes: what ``ceil(kernel / stride)``
    taps read for ``out_size`` outputs, and ``spare`` more."""
    return out_size + -(-kernel // stride) - 1 + spare


def _phase_extent(stride: int, kernel: int, out_size: int, spare: int = 0) -> int:
    """The padded input size along an axis that :func:`_input_phases` reads (the last phases read past the
    taps of a kernel that the stride does not divide, against zero taps or none)."""
    return stride * (_phase_count(stride, kernel, out_size, spare) - 1) + min(stride, kernel)


def _weight_phases(weight: ir.Value, strides: dict[int, int]) -> list[ir.Value]:
    """The taps of each phase block of :func:`_input_phases` split along the axes of ``strides`` (axis ->
    stride, in the order the axes were split), in the order the blocks are stacked:
    ``weight[..., p::s, ...]``.

    A constant weight (a model's parameters) is split at compile time; any
    other is read through strided slices.
    """
    if not strides:
        return [weight]
    shape = tensor_type(weight).shape
    constant = constant_elements(weight)
    axes = list(strides)[::-1]  # stacking one axis's phases, then another's, puts the second's outermost
    weights = []
    for phase in itertools.product(*(range(min(strides[a], shape[a])) for a in axes)):
        offsets, steps = [0] * 4, [1] * 4
        for axis, p in zip(axes, phase):
            offsets[axis], steps[axis] = p, strides[axis]
        sizes = [len(range(offset, size, step)) for offset, size, step in zip(offsets, shape, steps)]
        if tuple(sizes) == shape:  # one phase of all the taps (a 1x1 kernel)
            weights.append(weight)
        elif constant is not None:
            taps = constant[tuple(slice(o, None, t) for o, t in zip(offsets, steps))]
            weights.append(dense_constant(taps, tensor_type(weight).dtype))
        else:  # a stride over one tap is no stride (and would leave a layout the lowering to LLVM cannot take)
            steps = [step if size > 1 else 1 for step, size in zip(steps, sizes)]
            sliced = tensor_type(weight).with_shape(tuple(sizes)).to_mlir()
            weights.append(tensor.extract_slice(sliced, weight, [], [], [], offsets, sizes, steps))
    return weights


def _stacked_weight_phases(weight: ir.Value, strides: dict[int, int]) -> ir.Value:
    """The weight of one convolution over all the phase blocks of :func:`_input_phases` (axis -> stride, in
    the order the axes were split): each phase's taps ``weight[..., p::s, ...]`` zero-padded to
    ``ceil(K / s)`` along each split axis, stacked as the blocks are (``out[f, p*C + c, ..., j, ...] =
    weight[f, c, ..., s*j + p, ...]``).

    The zero taps cost products (7 taps: 8) but keep one reduction over all
    the channels, which few channels (an RGB image) need to fill a register
    tile. A constant weight is rearranged at compile time.
    """
    for axis, stride in strides.items():
        kernel = tensor_type(weight).shape[axis]
        taps, phases = -(-kernel // stride), min(stride, kernel)
        padding = [stride * (taps - 1) + phases - kernel if a == axis else 0 for a in range(4)]
        constant = constant_elements(weight)
        if constant is None:
            weight = _phases(pad(weight, [0] * 4, padding, 0), axis, stride, phases, taps)
            continue
        padded = np.pad(constant, [(0, p) for p in padding])
        blocks = [padded[tuple(slice(p, p + stride * (taps - 1) + 1, stride) if a == axis else slice(None)
                                 for a in range(4))] for p in range(phases)]
        weight = dense_constant(np.concatenate(blocks, axis=1), tensor_type(weight).dtype)
    return weight


def _splits_phases(op, x: ir.Value, weight: ir.Value, axis: int) -> bool:
    """Whether a convolution's stride along ``axis`` (2: rows, 3: columns) can be rewritten as phases
    (:func:`_input_phases`): a stride, no dilation or groups, static channels, f32 or f64."""
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
    (:func:`_input_phases`): when its columns have stride 1 (or are split too) and it then runs as a 1x1
    convolution over one row, or on joined rows when its output rows are not whole vectors (measured on
    ResNet-18's stride-2 layers: 28, 14 and 7 columns 1.3-3x faster than with rows of stride 2)."""
    attrs = op.attrs()
    if not _splits_phases(op, x, weight, 2) or not (attrs.stride[1] == 1 or _splits_phases(op, x, weight, 3)):
        return False
    kernel_rows, kernel_columns = tensor_type(weight).shape[2:]
    taps = -(-kernel_rows // attrs.stride[0]), -(-kernel_columns // attrs.stride[1])
    if taps == (1, 1):
        return True  # a 1x1 convolution over the subsampled pixels
    return _joins_rows(1, (1, 1), attrs.dilation, x, weight, taps[0], out_w, target)


def _joined_length(out_h: int, width: int, lanes: int) -> int:
    """Columns of a joined-rows convolution (:func:`_joined_rows_convolution`): its ``out_h`` rows of ``width``
    end to end, rounded up to whole vectors of ``lanes`` (every register tile full; the extra columns are
    dropped)."""
    return -(-out_h * width // lanes) * lanes


def _spare_rows(out_h: int, width: int, kernel_width: int, lanes: int) -> int:
    """Rows of zeros below the padded input that a joined-rows convolution's last taps read."""
    past = _joined_length(out_h, width, lanes) - out_h * width + kernel_width - 1
    return -(-past // width)


def _joined_rows_convolution(blocks: list[tuple[ir.Value, ir.Value]], out_h: int, lanes: int,
                             init_value: ir.Value) -> ir.Value:
    """The sum of the stride-1 convolutions of each ``(input, weight)`` of ``blocks`` (inputs of one shape, with
    :func:`_spare_rows` of zeros at the bottom) computed on their rows joined into one: ``(N, F, out_h, Wp)``,
    of which the first ``out_w`` columns are the convolution.

    With rows of ``Wp`` pixels laid end to end, output pixel ``q = oh*Wp + ow``
    of kernel row ``kh`` reads the joined input at ``q + kh*Wp + kw``: one
    1 x KW convolution per kernel row over the joined row, shifted by
    ``kh*Wp``, accumulated in turn into ``init_value`` (``N, F, 1,``
    :func:`_joined_length`). Vectors then run along ``out_h * Wp`` pixels,
    not along rows of ``out_w`` (a 7x7 image: 64 pixels in 4 vectors of 16,
    not 7 rows of 7); the columns computed past each row's end, and past the
    last row, are dropped.
    """
    n, c, rows, width = tensor_type(blocks[0][0]).shape
    filters = tensor_type(blocks[0][1]).shape[0]
    accumulated = init_value
    for padded, weight in blocks:
        _, _, kernel_rows, kernel_width = tensor_type(weight).shape
        joined = _reshaped(padded, (n, c, 1, rows * width))
        length = _joined_length(out_h, width, lanes) + kernel_width - 1
        for row in range(kernel_rows):
            taps = _static_window(weight, [0, 0, row, 0], [filters, c, 1, kernel_width])
            window = _static_window(joined, [0, 0, 0, row * width], [n, c, 1, length])
            accumulated = linalg.conv_2d_nchw_fchw(window, taps, outs=[accumulated], strides=[1, 1],
                                                   dilations=[1, 1])
    rows_joined = _static_window(accumulated, [0, 0, 0, 0], [n, filters, 1, out_h * width])
    return _reshaped(rows_joined, (n, filters, out_h, width))


def _phase_blocks(phased: ir.Value, weights: list[ir.Value], split: dict[int, int], out_sizes: Sequence[int],
                  exact: bool) -> list[tuple[ir.Value, ir.Value]]:
    """Each phase's ``(input, weight)``: its block of channels of ``phased`` (:func:`_input_phases`) with its
    taps (:func:`_weight_phases`); along the ``split`` axes cut to what its taps read if ``exact`` (else whole,
    as the joined rows read them)."""
    if not split:
        return [(phased, weights[0])]
    shape = tensor_type(phased).shape
    channels = shape[1] // len(weights)
    blocks = []
    for i, weight in enumerate(weights):
        sizes = [shape[0], channels, *shape[2:]]
        if exact:
            for axis in split:
                sizes[axis] = out_sizes[axis - 2] + tensor_type(weight).shape[axis] - 1
        whole = tuple(sizes) == shape  # the one block of stacked phases
        blocks.append((phased if whole else _static_window(phased, [0, i * channels, 0, 0], sizes), weight))
    return blocks


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
    spare = 0  # rows of zeros below the input that the joined rows' last taps read
    if joined:
        lanes = target.lanes(32 if accumulator == "f32" else 64)
        kernel_width = tensor_type(weight).shape[3]
        if split_columns:
            kernel_width = -(-kernel_width // attrs.stride[1])
            width = out_w + kernel_width - 1
        else:
            width = tensor_type(x).shape[3] + 2 * pw
        spare = _spare_rows(out_h, width, kernel_width, lanes)
    kernel, (in_h, in_w) = tensor_type(weight).shape, tensor_type(x).shape[2:]
    high = [ph + (0 if split_rows else spare), pw]  # the phases may read zeros past the padding
    if split_columns:
        high[1] = max(pw, _phase_extent(attrs.stride[1], kernel[3], out_w) - in_w - pw)
    if split_rows:
        high[0] = max(ph, _phase_extent(attrs.stride[0], kernel[2], out_h, spare) - in_h - ph)
    padded = pad(x, [0, 0, ph, pw], [0, 0, *high], 0)
    split = {}  # axis -> stride, for the axes split into phases, in that order
    if split_columns:
        padded = _input_phases(padded, 3, attrs.stride[1], kernel[3], out_w)
        split[3] = attrs.stride[1]
    if split_rows:
        padded = _input_phases(padded, 2, attrs.stride[0], kernel[2], out_h, spare=spare)
        split[2] = attrs.stride[0]
    # Few channels: one convolution over the stacked phases (with zero taps), else one per phase.
    stacked = bool(split) and tensor_type(x).shape[1] < STACKED_PHASES_BELOW  # a split has static channels
    weights = [_stacked_weight_phases(weight, split)] if stacked else _weight_phases(weight, split)
    blocks = _phase_blocks(padded, weights, split, (out_h, out_w), exact=not joined)
    window = {"strides": strides, "dilations": list(attrs.dilation)}
    if joined:
        n, _, _, width = tensor_type(padded).shape
        init = filled(accumulator, [n, size_of(weight, 0), 1, _joined_length(out_h, width, lanes)], 0)
        rows = _joined_rows_convolution(blocks, out_h, lanes, init)
        convolved = _static_window(rows, [0, 0, 0, 0], [n, size_of(weight, 0), out_h, out_w])
    elif len(blocks) == 1 and _pointwise_rows(groups, strides, *blocks[0]):
        # A 1x1 convolution reads each pixel once: H x W as one row of H * W pixels, whose vectors run
        # across rows (a 7x7 image is one row of 49, not 7 rows of 7).
        (pixels, taps), = blocks
        n, channels, h, w = tensor_type(pixels).shape
        init = filled(accumulator, [n, size_of(weight, 0), 1, h * w], 0)
        flat = linalg.conv_2d_nchw_fchw(_reshaped(pixels, (n, channels, 1, h * w)), taps, outs=[init], **window)
        convolved = _reshaped(flat, (n, tensor_type(weight).shape[0], h, w))
    elif groups == 1:
        convolved = filled(accumulator, [size_of(x, 0), size_of(weight, 0), out_h, out_w], 0)
        for pixels, taps in blocks:  # the phases' convolutions add up
            convolved = linalg.conv_2d_nchw_fchw(pixels, taps, outs=[convolved], **window)
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


# ----------------------------------------------------------------------------
# fxn.layer_norm


def _grouped(value: ir.Value, groups: Sequence[Sequence[int]]) -> ir.Value:
    """``value`` with each group of its dims collapsed into one (``tensor.collapse_shape``); itself if no group
    joins dims."""
    if all(len(group) == 1 for group in groups):
        return value
    source = tensor_type(value)
    shape = []
    for group in groups:
        sizes = [source.shape[a] for a in group]
        shape.append(None if None in sizes else int(np.prod(sizes, dtype=np.int64)))
    return tensor.collapse_shape(source.with_shape(shape).to_mlir(), value, reassociation(groups))


@lowering("fxn.layer_norm")
def lower_layer_norm(op, target):
    """Per slice over the normalized dims, flattened into a row and one row at a time (its three passes stay in
    the cache): the mean, the mean of the squared deviations, and ``(x - mean) * rstd * weight + bias``."""
    attrs = op.attrs()
    x = op.input
    result = tensor_type(op.results[0])
    accumulator = accumulator_dtype(result.dtype)
    leading = result.rank - attrs.normalized_rank
    normalized = list(range(leading, result.rank))
    weight, bias = (_grouped(v, [list(range(attrs.normalized_rank))]) for v in (op.weight, op.bias))
    count = element_count(x, normalized, accumulator)
    epsilon = scalar(accumulator, attrs.eps)
    one = scalar(accumulator, 1.0)

    def normalize(row: ir.Value) -> ir.Value:
        mean = arith.divf(row_sum(row, accumulator, lambda v: convert(v, accumulator)), count)

        def squared_deviation(v):
            deviation = arith.subf(convert(v, accumulator), mean)
            return arith.mulf(deviation, deviation)

        variance = arith.divf(row_sum(row, accumulator, squared_deviation), count)
        rstd = arith.divf(one, math.sqrt(arith.addf(variance, epsilon)))

        def scaled(v, w, b):
            deviation = arith.mulf(arith.subf(convert(v, accumulator), mean), rstd)
            return convert(arith.addf(arith.mulf(deviation, convert(w, accumulator)), convert(b, accumulator)),
                           result.dtype)

        return elementwise([row, weight, bias], tensor_type(row).with_dtype(result.dtype), scaled)

    groups = ([list(range(leading))] if leading else []) + [normalized]
    flat = _grouped(x, groups)
    computed = by_rows(flat, result.dtype, normalize) if leading else normalize(flat)
    if computed.type == result.to_mlir():
        return computed
    dynamic_sizes = [size_of(x, a) for a in range(result.rank) if result.shape[a] is None]
    return expand_shape(computed, result, groups, dynamic_sizes)
