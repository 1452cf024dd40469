"""Exact decimal scaling of binary numbers: what formatting and parsing floats correctly rounded need.

``round_half_even(x * 2**a * 10**b)`` for a natural number ``x`` and
run-time integers ``a`` and ``b`` of either sign, computed exactly on a
natural number of ``limbs`` 32-bit limbs (a ``tensor<limbs x i64>``, limb
0 the least significant, each holding 32 bits in an i64 so that a limb
times a 32-bit factor plus a carry fits 64 bits). Only two primitives
touch the limbs, each one ``scf.for`` over them: multiplying by a factor
below ``2**32`` and dividing by a divisor below ``2**32`` (long division
from the top limb, the remainder carried down). The scaling multiplies by
the positive powers (``2**31`` and ``10**9`` at a time), then divides by
the negative ones, keeping whether any division left a remainder: the
quotient of ``2 x`` is then the rounded-down result and its half bit, and
the remainders the sticky bit, which is all round-half-even needs (that
``floor(floor(n / p) / q) == floor(n / (p q))`` and that the remainder of
the whole is zero exactly when each step's is).

Nothing here uses wider integers than i64, nor their multiplication's high
half, nor any library call: the code runs unchanged on every target
(wasm32 included). The caller bounds the magnitudes so that nothing
exceeds the limbs (a product beyond them would lose its high limbs).
"""

from __future__ import annotations

from fxn.dialects.elements import numpy_to_elements
from fxn.lazy import numpy as np
from fxn.mlir import arith, ir, math, scf, tensor

from .structured import index

#: Bits of each limb.
LIMB_BITS = 32
#: The largest powers of 10 and 2 below ``2**32``, applied at a time.
_DECIMAL_CHUNK, _BINARY_CHUNK = 9, 31


def _i64() -> ir.Type:
    return ir.IntegerType.get_signless(64)


def _const(value: int) -> ir.Value:
    return arith.constant(_i64(), value - (1 << 64) if value >= 1 << 63 else value)


def bit_length(number: ir.Value) -> ir.Value:
    """The bits of ``number`` up to its highest one (0 for 0), an i64: its highest non-zero limb's."""
    count = _limb_count(number)
    zero = arith.constant(_i64(), 0)
    loop = scf.ForOp(index(0), index(count), index(1), [zero])
    with ir.InsertionPoint(loop.body):
        limb = tensor.extract(number, [loop.induction_variable])
        bits = arith.addi(arith.muli(arith.index_cast(_i64(), loop.induction_variable), _const(LIMB_BITS)),
                          arith.subi(_const(64), math.ctlz(limb)))
        scf.YieldOp([arith.select(arith.cmpi(arith.CmpIPredicate.ne, limb, zero), bits, loop.inner_iter_args[0])])
    return loop.results[0]


def natural(value: ir.Value, limbs: int) -> ir.Value:
    """The natural number ``value`` (an unsigned i64) on ``limbs`` limbs."""
    zero = arith.constant(_i64(), 0)
    low = arith.andi(value, _const(0xFFFFFFFF))
    high = arith.shrui(value, _const(32))
    return tensor.from_elements(ir.RankedTensorType.get([limbs], _i64()), [low, high] + [zero] * (limbs - 2))


def _limb_count(number: ir.Value) -> int:
    return ir.RankedTensorType(number.type).shape[0]


def multiply(number: ir.Value, factor: ir.Value, addend: ir.Value | None = None) -> ir.Value:
    """``number * factor + addend`` (i64s below ``2**32``; no addend: 0): each limb times the factor plus the carry,
    from the lowest, the addend the first carry."""
    carry = addend if addend is not None else arith.constant(_i64(), 0)
    loop = scf.ForOp(index(0), index(_limb_count(number)), index(1), [number, carry])
    with ir.InsertionPoint(loop.body):
        limbs, carry = loop.inner_iter_args
        i = loop.induction_variable
        total = arith.addi(arith.muli(tensor.extract(limbs, [i]), factor), carry)
        limbs = tensor.insert(arith.andi(total, _const(0xFFFFFFFF)), limbs, [i])
        scf.YieldOp([limbs, arith.shrui(total, _const(32))])
    return loop.results[0]


def divide(number: ir.Value, divisor: ir.Value) -> tuple[ir.Value, ir.Value]:
    """``number // divisor`` (an i64 below ``2**32``, not 0) and whether the remainder is not zero (an i1): long
    division from the highest limb, each step's remainder carried into the next limb's 64 bits."""
    count = _limb_count(number)
    loop = scf.ForOp(index(0), index(count), index(1), [number, arith.constant(_i64(), 0)])
    with ir.InsertionPoint(loop.body):
        limbs, remainder = loop.inner_iter_args
        i = arith.subi(index(count - 1), loop.induction_variable)
        dividend = arith.ori(arith.shli(remainder, _const(32)), tensor.extract(limbs, [i]))
        limbs = tensor.insert(arith.divui(dividend, divisor), limbs, [i])
        scf.YieldOp([limbs, arith.remui(dividend, divisor)])
    return loop.results[0], arith.cmpi(arith.CmpIPredicate.ne, loop.results[1], arith.constant(_i64(), 0))


