"""Converters of the elementwise ATen ops: arithmetic, math functions, comparisons, selection, casts.

Operands are brought to one element type by :mod:`..promotion` (PyTorch's
rule: Python scalars are weak) and the cast is explicit (``fxn.cast``).
Ops that always compute in floating point (``/``, ``exp`` ...) turn integer
operands into the default float f32, as PyTorch does.
"""

from __future__ import annotations

import math

from fxn.dialects.elementwise import (
    AbsOp,
    AcosOp,
    AddOp,
    AsinOp,
    Atan2Op,
    AtanOp,
    BitwiseAndOp,
    BitwiseNotOp,
    BitwiseOrOp,
    BitwiseXorOp,
    CeilOp,
    ClampOp,
    CompareOp,
    CoshOp,
    CosOp,
    DivOp,
    ErfOp,
    ExpOp,
    FloorDivOp,
    FloorOp,
    FmaOp,
    FmodOp,
    LogOp,
    MaxOp,
    MinOp,
    MulOp,
    NegOp,
    PowOp,
    ReluOp,
    RemainderOp,
    RoundOp,
    RsqrtOp,
    SelectOp,
    ShiftLeftOp,
    ShiftRightOp,
    SigmoidOp,
    SignOp,
    SinhOp,
    SinOp,
    SqrtOp,
    SubOp,
    TanhOp,
    TanOp,
    TruncOp,
)
from fxn.dialects.types import FLOAT_DTYPES, INT_DTYPES

from .. import emit
from ..dtypes import from_torch
from ..errors import Unsupported
from ..promotion import float_result_type, result_type
from . import aten


def common_dtype(*values) -> str:
    return result_type(*(emit.promotion_operand(v) for v in values))


def binary(op_class, lhs, rhs, dtype: str | None = None):
    """``op_class`` on two operands (tensors or Python scalars) in ``dtype`` (default: promoted)."""
    dtype = dtype or common_dtype(lhs, rhs)
    return op_class.build(*emit.operands([lhs, rhs], dtype))


def scaled(value, factor, dtype: str):
    """``factor * value`` as ``add(..., alpha=factor)`` computes it (no op if the factor is 1)."""
    if factor == 1:
        return value
    return binary(MulOp, value, factor, dtype) if emit.is_value(value) else value * factor


@aten("add.Tensor", "add.Scalar")
def add(self, other, alpha=1):
    dtype = common_dtype(self, other)
    return binary(AddOp, self, scaled(other, alpha, dtype), dtype)


@aten("sub.Tensor", "sub.Scalar")
def sub(self, other, alpha=1):
    dtype = common_dtype(self, other)
    return binary(SubOp, self, scaled(other, alpha, dtype), dtype)


@aten("rsub.Scalar", "rsub.Tensor")
def rsub(self, other, alpha=1):
    dtype = common_dtype(self, other)
    return binary(SubOp, other, scaled(self, alpha, dtype), dtype)


@aten("mul.Tensor", "mul.Scalar")
def mul(self, other):
    return binary(MulOp, self, other)


@aten("div.Tensor", "div.Scalar")
def div(self, other):
    return binary(DivOp, self, other, float_result_type(emit.promotion_operand(self), emit.promotion_operand(other)))


@aten("div.Tensor_mode", "div.Scalar_mode")
def div_mode(self, other, rounding_mode=None):
    """``/`` (None), ``//`` ("floor") or C's integer division ("trunc"), in the promoted type (integers stay integers)."""
    if rounding_mode is None:
        return div(self, other)
    if rounding_mode == "floor":
        return binary(FloorDivOp, self, other)
    dtype = common_dtype(self, other)
    if dtype in FLOAT_DTYPES:
        return TruncOp.build(binary(DivOp, self, other, dtype))
    # The dividend less its truncated remainder divides exactly, so floor and trunc agree on it.
    lhs, rhs = emit.operands([self, other], dtype)
    return FloorDivOp.build(SubOp.build(lhs, FmodOp.build(lhs, rhs)), rhs)


@aten("floor_divide.default", "floor_divide.Scalar")
def floor_divide(self, other):
    return binary(FloorDivOp, self, other)


@aten("remainder.Tensor", "remainder.Scalar", "remainder.Scalar_Tensor")
def remainder(self, other):
    return binary(RemainderOp, self, other)


@aten("fmod.Tensor", "fmod.Scalar")
def fmod(self, other):
    return binary(FmodOp, self, other)


@aten("maximum.default")
def maximum(self, other):
    return binary(MaxOp, self, other)


@aten("minimum.default")
def minimum(self, other):
    return binary(MinOp, self, other)


@aten("pow.Tensor_Tensor", "pow.Tensor_Scalar", "pow.Scalar")
def pow_(self, exponent):
    dtype = common_dtype(self, exponent)
    if exponent == 2 and not emit.is_value(exponent):
        # x * x is exactly pow(x, 2) (one rounding), for integers too.
        return binary(MulOp, self, self, dtype)
    if dtype == "i1":
        dtype = "i64"  # torch: True ** True is 1
    return binary(PowOp, self, exponent, dtype)


