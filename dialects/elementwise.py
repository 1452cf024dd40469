"""Elementwise ops: arithmetic, math functions, comparison, selection and casts.

Binary and ternary ops broadcast their operands as PyTorch does; operands
must share one element type (the frontend inserts ``fxn.cast`` where Python
would promote). "Numeric" means f16 f32 f64 i8 ui8 i32 i64, "float" f16 f32 f64.
Float results are rounded to nearest even unless an op says otherwise;
integer arithmetic wraps (two's complement). The reference kernels in
:mod:`fxn.dialects.reference.elementwise` are the executable definition.

Where PyTorch leaves signed zeros to chance, fxn follows IEEE 754-2019
``maximum``/``minimum``: ``-0.0 < +0.0``, so ``max(-0.0, +0.0)``,
``relu(-0.0)`` and ``clamp(-0.0, min=0.0)`` are ``+0.0`` (PyTorch returns one
operand or the other depending on their order).
"""

import math

from fxn.lazy import numpy as np

from .base import EnumAttr, FloatAttr, FxnOp, Operand
from .types import (
    ALL_DTYPES,
    FLOAT_DTYPES,
    INT_DTYPES,
    NUMERIC_DTYPES,
    TensorType,
    VerifyError,
    broadcast_shapes,
    format_shape,
)


def elementwise_result(*operands: TensorType, dtypes=NUMERIC_DTYPES, kind="numeric") -> TensorType:
    """The broadcast type of same-typed operands whose element type is in ``dtypes``."""
    first = operands[0]
    for other in operands[1:]:
        if other.dtype != first.dtype:
            raise VerifyError(
                "operand element types differ: " + ", ".join(o.dtype for o in operands)
            )
    if first.dtype not in dtypes:
        raise VerifyError(f"requires {kind} operands; got {first.dtype}")
    return first.with_shape(broadcast_shapes(*(o.shape for o in operands)))


def float_result(*operands: TensorType) -> TensorType:
    """The broadcast type of same-typed floating-point operands."""
    return elementwise_result(*operands, dtypes=FLOAT_DTYPES, kind="floating-point")


class NumericBinaryOp(FxnOp):
    """Two numeric operands of one element type, broadcast; the result has their type."""

    lhs: Operand
    rhs: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        return elementwise_result(args.lhs, args.rhs)


class NumericUnaryOp(FxnOp):
    """One numeric operand; the result has its type."""

    input: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        return elementwise_result(args.input)


class FloatBinaryOp(FxnOp):
    """Two floating-point operands of one element type, broadcast; the result has their type."""

    lhs: Operand
    rhs: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        return float_result(args.lhs, args.rhs)


class FloatUnaryOp(FxnOp):
    """One floating-point operand; the result has its type."""

    input: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        return float_result(args.input)


# ----------------------------------------------------------------------------
# Arithmetic on numeric operands (f16 f32 f64 i8 ui8 i32 i64).


class AddOp(NumericBinaryOp, name="add"):
    """Elementwise ``lhs + rhs`` of numeric operands with broadcasting; integers wrap on overflow.

    ``%r = "fxn.add"(%a, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>``
    """


class SubOp(NumericBinaryOp, name="sub"):
    """Elementwise ``lhs - rhs`` of numeric operands with broadcasting; integers wrap on overflow.

    ``%r = "fxn.sub"(%a, %b) : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>``
    """


class MulOp(NumericBinaryOp, name="mul"):
    """Elementwise ``lhs * rhs`` of numeric operands with broadcasting; integers wrap on overflow.

    ``%r = "fxn.mul"(%a, %b) : (tensor<4x1xf16>, tensor<3xf16>) -> tensor<4x3xf16>``
    """


class DivOp(FloatBinaryOp, name="div"):
    """Elementwise true division ``lhs / rhs`` of floats with broadcasting.

    IEEE 754: ``x / 0`` is ``±inf`` (sign of ``x`` times sign of the zero),
    ``0 / 0`` is NaN. Integer operands are refused: the frontend casts them
    to a float type first, as ``torch.div`` promotes.

    ``%r = "fxn.div"(%a, %b) : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>``
    """


class MaxOp(NumericBinaryOp, name="max"):
    """Elementwise maximum of numeric operands with broadcasting, as ``torch.maximum``.

    NaN in either operand gives NaN; ``-0.0 < +0.0`` (IEEE 754-2019 ``maximum``).

    ``%r = "fxn.max"(%a, %b) : (tensor<7xi8>, tensor<7xi8>) -> tensor<7xi8>``
    """


