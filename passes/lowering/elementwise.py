"""Generic lowering of the elementwise fxn ops: one ``linalg.generic`` each, operands broadcast.

Each op becomes :func:`~.structured.elementwise`, a parallel generic whose
body is the scalar computation below. Integer ops and exact float ops are
one arith op each and compute exactly what the reference does (integer
wrap, IEEE ``maximum``/``minimum`` with NaN propagation and ``-0.0 < +0.0``,
ordered comparisons with ``ne`` unordered, casts as ``fxn.cast`` states).
Transcendentals are the arith expansions of :mod:`.math_expansion` (no libm;
their accuracy is stated there); f16 math computes in f32 and rounds once,
as the reference does. Integer division never divides by 0 or -1 (undefined
in LLVM, a trap on x86): those lanes take their defined results by selects;
float ``fmod`` is :func:`.math_expansion.fmod` (``frem`` would call libm),
``//`` and ``%`` on floats numpy's algorithm around it.

Broadcasting is decided from the static types (:func:`~.structured.broadcast_map`):
a dynamic operand dim that is 1 at run time while the result's is larger is
NOT broadcast by the compiled code, which reads it as if it had the
result's size. Operands that broadcast must have a static 1 there.
:mod:`.dim_assumptions` states what a function's compiled code thus
assumes about its arguments' dims, so that a caller can check it before
each call.
"""

from __future__ import annotations

from typing import Callable

from fxn.lazy import numpy as np

from fxn.dialects import TensorType
from fxn.dialects.types import FLOAT_DTYPES, UNSIGNED_DTYPES, bit_width
from fxn.mlir import arith, ir, math, scf

from . import lowering, math_expansion
from .reduction import maximum, minimum
from .structured import element_type, elementwise, signless_int, tensor_type


def _lower_elementwise(make_body: Callable[..., Callable]):
    """The lowering whose generic applies ``make_body(op, result_type)`` to the operands' scalars."""

    def lower(op, target):
        result = tensor_type(op.results[0])
        return elementwise(list(op.operands), result, make_body(op, result))

    return lower


def _by_kind(float_op, int_op):
    return _lower_elementwise(lambda op, result: float_op if result.is_float else int_op)


def _zero(dtype: str) -> ir.Value:
    return arith.constant(element_type(dtype), 0.0 if dtype in FLOAT_DTYPES else 0)


def _identity(x: ir.Value) -> ir.Value:
    return x


# ----------------------------------------------------------------------------
# Arithmetic on numeric operands.

lowering("fxn.add")(_by_kind(arith.addf, arith.addi))
lowering("fxn.sub")(_by_kind(arith.subf, arith.subi))
lowering("fxn.mul")(_by_kind(arith.mulf, arith.muli))
lowering("fxn.div")(_lower_elementwise(lambda op, result: arith.divf))
lowering("fxn.max")(_lower_elementwise(lambda op, result: maximum(result.dtype)))
lowering("fxn.min")(_lower_elementwise(lambda op, result: minimum(result.dtype)))


@lowering("fxn.abs")
@_lower_elementwise
def lower_abs(op, result):
    if result.is_unsigned:
        return _identity
    return math.absf if result.is_float else math.absi  # math.absi wraps: abs(MIN) = MIN


@lowering("fxn.neg")
@_lower_elementwise
def lower_neg(op, result):
    if result.is_float:
        return arith.negf
    return lambda x: arith.subi(_zero(result.dtype), x)  # wraps: -MIN = MIN


def relu_body(op, result):
    if result.is_unsigned:
        return _identity
    return lambda x: maximum(result.dtype)(x, _zero(result.dtype))


lowering("fxn.relu")(_lower_elementwise(relu_body))


def clamp_bound(bound: float, dtype: str) -> ir.Value:
    """A clamp bound as a constant of ``dtype``: rounded to nearest for floats, infinities saturated for integers."""
    numpy_dtype = TensorType(dtype, ()).numpy_dtype
    if numpy_dtype.kind == "f":
        with np.errstate(over="ignore"):
            return arith.constant(element_type(dtype), float(np.asarray(bound, numpy_dtype)))
    limits = np.iinfo(numpy_dtype)
    value = limits.max if bound == np.inf else limits.min if bound == -np.inf else int(bound)
    return arith.constant(element_type(dtype), signless_int(value, dtype))


def clamp_body(op, result):
    """Clamp to ``op``'s ``min`` and ``max`` attributes (``fxn.clamp``'s, or a fused activation's)."""
    larger, smaller = maximum(result.dtype), minimum(result.dtype)
    low = clamp_bound(op.attributes["min"].value, result.dtype)
    high = clamp_bound(op.attributes["max"].value, result.dtype)
    return lambda x: smaller(larger(x, low), high)


