"""Reference kernels of the elementwise ops (see ``fxn.dialects.elementwise``).

numpy already computes f16 ``+ - * /`` in f32 and rounds once, which is
correctly rounded; math functions take f16 through f32 explicitly so that the
rule does not depend on numpy's internals.
"""

import math
from fractions import Fraction

import numpy as np

from . import compute_dtype, kernel


@kernel("fxn.add")
def add(lhs, rhs, *, result_type):
    return np.add(lhs, rhs, dtype=result_type.numpy_dtype)


@kernel("fxn.sub")
def sub(lhs, rhs, *, result_type):
    return np.subtract(lhs, rhs, dtype=result_type.numpy_dtype)


@kernel("fxn.mul")
def mul(lhs, rhs, *, result_type):
    return np.multiply(lhs, rhs, dtype=result_type.numpy_dtype)


@kernel("fxn.div")
def div(lhs, rhs, *, result_type):
    return np.divide(lhs, rhs, dtype=result_type.numpy_dtype)


def ieee_maximum(a, b):
    """numpy's maximum (NaN-propagating) with IEEE 754-2019's ``-0.0 < +0.0`` for equal operands."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind != "f":
        return np.maximum(a, b)
    return np.where(a == b, np.where(np.signbit(a), b, a), np.maximum(a, b))


def ieee_minimum(a, b):
    """numpy's minimum (NaN-propagating) with IEEE 754-2019's ``-0.0 < +0.0`` for equal operands."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind != "f":
        return np.minimum(a, b)
    return np.where(a == b, np.where(np.signbit(a), a, b), np.minimum(a, b))


@kernel("fxn.max")
def max_(lhs, rhs, *, result_type):
    return ieee_maximum(lhs, rhs)


@kernel("fxn.min")
def min_(lhs, rhs, *, result_type):
    return ieee_minimum(lhs, rhs)


@kernel("fxn.neg")
def neg(input, *, result_type):
    return np.negative(input)


@kernel("fxn.abs")
def abs_(input, *, result_type):
    return np.abs(input)


@kernel("fxn.relu")
def relu(input, *, result_type):
    return ieee_maximum(input, np.zeros((), input.dtype))


def _clamp_bound(bound: float, dtype: np.dtype):
    """A clamp bound in the element type: rounded for floats, saturated infinities for integers."""
    if dtype.kind == "f":
        with np.errstate(over="ignore"):
            return np.asarray(bound, dtype=dtype)
    if math.isinf(bound):
        limits = np.iinfo(dtype)
        return np.asarray(limits.max if bound > 0 else limits.min, dtype=dtype)
    return np.asarray(int(bound), dtype=dtype)


@kernel("fxn.clamp")
def clamp(input, *, min, max, result_type):
    lower = _clamp_bound(min, input.dtype)
    upper = _clamp_bound(max, input.dtype)
    return ieee_minimum(ieee_maximum(input, lower), upper)


# ----------------------------------------------------------------------------
# Division with rounding and remainders: numpy's float algorithms (f16 in f32);
# integers by zero give 0 and MIN // -1 wraps, without numpy's warnings.


def _safe_divisor(lhs, rhs):
    """``(divides, divisor)``: where integer ``rhs`` is neither 0 nor -1, and ``rhs`` with 1 elsewhere."""
    rhs = np.asarray(rhs)
    divides = rhs != 0
    if rhs.dtype.kind == "i":
        divides &= rhs != -1
    return divides, np.where(divides, rhs, np.ones((), rhs.dtype))


def _integer_division(fn, lhs, rhs, by_minus_one):
    """``fn(lhs, rhs)`` of integers where ``rhs`` is neither 0 nor -1; ``by_minus_one(lhs)`` where it is -1; 0 where 0."""
    divides, divisor = _safe_divisor(lhs, rhs)
    result = fn(lhs, divisor)
    zero = np.zeros((), result.dtype)
    return np.where(divides, result, np.where(np.asarray(rhs) == 0, zero, by_minus_one(np.broadcast_to(lhs, result.shape))))


@kernel("fxn.floor_div")
def floor_div(lhs, rhs, *, result_type):
    if result_type.is_float:
        with np.errstate(divide="ignore", invalid="ignore"):
            return _float_math(np.floor_divide, lhs, rhs, result_type=result_type)
    return _integer_division(np.floor_divide, lhs, rhs, np.negative)  # -MIN wraps to MIN


@kernel("fxn.remainder")
def remainder(lhs, rhs, *, result_type):
    if result_type.is_float:
        with np.errstate(divide="ignore", invalid="ignore"):
            return _float_math(np.remainder, lhs, rhs, result_type=result_type)
    return _integer_division(np.remainder, lhs, rhs, np.zeros_like)