class MinOp(NumericBinaryOp, name="min"):
    """Elementwise minimum of numeric operands with broadcasting, as ``torch.minimum``.

    NaN in either operand gives NaN; ``-0.0 < +0.0`` (IEEE 754-2019 ``minimum``).

    ``%r = "fxn.min"(%a, %b) : (tensor<7xf64>, tensor<f64>) -> tensor<7xf64>``
    """


class NegOp(NumericUnaryOp, name="neg"):
    """Elementwise ``-input`` of a numeric operand; for integers ``-MIN`` wraps to ``MIN``.

    ``%r = "fxn.neg"(%a) : (tensor<3xi32>) -> tensor<3xi32>``
    """


class AbsOp(NumericUnaryOp, name="abs"):
    """Elementwise ``|input|`` of a numeric operand; ``abs(MIN)`` of an integer type wraps to ``MIN``.

    ``%r = "fxn.abs"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class ReluOp(NumericUnaryOp, name="relu"):
    """Elementwise ``max(input, 0)`` of a numeric operand (see :class:`MaxOp`).

    NaN stays NaN; ``relu(-0.0)`` is ``+0.0`` (PyTorch gives ``-0.0``).

    ``%r = "fxn.relu"(%a) : (tensor<2x?xf32>) -> tensor<2x?xf32>``
    """


def check_integer_bound(name: str, bound: float, operand: TensorType) -> None:
    """VerifyError unless ``bound`` is infinite or an integer ``operand``'s element type holds."""
    if math.isinf(bound):
        return
    if not bound.is_integer():
        raise VerifyError(f"requires integral bounds for {operand.dtype} operands; got {name} = {bound}")
    limits = np.iinfo(operand.numpy_dtype)
    if not limits.min <= bound <= limits.max:
        raise VerifyError(
            f"bound {name} = {bound} is out of range for {operand.dtype} [{limits.min}, {limits.max}]"
        )


class ClampOp(FxnOp, name="clamp"):
    """Elementwise ``min(max(input, min), max)`` of a numeric operand, as ``torch.clamp``.

    NaN stays NaN. The bounds are f64 attributes; ``-inf`` / ``+inf`` leave a
    side unbounded (the builder's defaults). The verifier requires
    ``min <= max``. For float inputs each bound is first rounded (to nearest
    even) to the element type, as PyTorch converts its scalar bounds. For
    integer inputs finite bounds must be integers that the element type can
    hold (PyTorch would promote to float or raise instead).

    ``%r = "fxn.clamp"(%a) {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : (tensor<3xf32>) -> tensor<3xf32>``
    """

    input: Operand
    min = FloatAttr(default=-math.inf)
    max = FloatAttr(default=math.inf)

    @classmethod
    def infer_type(cls, args, attrs):
        result = elementwise_result(args.input)
        if not attrs.min <= attrs.max:
            raise VerifyError(f"requires min <= max; got min = {attrs.min}, max = {attrs.max}")
        if not result.is_float:
            for name in ("min", "max"):
                check_integer_bound(name, getattr(attrs, name), result)
        return result


# ----------------------------------------------------------------------------
# Division with rounding and remainders (numeric operands).
#
# Integer division by zero is defined, never a trap: quotient and remainder
# are 0 (numpy's results; PyTorch raises). ``MIN // -1`` wraps to ``MIN`` and
# ``MIN % -1`` is 0. Float results are exact but for the quotient's rounding.


class FloorDivOp(NumericBinaryOp, name="floor_div"):
    """Elementwise floor division ``lhs // rhs`` of numeric operands, as numpy's ``floor_divide`` and ``torch.div(rounding_mode="floor")``.

    Integers: the quotient rounded toward -inf; ``x // 0`` is 0, ``MIN // -1``
    wraps to ``MIN``. Floats: numpy's ``divmod`` algorithm, ``(lhs - fmod(lhs,
    rhs)) / rhs`` less one where the remainder and ``rhs`` differ in sign,
    snapped to the nearest integer; so ``x // 0`` is ``x / 0`` (``±inf`` or
    NaN), ``inf // y`` is NaN, ``-1 // inf`` is -1 and ``1 // inf`` is 0, a
    zero quotient has the sign of ``lhs / rhs``. f16 is computed in f32 and
    rounded once.

    ``%r = "fxn.floor_div"(%a, %b) : (tensor<3xi32>, tensor<i32>) -> tensor<3xi32>``
    """