@aten("fxn.fma.default")
def fma(x, y, z):
    dtype = float_result_type(*(emit.promotion_operand(v) for v in (x, y, z)))
    return FmaOp.build(*emit.operands([x, y, z], dtype))


def unary(op_class):
    def convert(self):
        return op_class.build(self)

    return convert


def float_unary(op_class):
    """A math function: integer and bool inputs become the default float first, as in torch."""

    def convert(self):
        return op_class.build(emit.cast(self, float_result_type(emit.type_of(self))))

    return convert


aten("neg.default")(unary(NegOp))
aten("abs.default")(unary(AbsOp))
aten("relu.default")(unary(ReluOp))
aten("exp.default")(float_unary(ExpOp))
aten("log.default")(float_unary(LogOp))
aten("sqrt.default")(float_unary(SqrtOp))
aten("rsqrt.default")(float_unary(RsqrtOp))
aten("tanh.default")(float_unary(TanhOp))
aten("sigmoid.default")(float_unary(SigmoidOp))
aten("erf.default")(float_unary(ErfOp))
aten("sin.default")(float_unary(SinOp))
aten("cos.default")(float_unary(CosOp))
aten("tan.default")(float_unary(TanOp))
aten("asin.default")(float_unary(AsinOp))
aten("acos.default")(float_unary(AcosOp))
aten("atan.default")(float_unary(AtanOp))
aten("sinh.default")(float_unary(SinhOp))
aten("cosh.default")(float_unary(CoshOp))


@aten("atan2.default")
def atan2(self, other):
    return binary(Atan2Op, self, other, float_result_type(emit.promotion_operand(self), emit.promotion_operand(other)))


def rounding(op_class):
    """floor, ceil, round, trunc: integers (and bool) are already integral and come back unchanged, as in torch."""

    def convert(self):
        return op_class.build(self) if emit.type_of(self).dtype in FLOAT_DTYPES else self

    return convert


aten("floor.default")(rounding(FloorOp))
aten("ceil.default")(rounding(CeilOp))
aten("round.default")(rounding(RoundOp))
aten("trunc.default")(rounding(TruncOp))


@aten("round.decimals")
def round_decimals(self, decimals=0):
    """torch's ``round(x * 10**d) / 10**d`` (``round(x / 10**-d) * 10**-d`` for ``d < 0``), f16 through f32 as torch computes it."""
    dtype = emit.type_of(self).dtype
    if dtype not in FLOAT_DTYPES:
        if decimals < 0:
            raise Unsupported(f"torch.round of integers with decimals={decimals}")
        return self
    x = emit.cast(self, "f32") if dtype == "f16" else self
    scale = 10.0 ** abs(decimals)
    if decimals >= 0:
        result = binary(DivOp, RoundOp.build(binary(MulOp, x, scale)), scale)
    else:
        result = binary(MulOp, RoundOp.build(binary(DivOp, x, scale)), scale)
    return emit.cast(result, dtype)


@aten("sign.default", "sgn.default")
def sign(self):
    return self if emit.type_of(self).dtype == "i1" else SignOp.build(self)


@aten("exp2.default")
def exp2(self):
    return binary(PowOp, 2.0, self, float_result_type(emit.type_of(self)))


@aten("log1p.default")
def log1p(self):
    """``log(1 + x)`` accurate for tiny ``x``: ``log(u) * x / (u - 1)`` with ``u = 1 + x`` rounded (Goldberg)."""
    x = emit.cast(self, float_result_type(emit.type_of(self)))
    u = binary(AddOp, x, 1.0)
    general = binary(MulOp, LogOp.build(u), binary(DivOp, x, binary(SubOp, u, 1.0)))
    finite = SelectOp.build(compare(u, math.inf, "eq"), u, general)  # the quotient is inf / inf there
    return SelectOp.build(compare(u, 1.0, "eq"), x, finite)


@aten("expm1.default")
def expm1(self):
    """``exp(x) - 1`` accurate for tiny ``x``: ``(u - 1) * x / log(u)`` with ``u = exp(x)`` (Kahan)."""
    x = emit.cast(self, float_result_type(emit.type_of(self)))
    u = ExpOp.build(x)
    less_one = binary(SubOp, u, 1.0)
    general = binary(MulOp, less_one, binary(DivOp, x, LogOp.build(u)))
    general = SelectOp.build(compare(u, math.inf, "eq"), u, general)  # inf / inf there
    general = SelectOp.build(compare(less_one, -1.0, "eq"), less_one, general)  # exp(x) underflowed: -1
    return SelectOp.build(compare(u, 1.0, "eq"), x, general)


@aten("reciprocal.default")
def reciprocal(self):
    return binary(DivOp, 1.0, self, float_result_type(emit.type_of(self)))


@aten("clamp.default", "clamp_min.default", "hardtanh.default")
def clamp(self, min=None, max=None, *, min_val=None, max_val=None):
    lower = min if min is not None else min_val
    upper = max if max is not None else max_val
    return clamp_bounds(self, lower, upper)


