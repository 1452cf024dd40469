"""Reference kernels of the reduction ops (see ``fxn.dialects.reduction``)."""

import math

import numpy as np

from fxn.dialects.reduction import reduced_axes, reduced_shape
from fxn.dialects.types import normalize_axis

from . import compute_dtype, kernel


def _mean(x, axes, extent):
    # An empty extent divides 0 by 0: NaN by definition, not a warning.
    with np.errstate(invalid="ignore"):
        return np.sum(x, axis=axes, dtype=compute_dtype(x.dtype), keepdims=True) / extent


def _extremum(reducer):
    def reduce_extremum(x, axes, extent):
        if extent == 0:
            raise ValueError(f"{reducer.__name__} over an empty extent is undefined (input shape {list(x.shape)})")
        return reducer(x, axis=axes, keepdims=True)

    return reduce_extremum


_REDUCERS = {
    "sum": lambda x, axes, extent: np.sum(x, axis=axes, dtype=compute_dtype(x.dtype), keepdims=True),
    "prod": lambda x, axes, extent: np.prod(x, axis=axes, dtype=compute_dtype(x.dtype), keepdims=True),
    "mean": _mean,
    "max": _extremum(np.max),
    "min": _extremum(np.min),
}


@kernel("fxn.reduce")
def reduce(input, *, kind, axes, keepdims, result_type):
    axes = reduced_axes(axes, input.ndim)
    # A 0-d input's one "axis" holds its single element: nothing to reduce.
    numpy_axes = tuple(a for a in axes if a < input.ndim)
    extent = math.prod(input.shape[a] for a in numpy_axes)
    result = _REDUCERS[kind](input, numpy_axes, extent)
    return result.astype(result_type.numpy_dtype).reshape(reduced_shape(input.shape, axes, keepdims))


@kernel("fxn.softmax")
def softmax(input, *, dim, result_type):
    if input.size == 0:
        return input.copy()
    x = np.atleast_1d(input).astype(compute_dtype(input.dtype))
    axis = normalize_axis(dim, x.ndim)
    exp = np.exp(x - np.max(x, axis=axis, keepdims=True))
    reciprocal = np.reciprocal(np.sum(exp, axis=axis, keepdims=True))
    return (exp * reciprocal).astype(result_type.numpy_dtype).reshape(input.shape)


@kernel("fxn.argmax")
def argmax(input, *, dim, keepdims, result_type):
    axis = normalize_axis(dim, input.ndim)
    x = np.atleast_1d(input)
    if x.shape[axis] == 0:
        raise ValueError(f"argmax over the empty dimension {axis} is undefined (input shape {list(input.shape)})")
    index = np.argmax(x, axis=axis, keepdims=True)
    return index.astype(np.int64).reshape(reduced_shape(input.shape, (axis,), keepdims))


@kernel("fxn.cumulative")
def cumulative(input, *, kind, axis, result_type):
    if input.ndim == 0:
        return input.copy()
    scan = np.cumsum if kind == "sum" else np.cumprod
    # Integers wrap, as the compiled code's; f16 runs in f32, each value rounded once.
    with np.errstate(over="ignore", invalid="ignore"):
        return scan(input, axis=normalize_axis(axis, input.ndim), dtype=compute_dtype(input.dtype)).astype(input.dtype)