class RemainderOp(NumericBinaryOp, name="remainder"):
    """Elementwise Python modulo ``lhs % rhs`` of numeric operands: the result has the sign of ``rhs``, as ``numpy.remainder``.

    ``lhs - floor(lhs / rhs) * rhs`` computed as numpy (and Python's float
    ``%``) does: ``fmod(lhs, rhs)``, plus ``rhs`` where it is nonzero and its
    sign differs from ``rhs``'s (that sum rounds: ``-1e-30 % 1.0`` is 1.0); a
    zero result is ``+0.0`` or ``-0.0`` as ``rhs`` (``torch.remainder`` keeps
    ``lhs``'s sign there). ``x % 0``, ``inf % y`` and NaN operands give NaN;
    ``x % ±inf`` is ``x`` or ``±inf`` when the signs differ. Integers: ``x %
    0`` is 0. f16 is computed in f32 and rounded once.

    ``%r = "fxn.remainder"(%a, %b) : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>``
    """


class FmodOp(NumericBinaryOp, name="fmod"):
    """Elementwise C ``fmod``: ``lhs - trunc(lhs / rhs) * rhs`` exactly, with the sign of ``lhs``, as ``torch.fmod``/``numpy.fmod``.

    The float result is exact (no rounding) and keeps ``lhs``'s sign, zeros
    included; ``fmod(x, 0)``, ``fmod(±inf, y)`` and NaN operands give NaN;
    ``fmod(x, ±inf)`` is ``x`` for finite ``x``. Integers: the remainder of
    division truncated toward zero; ``fmod(x, 0)`` is 0.

    ``%r = "fxn.fmod"(%a, %b) : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>``
    """


# ----------------------------------------------------------------------------
# Rounding to integral values (floats) and sign (numeric).


class FloorOp(FloatUnaryOp, name="floor"):
    """Elementwise largest integral value not above ``input`` (a float); ±0, ±inf and NaN stay, ``floor(-0.5)`` is -1.

    ``%r = "fxn.floor"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class CeilOp(FloatUnaryOp, name="ceil"):
    """Elementwise smallest integral value not below ``input`` (a float); ±0, ±inf and NaN stay, ``ceil(-0.5)`` is ``-0.0``.

    ``%r = "fxn.ceil"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class RoundOp(FloatUnaryOp, name="round"):
    """Elementwise nearest integral value to ``input`` (a float), halves to even, as ``numpy.round``/``torch.round``.

    ``round(0.5)`` is ``0.0``, ``round(2.5)`` is 2, ``round(-0.5)`` is ``-0.0``; ±0, ±inf and NaN stay.

    ``%r = "fxn.round"(%a) : (tensor<3xf64>) -> tensor<3xf64>``
    """


class TruncOp(FloatUnaryOp, name="trunc"):
    """Elementwise ``input`` (a float) rounded toward zero; ``trunc(-0.5)`` is ``-0.0``; ±0, ±inf and NaN stay.

    ``%r = "fxn.trunc"(%a) : (tensor<3xf16>) -> tensor<3xf16>``
    """