@aten("clamp_max.default")
def clamp_max(self, max):
    return clamp_bounds(self, None, max)


def clamp_bounds(self, lower, upper):
    bounds = [b for b in (lower, upper) if b is not None]
    value = emit.cast(self, common_dtype(self, *bounds))
    return ClampOp.build(
        value,
        min=-math.inf if lower is None else float(lower),
        max=math.inf if upper is None else float(upper),
    )


@aten("clamp.Tensor", "clamp_min.Tensor")
def clamp_tensor(self, min=None, max=None):
    dtype = common_dtype(self, *(b for b in (min, max) if b is not None))
    result = emit.cast(self, dtype)
    if min is not None:
        result = binary(MaxOp, result, min, dtype)
    if max is not None:
        result = binary(MinOp, result, max, dtype)
    return result


@aten("clamp_max.Tensor")
def clamp_max_tensor(self, max):
    return clamp_tensor(self, None, max)


@aten("gelu.default")
def gelu(self, approximate="none"):
    x = emit.cast(self, float_result_type(emit.type_of(self)))
    if approximate == "tanh":
        cube = binary(MulOp, binary(MulOp, x, x), x)
        inner = binary(MulOp, binary(AddOp, x, binary(MulOp, cube, 0.044715)), math.sqrt(2 / math.pi))
        gate = TanhOp.build(inner)
    else:
        gate = ErfOp.build(binary(MulOp, x, math.sqrt(0.5)))
    return binary(MulOp, binary(MulOp, x, 0.5), binary(AddOp, gate, 1.0))


@aten("leaky_relu.default")
def leaky_relu(self, negative_slope=0.01):
    positive = compare(self, 0, "gt")
    return SelectOp.build(positive, self, binary(MulOp, self, negative_slope, emit.type_of(self).dtype))


def compare(lhs, rhs, predicate: str):
    return CompareOp.build(*emit.operands([lhs, rhs], common_dtype(lhs, rhs)), predicate=predicate)


def comparison(predicate: str):
    def convert(self, other):
        return compare(self, other, predicate)

    return convert


for _predicate in ("eq", "ne", "lt", "le", "gt", "ge"):
    aten(f"{_predicate}.Tensor", f"{_predicate}.Scalar")(comparison(_predicate))


def truth(value):
    """``value != 0`` as i1 (i1 values unchanged)."""
    return value if emit.type_of(value).dtype == "i1" else compare(value, 0, "ne")


@aten("logical_not.default")
def logical_not(self):
    return compare(truth(self), False, "eq")


@aten("bitwise_not.default")
def bitwise_not(self):
    if emit.type_of(self).dtype not in INT_DTYPES + ("i1",):
        raise Unsupported(f"bitwise not (~) of {emit.type_of(self).dtype} values")
    return BitwiseNotOp.build(self)


@aten("logical_and.default")
def logical_and(self, other):
    return SelectOp.build(truth(self), truth(other), emit.scalar(False, "i1"))


@aten("logical_or.default")
def logical_or(self, other):
    return SelectOp.build(truth(self), emit.scalar(True, "i1"), truth(other))


def bitwise(op_class, what: str, dtypes=INT_DTYPES + ("i1",)):
    """A bitwise op on the promoted integer (or bool) type of its operands; floats are refused, as torch does."""

    def convert(self, other):
        dtype = common_dtype(self, other)
        if dtype not in dtypes:
            raise Unsupported(f"bitwise {what} of {dtype} values")
        return binary(op_class, self, other, dtype)

    return convert


aten("bitwise_and.Tensor", "bitwise_and.Scalar", "bitwise_and.Scalar_Tensor")(bitwise(BitwiseAndOp, "and (&)"))
aten("bitwise_or.Tensor", "bitwise_or.Scalar", "bitwise_or.Scalar_Tensor")(bitwise(BitwiseOrOp, "or (|)"))
aten("bitwise_xor.Tensor", "bitwise_xor.Scalar", "bitwise_xor.Scalar_Tensor")(bitwise(BitwiseXorOp, "xor (^)"))
aten("bitwise_left_shift.Tensor", "bitwise_left_shift.Tensor_Scalar", "bitwise_left_shift.Scalar_Tensor",
     "__lshift__.Tensor", "__lshift__.Scalar")(bitwise(ShiftLeftOp, "shift (<<)", INT_DTYPES))
aten("bitwise_right_shift.Tensor", "bitwise_right_shift.Tensor_Scalar", "bitwise_right_shift.Scalar_Tensor",
     "__rshift__.Tensor", "__rshift__.Scalar")(bitwise(ShiftRightOp, "shift (>>)", INT_DTYPES))


@aten("where.self")
def where(condition, self, other):
    dtype = common_dtype(self, other)
    return SelectOp.build(truth(condition), *emit.operands([self, other], dtype))


@aten("_to_copy.default")
def to_copy(self, dtype=None, **ignored):
    return self if dtype is None else emit.cast(self, from_torch(dtype))


@aten("prims.convert_element_type.default")
def convert_element_type(a, dtype):
    return emit.cast(a, from_torch(dtype))
