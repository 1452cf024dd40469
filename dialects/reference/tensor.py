"""Reference kernels of the tensor ops (see ``fxn.dialects.tensor``).

The verifier checks static dims; these kernels check what only the run-time
shape of a dynamic dim can tell, and raise ValueError (or VerifyError) for it.
"""

import numpy as np

from fxn.dialects.tensor import check_pad_amounts
from fxn.dialects.types import NUMPY_DTYPES, format_shape

from . import kernel


@kernel("fxn.constant")
def constant(*, result_type, value):
    return value


@kernel("fxn.broadcast_to")
def broadcast_to(input, *, result_type, shape):
    aligned = shape[len(shape) - input.ndim :]
    if any(size not in (1, wanted) for size, wanted in zip(input.shape, aligned)):
        raise ValueError(f"input shape {format_shape(input.shape)} cannot broadcast to {format_shape(shape)}")
    return np.broadcast_to(input, shape).copy()


@kernel("fxn.reshape")
def reshape(input, *, result_type, shape):
    # numpy refuses a size mismatch (and an ambiguous -1) with a ValueError.
    return np.reshape(input, shape).copy()


@kernel("fxn.transpose")
def transpose(input, *, result_type, permutation):
    return np.transpose(input, permutation).copy()


@kernel("fxn.slice")
def slice_(input, *, result_type, starts, limits, strides):
    for axis, (size, limit) in enumerate(zip(input.shape, limits)):
        if limit > size:
            raise ValueError(f"dimension {axis}: limit {limit} exceeds size {size}")
    # np.array copies, and keeps a 0-d result an array (indexing with () gives a scalar).
    return np.array(input[tuple(slice(*bounds) for bounds in zip(starts, limits, strides))])


@kernel("fxn.pad")
def pad(input, *, result_type, low, high, mode, value):
    for axis, (size, before, after) in enumerate(zip(input.shape, low, high)):
        check_pad_amounts(mode, axis, size, before, after)
    if mode == "constant":
        shape = [before + size + after for size, before, after in zip(input.shape, low, high)]
        result = np.full(shape, value, dtype=input.dtype)
        result[tuple(slice(before, before + size) for size, before in zip(input.shape, low))] = input
        return result
    sources = [_pad_sources(mode, size, before, after) for size, before, after in zip(input.shape, low, high)]
    return np.asarray(input[np.ix_(*sources)])  # a 0-d input indexed with () gives a scalar


def _pad_sources(mode: str, size: int, before: int, after: int) -> np.ndarray:
    """The input index that each output position of a reflect- or replicate-padded dim copies."""
    positions = np.arange(-before, size + after)
    if mode == "replicate":
        return np.clip(positions, 0, size - 1)
    mirrored = np.abs(positions)
    return np.where(mirrored < size, mirrored, 2 * (size - 1) - mirrored)


@kernel("fxn.concat")
def concat(first, second, rest, *, result_type, dim):
    # numpy refuses inputs whose other dims differ at run time.
    return np.concatenate([first, second, *rest], axis=dim)


@kernel("fxn.dim")
def dim(input, *, result_type, axis):
    return np.array(input.shape[axis], dtype=np.int64)


def _window(input, indices, sizes, strides, drop) -> tuple:
    """The NumPy key of a window (see ``fxn.dialects.tensor.WindowOp``); IndexError if it leaves ``input``."""
    starts = [int(i) for i in indices[: input.ndim]]
    run_time_sizes = iter(int(i) for i in indices[input.ndim :])
    key = []
    for axis, (start, size, stride, extent) in enumerate(zip(starts, sizes, strides, input.shape)):
        size = max(next(run_time_sizes), 0) if size == -1 else size
        if axis in drop:
            position = start + extent if start < 0 else start
            if not 0 <= position < extent:
                raise IndexError(f"index {start} is out of bounds for axis {axis} with size {extent}")
            key.append(position)
            continue
        last = start + (size - 1) * stride
        for position in (start, last) if size else ():
            if not 0 <= position < extent:
                raise IndexError(f"index {position} is out of bounds for axis {axis} with size {extent}")
        # positions start, start + stride, ... (a negative stride's stop may be -1: spell it None)
        stop = start + size * stride
        key.append(slice(start, None if stop < 0 else stop, stride) if size else slice(0, 0))
    return tuple(key)


@kernel("fxn.dynamic_slice")
def dynamic_slice(input, indices, *, result_type, sizes, strides, drop):
    return np.array(input[_window(input, indices, sizes, strides, drop)])


@kernel("fxn.dynamic_update_slice")
def dynamic_update_slice(input, update, indices, *, result_type, sizes, strides, drop):
    key = _window(input, indices, sizes, strides, drop)
    result = input.copy()
    window = result[key]
    try:
        np.broadcast_to(update, np.shape(window))
    except ValueError:
        raise ValueError(f"update of shape {format_shape(update.shape)} does not broadcast to the window "
                         f"{format_shape(np.shape(window))}") from None
    result[key] = update
    return result


@kernel("fxn.full")
def full(value, sizes, *, result_type, shape):
    return np.full(_run_time_shape(shape, sizes), value, dtype=value.dtype)


@kernel("fxn.empty")
def empty(sizes, *, result_type, dtype, shape):
    """Zeros: the one value every unspecified element may have."""
    return np.zeros(_run_time_shape(shape, sizes), dtype=NUMPY_DTYPES[dtype])


def _run_time_shape(shape, sizes) -> list[int]:
    """``shape`` with its -1 entries replaced, in order, by the run-time ``sizes`` (below 0: 0)."""
    run_time = iter(max(int(size), 0) for size in sizes)
    return [next(run_time) if size == -1 else size for size in shape]