class SignOp(NumericUnaryOp, name="sign"):
    """Elementwise sign of a numeric operand: -1, 0 or 1 in its type, as ``numpy.sign``.

    ``sign(±0.0)`` is ``+0.0``; ``sign(NaN)`` is NaN (``torch.sign`` gives 0);
    ``ui8`` values give 0 or 1.

    ``%r = "fxn.sign"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


# ----------------------------------------------------------------------------
# Math functions on floats (f16 f32 f64).


class PowOp(NumericBinaryOp, name="pow"):
    """Elementwise ``lhs ** rhs`` of numeric operands with broadcasting, as ``torch.pow(tensor, tensor)``.

    Floats: C ``pow`` special cases: a negative base to a non-integer power is
    NaN, ``pow(0, negative)`` is ``inf``, ``pow(x, 0)`` and ``pow(1, y)`` are 1
    even for NaN. f16 is computed in f32 and rounded once.

    Integers: repeated multiplication, wrapping on overflow (``x ** 0`` is 1,
    also for 0). A negative exponent, where numpy and torch raise, gives the
    integer part of the true value: 1 for a base of 1, ``±1`` for -1 (the
    exponent's parity), 0 for any other base, 0 included (as Numba's).

    ``%r = "fxn.pow"(%a, %b) : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>``
    """


class ExpOp(FloatUnaryOp, name="exp"):
    """Elementwise ``e ** input`` of a float operand; f16 is computed in f32 and rounded once.

    ``%r = "fxn.exp"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class LogOp(FloatUnaryOp, name="log"):
    """Elementwise natural logarithm of a float operand; f16 is computed in f32 and rounded once.

    ``log(±0.0)`` is ``-inf``, ``log(x < 0)`` is NaN.

    ``%r = "fxn.log"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class SqrtOp(FloatUnaryOp, name="sqrt"):
    """Elementwise square root of a float operand; f16 is computed in f32 and rounded once.

    ``sqrt(-0.0)`` is ``-0.0``, ``sqrt(x < 0)`` is NaN.

    ``%r = "fxn.sqrt"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class RsqrtOp(FloatUnaryOp, name="rsqrt"):
    """Elementwise ``1 / sqrt(input)`` of a float operand: ``rsqrt(±0.0)`` is ``±inf``, ``rsqrt(x < 0)`` NaN.

    Computed as a square root and a division in the element type (f16 in f32,
    rounded once at the end), so the result may be 1 ulp from the exact value.

    ``%r = "fxn.rsqrt"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class TanhOp(FloatUnaryOp, name="tanh"):
    """Elementwise hyperbolic tangent of a float operand; f16 is computed in f32 and rounded once.

    ``%r = "fxn.tanh"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class SigmoidOp(FloatUnaryOp, name="sigmoid"):
    """Elementwise logistic function ``1 / (1 + exp(-input))`` of a float operand.

    f16 is computed in f32 and rounded once; results too small for a
    normal number keep their subnormal value instead of flushing to 0.

    ``%r = "fxn.sigmoid"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class ErfOp(FloatUnaryOp, name="erf"):
    """Elementwise Gauss error function of a float operand, computed in f64 and rounded once.

    ``%r = "fxn.erf"(%a) : (tensor<3xf16>) -> tensor<3xf16>``
    """


# ----------------------------------------------------------------------------
# Trigonometric and hyperbolic functions on floats (f16 f32 f64).
#
# Computed in f64 by the lowering (f16 and f32 rounded once at the end);
# ulp bounds against the correctly rounded result are in
# :data:`fxn.passes.lowering.math_expansion.MAX_ERROR_ULPS`.


class SinOp(FloatUnaryOp, name="sin"):
    """Elementwise sine of a float operand (radians): ``sin(±0) = ±0``; ``sin(±inf)`` and ``sin(NaN)`` are NaN.

    Compiled code is within MAX_ERROR_ULPS for ``|x| <= 2**20 pi/2``
    (about 1.6e6); beyond, the argument reduction loses the bits of pi it
    lacks: results stay in ``[-1, 1]`` but are not accurate.

    ``%r = "fxn.sin"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class CosOp(FloatUnaryOp, name="cos"):
    """Elementwise cosine of a float operand (radians); ``cos(±inf)`` and ``cos(NaN)`` are NaN.

    Accurate for ``|x| <= 2**20 pi/2`` as :class:`SinOp`; beyond, in ``[-1, 1]`` but not accurate.

    ``%r = "fxn.cos"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class TanOp(FloatUnaryOp, name="tan"):
    """Elementwise tangent of a float operand (radians): ``tan(±0) = ±0``; ``tan(±inf)`` and ``tan(NaN)`` are NaN.

    Accurate for ``|x| <= 2**20 pi/2`` as :class:`SinOp`; beyond, not
    accurate. Near an odd multiple of pi/2 the result is large and finite
    (no float is such a multiple).

    ``%r = "fxn.tan"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class AsinOp(FloatUnaryOp, name="asin"):
    """Elementwise arcsine of a float operand, in ``[-pi/2, pi/2]``: ``asin(±0) = ±0``; NaN for ``|x| > 1`` and NaN.

    ``%r = "fxn.asin"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class AcosOp(FloatUnaryOp, name="acos"):
    """Elementwise arccosine of a float operand, in ``[0, pi]``: ``acos(1) = +0``; NaN for ``|x| > 1`` and NaN.

    ``%r = "fxn.acos"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class AtanOp(FloatUnaryOp, name="atan"):
    """Elementwise arctangent of a float operand, in ``[-pi/2, pi/2]``: ``atan(±0) = ±0``, ``atan(±inf) = ±pi/2``; NaN stays.

    ``%r = "fxn.atan"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class Atan2Op(FloatBinaryOp, name="atan2"):
    """Elementwise C ``atan2(lhs, rhs)``: the angle of the point ``(x = rhs, y = lhs)`` in ``[-pi, pi]``, with broadcasting.

    C99 Annex F special cases, as ``numpy.arctan2``/``torch.atan2``:
    ``atan2(±0, x)`` is ``±0`` for ``x > 0`` or ``x = +0`` and ``±pi`` for
    ``x < 0`` or ``x = -0``; ``atan2(y, ±0)`` is ``±pi/2`` for ``y != 0``;
    ``atan2(±y, +inf)`` is ``±0`` and ``atan2(±y, -inf)`` ``±pi`` for finite
    ``y``; ``atan2(±inf, x)`` is ``±pi/2`` for finite ``x``, ``±pi/4`` for
    ``+inf`` and ``±3pi/4`` for ``-inf``; NaN in either operand gives NaN.

    ``%r = "fxn.atan2"(%y, %x) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>``
    """


class SinhOp(FloatUnaryOp, name="sinh"):
    """Elementwise hyperbolic sine of a float operand, odd: ``sinh(±0) = ±0``, ``sinh(±inf) = ±inf``, overflow gives ``±inf``; NaN stays.

    ``%r = "fxn.sinh"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class CoshOp(FloatUnaryOp, name="cosh"):
    """Elementwise hyperbolic cosine of a float operand, even: ``cosh(±0) = 1``, ``cosh(±inf) = inf``, overflow gives ``inf``; NaN stays.

    ``%r = "fxn.cosh"(%a) : (tensor<3xf32>) -> tensor<3xf32>``
    """