lowering("fxn.clamp")(_lower_elementwise(clamp_body))


# ----------------------------------------------------------------------------
# Math functions on floats: f16 computes in f32 and rounds once.


def _float_body(scalar_fn: Callable[..., ir.Value]):
    def body(op, result):
        if result.dtype != "f16":
            return scalar_fn
        f16, f32 = element_type("f16"), element_type("f32")
        return lambda *xs: arith.truncf(f16, scalar_fn(*(arith.extf(f32, x) for x in xs)))

    return body


def _float_math(scalar_fn: Callable[..., ir.Value]):
    return _lower_elementwise(_float_body(scalar_fn))


def _reciprocal_sqrt(x: ir.Value) -> ir.Value:
    # A square root and a division, each rounded, as the reference computes it.
    return arith.divf(arith.constant(x.type, 1.0), math.sqrt(x))


lowering("fxn.sqrt")(_float_math(math.sqrt))
lowering("fxn.rsqrt")(_float_math(_reciprocal_sqrt))
lowering("fxn.exp")(_float_math(math_expansion.exp))
lowering("fxn.log")(_float_math(math_expansion.log))
lowering("fxn.tanh")(_float_math(math_expansion.tanh))
lowering("fxn.sigmoid")(_float_math(math_expansion.sigmoid))

#: The scalar bodies of the activations a conv2d or linear carries (``fxn.conv2d_activation``), by name: each
#: ``body(op, result_type) -> scalar function``, as the elementwise op of that name lowers.
ACTIVATION_BODIES = {"relu": relu_body, "clamp": clamp_body, "sigmoid": _float_body(math_expansion.sigmoid)}
lowering("fxn.erf")(_float_math(math_expansion.erf))


def _integer_power(dtype: str) -> Callable[[ir.Value, ir.Value], ir.Value]:
    """``base ** exponent`` of integers as the op defines it: square and multiply while the exponent has bits left."""
    signed = dtype not in UNSIGNED_DTYPES

    def power(base: ir.Value, exponent: ir.Value) -> ir.Value:
        kind = element_type(dtype)
        zero, one = arith.constant(kind, 0), arith.constant(kind, 1)
        negative = arith.cmpi(arith.CmpIPredicate.slt, exponent, zero) if signed else None
        start = arith.select(negative, zero, exponent) if signed else exponent
        loop = scf.WhileOp([kind] * 3, [one, base, start])
        before = loop.before.blocks.append(kind, kind, kind)
        with ir.InsertionPoint(before):
            scf.ConditionOp(arith.cmpi(arith.CmpIPredicate.ne, before.arguments[2], zero), list(before.arguments))
        after = loop.after.blocks.append(kind, kind, kind)
        with ir.InsertionPoint(after):
            result, square, remaining = after.arguments
            odd = arith.cmpi(arith.CmpIPredicate.ne, arith.andi(remaining, one), zero)
            scf.YieldOp([arith.select(odd, arith.muli(result, square), result), arith.muli(square, square),
                         arith.shrui(remaining, one)])
        if not signed:
            return loop.results[0]
        # A negative exponent: the integer part of 1 / base ** -exponent.
        minus_one = arith.constant(kind, -1)
        is_ = lambda value, constant: arith.cmpi(arith.CmpIPredicate.eq, value, constant)  # noqa: E731
        parity = arith.select(is_(arith.andi(exponent, one), one), minus_one, one)
        fraction = arith.select(is_(base, one), one, arith.select(is_(base, minus_one), parity, zero))
        return arith.select(negative, fraction, loop.results[0])

    return power


@lowering("fxn.pow")
def lower_pow(op, target):
    if tensor_type(op.results[0]).is_float:
        return _float_pow(op, target)
    return _lower_elementwise(lambda op, result: _integer_power(result.dtype))(op, target)


_float_pow = _float_math(math_expansion.pow)
for _name in ("sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh"):
    lowering(f"fxn.{_name}")(_float_math(getattr(math_expansion, _name)))


def _fma_f16(x: ir.Value, y: ir.Value, z: ir.Value) -> ir.Value:
    """``x * y + z`` of f16 values rounded once.

    In f64 the product of two f16 values is exact, and so is the sum unless
    the two terms are more than 30 binades apart. For a finite f16 result
    only ``z`` can be the far larger term, and then the product moves the
    value by far less than the distance from ``z`` to the nearest f16
    rounding boundary, in f64 as exactly. Narrowing to f16 then rounds once.
    """
    f64 = element_type("f64")
    x, y, z = (arith.extf(f64, v) for v in (x, y, z))
    return narrow_f64_to_f16(arith.addf(arith.mulf(x, y), z))


