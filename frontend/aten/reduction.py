"""Converters of the ATen reductions: sum, mean, max, min, prod, any (all), argmax, argmin, softmax, variance, cumsum, cumprod.

As in torch, integer and bool sums and products (running ones too) accumulate in i64, and a
``dtype=`` argument converts the input first. An empty or absent ``dim``
list reduces over every dimension.
"""

from __future__ import annotations

from fxn.dialects.elementwise import DivOp, ExpOp, LogOp, MulOp, NegOp, SqrtOp, SubOp
from fxn.dialects.reduction import ArgmaxOp, CumulativeOp, ReduceOp, SoftmaxOp
from fxn.dialects.types import FLOAT_DTYPES

from .. import emit
from ..dtypes import from_torch
from ..errors import Unsupported
from . import aten
from .elementwise import binary, compare, truth
from .tensor import axis, reshape, static_shape


def all_axes(dim, rank: int) -> list[int]:
    """``dim`` as a list, every axis if it is None or empty (axis 0 of a 0-d tensor)."""
    if dim is None or (isinstance(dim, (list, tuple)) and not dim):
        return list(range(rank)) or [0]
    return list(dim) if isinstance(dim, (list, tuple)) else [dim]


def reduce(value, kind: str, dim=None, keepdim=False):
    return ReduceOp.build(value, kind=kind, axes=all_axes(dim, emit.type_of(value).rank), keepdims=keepdim)


def accumulated(value, dtype):
    """The input of a sum or product: converted to ``dtype=``, else integers and bool widened to i64."""
    if dtype is not None:
        return emit.cast(value, from_torch(dtype))
    return value if emit.type_of(value).dtype in FLOAT_DTYPES else emit.cast(value, "i64")


@aten("sum.dim_IntList", "sum.default")
def sum_(self, dim=None, keepdim=False, dtype=None):
    return reduce(accumulated(self, dtype), "sum", dim, keepdim)


@aten("prod.dim_int", "prod.default")
def prod(self, dim=None, keepdim=False, dtype=None):
    return reduce(accumulated(self, dtype), "prod", dim, keepdim)


@aten("cumsum.default")
def cumsum(self, dim, dtype=None):
    return CumulativeOp.build(accumulated(self, dtype), kind="sum", axis=dim)


@aten("cumprod.default")
def cumprod(self, dim, dtype=None):
    return CumulativeOp.build(accumulated(self, dtype), kind="prod", axis=dim)


@aten("mean.dim", "mean.default")
def mean(self, dim=None, keepdim=False, dtype=None):
    value = self if dtype is None else emit.cast(self, from_torch(dtype))
    return reduce(value, "mean", dim, keepdim)


@aten("amax.default", "max.default")
def amax(self, dim=None, keepdim=False):
    return reduce(self, "max", dim, keepdim)


@aten("amin.default", "min.default")
def amin(self, dim=None, keepdim=False):
    return reduce(self, "min", dim, keepdim)


@aten("max.dim", outputs=True)
def max_dim(which, self, dim, keepdim=False):
    if which == 0:
        return reduce(self, "max", [dim], keepdim)
    return ArgmaxOp.build(self, dim=dim, keepdims=keepdim)


@aten("min.dim", outputs=True)
def min_dim(which, self, dim, keepdim=False):
    if which == 1:
        return argmin(self, dim, keepdim)
    return reduce(self, "min", [dim], keepdim)


def order_reversed(value):
    """``value`` mapped so that ``argmax`` of the result is ``argmin`` of ``value`` (ties and NaN included).

    Floats negate (NaN stays NaN, ``-0.0`` and ``0.0`` stay tied); signed
    integers become ``-1 - x`` and ``ui8`` ``255 - x``, which reverse the
    order without overflow.
    """
    dtype = emit.type_of(value).dtype
    if dtype in FLOAT_DTYPES:
        return NegOp.build(value)
    if dtype == "i1":
        raise Unsupported("argmin of a bool tensor has no fxn op; cast it to an integer first")
    return binary(SubOp, 255 if dtype == "ui8" else -1, value, dtype)


@aten("argmax.default")
def argmax(self, dim=None, keepdim=False):
    if dim is not None:
        return ArgmaxOp.build(self, dim=dim, keepdims=keepdim)
    rank = emit.type_of(self).rank
    index = ArgmaxOp.build(reshape(self, [-1]), dim=0, keepdims=False)
    return reshape(index, [1] * rank) if keepdim else index


@aten("any.dims", "any.dim", "any.default")
def any_(self, dim=None, keepdim=False):
    """Whether any element is nonzero: a count of the true ones (an empty extent counts 0: False)."""
    count = reduce(emit.cast(truth(self), "i64"), "sum", dim, keepdim)
    return compare(count, 0, "gt")


@aten("argmin.default")
def argmin(self, dim=None, keepdim=False):
    return argmax(order_reversed(self), dim, keepdim)


@aten("_softmax.default")
def softmax(self, dim, half_to_float=False):
    value = emit.cast(self, "f32") if half_to_float else self
    return SoftmaxOp.build(value, dim=dim)


@aten("_log_softmax.default")
def log_softmax(self, dim, half_to_float=False):
    value = emit.cast(self, "f32") if half_to_float else self
    # x - max - log(sum(exp(x - max))): finite where log(softmax(x)) would underflow to -inf.
    shifted = SubOp.build(value, reduce(value, "max", [dim], True))
    return SubOp.build(shifted, LogOp.build(reduce(ExpOp.build(shifted), "sum", [dim], True)))


@aten("var.correction")
def var(self, dim=None, correction=None, keepdim=False):
    shape = static_shape(self, "variance")
    axes = [axis(d, len(shape)) for d in all_axes(dim, len(shape))]
    count = 1
    for a in set(axes):
        count *= shape[a] if shape else 1
    deviation = SubOp.build(self, reduce(self, "mean", axes, True))
    squares = reduce(MulOp.build(deviation, deviation), "sum", axes, keepdim)
    dof = max(count - (1 if correction is None else correction), 0)
    return binary(DivOp, squares, float(dof))


@aten("var_mean.correction", outputs=True)
def var_mean(which, self, dim=None, correction=None, keepdim=False):
    if which == 0:
        return var(self, dim, correction=correction, keepdim=keepdim)
    shape = static_shape(self, "variance")
    return reduce(self, "mean", [axis(d, len(shape)) for d in all_axes(dim, len(shape))], keepdim)


@aten("std.correction")
def std(self, dim=None, correction=None, keepdim=False):
    return SqrtOp.build(var(self, dim, correction=correction, keepdim=keepdim))
