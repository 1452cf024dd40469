"""The wasm_simd lowering of ``fxn.fma``: WebAssembly has no fused multiply-add, and ``fma``/``fmaf`` are libm.

The generic lowering makes ``math.fma``, which LLVM turns into calls of
libm's ``fmaf``/``fma`` on wasm32 (SIMD128 has no FMA instruction, not even
for scalars): a ``.wasm`` of fxn imports nothing, so this backend lowers
``fxn.fma`` itself, per element type, rounding once as ``fxn.fma`` defines:

- f16: the generic lowering (computed in f64 and narrowed once).
- f32: in f64, where the product of two f32 values is exact; the sum is
  rounded to odd (``two_sum`` gives ``RN(a + b)`` and its error; an inexact
  sum with an even last bit moves one ulp toward the exact value), and
  narrowing that to f32 rounds once to nearest even, because f64 has more
  than two bits more than f32 (Boldo and Melquiond, "Emulation of FMA and
  correctly rounded sums: proved algorithms using rounding to odd", IEEE
  Trans. Computers 57(4), 2008). About a dozen f64 operations per element.
- f64: their emulation of FMA: the exact product ``x * y = p + e`` (Dekker, with
  Veltkamp's split into 26-bit halves), ``(h, l) = two_sum(z, p)``, then
  ``RN(h + RO(l + e))``: about 25 operations per element. Exact where
  ``|x|, |y| < 2**995`` and ``2**-968 <= |x * y| < 2**1023`` (the split
  does not overflow, the product's error is representable); outside that
  (and for infinite or NaN operands) it is ``x * y + z`` rounded twice.
  That gives the special values IEEE gives, but its error is up to half an
  ulp of ``x * y``: where a tiny product cancels against ``z`` into a
  subnormal result, that is many ulps of the result (measured: about half
  of random operands of magnitude ``2**-500``), and a product past
  ``2**1023`` is infinite even where ``z`` would bring the sum back.

With the target option ``relaxed=true`` (relaxed SIMD), f32 and f64 become
``x * y + z`` with the ``contract`` fast-math flag, which LLVM selects as
``f32x4.relaxed_madd`` / ``f64x2.relaxed_madd`` in vector code. Relaxed
SIMD lets the engine choose: the result is fused (one rounding) where the
engine uses the CPU's FMA instruction, and rounded twice elsewhere, so
results may differ by one rounding between engines and machines (within
one ulp of the fused result: tested with wasmtime). Scalar code (0-d
values) has no relaxed scalar FMA and rounds twice.
"""

from __future__ import annotations

import functools

from fxn.backends.base import Target
from fxn.mlir import arith, ir
from fxn.passes.lowering import load_lowerings
from fxn.passes.lowering.math_expansion import Real, two_sum
from fxn.passes.lowering.structured import element_type, elementwise, tensor_type


def lower_fma(op, target: Target) -> ir.Value:
    """``fxn.fma`` for wasm32 (see the module docstring)."""
    result = tensor_type(op.results[0])
    if result.dtype == "f16":
        return load_lowerings()["fxn.fma"](op, target)
    if target.has_fma:  # relaxed SIMD: LLVM contracts to relaxed_madd
        body = contracted_multiply_add
    else:
        body = fma_f32_exact if result.dtype == "f32" else fma_f64_exact
    return elementwise(list(op.operands), result, body)


def contracted_multiply_add(x: ir.Value, y: ir.Value, z: ir.Value) -> ir.Value:
    """``x * y + z`` that LLVM may fuse (the ``contract`` flag on both operations)."""
    contract = ir.Attribute.parse("#arith.fastmath<contract>")
    return arith.addf(arith.mulf(x, y, fastmath=contract), z, fastmath=contract)


def fma_f32_exact(x: ir.Value, y: ir.Value, z: ir.Value) -> ir.Value:
    """``x * y + z`` of f32 values rounded once, in f64 arithmetic (see the module docstring).

    Special values come out of the f64 sum as IEEE says (``inf * 0`` is
    NaN, ``-0 * 1 + -0`` is ``-0``): then the error term is NaN or 0 and
    the sum is kept as it is.
    """
    f64 = element_type("f64")
    product = Real(arith.mulf(*(arith.extf(f64, v) for v in (x, y))))  # exact: 24 + 24 bits < 53
    total = round_to_odd(*two_sum(product, Real(arith.extf(f64, z))))
    return arith.truncf(element_type("f32"), total.value)


def fma_f64_exact(x: ir.Value, y: ir.Value, z: ir.Value) -> ir.Value:
    """``x * y + z`` of f64 values rounded once where the operands allow (see the module docstring)."""
    x, y, z = Real(x), Real(y), Real(z)
    product = x * y
    x_high, x_low = veltkamp_split(x)
    y_high, y_low = veltkamp_split(y)
    error = ((x_high * y_high - product) + x_high * y_low + x_low * y_high) + x_low * y_low  # exact (Dekker)
    high, low = two_sum(z, product)
    fused = high + round_to_odd(*two_sum(low, error))
    safe = [_below(x.abs(), 2.0 ** 995), _below(y.abs(), 2.0 ** 995), _below(product.abs(), 2.0 ** 1023),
            _below(z.abs(), float("inf")), arith.cmpf(arith.CmpFPredicate.OGE, product.abs().value,
                                                       product.constant(2.0 ** -968).value)]
    exact_range = functools.reduce(arith.andi, safe)
    return arith.select(exact_range, fused.value, (x * y + z).value)


def _below(value: Real, bound: float) -> ir.Value:
    return arith.cmpf(arith.CmpFPredicate.OLT, value.value, value.constant(bound).value)


def veltkamp_split(x: Real) -> tuple[Real, Real]:
    """``x = high + low`` exactly, each with at most 26 significant bits (finite ``|x| < 2**995``)."""
    scaled = x * float(2 ** 27 + 1)
    high = scaled - (scaled - x)
    return high, x - high


def round_to_odd(total: Real, error: Real) -> Real:
    """``total + error`` (``total = RN(total + error)``, f64) rounded to odd: ``total``, or its neighbour toward ``error``.

    An inexact sum whose last significand bit is even moves one ulp toward
    the exact value: one up in magnitude if ``error`` has ``total``'s sign,
    else one down (its bits plus or minus one, across binades too). A NaN
    error (from infinite operands) leaves ``total`` as it is.
    """
    i64, f64 = ir.IntegerType.get_signless(64), element_type("f64")
    bits = arith.bitcast(i64, total.value)
    zero, one = arith.constant(i64, 0), arith.constant(i64, 1)
    inexact = arith.cmpf(arith.CmpFPredicate.ONE, error.value, error.constant(0.0).value)
    even = arith.cmpi(arith.CmpIPredicate.eq, arith.andi(bits, one), zero)
    same_sign = arith.cmpi(arith.CmpIPredicate.sge, arith.xori(bits, arith.bitcast(i64, error.value)), zero)
    step = arith.select(same_sign, one, arith.constant(i64, -1))
    odd = arith.select(arith.andi(inexact, even), arith.addi(bits, step), bits)
    return Real(arith.bitcast(f64, odd))