@lowering("fxn.fma")
@_lower_elementwise
def lower_fma(op, result):
    # math.fma becomes llvm.fma: one rounding, a hardware FMA where the target has one.
    return _fma_f16 if result.dtype == "f16" else math.fma


# ----------------------------------------------------------------------------
# Division with rounding and remainders.


def _integer_division(dtype: str, kind: str) -> Callable[[ir.Value, ir.Value], ir.Value]:
    """``kind`` ("floor_div", "remainder" or "fmod") of two ``dtype`` integers by fxn's rules, never a trap.

    The divisor is replaced by 1 where it is 0 (LLVM's division by zero is
    undefined, x86 traps) and, for signed types, where it is -1 (``MIN / -1``
    traps too): those lanes take their defined results by selects.
    """
    zero, one = _zero(dtype), arith.constant(element_type(dtype), 1)

    def divide(a: ir.Value, b: ir.Value) -> ir.Value:
        by_zero = arith.cmpi(arith.CmpIPredicate.eq, b, zero)
        if dtype in UNSIGNED_DTYPES:  # floored, truncated: the same
            result = (arith.divui if kind == "floor_div" else arith.remui)(a, arith.select(by_zero, one, b))
            return arith.select(by_zero, zero, result)
        by_minus_one = arith.cmpi(arith.CmpIPredicate.eq, b, arith.constant(element_type(dtype), -1))
        special = arith.ori(by_zero, by_minus_one)
        d = arith.select(special, one, b)
        q, r = arith.divsi(a, d), arith.remsi(a, d)
        # Truncated to floored: one less (and the remainder plus d) where r is nonzero and its sign differs from d's.
        differ = arith.cmpi(arith.CmpIPredicate.slt, arith.xori(r, d), zero)
        adjust = arith.andi(arith.cmpi(arith.CmpIPredicate.ne, r, zero), differ)
        if kind == "floor_div":
            result = arith.select(adjust, arith.subi(q, one), q)
            special_result = arith.select(by_zero, zero, arith.subi(zero, a))  # a // -1 = -a, wrapping
            return arith.select(special, special_result, result)
        result = arith.select(adjust, arith.addi(r, d), r) if kind == "remainder" else r
        return arith.select(special, zero, result)  # x % -1 = 0

    return divide


def _float_divmod(a: math_expansion.Real, b: math_expansion.Real, precision: int):
    """numpy's ``npy_divmod`` of two f32 or f64 values: ``(floor quotient, remainder with b's sign)``."""
    where = math_expansion.where
    mod = math_expansion.Real(math_expansion.fmod(a.value, b.value, precision))
    div = (a - mod) / b
    differ = arith.xori(b.lt(0.0), mod.lt(0.0))
    adjust = arith.andi(mod.ne(0.0), differ)  # NaN counts as nonzero, as in C
    mod = where(adjust, mod + b, mod)
    div = where(adjust, div - 1.0, div)
    mod = where(mod.eq(0.0), b.constant(0.0).copysign(b), mod)
    floor = div.floor()
    floor = where((div - floor).gt(0.5), floor + 1.0, floor)  # snap to the nearest integer
    quotient = a / b
    floor = where(div.ne(0.0), floor, b.constant(0.0).copysign(quotient))
    return where(b.eq(0.0), quotient, floor), mod


#: Significand bits of each float type (:func:`~.math_expansion.fmod` unrolls fewer steps for f16).
_PRECISION = {"f16": 11, "f32": 24, "f64": 53}


def _float_division(dtype: str, kind: str) -> Callable[[ir.Value, ir.Value], ir.Value]:
    """``kind`` of two ``dtype`` floats as numpy computes it (f16 in f32, rounded once); fmod exact."""
    precision = _PRECISION[dtype]

    def divide(a: ir.Value, b: ir.Value) -> ir.Value:
        if kind == "fmod":
            return math_expansion.fmod(a, b, precision)
        quotient, mod = _float_divmod(math_expansion.Real(a), math_expansion.Real(b), precision)
        return (quotient if kind == "floor_div" else mod).value

    if dtype != "f16":
        return divide
    f16, f32 = element_type("f16"), element_type("f32")
    return lambda a, b: arith.truncf(f16, divide(arith.extf(f32, a), arith.extf(f32, b)))


def _division(kind: str):
    def body(op, result):
        return (_float_division if result.is_float else _integer_division)(result.dtype, kind)

    return _lower_elementwise(body)