class FmaOp(FxnOp, name="fma"):
    """Fused multiply-add ``x * y + z`` of floats with broadcasting, rounded ONCE (IEEE 754 fusedMultiplyAdd).

    Unlike ``torch.addcmul(z, x, y)``, which may round the product first, the
    exact value of ``x * y + z`` is rounded to nearest even. Special values
    follow IEEE: ``inf * 0 + z`` is NaN; an exact zero sum is ``+0.0`` unless
    both ``x * y`` and ``z`` are ``-0.0``.

    ``%r = "fxn.fma"(%x, %y, %z) : (tensor<3xf32>, tensor<3xf32>, tensor<f32>) -> tensor<3xf32>``
    """

    x: Operand
    y: Operand
    z: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        return float_result(args.x, args.y, args.z)


# ----------------------------------------------------------------------------
# Bitwise logic and shifts on integers (i8 ui8 i32 i64; the logic ops also i1).

#: Element types of the bitwise logic ops: the integers and i1 (where they are logical and/or/xor/not).
BITWISE_DTYPES = INT_DTYPES + ("i1",)


class BitwiseBinaryOp(FxnOp):
    """Two integer or i1 operands of one element type, broadcast; the result has their type."""

    lhs: Operand
    rhs: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        return elementwise_result(args.lhs, args.rhs, dtypes=BITWISE_DTYPES, kind="integer or i1")


class ShiftOp(FxnOp):
    """An integer operand shifted by a count of the same type, broadcast; the result has their type."""

    lhs: Operand
    rhs: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        return elementwise_result(args.lhs, args.rhs, dtypes=INT_DTYPES, kind="integer")


class BitwiseAndOp(BitwiseBinaryOp, name="bitwise_and"):
    """Elementwise ``lhs & rhs`` of the two's complement bits of integer or i1 operands, with broadcasting.

    ``%r = "fxn.bitwise_and"(%a, %b) : (tensor<3xi32>, tensor<i32>) -> tensor<3xi32>``
    """


class BitwiseOrOp(BitwiseBinaryOp, name="bitwise_or"):
    """Elementwise ``lhs | rhs`` of the two's complement bits of integer or i1 operands, with broadcasting.

    ``%r = "fxn.bitwise_or"(%a, %b) : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>``
    """


class BitwiseXorOp(BitwiseBinaryOp, name="bitwise_xor"):
    """Elementwise ``lhs ^ rhs`` of the two's complement bits of integer or i1 operands, with broadcasting.

    ``%r = "fxn.bitwise_xor"(%a, %b) : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>``
    """


