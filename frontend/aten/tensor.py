"""Converters of the ATen view, copy and factory ops: reshapes, slices, concatenation, padding, constants.

fxn's shape ops take static attributes, so sizes must be known when the
function is traced; a dim that is dynamic (a named dim of ``fxn.Tensor``)
may pass through a reshape as its one ``-1`` and through elementwise ops,
but slicing or broadcasting along it is refused with a clear error.
"""

from __future__ import annotations

import math

from fxn.lazy import numpy as np

from fxn.dialects.elementwise import AddOp, FloorDivOp, MaxOp, MinOp, SelectOp, SubOp
from fxn.dialects.tensor import (
    BroadcastToOp,
    ConcatOp,
    DimOp,
    DynamicSliceOp,
    DynamicUpdateSliceOp,
    EmptyOp,
    FullOp,
    PadOp,
    ReshapeOp,
    SliceOp,
    TransposeOp,
)
from fxn.dialects.types import VerifyError, normalize_axis, numpy_dtypes

from .. import emit
from ..dtypes import from_torch
from ..errors import Unsupported
from ..promotion import default_float, scalar_dtype
from . import DynamicSize, aten
from .elementwise import common_dtype


def axis(dim: int, rank: int) -> int:
    try:
        return normalize_axis(dim, rank)
    except VerifyError as error:
        raise Unsupported(str(error)) from None


def static_ints(values, what: str) -> list[int]:
    """``values`` as ints; Unsupported if one is only known at run time."""
    values = list(values) if isinstance(values, (list, tuple)) else [values]
    if any(isinstance(v, DynamicSize) for v in values):
        raise Unsupported(f"{what} depends on a dynamic dimension; fxn needs it when tracing")
    return [int(v) for v in values]


def static_shape(value, what: str) -> tuple[int, ...]:
    shape = emit.type_of(value).shape
    if None in shape:
        raise Unsupported(f"{what} of a tensor with dynamic dimensions {emit.type_of(value)} is not supported")
    return shape


def reshape(value, sizes):
    """``fxn.reshape`` to ``sizes`` (one entry may be -1 or dynamic; unchanged if the shape already fits).

    A reshape to the value's own sizes (each dynamic entry known to be the
    value's dim at that position) is no reshape, however many dims are dynamic.
    """
    if len(sizes) == len(emit.type_of(value).shape) and all(
        s.is_dim(value, axis) if isinstance(s, DynamicSize) else s == d
        for axis, (s, d) in enumerate(zip(sizes, emit.type_of(value).shape))
    ):
        return value
    sizes = [-1 if isinstance(s, DynamicSize) or s is None else int(s) for s in sizes]
    if sizes.count(-1) > 1:
        raise Unsupported(f"reshape to {sizes}: more than one dimension is dynamic or inferred")
    shape = emit.type_of(value).shape
    if len(shape) == len(sizes) and all(s == d or (s == -1 and d is None) for s, d in zip(sizes, shape)):
        return value
    return ReshapeOp.build(value, shape=sizes)


@aten("view.default", "_unsafe_view.default", "reshape.default", "view_copy.default")
def view(self, size):
    return reshape(self, size)


@aten("squeeze.dim", "squeeze.dims", "squeeze.default")
def squeeze(self, dim=None):
    shape = emit.type_of(self).shape
    dims = range(len(shape)) if dim is None else [axis(d, len(shape)) for d in static_ints(dim, "squeeze")]
    return reshape(self, [size for i, size in enumerate(shape) if not (i in dims and size == 1)])


@aten("unsqueeze.default")
def unsqueeze(self, dim):
    shape = list(emit.type_of(self).shape)
    shape.insert(axis(dim, len(shape) + 1), 1)
    return reshape(self, shape)


@aten("permute.default")
def permute(self, dims):
    if list(dims) == list(range(len(dims))):
        return self
    return TransposeOp.build(self, permutation=list(dims))