for _kind in ("floor_div", "remainder", "fmod"):
    lowering(f"fxn.{_kind}")(_division(_kind))


# ----------------------------------------------------------------------------
# Rounding to integral values (single instructions on SIMD hardware) and sign.


def _float_sign(x: ir.Value) -> ir.Value:
    real = math_expansion.Real(x)
    where = math_expansion.where
    zero_or_nan = where(real.eq(0.0), real.constant(0.0), real)  # +0.0 for ±0.0; NaN stays
    return where(real.gt(0.0), real.constant(1.0), where(real.lt(0.0), real.constant(-1.0), zero_or_nan)).value


def _integer_sign(dtype: str) -> Callable[[ir.Value], ir.Value]:
    zero, one = _zero(dtype), arith.constant(element_type(dtype), 1)
    if dtype in UNSIGNED_DTYPES:
        return lambda x: arith.select(arith.cmpi(arith.CmpIPredicate.ne, x, zero), one, zero)
    minus_one = arith.constant(element_type(dtype), -1)

    def sign(x: ir.Value) -> ir.Value:
        negative = arith.select(arith.cmpi(arith.CmpIPredicate.slt, x, zero), minus_one, zero)
        return arith.select(arith.cmpi(arith.CmpIPredicate.sgt, x, zero), one, negative)

    return sign


lowering("fxn.floor")(_float_math(math.floor))
lowering("fxn.ceil")(_float_math(math.ceil))
lowering("fxn.round")(_float_math(math.roundeven))


def _trunc(x: ir.Value) -> ir.Value:
    # floor(|x|) with x's sign: math.trunc's vector form (vfcvt.rtz) crashes qemu-riscv64, which runs RVV targets here.
    return math.copysign(math.floor(math.absf(x)), x)


lowering("fxn.trunc")(_float_math(_trunc))


@lowering("fxn.sign")
def lower_sign(op, target):
    result = tensor_type(op.results[0])
    if result.is_float:
        return _float_math(_float_sign)(op, target)
    return elementwise(list(op.operands), result, _integer_sign(result.dtype))


# ----------------------------------------------------------------------------
# Bitwise logic and shifts: shift counts outside [0, bits) have numpy's results (LLVM's would be poison).

lowering("fxn.bitwise_and")(_lower_elementwise(lambda op, result: arith.andi))
lowering("fxn.bitwise_or")(_lower_elementwise(lambda op, result: arith.ori))
lowering("fxn.bitwise_xor")(_lower_elementwise(lambda op, result: arith.xori))


@lowering("fxn.bitwise_not")
@_lower_elementwise
def lower_bitwise_not(op, result):
    ones = arith.constant(element_type(result.dtype), 1 if result.dtype == "i1" else -1)
    return lambda x: arith.xori(x, ones)


def _shift_in_range(dtype: str, count: ir.Value) -> ir.Value:
    """``0 <= count < bits`` (one unsigned comparison: negative counts are huge)."""
    bits = arith.constant(element_type(dtype), bit_width(dtype))
    return arith.cmpi(arith.CmpIPredicate.ult, count, bits)


@lowering("fxn.shift_left")
@_lower_elementwise
def lower_shift_left(op, result):
    zero = _zero(result.dtype)

    def shift(a: ir.Value, b: ir.Value) -> ir.Value:
        in_range = _shift_in_range(result.dtype, b)
        return arith.select(in_range, arith.shli(a, arith.select(in_range, b, zero)), zero)

    return shift


@lowering("fxn.shift_right")
@_lower_elementwise
def lower_shift_right(op, result):
    if result.is_unsigned:
        zero = _zero(result.dtype)

        def logical_shift(a: ir.Value, b: ir.Value) -> ir.Value:
            in_range = _shift_in_range(result.dtype, b)
            return arith.select(in_range, arith.shrui(a, arith.select(in_range, b, zero)), zero)

        return logical_shift
    # An arithmetic shift by bits - 1 fills with the sign: what shifting every bit out gives.
    last = arith.constant(element_type(result.dtype), bit_width(result.dtype) - 1)
    return lambda a, b: arith.shrsi(a, arith.select(_shift_in_range(result.dtype, b), b, last))


# ----------------------------------------------------------------------------
# Comparison and selection.

_FLOAT_PREDICATES = {"eq": "OEQ", "ne": "UNE", "lt": "OLT", "le": "OLE", "gt": "OGT", "ge": "OGE"}
_SIGNED_PREDICATES = {"eq": "eq", "ne": "ne", "lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge"}
# i1 orders false < true: unsigned, like ui8.
_UNSIGNED_PREDICATES = {"eq": "eq", "ne": "ne", "lt": "ult", "le": "ule", "gt": "ugt", "ge": "uge"}