@kernel("fxn.fmod")
def fmod(lhs, rhs, *, result_type):
    if result_type.is_float:
        with np.errstate(invalid="ignore"):
            return _float_math(np.fmod, lhs, rhs, result_type=result_type)
    return _integer_division(np.fmod, lhs, rhs, np.zeros_like)


# ----------------------------------------------------------------------------
# Rounding to integral values and sign: exact.


@kernel("fxn.floor")
def floor(input, *, result_type):
    return np.floor(input)


@kernel("fxn.ceil")
def ceil(input, *, result_type):
    return np.ceil(input)


@kernel("fxn.round")
def round_(input, *, result_type):
    return np.rint(input)  # halves to even


@kernel("fxn.trunc")
def trunc(input, *, result_type):
    return np.trunc(input)


@kernel("fxn.sign")
def sign(input, *, result_type):
    return np.sign(input)  # +0.0 for ±0.0, NaN for NaN


# ----------------------------------------------------------------------------
# Math functions: computed in f32 for f16, in the element type otherwise.


def _float_math(fn, *operands, result_type):
    compute = compute_dtype(result_type.numpy_dtype)
    return fn(*(np.asarray(o, dtype=compute) for o in operands)).astype(result_type.numpy_dtype)


@kernel("fxn.pow")
def pow_(lhs, rhs, *, result_type):
    if result_type.is_float:
        return _float_math(np.power, lhs, rhs, result_type=result_type)
    base, exponent = np.broadcast_arrays(lhs, rhs)
    result, power = np.ones_like(base), base.copy()
    remaining = np.where(exponent < 0, 0, exponent)
    with np.errstate(over="ignore"):  # integers wrap
        while np.any(remaining != 0):  # square and multiply
            result = np.where(remaining & 1, result * power, result)
            power, remaining = power * power, remaining >> 1
    # A negative exponent: the integer part of 1 / base ** -exponent.
    minus_one = np.where(exponent & 1, -1, 1).astype(result.dtype)
    fraction = np.where(base == 1, 1, np.where(base == -1, minus_one, 0)).astype(result.dtype)
    return np.where(exponent < 0, fraction, result)


@kernel("fxn.exp")
def exp(input, *, result_type):
    return _float_math(np.exp, input, result_type=result_type)


@kernel("fxn.log")
def log(input, *, result_type):
    return _float_math(np.log, input, result_type=result_type)


@kernel("fxn.sqrt")
def sqrt(input, *, result_type):
    return _float_math(np.sqrt, input, result_type=result_type)


@kernel("fxn.rsqrt")
def rsqrt(input, *, result_type):
    return _float_math(lambda x: 1 / np.sqrt(x), input, result_type=result_type)


@kernel("fxn.tanh")
def tanh(input, *, result_type):
    return _float_math(np.tanh, input, result_type=result_type)


def _logistic(x):
    # exp of a non-positive argument cannot overflow, so tiny results keep their precision.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


@kernel("fxn.sigmoid")
def sigmoid(input, *, result_type):
    return _float_math(_logistic, input, result_type=result_type)


_erf_f64 = np.vectorize(math.erf, otypes=[np.float64])


@kernel("fxn.erf")
def erf(input, *, result_type):
    # numpy has no erf; Python's is f64, accurate enough to round once to any float type.
    return _erf_f64(input.astype(np.float64)).astype(result_type.numpy_dtype)


@kernel("fxn.sin")
def sin(input, *, result_type):
    return _float_math(np.sin, input, result_type=result_type)


@kernel("fxn.cos")
def cos(input, *, result_type):
    return _float_math(np.cos, input, result_type=result_type)


@kernel("fxn.tan")
def tan(input, *, result_type):
    return _float_math(np.tan, input, result_type=result_type)


@kernel("fxn.asin")
def asin(input, *, result_type):
    with np.errstate(invalid="ignore"):  # NaN outside [-1, 1], by definition
        return _float_math(np.arcsin, input, result_type=result_type)


@kernel("fxn.acos")
def acos(input, *, result_type):
    with np.errstate(invalid="ignore"):
        return _float_math(np.arccos, input, result_type=result_type)


@kernel("fxn.atan")
def atan(input, *, result_type):
    return _float_math(np.arctan, input, result_type=result_type)


@kernel("fxn.atan2")
def atan2(lhs, rhs, *, result_type):
    return _float_math(np.arctan2, lhs, rhs, result_type=result_type)


@kernel("fxn.sinh")
def sinh(input, *, result_type):
    with np.errstate(over="ignore"):
        return _float_math(np.sinh, input, result_type=result_type)