@aten("t.default")
def t(self):
    return permute(self, [1, 0]) if emit.type_of(self).rank == 2 else self


@aten("transpose.int")
def transpose(self, dim0, dim1):
    rank = emit.type_of(self).rank
    order = list(range(rank))
    a, b = axis(dim0, rank), axis(dim1, rank)
    order[a], order[b] = order[b], order[a]
    return permute(self, order)


@aten("expand.default")
def expand(self, size, implicit=False):
    source = emit.type_of(self).shape
    offset = len(size) - len(source)
    target = []
    for i, wanted in enumerate(size):
        keep = i >= offset and (wanted == -1 or isinstance(wanted, DynamicSize) or wanted == source[i - offset])
        target.append(source[i - offset] if keep else wanted)
    if tuple(target) == source:
        return self
    return BroadcastToOp.build(self, shape=static_ints(target, "broadcasting"))


def bounds(size: int, start, end) -> tuple[int, int]:
    """Python slice bounds ``start:end`` on a dim of ``size``, negative and oversized ones clamped."""
    start = 0 if start is None else start
    end = size if end is None else end
    start = min(max(start + size if start < 0 else start, 0), size)
    end = min(max(end + size if end < 0 else end, 0), size)
    return start, max(start, end)


def slice_along(value, dim: int, start: int, end: int, step: int = 1):
    shape = static_shape(value, "slicing")
    if (start, end, step) == (0, shape[dim], 1):
        return value
    starts, limits, strides = [0] * len(shape), list(shape), [1] * len(shape)
    starts[dim], limits[dim], strides[dim] = start, end, step
    return SliceOp.build(value, starts=starts, limits=limits, strides=strides)


@aten("slice.Tensor")
def slice_(self, dim=0, start=None, end=None, step=1):
    if not emit.type_of(self).is_static:
        indices, sizes, strides = _window_along(self, dim, start, end, step)
        return DynamicSliceOp.build(self, indices, sizes=sizes, strides=strides, drop=[])
    shape = static_shape(self, "slicing")
    dim = axis(dim, len(shape))
    start, end, step = (None if v is None else static_ints(v, "a slice bound")[0] for v in (start, end, step))
    if step < 1:
        raise Unsupported(f"slice step {step}: steps must be positive")
    return slice_along(self, dim, *bounds(shape[dim], start, end), step)


@aten("select.int")
def select(self, dim, index):
    if not emit.type_of(self).is_static:
        indices, sizes, strides = _window_along(self, dim, index, None, 1, single=True)
        return DynamicSliceOp.build(self, indices, sizes=sizes, strides=strides, drop=[axis(dim, len(sizes))])
    shape = static_shape(self, "indexing")
    dim = axis(dim, len(shape))
    index = static_ints(index, "an index")[0]
    if not -shape[dim] <= index < shape[dim]:
        raise Unsupported(f"index {index} is out of range for dimension {dim} of size {shape[dim]}")
    index %= shape[dim]
    return reshape(slice_along(self, dim, index, index + 1), shape[:dim] + shape[dim + 1 :])


@aten("split_with_sizes.default", outputs=True)
def split_with_sizes(which, self, split_sizes, dim=0):
    shape = static_shape(self, "splitting")
    dim = axis(dim, len(shape))
    start = sum(split_sizes[:which])
    return slice_along(self, dim, start, start + split_sizes[which])


@aten("split.Tensor", outputs=True)
def split(which, self, split_size, dim=0):
    shape = static_shape(self, "splitting")
    dim = axis(dim, len(shape))
    start = which * split_size
    return slice_along(self, dim, start, min(start + split_size, shape[dim]))


@aten("unbind.int", outputs=True)
def unbind(which, self, dim=0):
    return select(self, dim, which)