def _power_table(base: int, chunk: int) -> ir.Value:
    attr = numpy_to_elements(np.array([base ** k for k in range(chunk + 1)], np.int64))
    return arith.constant(attr.type, attr)


def _repeated(number: ir.Value, times: ir.Value, base: int, chunk: int, step, sticky: ir.Value | None = None):
    """``step`` (multiply or divide) of ``number`` by ``base ** times`` (an i64, at most 0: nothing), ``base **
    chunk`` at a time; with ``sticky``, ``step`` also says whether it left a remainder, or-ed into it."""
    table = _power_table(base, chunk)
    inits = [number, times] + ([sticky] if sticky is not None else [])
    types = [v.type for v in inits]
    loop = scf.WhileOp(types, inits)
    before = loop.before.blocks.append(*types)
    with ir.InsertionPoint(before):
        more = arith.cmpi(arith.CmpIPredicate.sgt, before.arguments[1], arith.constant(_i64(), 0))
        scf.ConditionOp(more, list(before.arguments))
    after = loop.after.blocks.append(*types)
    with ir.InsertionPoint(after):
        current, left = after.arguments[0], after.arguments[1]
        now = arith.minsi(left, arith.constant(_i64(), chunk))
        factor = tensor.extract(table, [arith.index_cast(ir.IndexType.get(), now)])
        results = [arith.subi(left, now)]
        if sticky is None:
            current = step(current, factor)
        else:
            current, inexact = step(current, factor)
            results.append(arith.ori(after.arguments[2], inexact))
        scf.YieldOp([current] + results)
    return list(loop.results)


def scaled_rounded(number: ir.Value, twos: ir.Value, tens: ir.Value) -> tuple[ir.Value, ir.Value]:
    """``round_half_even(number * 2**twos * 10**tens)`` as an unsigned i64 (``twos`` and ``tens`` i64s of either
    sign), and whether it is at least ``2**64`` (an i1; the i64 is then meaningless)."""
    zero = arith.constant(_i64(), 0)
    doubled = multiply(number, arith.constant(_i64(), 2))
    doubled = _repeated(doubled, twos, 2, _BINARY_CHUNK, multiply)[0]
    doubled = _repeated(doubled, tens, 10, _DECIMAL_CHUNK, multiply)[0]
    false = arith.constant(ir.IntegerType.get_signless(1), 0)
    doubled, _, sticky = _repeated(doubled, arith.subi(zero, twos), 2, _BINARY_CHUNK, divide, false)
    doubled, _, sticky = _repeated(doubled, arith.subi(zero, tens), 10, _DECIMAL_CHUNK, divide, sticky)
    # doubled = floor(2 * exact): limbs 0..2 hold it when the result is below 2**64.
    limb = [tensor.extract(doubled, [index(k)]) for k in range(3)]
    result = arith.ori(arith.ori(arith.shrui(limb[0], _const(1)), arith.shli(limb[1], _const(31))),
                       arith.shli(limb[2], _const(63)))
    half = arith.andi(limb[0], _const(1))
    odd = arith.andi(result, _const(1))
    up = arith.andi(arith.cmpi(arith.CmpIPredicate.ne, half, zero),
                    arith.ori(sticky, arith.cmpi(arith.CmpIPredicate.ne, odd, zero)))
    high = _high_limbs(doubled)
    too_big = arith.ori(arith.cmpi(arith.CmpIPredicate.ugt, limb[2], _const(1)),
                        arith.cmpi(arith.CmpIPredicate.ne, high, zero))
    carried_out = arith.andi(up, arith.cmpi(arith.CmpIPredicate.eq, result, _const((1 << 64) - 1)))
    rounded = arith.addi(result, arith.extui(_i64(), up))
    return rounded, arith.ori(too_big, carried_out)


def _high_limbs(number: ir.Value) -> ir.Value:
    """The limbs from 3 on or-ed together (zero exactly when the number is below ``2**96``)."""
    loop = scf.ForOp(index(3), index(_limb_count(number)), index(1), [arith.constant(_i64(), 0)])
    with ir.InsertionPoint(loop.body):
        scf.YieldOp([arith.ori(loop.inner_iter_args[0], tensor.extract(number, [loop.induction_variable]))])
    return loop.results[0]