@kernel("fxn.cosh")
def cosh(input, *, result_type):
    with np.errstate(over="ignore"):
        return _float_math(np.cosh, input, result_type=result_type)


# ----------------------------------------------------------------------------
# Fused multiply-add, correctly rounded.


@kernel("fxn.fma")
def fma(x, y, z, *, result_type):
    if result_type.dtype == "f64":
        return _fma_f64(x, y, z)
    # Rounding to odd in f64 (53 >= 2 * 24 + 2 bits) and then to nearest in
    # the narrow type rounds the exact value once (Boldo & Melquiond 2008).
    return _fma_round_to_odd_f64(x, y, z).astype(result_type.numpy_dtype)


def _fma_round_to_odd_f64(x, y, z):
    """``x * y + z`` of f16/f32 values rounded to odd in f64."""
    x, y, z = (a.astype(np.float64) for a in np.broadcast_arrays(x, y, z))
    product = x * y  # exact: at most 2 * 24 significant bits, no overflow
    total = product + z
    # TwoSum: `error` is exactly (product + z) - total whenever total is finite.
    virtual = total - product
    error = (product - (total - virtual)) + (z - virtual)
    even = (total.view(np.int64) & 1) == 0
    inexact = np.isfinite(total) & (error != 0) & even
    toward_error = np.where(error > 0, np.inf, -np.inf)
    return np.where(inexact, np.nextafter(total, toward_error), total)


def _fma_f64_element(x: float, y: float, z: float) -> float:
    if not (math.isfinite(x) and math.isfinite(y)):
        return x * y + z  # an infinite or NaN product is exact
    if not math.isfinite(z):
        return z
    exact = Fraction(x) * Fraction(y) + Fraction(z)
    if exact == 0:
        # x * y is then exact in f64 and IEEE's signed-zero rule applies as is.
        return x * y + z
    try:
        return float(exact)  # int / int division: correctly rounded
    except OverflowError:
        return math.copysign(math.inf, exact)


# Exact rational arithmetic per element: slow, meant only as the reference.
_fma_f64 = np.vectorize(_fma_f64_element, otypes=[np.float64])


# ----------------------------------------------------------------------------
# Bitwise logic and shifts.


@kernel("fxn.bitwise_and")
def bitwise_and(lhs, rhs, *, result_type):
    return np.bitwise_and(lhs, rhs)


@kernel("fxn.bitwise_or")
def bitwise_or(lhs, rhs, *, result_type):
    return np.bitwise_or(lhs, rhs)


@kernel("fxn.bitwise_xor")
def bitwise_xor(lhs, rhs, *, result_type):
    return np.bitwise_xor(lhs, rhs)


@kernel("fxn.bitwise_not")
def bitwise_not(input, *, result_type):
    return np.invert(input)


def _shift_counts(lhs, rhs):
    """``(in_range, counts)``: where ``0 <= rhs < bits``, and ``rhs`` with 0 elsewhere."""
    rhs = np.asarray(rhs)
    in_range = (rhs >= 0) & (rhs < 8 * rhs.dtype.itemsize)
    return in_range, np.where(in_range, rhs, np.zeros((), rhs.dtype))


@kernel("fxn.shift_left")
def shift_left(lhs, rhs, *, result_type):
    in_range, counts = _shift_counts(lhs, rhs)
    return np.where(in_range, np.left_shift(lhs, counts), np.zeros((), lhs.dtype))


@kernel("fxn.shift_right")
def shift_right(lhs, rhs, *, result_type):
    in_range, counts = _shift_counts(lhs, rhs)
    shifted_out = np.where(np.asarray(lhs) < 0, np.asarray(-1).astype(lhs.dtype), np.zeros((), lhs.dtype))
    return np.where(in_range, np.right_shift(lhs, counts), shifted_out)


# ----------------------------------------------------------------------------
# Comparison, selection and conversion.

_PREDICATES = {
    "eq": np.equal,
    "ne": np.not_equal,
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
}


@kernel("fxn.compare")
def compare(lhs, rhs, *, predicate, result_type):
    return _PREDICATES[predicate](lhs, rhs)


@kernel("fxn.select")
def select(condition, true_value, false_value, *, result_type):
    return np.where(condition, true_value, false_value)


@kernel("fxn.cast")
def cast(input, *, result_type):
    target = result_type.numpy_dtype
    if target == np.bool_:
        return np.not_equal(input, 0)
    # NaN or out-of-range float -> int is unspecified: numpy's value, without its warning.
    with np.errstate(invalid="ignore", over="ignore"):
        if input.dtype.kind == "f" and target.kind in "iu":
            return np.trunc(input).astype(target)
        return input.astype(target)