def compare_scalars(predicate: str, dtype: str) -> Callable[[ir.Value, ir.Value], ir.Value]:
    """``lhs <predicate> rhs`` of ``dtype`` scalars with fxn.compare's rules (IEEE: only ``ne`` holds for NaN)."""
    if dtype in FLOAT_DTYPES:
        name = _FLOAT_PREDICATES[predicate]
        return lambda a, b: arith.cmpf(getattr(arith.CmpFPredicate, name), a, b)
    unsigned = dtype == "i1" or dtype in UNSIGNED_DTYPES
    name = (_UNSIGNED_PREDICATES if unsigned else _SIGNED_PREDICATES)[predicate]
    return lambda a, b: arith.cmpi(getattr(arith.CmpIPredicate, name), a, b)


@lowering("fxn.compare")
@_lower_elementwise
def lower_compare(op, result):
    return compare_scalars(op.attributes["predicate"].value, tensor_type(op.operands[0]).dtype)


lowering("fxn.select")(_lower_elementwise(lambda op, result: arith.select))


# ----------------------------------------------------------------------------
# Casts.


def narrow_f64_to_f16(x: ir.Value) -> ir.Value:
    """An f64 value rounded once to f16 (nearest even), where a plain ``truncf`` could round twice.

    The value is first rounded to odd in f32 (toward zero, with the last bit
    set if anything was lost): rounding that to f16 gives the correctly
    rounded result because f32 has at least 2 more bits than f16
    (Boldo & Melquiond 2008).
    """
    f32, i32 = element_type("f32"), element_type("i32")
    narrow = arith.truncf(f32, x)
    widened = arith.extf(x.type, narrow)
    inexact = arith.cmpf(arith.CmpFPredicate.ONE, widened, x)  # false for NaN and infinities
    bits = arith.bitcast(i32, narrow)
    even = arith.cmpi(arith.CmpIPredicate.eq, arith.andi(bits, arith.constant(i32, 1)), arith.constant(i32, 0))
    # Sign-magnitude: stepping the bits by one moves away from or toward zero.
    rounded_away = arith.cmpf(arith.CmpFPredicate.OGT, math.absf(widened), math.absf(x))
    step = arith.select(rounded_away, arith.constant(i32, -1), arith.constant(i32, 1))
    odd = arith.select(arith.andi(inexact, even), arith.addi(bits, step), bits)
    return arith.truncf(element_type("f16"), arith.bitcast(f32, odd))


def convert(x: ir.Value, source: str, target: str) -> ir.Value:
    """``x`` of element type ``source`` converted to ``target`` by fxn.cast's rules."""
    if source == target:
        return x
    if target == "i1":
        return compare_scalars("ne", source)(x, _zero(source))  # NaN -> true, -0.0 -> false
    target_type = element_type(target)
    source_float, target_float = source in FLOAT_DTYPES, target in FLOAT_DTYPES
    unsigned_source = source == "i1" or source in UNSIGNED_DTYPES
    if source_float and target_float:
        if bit_width(target) > bit_width(source):
            return arith.extf(target_type, x)
        return narrow_f64_to_f16(x) if (source, target) == ("f64", "f16") else arith.truncf(target_type, x)
    if source_float:
        # Through f32: exact for f16, and every f16 -> int conversion is defined by it.
        wide = arith.extf(element_type("f32"), x) if source == "f16" else x
        if target in UNSIGNED_DTYPES:
            # Through i32, then wrapped: fptoui would give poison for negative values.
            return arith.trunci(target_type, arith.fptosi(element_type("i32"), wide))
        return arith.fptosi(target_type, wide)  # truncates toward zero
    if target_float:
        to_float = arith.uitofp if unsigned_source else arith.sitofp
        if target == "f16":
            # Exact in f32 below 2**24; anything larger overflows f16 either way, so one rounding.
            return arith.truncf(target_type, to_float(element_type("f32"), x))
        return to_float(target_type, x)
    if bit_width(target) > bit_width(source):
        return (arith.extui if unsigned_source else arith.extsi)(target_type, x)
    if bit_width(target) == bit_width(source):
        return x  # i8 <-> ui8: the same bits
    return arith.trunci(target_type, x)  # wraps


@lowering("fxn.cast")
@_lower_elementwise
def lower_cast(op, result):
    source = tensor_type(op.operands[0]).dtype
    return lambda x: convert(x, source, result.dtype)