@aten("cat.default")
def cat(tensors, dim=0):
    values = emit.operands(tensors, common_dtype(*tensors))
    if len(values) == 1:
        return values[0]
    rest = values[2:]
    if len({str(v.type) for v in rest}) <= 1:
        return ConcatOp.build(values[0], values[1], rest, dim=dim)
    # IRDL gives the variadic tail one type: join inputs of different shapes pairwise.
    result = values[0]
    for value in values[1:]:
        result = ConcatOp.build(result, value, [], dim=dim)
    return result


def pad(value, amounts, mode: str, fill=0.0):
    """``torch.nn.functional.pad`` amounts (last dim first: left, right, top, bottom ...) as ``fxn.pad``."""
    amounts = static_ints(amounts, "padding")
    if any(a < 0 for a in amounts):
        raise Unsupported(f"negative padding {amounts} (cropping) is not supported; slice instead")
    rank = emit.type_of(value).rank
    low, high = [0] * rank, [0] * rank
    for i in range(len(amounts) // 2):
        low[rank - 1 - i], high[rank - 1 - i] = amounts[2 * i], amounts[2 * i + 1]
    if not any(low + high):
        return value
    return PadOp.build(value, low=low, high=high, mode=mode, value=float(fill))


@aten("constant_pad_nd.default")
def constant_pad_nd(self, pad_amounts, value=0):
    return pad(self, pad_amounts, "constant", value)


aten("reflection_pad1d.default", "reflection_pad2d.default")(lambda self, padding: pad(self, padding, "reflect"))
aten("replication_pad1d.default", "replication_pad2d.default")(lambda self, padding: pad(self, padding, "replicate"))


@aten("repeat.default")
def repeat(self, repeats):
    repeats = static_ints(repeats, "repeat counts")
    shape = (1,) * (len(repeats) - emit.type_of(self).rank) + static_shape(self, "repeat")
    if all(r == 1 for r in repeats):
        return reshape(self, shape)
    interleaved = [d for size in shape for d in (1, size)]
    tiled = BroadcastToOp.build(reshape(self, interleaved), shape=[d for r, s in zip(repeats, shape) for d in (r, s)])
    return reshape(tiled, [r * s for r, s in zip(repeats, shape)])


@aten("copy.default")
def copy(self, src, non_blocking=False):
    target = emit.type_of(self)
    value = emit.cast(src, target.dtype)
    if emit.type_of(value).shape != target.shape:
        value = BroadcastToOp.build(value, shape=static_shape(self, "copying into"))
    return value


@aten("slice_scatter.default")
def slice_scatter(self, src, dim=0, start=None, end=None, step=1):
    """``self`` with ``src`` stored into the slice: one ``fxn.dynamic_update_slice`` (written in place)."""
    indices, sizes, strides = _window_along(self, dim, start, end, step)
    update = emit.cast(src, emit.type_of(self).dtype)
    return DynamicUpdateSliceOp.build(self, update, indices, sizes=sizes, strides=strides, drop=[])


@aten("select_scatter.default")
def select_scatter(self, src, dim, index):
    indices, sizes, strides = _window_along(self, dim, index, None, 1, single=True)
    update = emit.cast(src, emit.type_of(self).dtype)
    return DynamicUpdateSliceOp.build(self, update, indices, sizes=sizes, strides=strides,
                                      drop=[axis(dim, len(sizes))])


def _window_along(value, dim, start, end, step, single: bool = False) -> tuple[list, list[int], list[int]]:
    """Indices, sizes and strides of a window op picking ``start:end:step`` (ATen's clamped slice bounds) of
    dim ``dim`` of ``value`` and the whole of every other dim; with ``single``, the one index ``start``."""
    shape = emit.type_of(value).shape
    dim = axis(dim, len(shape))
    step = static_ints(step, "a slice step")[0]
    if step < 1:
        raise Unsupported(f"slice step {step}: steps must be positive")
    index = lambda v: emit.scalar(v, "i64")  # noqa: E731
    starts = [index(0)] * len(shape)
    sizes, run_time = [], []
    for d, size in enumerate(shape):
        sizes.append(-1 if size is None else size)
        if size is None and d != dim:
            run_time.append(DimOp.build(value, axis=d))
    if single:
        starts[dim] = index(static_ints(start, "an index")[0])
        sizes[dim] = 1
    elif shape[dim] is not None:
        first, last = bounds(shape[dim], start, None if _is_open(end) else static_ints(end, "a slice bound")[0])
        starts[dim], sizes[dim] = index(first), len(range(first, last, step))
    else:
        n = DimOp.build(value, axis=dim)
        first = _clamped_bound(start, n, 0)
        last = n if _is_open(end) or (isinstance(end, DynamicSize) and end.is_dim(value, dim)) else \
            _clamped_bound(end, n, None)
        distance = AddOp.build(SubOp.build(last, first), index(step - 1))
        starts[dim] = first
        run_time.insert(sum(size is None for size in shape[:dim]),
                        MaxOp.build(FloorDivOp.build(distance, index(step)), index(0)))
    return starts + run_time, sizes, [step if d == dim else 1 for d in range(len(shape))]


def _is_open(end) -> bool:
    """An omitted slice end: None, or the largest int ATen writes for it."""
    return end is None or isinstance(end, int) and end >= 2**62


def _clamped_bound(bound, n, default):
    """A Python slice bound of a dim of run-time size ``n`` (0-d i64): counted from the end below 0, clamped to
    ``[0, n]``."""
    if bound is None:
        return emit.scalar(0, "i64") if default == 0 else n
    value = static_ints(bound, "a slice bound on a dynamic dimension")[0]
    if value >= 0:
        return MinOp.build(emit.scalar(value, "i64"), n)
    return MaxOp.build(AddOp.build(n, emit.scalar(value, "i64")), emit.scalar(0, "i64"))


# -- identities: no copy is observable, since fxn values are immutable.
for _name in ("clone.default", "alias.default", "detach.default", "lift_fresh_copy.default", "contiguous.default"):
    aten(_name)(lambda self, *args, **kwargs: self)


# -- factories: constants, their sizes fixed when tracing.


def element_type(dtype, default: str) -> str:
    """The fxn element type of an optional torch ``dtype=`` argument."""
    return default if dtype is None else from_torch(dtype)


def filled(shape, value, dtype: str):
    shape = static_ints(shape, "the size of a new tensor")
    if not isinstance(value, (bool, int, float)):
        raise Unsupported("a value known only at run time is used as a Python number (float(), int(), bool() or "
                          ".item() of an array): keep it an array (x.sum() rather than float(x.sum()))")
    with np.errstate(all="ignore"):
        return emit.constant(np.full(shape, value, dtype=numpy_dtypes()[dtype]))


@aten("full.default")
def full(size, fill_value, dtype=None, **ignored):
    return filled(size, fill_value, element_type(dtype, scalar_dtype(fill_value)))


@aten("zeros.default")
def zeros(size, dtype=None, **ignored):
    return filled(size, 0, element_type(dtype, default_float()))


@aten("empty.memory_format")
def empty(size, dtype=None, **ignored):
    """``fxn.empty``: elements unspecified until written; a size may be a dim of a dynamic tensor."""
    sizes = list(size) if isinstance(size, (list, tuple)) else [size]
    run_time = [dim_size(s.value, s.axis) for s in sizes if isinstance(s, DynamicSize) and s.value is not None]
    if len(run_time) != sum(isinstance(s, DynamicSize) for s in sizes):
        static_ints(sizes, "the size of a new tensor")  # raises: a run-time size fxn cannot name
    return EmptyOp.build(run_time, dtype=element_type(dtype, default_float()),
                         shape=[-1 if isinstance(s, DynamicSize) else int(s) for s in sizes])


@aten("empty_permuted.default")
def empty_permuted(size, physical_layout, dtype=None, **ignored):
    """``torch.empty_like``'s new tensor (its layout does not matter to values)."""
    return empty(size, dtype)


@aten("ones.default")
def ones(size, dtype=None, **ignored):
    return filled(size, 1, element_type(dtype, default_float()))


@aten("full_like.default")
def full_like(self, fill_value, dtype=None, **ignored):
    """``fill_value`` in the shape of ``self``; of a dynamic shape, a select that reads only ``self``'s shape."""
    dtype = element_type(dtype, emit.type_of(self).dtype)
    if emit.type_of(self).is_static:
        return filled(emit.type_of(self).shape, fill_value, dtype)
    if not isinstance(fill_value, (bool, int, float)):
        raise Unsupported("full_like with a fill value known only at run time")
    always = emit.scalar(True, "i1")
    return SelectOp.build(always, emit.scalar(fill_value, dtype), emit.cast(self, dtype))


@aten("scalar_tensor.default")
def scalar_tensor(s, dtype=None, **ignored):
    """A 0-d tensor of ``s``: a Python number, or the size of a dim known only at run time (``fxn.dim``)."""
    if isinstance(s, DynamicSize) and s.value is not None:
        return emit.cast(dim_size(s.value, s.axis), element_type(dtype, default_float()))
    return filled([], s, element_type(dtype, default_float()))


@aten("arange.start_step", "arange.start", "arange.default")
def arange(start, end=None, step=1, dtype=None, **ignored):
    if end is None:
        start, end = 0, start
    if any(isinstance(v, DynamicSize) for v in (start, end, step)):
        raise Unsupported("arange with a dynamic bound")
    is_float = any(isinstance(v, float) for v in (start, end, step))
    count = max(math.ceil((end - start) / step), 0)
    # As torch: start + i * step, computed in double (or int64) and then converted.
    values = start + np.arange(count, dtype=np.float64 if is_float else np.int64) * step
    return emit.constant(values.astype(numpy_dtypes()[element_type(dtype, default_float() if is_float else "i64")]))


# ----------------------------------------------------------------------------
# The run-time window intrinsics of frontend/intrinsics.py (reached from x[i], x[a:b], out[i] = v).


@aten("fxn.dim.default")
def dim_size(x, axis):
    return DimOp.build(x, axis=axis)


def _window(indices, sizes) -> tuple[list, list[int]]:
    """The window op's index operands and ``sizes`` attribute from the intrinsic's arguments.

    ``indices`` are one start per dim, then a 0-d size for each -1 of
    ``sizes``; a size the tracer holds as a symbol (a dynamic dim's) becomes
    -1 too, with ``fxn.dim`` of that dim as its run-time size, in dim order.
    """
    indices = list(indices)
    starts, given = indices[:len(sizes)], iter(indices[len(sizes):])
    run_time, attribute = [], []
    for size in sizes:
        if isinstance(size, DynamicSize):
            if size.value is None:
                raise Unsupported("the size of a window depends on a size known only at run time that fxn cannot "
                                  "name (a slice of a dim of an array made in the function)")
            run_time.append(dim_size(size.value, size.axis))
        elif size == -1:
            run_time.append(next(given))
        attribute.append(size if isinstance(size, int) else -1)
    return starts + run_time, attribute


@aten("fxn.dynamic_slice.default")
def dynamic_slice(x, indices, sizes, strides, drop):
    operands, sizes = _window(indices, sizes)
    return DynamicSliceOp.build(x, operands, sizes=sizes, strides=strides, drop=drop)


@aten("fxn.dynamic_update_slice.default")
def dynamic_update_slice(x, update, indices, sizes, strides, drop):
    operands, sizes = _window(indices, sizes)
    return DynamicUpdateSliceOp.build(x, update, operands, sizes=sizes, strides=strides, drop=drop)


@aten("fxn.full.default")
def full_of_run_time_shape(value, sizes, shape):
    return FullOp.build(value, list(sizes), shape=shape)


@aten("fxn.empty.default")
def empty_of_run_time_shape(sizes, shape, dtype):
    return EmptyOp.build(list(sizes), dtype=from_torch(dtype), shape=shape)