class BitwiseNotOp(FxnOp, name="bitwise_not"):
    """Elementwise ``~input`` of an integer or i1 operand: every bit flipped (``~x == -x - 1`` for signed integers, ``not`` for i1).

    ``%r = "fxn.bitwise_not"(%a) : (tensor<3xi64>) -> tensor<3xi64>``
    """

    input: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        return elementwise_result(args.input, dtypes=BITWISE_DTYPES, kind="integer or i1")


class ShiftLeftOp(ShiftOp, name="shift_left"):
    """Elementwise ``lhs << rhs`` of integers with broadcasting; bits shifted out are lost (two's complement wrap).

    A count that is negative or at least the type's bit width gives 0, as
    numpy's ``left_shift`` and ``torch.bitwise_left_shift`` (C leaves it undefined).

    ``%r = "fxn.shift_left"(%a, %b) : (tensor<3xi32>, tensor<i32>) -> tensor<3xi32>``
    """


class ShiftRightOp(ShiftOp, name="shift_right"):
    """Elementwise ``lhs >> rhs`` of integers with broadcasting: arithmetic (sign-filling) for signed types, logical for ``ui8``.

    A count that is negative or at least the type's bit width shifts every
    bit out: 0, or -1 for a negative signed ``lhs`` (numpy's ``right_shift``
    and ``torch.bitwise_right_shift``).

    ``%r = "fxn.shift_right"(%a, %b) : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>``
    """


# ----------------------------------------------------------------------------
# Comparison, selection and conversion.


class CompareOp(FxnOp, name="compare"):
    """Elementwise comparison ``lhs <predicate> rhs`` with broadcasting; the result is i1.

    Operands share one numeric or i1 element type (``false < true``). IEEE
    rules: every predicate except ``ne`` is false when an operand is NaN;
    ``-0.0 == +0.0``.

    ``%r = "fxn.compare"(%a, %b) {predicate = "lt"} : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>``
    """

    lhs: Operand
    rhs: Operand
    predicate = EnumAttr("eq", "ne", "lt", "le", "gt", "ge")

    @classmethod
    def infer_type(cls, args, attrs):
        operands = elementwise_result(args.lhs, args.rhs, dtypes=ALL_DTYPES, kind="numeric or i1")
        return operands.with_dtype("i1")


class SelectOp(FxnOp, name="select"):
    """Elementwise ``condition ? true_value : false_value``, as ``torch.where``.

    The condition is i1; the two values share any element type, which the
    result keeps. All three operands broadcast together.

    ``%r = "fxn.select"(%c, %a, %b) : (tensor<2x3xi1>, tensor<3xf32>, tensor<f32>) -> tensor<2x3xf32>``
    """

    condition: Operand
    true_value: Operand
    false_value: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        if args.condition.dtype != "i1":
            raise VerifyError(f"requires an i1 condition; got {args.condition.dtype}")
        values = elementwise_result(args.true_value, args.false_value, dtypes=ALL_DTYPES)
        return values.with_shape(broadcast_shapes(args.condition.shape, values.shape))


class CastOp(FxnOp, name="cast"):
    """Elementwise conversion to the result's element type; the shape is unchanged.

    The target type is the op's declared result type (``build`` needs
    ``result_type=``). Any supported element type converts to any other:

    - float -> integer truncates toward zero; NaN and values out of the
      integer's range give an unspecified value (never a trap);
    - anything -> i1 is ``input != 0`` (NaN gives true, ``-0.0`` false);
    - i1 -> numeric gives 0 or 1;
    - to a float type rounds to nearest even (overflow gives ``±inf``), in ONE
      rounding: f64 -> f16 does not go through f32 (PyTorch's does);
    - integer narrowing wraps (two's complement), widening sign-extends a
      signed source and zero-extends an unsigned (``ui8``) one; ``i8`` <->
      ``ui8`` keeps the bits (``-1`` <-> ``255``).

    ``%r = "fxn.cast"(%a) : (tensor<2x?xf32>) -> tensor<2x?xi8>``
    """

    input: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        raise VerifyError("the result type cannot be inferred; give result_type")

    @classmethod
    def check_result(cls, args, attrs, result_type):
        # The element type is the IR's choice; only the shape is checked.
        result = TensorType.from_mlir(result_type, "result")
        if result.shape != args.input.shape:
            raise VerifyError(
                f"requires the result shape to equal the operand shape; got "
                f"{format_shape(args.input.shape)} -> {format_shape(result.shape)}"
            )
