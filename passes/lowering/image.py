"""Generic lowering of the image fxn ops: separable resampling with compile-time tables, and cropping.

``fxn.resize`` needs static spatial dims: each axis's ``(out, in)`` weight
matrix is computed at compile time by the reference's own numpy code and
emitted as a :class:`Band` (per output sample a first input index and a
short row of weights), then applied one axis at a time by a
``linalg.generic`` that gathers with ``tensor.extract``. The row pass
reads and writes whole contiguous rows (its inner loop runs along the last
dim and vectorizes); the column pass gathers along the last dim, which
costs more per sample, so the axes go in the order that gathers less
(rows first when shrinking, as the reference computes; columns first when
growing the height). Where gathering each output's taps of both axes at
once costs less still (a large shrink of both: 1080p to 224 x 224), one
generic does both passes' sums in the same order, without the row pass's
intermediate image. Nearest resizing is one gather through two index
tables, copying values of any dtype.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from fxn.lazy import numpy as np

from fxn.dialects import TensorType
from fxn.dialects.reference.image import antialias_weights, bicubic_weights, bilinear_weights, nearest_indices
from fxn.dialects.types import numpy_dtypes
from fxn.mlir import arith, ir, linalg, tensor

from . import lowering
from .reduction import (
    accumulator_dtype,
    add,
    convert,
    dims,
    filled,
    finish,
    loop_index,
    require_static,
    size_of,
)
from .structured import element_type, generate, index, tensor_type


def dense_constant(array: np.ndarray, dtype: str) -> ir.Value:
    """An ``arith.constant`` tensor holding ``array`` converted to element type ``dtype``."""
    contents = np.ascontiguousarray(array, dtype=numpy_dtypes()[dtype])
    attr = ir.DenseElementsAttr.get(contents, type=element_type(dtype))
    return arith.constant(attr.type, attr)


@dataclass(frozen=True)
class Band:
    """An ``(out, in)`` resampling matrix by its band: row ``i`` weights inputs ``start[i] + k``, ``k < width``.

    Entries outside the band are zero and never read, so a non-finite input
    reaches only the outputs that give it a nonzero weight (or share its band).
    """

    in_size: int
    start: np.ndarray  # (out,) int64
    weights: np.ndarray  # (out, width)

    @staticmethod
    def from_matrix(matrix: np.ndarray, dtype: str) -> "Band":
        """The narrowest band holding every nonzero of ``matrix``, weights rounded to ``dtype`` (as the reference)."""
        matrix = matrix.astype(numpy_dtypes()[dtype])
        out_size, in_size = matrix.shape
        nonzero = matrix != 0
        any_nonzero = nonzero.any(axis=1)
        first = np.where(any_nonzero, nonzero.argmax(axis=1), 0)
        last = np.where(any_nonzero, in_size - 1 - nonzero[:, ::-1].argmax(axis=1), 0)
        width = int(np.max(last - first, initial=0)) + 1
        start = np.minimum(first, in_size - width)
        weights = np.take_along_axis(matrix, start[:, None] + np.arange(width), axis=1)
        return Band(in_size, start.astype(np.int64), weights)

    @property
    def is_identity(self) -> bool:
        """Whether applying the band copies the axis unchanged."""
        return (
            self.weights.shape == (self.in_size, 1)
            and bool(np.all(self.weights == 1))
            and bool(np.all(self.start == np.arange(self.in_size)))
        )


#: Bands up to this width are applied with the taps unrolled in a parallel generic; wider ones loop.
UNROLLED_TAPS = 16


def resample_axis(value: ir.Value, axis: int, band: Band, dtype: str) -> ir.Value:
    """``band`` applied along ``axis`` in ``dtype``: ``out[.., i, ..] = sum_k w[i, k] * value[.., start[i] + k, ..]``.

    The sum runs over ``k`` in order, from the first tap.
    """
    sizes = [size_of(value, a) for a in range(tensor_type(value).rank)]
    sizes[axis] = band.weights.shape[0]
    if band.weights.shape[1] <= UNROLLED_TAPS:
        return _resample_unrolled(value, axis, band, dtype, tensor.empty(sizes, element_type(dtype)))
    return _resample_looped(value, axis, band, dtype, filled(dtype, sizes, 0))


def _first_tap(starts: ir.Value, position: ir.Value) -> ir.Value:
    """The band's first input index for output ``position``, read from the ``starts`` table.

    Read in the body (not as an operand) so that it is visibly uniform along
    the other dims: a vectorizer then sees contiguous loads in the row pass.
    """
    return arith.index_cast(ir.IndexType.get(), tensor.extract(starts, [position]))


def _tap(value: ir.Value, indices: list, axis: int, first: ir.Value, offset: ir.Value | None, dtype: str) -> ir.Value:
    """``value[indices]`` with ``indices[axis] = first (+ offset)``, converted to ``dtype``."""
    indices = list(indices)
    indices[axis] = first if offset is None else arith.addi(first, offset)
    return convert(tensor.extract(value, indices), dtype)


def _resample_unrolled(value: ir.Value, axis: int, band: Band, dtype: str, init: ir.Value) -> ir.Value:
    """A parallel generic over the output whose body sums the band's taps (one weight table per tap).

    No reduction loop: each output is computed once, in registers, and the
    inner loop runs along the last dim.
    """
    rank = tensor_type(value).rank
    width = band.weights.shape[1]
    starts = dense_constant(band.start, "i32")
    tables = [dense_constant(band.weights[:, k], dtype) for k in range(width)]
    maps = [dims(rank, [axis])] * len(tables) + [ir.AffineMap.get_identity(rank)]

    @linalg.generic(tables, [init], maps, [linalg.IteratorType.parallel] * rank)
    def resampled(*weights_and_output):
        indices = [loop_index(a) for a in range(rank)]
        first = _first_tap(starts, indices[axis])
        total = None
        for k, weight in enumerate(weights_and_output[:-1]):
            term = arith.mulf(weight, _tap(value, indices, axis, first, index(k) if k else None, dtype))
            total = term if total is None else arith.addf(total, term)
        return total

    return resampled


def _resample_both_axes(value: ir.Value, rows: Band, columns: Band, dtype: str, result: TensorType) -> ir.Value:
    """Both bands at once: ``out[.., i, j] = sum_b cw[j, b] * (sum_a rw[i, a] * value[.., r[i] + a, c[j] + b])``.

    The sums run in the order of the row pass then the column pass (each
    inner sum is the row pass's value at that column, rounded to ``dtype``
    alike), so the result is the two passes' to the bit, without the row
    pass's intermediate image.
    """
    rank = tensor_type(value).rank
    sizes = [size_of(value, a) for a in range(rank - 2)] + [len(rows.start), len(columns.start)]
    row_starts, column_starts = dense_constant(rows.start, "i32"), dense_constant(columns.start, "i32")
    row_taps, column_taps = rows.weights.shape[1], columns.weights.shape[1]
    tables = ([dense_constant(rows.weights[:, a], dtype) for a in range(row_taps)]
              + [dense_constant(columns.weights[:, b], dtype) for b in range(column_taps)])
    maps = [dims(rank, [rank - 2])] * row_taps + [dims(rank, [rank - 1])] * column_taps
    maps.append(ir.AffineMap.get_identity(rank))

    @linalg.generic(tables, [tensor.empty(sizes, element_type(dtype))], maps, [linalg.IteratorType.parallel] * rank)
    def resampled(*weights_and_output):
        row_weights, column_weights = weights_and_output[:row_taps], weights_and_output[row_taps:-1]
        indices = [loop_index(a) for a in range(rank)]
        first_row = _first_tap(row_starts, indices[rank - 2])
        first_column = _first_tap(column_starts, indices[rank - 1])
        total = None
        for b, column_weight in enumerate(column_weights):
            at_column = list(indices)
            at_column[rank - 1] = first_column if b == 0 else arith.addi(first_column, index(b))
            row_sum = None
            for a, row_weight in enumerate(row_weights):
                term = arith.mulf(row_weight, _tap(value, at_column, rank - 2, first_row, index(a) if a else None, dtype))
                row_sum = term if row_sum is None else arith.addf(row_sum, term)
            term = arith.mulf(column_weight, row_sum)
            total = term if total is None else arith.addf(total, term)
        return total

    return resampled


def _resample_looped(value: ir.Value, axis: int, band: Band, dtype: str, zeros: ir.Value) -> ir.Value:
    """A generic with a reduction loop ``k`` over the band, accumulating into ``zeros``.

    The band loop sits just before the last dim (or last, for the last
    axis), so the inner loop reads and writes along the last dim.
    """
    rank = tensor_type(value).rank
    band_loop = rank if axis == rank - 1 else rank - 1
    loop_of = [a if a < band_loop else a + 1 for a in range(rank)]
    loops = rank + 1
    starts = dense_constant(band.start, "i32")
    maps = [dims(loops, [loop_of[axis], band_loop]), dims(loops, loop_of)]
    iterators = [linalg.IteratorType.parallel] * loops
    iterators[band_loop] = linalg.IteratorType.reduction

    @linalg.generic([dense_constant(band.weights, dtype)], [zeros], maps, iterators)
    def resampled(weight, acc):
        indices = [loop_index(loop_of[a]) for a in range(rank)]
        first = _first_tap(starts, indices[axis])
        return add(dtype, acc, arith.mulf(weight, _tap(value, indices, axis, first, loop_index(band_loop), dtype)))

    return resampled


def _axis_matrix(mode: str, in_size: int, out_size: int, align_corners: bool, antialias: bool) -> np.ndarray:
    if antialias:
        return antialias_weights(in_size, out_size, align_corners, mode)
    if mode == "bilinear":
        return bilinear_weights(in_size, out_size, align_corners)
    return bicubic_weights(in_size, out_size, align_corners)


def _gather_nearest(value: ir.Value, rows: np.ndarray, columns: np.ndarray, result: TensorType) -> ir.Value:
    """``out[..., i, j] = value[..., rows[i], columns[j]]``."""
    rank = result.rank
    sizes = [size_of(value, a) for a in range(rank - 2)] + [len(rows), len(columns)]
    init = tensor.empty(sizes, element_type(result.dtype))
    tables = [dense_constant(rows, "i32"), dense_constant(columns, "i32")]
    maps = [dims(rank, [rank - 2]), dims(rank, [rank - 1]), ir.AffineMap.get_identity(rank)]

    @linalg.generic(tables, [init], maps, [linalg.IteratorType.parallel] * rank)
    def gathered(row, column, _):
        leading = [loop_index(a) for a in range(rank - 2)]
        taps = [arith.index_cast(ir.IndexType.get(), t) for t in (row, column)]
        return tensor.extract(value, leading + taps)

    return gathered


#: What a gathered sample (column pass) costs in contiguous ones (row pass), as measured on AVX2.
GATHER_COST = 4


def _pass_costs(image: TensorType, rows: Band, columns: Band) -> tuple[int, int]:
    """What the two passes of a separable resize cost (in contiguous samples), rows first and columns first."""
    (in_h, in_w), out_h, out_w = image.shape[-2:], len(rows.start), len(columns.start)
    row_width, column_width = rows.weights.shape[1], columns.weights.shape[1]
    rows_first = out_h * in_w * row_width + GATHER_COST * out_h * out_w * column_width
    columns_first = GATHER_COST * in_h * out_w * column_width + out_h * out_w * row_width
    return rows_first, columns_first


def _resampling_order(image: TensorType, rows: Band, columns: Band) -> list[tuple[int, Band]]:
    """The (axis, band) passes of a separable resize, cheaper order first; identity axes are skipped."""
    rows_first, columns_first = _pass_costs(image, rows, columns)
    passes = [(image.rank - 2, rows), (image.rank - 1, columns)]
    if columns_first < rows_first:
        passes.reverse()
    return [(axis, band) for axis, band in passes if not band.is_identity]


def _direct_is_cheaper(image: TensorType, rows: Band, columns: Band) -> bool:
    """Whether gathering each output's ``rows x columns`` taps at once costs less than the two passes.

    It does when the resize shrinks both axes a lot (1080p to 224x224: 4 taps
    for each of 224 x 224 outputs, against a row pass over 224 x 1920), and
    never when a band is too wide to unroll.
    """
    taps = rows.weights.shape[1] * columns.weights.shape[1]
    if rows.is_identity or columns.is_identity or taps > UNROLLED_TAPS:
        return False
    return GATHER_COST * len(rows.start) * len(columns.start) * taps < min(_pass_costs(image, rows, columns))


@lowering("fxn.resize")
def lower_resize(op, target):
    attrs = op.attrs()
    image = op.input
    source = tensor_type(image)
    result = tensor_type(op.results[0])
    require_static(op, image, (-2, -1))
    (in_h, in_w), (out_h, out_w) = source.shape[-2:], attrs.size
    if attrs.mode == "nearest":
        return _gather_nearest(image, nearest_indices(in_h, out_h), nearest_indices(in_w, out_w), result)
    accumulator = accumulator_dtype(result.dtype)
    rows, columns = (
        Band.from_matrix(_axis_matrix(attrs.mode, n, m, attrs.align_corners, attrs.antialias), accumulator)
        for n, m in ((in_h, out_h), (in_w, out_w))
    )
    if _direct_is_cheaper(source, rows, columns):
        return finish(_resample_both_axes(image, rows, columns, accumulator, result), result)
    resized = image
    for axis, band in _resampling_order(source, rows, columns):
        resized = resample_axis(resized, axis, band, accumulator)
    return finish(resized, result)


def copied_window(value: ir.Value, offsets: Sequence[int], sizes: Sequence) -> ir.Value:
    """A fresh tensor of ``sizes`` holding ``value[offsets[0]:, offsets[1]:, ...]`` (never a view of ``value``).

    Each element is a ``tensor.extract`` at the shifted indices
    (:func:`~.structured.generate`): a generic reading ``value`` through an
    offset map would, with all offsets 0, canonicalize into a cast of
    ``value`` itself, and the function would return a view of its argument.
    """
    init = tensor.empty(list(sizes), element_type(tensor_type(value).dtype))

    def element_at(indices):
        shifted = [i if o == 0 else arith.addi(i, index(o)) for i, o in zip(indices, offsets)]
        return tensor.extract(value, shifted)

    return generate(init, element_at)


@lowering("fxn.crop")
def lower_crop(op, target):
    attrs = op.attrs()
    image = op.input
    rank = tensor_type(image).rank
    offsets = [0] * (rank - 2) + [attrs.top, attrs.left]
    sizes = [size_of(image, a) for a in range(rank - 2)] + [attrs.height, attrs.width]
    return copied_window(image, offsets, sizes)
