"""Floats as text, correctly rounded: ``fxn.format`` of an f32 or f64 (types ``f F e E``) and ``fxn.str_to_float``.

Both work on the value as a double (an f32 widened exactly), as Python
holds a float, with the exact arithmetic of :mod:`.exact_scaling`:

- formatting splits the double into ``mantissa * 2**twos``; fixed point
  with ``p`` decimals is ``round_half_even(mantissa * 2**twos * 10**p)``
  (a run-time ``ValueError`` where that reaches ``2**64``), its digits
  with the point before the last ``p``; scientific with ``p`` decimals
  estimates the decimal exponent ``X`` from the binary one, then scales to
  ``round_half_even(x * 10**(p - X))`` and moves ``X`` by one until those
  are ``p + 1`` digits (a rounding that carries to ``10**(p+1)`` moves it
  too, as CPython's does). Infinities and NaN are ``inf`` and ``nan`` (or
  upper case), a NaN never negative, as in CPython;
- parsing reads the text's significant digits (the first
  :data:`PARSED_DIGITS`, later ones only as whether any is not zero: a
  double's rounding boundaries have fewer significant digits, so that is
  exact) into a natural number ``D`` and its decimal exponent ``k``, then
  finds the binary exponent ``e`` that makes ``round_half_even(D * 10**k *
  2**-e)`` a 53-bit mantissa (from an estimate, moved by one until it is;
  the smallest exponent gives subnormals), and assembles the double's bits
  (infinity beyond the largest). An f32 result is that double rounded to
  f32, as ``numpy.float32(float(text))`` is.
"""

from __future__ import annotations

from fxn.dialects.format_spec import DEFAULT_FLOAT_PRECISION
from fxn.mlir import arith, ir, math, scf

from . import lowering
from .bounds import LITERAL_ERROR_FUNCTION, fail_unless
from .checked_allocation import FIXED_POINT_RANGE, NOT_A_FLOAT
from .exact_scaling import bit_length, multiply, natural, scaled_rounded
from .string import (_and_then, _assemble, _byte, _bytes_constant, _Digits, _digit_count, _empty, _enclosing_module,
                     _Fill, _i, _length, _pad, _scalar_tensor, _sign, _stripped, _ult, _while)
from .structured import generate, index, tensor_type

#: Limbs of the exact arithmetic formatting an f32 and an f64 (bits enough for every value and precision).
_FORMAT_LIMBS = {"f32": 10, "f64": 40}
#: Significant digits parsing keeps (a double's rounding boundaries have at most 768), and limbs it computes on.
PARSED_DIGITS, _PARSE_LIMBS = 800, 120


def _c(value: int) -> ir.Value:
    return arith.constant(_i(64), value - (1 << 64) if value >= 1 << 63 else value)


def _cmp(predicate: str, a: ir.Value, b: ir.Value) -> ir.Value:
    return arith.cmpi(getattr(arith.CmpIPredicate, predicate), a, b)


def _if(condition: ir.Value, types: list, then, otherwise) -> list[ir.Value]:
    """``then()`` or ``otherwise()`` (each a list of values of ``types``), only the chosen one run."""
    branch = scf.IfOp(condition, types, has_else=True)
    with ir.InsertionPoint(branch.then_block):
        scf.YieldOp(then())
    with ir.InsertionPoint(branch.else_block):
        scf.YieldOp(otherwise())
    return list(branch.results)


def _string_type() -> ir.Type:
    return ir.RankedTensorType.get([ir.ShapedType.get_dynamic_size()], _i(8))


# ----------------------------------------------------------------------------- format


def format_float(op, value: ir.Value, dtype: str, spec) -> ir.Value:
    """``format(value, spec)`` of an f32 or f64 ``value`` with a checked ``spec`` of type ``f F e E``."""
    i64 = _i(64)
    wide = value if dtype == "f64" else arith.extf(ir.F64Type.get(), value)
    bits = arith.bitcast(i64, wide)
    field = arith.andi(arith.shrui(bits, _c(52)), _c(0x7FF))
    fraction = arith.andi(bits, _c((1 << 52) - 1))
    subnormal = _cmp("eq", field, _c(0))
    mantissa = arith.select(subnormal, fraction, arith.ori(fraction, _c(1 << 52)))
    twos = arith.select(subnormal, _c(-1074), arith.subi(field, _c(1075)))
    special = _cmp("eq", field, _c(0x7FF))
    nan = arith.andi(special, _cmp("ne", fraction, _c(0)))
    precision = DEFAULT_FLOAT_PRECISION if spec.precision is None else spec.precision
    fixed = spec.type in "fF"
    limbs = _FORMAT_LIMBS[dtype]

    def finite():
        number = natural(mantissa, limbs)
        if fixed:
            return _fixed(op, number, twos, precision, spec.alternate)
        return _scientific(number, mantissa, twos, precision, spec.alternate, spec.type)

    body, zero = _if(special, [_string_type(), _i(1)],
                     lambda: [_special(nan, spec.type.isupper()), arith.constant(_i(1), 0)], finite)
    negative = arith.andi(_cmp("slt", bits, _c(0)), arith.xori(nan, arith.constant(_i(1), 1)))
    if spec.no_negative_zero:
        negative = arith.andi(negative, arith.xori(zero, arith.constant(_i(1), 1)))
    segments = []
    sign = _sign(negative, spec.sign)
    if sign is not None:
        segments.append(sign)
    segments.append((_length(body), lambda offset: _byte(body, offset)))
    if spec.width:
        content = segments[0][0]  # bytes, which are code points: the text is ASCII
        for length, _ in segments[1:]:
            content = arith.addi(content, length)
        fill, align = spec.padding(">")
        _pad(segments, content, spec.width, align, _Fill(fill))
    return _assemble(segments)


def _special(nan: ir.Value, upper: bool) -> ir.Value:
    """``inf`` or ``nan`` (upper case if ``upper``)."""
    words = _bytes_constant(b"INFNAN" if upper else b"infnan")
    start = arith.select(nan, index(3), index(0))
    return generate(_empty(index(3)), lambda at: _byte(words, arith.addi(at[0], start)))


def _char(text: str):
    return index(1), lambda offset: arith.constant(_i(8), ord(text))


def _fixed(op, number: ir.Value, twos: ir.Value, precision: int, alternate: bool) -> list[ir.Value]:
    """The digits of ``number * 2**twos`` with ``precision`` decimals, and whether they are all 0."""
    # Past 2**70 the value times 10**precision is beyond 2**64 anyway: the limbs need hold no more.
    scaled, beyond = scaled_rounded(number, arith.minsi(twos, _c(70)), _c(precision))
    fail_unless(arith.xori(beyond, arith.constant(_i(1), 1)), _c(precision), _c(0), FIXED_POINT_RANGE,
                _enclosing_module(op), LITERAL_ERROR_FUNCTION)
    digits = _Digits("d", 10)
    count = _digit_count(scaled, 10)
    whole = arith.select(_ult(count, index(precision + 1)), index(1), arith.subi(count, index(precision)))
    top = arith.addi(whole, index(precision - 1))
    segments = [(whole, lambda offset: digits.digit(scaled, arith.subi(top, offset)))]
    if precision or alternate:
        segments.append(_char("."))
    if precision:
        segments.append((index(precision), lambda offset: digits.digit(scaled, arith.subi(index(precision - 1),
                                                                                          offset))))
    return [_assemble(segments), _cmp("eq", scaled, _c(0))]


def _scientific(number: ir.Value, mantissa: ir.Value, twos: ir.Value, precision: int, alternate: bool,
                kind: str) -> list[ir.Value]:
    """The digits of ``number * 2**twos`` (``mantissa * 2**twos``) as ``d.ddd`` with ``precision`` decimals and an
    exponent, and whether they are all 0."""
    zero = _cmp("eq", mantissa, _c(0))
    top_bit = arith.subi(arith.addi(twos, _c(63)), math.ctlz(mantissa))  # floor(log2(x)) for x > 0
    estimate = arith.select(zero, _c(0), arith.shrsi(arith.muli(top_bit, _c(78913)), _c(18)))
    low, high = _c(10 ** precision), _c(10 ** (precision + 1))
    low = arith.select(zero, _c(0), low)
    i1 = _i(1)

    def step(exponent, scaled, done):
        value, beyond = scaled_rounded(number, twos, arith.subi(_c(precision), exponent))
        above = arith.ori(beyond, _cmp("uge", value, high))
        below = arith.andi(_cmp("ult", value, low), arith.xori(above, arith.constant(i1, 1)))  # value is junk if beyond
        moved = arith.subi(arith.addi(exponent, arith.extui(_i(64), above)), arith.extui(_i(64), below))
        return [moved, value, arith.xori(arith.ori(above, below), arith.constant(i1, 1))]

    exponent, scaled, _ = _while([estimate, _c(0), arith.constant(i1, 0)],
                                 lambda e, s, done: arith.xori(done, arith.constant(i1, 1)), step)
    digits = _Digits("d", 10)
    segments = [(index(1), lambda offset: digits.digit(scaled, index(precision)))]
    if precision or alternate:
        segments.append(_char("."))
    if precision:
        segments.append((index(precision), lambda offset: digits.digit(scaled, arith.subi(index(precision - 1),
                                                                                          offset))))
    segments.append(_char("E" if kind == "E" else "e"))
    negative = _cmp("slt", exponent, _c(0))
    sign = arith.select(negative, arith.constant(_i(8), ord("-")), arith.constant(_i(8), ord("+")))
    segments.append((index(1), lambda offset: sign))
    magnitude = arith.select(negative, arith.subi(_c(0), exponent), exponent)
    count = arith.maxui(_digit_count(magnitude, 10), index(2))
    segments.append((count, lambda offset: digits.digit(magnitude, arith.subi(arith.subi(count, index(1)), offset))))
    return [_assemble(segments), _cmp("eq", scaled, _c(0))]


# ----------------------------------------------------------------------------- float()


def _lower_byte(string: ir.Value, at: ir.Value) -> ir.Value:
    """The byte at ``at``, ASCII letters in lower case (``| 0x20``: no other byte becomes a letter)."""
    return arith.ori(_byte(string, at), arith.constant(_i(8), 0x20))


def _is_word(string: ir.Value, start: ir.Value, end: ir.Value, word: str) -> ir.Value:
    """Whether the bytes from ``start`` to ``end`` are ``word`` (lower case letters) in any case."""
    def letters():
        same = arith.constant(_i(1), 1)
        for k, char in enumerate(word):
            letter = _lower_byte(string, arith.addi(start, index(k)))
            same = arith.andi(same, _cmp("eq", letter, arith.constant(_i(8), ord(char))))
        return same

    return _and_then(_cmp("eq", arith.subi(end, start), index(len(word))), letters)


class _Scan:
    """The state of the scan of a decimal number: one ``scf.while`` carrying these values (see :func:`_scan`)."""

    FIELDS = ("at", "phase", "after_digit", "digits", "exponent_digits", "kept", "adjust", "exponent",
              "exponent_negative", "sticky", "bad", "number")

    def __init__(self, values):
        for name, value in zip(self.FIELDS, values):
            setattr(self, name, value)

    def values(self) -> list[ir.Value]:
        return [getattr(self, name) for name in self.FIELDS]


def _scan(string: ir.Value, start: ir.Value, end: ir.Value) -> _Scan:
    """Scan a decimal number from ``start`` to ``end``: phase 0 the integer digits, 1 the fraction's, 2 the exponent's.
    ``number`` holds the first :data:`PARSED_DIGITS` significant digits, ``kept`` how many, ``adjust`` the power of
    ten they are short of (digits dropped before the point, kept after it), ``sticky`` whether a dropped digit is
    not 0; ``bad`` stops the scan at the first byte out of place (``at`` is then that byte)."""
    i1, i8, i64 = _i(1), _i(8), _i(64)
    false, true = arith.constant(i1, 0), arith.constant(i1, 1)
    zero = _c(0)
    init = _Scan([start, zero, false, false, false, zero, zero, zero, false, false, false,
                  natural(_c(0), _PARSE_LIMBS)])

    def is_digit_at(at):
        return _and_then(_ult(at, end), lambda: _cmp("ult", arith.subi(_byte(string, at), arith.constant(
            i8, ord("0"))), arith.constant(i8, 10)))

    def step(*values):
        s = _Scan(values)
        byte = _byte(string, s.at)
        digit8 = arith.subi(byte, arith.constant(i8, ord("0")))
        is_digit = _cmp("ult", digit8, arith.constant(i8, 10))
        digit = arith.extui(i64, digit8)
        in_mantissa = _cmp("slt", s.phase, _c(2))
        fraction = _cmp("eq", s.phase, _c(1))
        leading = arith.andi(_cmp("eq", s.kept, zero), _cmp("eq", digit, zero))
        keep = arith.andi(arith.andi(is_digit, in_mantissa), arith.andi(
            arith.xori(leading, true), _cmp("slt", s.kept, _c(PARSED_DIGITS))))
        dropped = arith.andi(arith.andi(is_digit, in_mantissa), arith.xori(arith.ori(leading, keep), true))
        number = _if(keep, [s.number.type], lambda: [multiply(s.number, _c(10), digit)], lambda: [s.number])[0]
        adjust_by = arith.select(fraction, arith.select(arith.ori(leading, keep), _c(-1), zero),
                                 arith.select(dropped, _c(1), zero))
        adjust = arith.select(arith.andi(is_digit, in_mantissa), arith.addi(s.adjust, adjust_by), s.adjust)
        in_exponent = arith.andi(is_digit, arith.xori(in_mantissa, true))
        exponent = arith.select(in_exponent, arith.minsi(arith.addi(arith.muli(s.exponent, _c(10)), digit),
                                                         _c(1_000_000)), s.exponent)
        next_at = arith.addi(s.at, index(1))
        underscore = arith.andi(_cmp("eq", byte, arith.constant(i8, ord("_"))),
                                arith.andi(s.after_digit, is_digit_at(next_at)))
        point = arith.andi(_cmp("eq", byte, arith.constant(i8, ord("."))), _cmp("eq", s.phase, zero))
        marker = arith.andi(arith.andi(_cmp("eq", _lower_byte(string, s.at), arith.constant(i8, ord("e"))),
                                       in_mantissa), s.digits)
        after_marker = arith.minui(next_at, arith.subi(end, index(1)))
        sign_byte = _byte(string, after_marker)
        minus = _cmp("eq", sign_byte, arith.constant(i8, ord("-")))
        signed = arith.andi(arith.andi(marker, _ult(next_at, end)),
                            arith.ori(minus, _cmp("eq", sign_byte, arith.constant(i8, ord("+")))))
        ok = arith.ori(arith.ori(is_digit, underscore), arith.ori(point, marker))
        phase = arith.select(point, _c(1), arith.select(marker, _c(2), s.phase))
        advance = arith.select(signed, index(2), index(1))
        return _Scan([arith.select(ok, arith.addi(s.at, advance), s.at), phase, is_digit,
                      arith.ori(s.digits, arith.andi(is_digit, in_mantissa)),
                      arith.ori(s.exponent_digits, in_exponent), arith.addi(s.kept, arith.extui(i64, keep)), adjust,
                      exponent, arith.ori(s.exponent_negative, arith.andi(signed, minus)),
                      arith.ori(s.sticky, arith.andi(dropped, _cmp("ne", digit, zero))),
                      arith.xori(ok, true), number]).values()

    def scanning(*values):
        s = _Scan(values)
        return arith.andi(_ult(s.at, end), arith.xori(s.bad, true))

    return _Scan(_while(init.values(), scanning, step))


def _double_bits(number: ir.Value, kept: ir.Value, tens: ir.Value) -> ir.Value:
    """The bits of the double nearest ``number * 10**tens`` (``number`` of ``kept`` significant digits, not 0)."""
    i1 = _i(1)
    order = arith.addi(kept, tens)  # the number is below 10**order and at least 10**(order - 1)

    def finite():
        binary = arith.addi(arith.subi(bit_length(number), _c(53)),
                            arith.shrsi(arith.muli(tens, _c(1741647)), _c(19)))  # tens * log2(10), floored
        estimate = arith.maxsi(binary, _c(-1074))

        def step(twos, scaled, done):
            value, beyond = scaled_rounded(number, arith.subi(_c(0), twos), tens)
            above = arith.ori(beyond, _cmp("uge", value, _c(1 << 53)))
            below = arith.andi(arith.andi(_cmp("ult", value, _c(1 << 52)), _cmp("sgt", twos, _c(-1074))),
                               arith.xori(above, arith.constant(i1, 1)))
            moved = arith.subi(arith.addi(twos, arith.extui(_i(64), above)), arith.extui(_i(64), below))
            return [moved, value, arith.xori(arith.ori(above, below), arith.constant(i1, 1))]

        twos, scaled, _ = _while([estimate, _c(0), arith.constant(i1, 0)],
                                 lambda t, s, done: arith.xori(done, arith.constant(i1, 1)), step)
        normal = arith.ori(arith.shli(arith.addi(twos, _c(1075)), _c(52)), arith.subi(scaled, _c(1 << 52)))
        bits = arith.select(_cmp("ult", scaled, _c(1 << 52)), scaled, normal)
        return [arith.select(_cmp("sgt", twos, _c(971)), _c(0x7FF << 52), bits)]

    huge, tiny = _cmp("sgt", order, _c(310)), _cmp("slt", order, _c(-324))
    return _if(arith.ori(huge, tiny), [_i(64)], lambda: [arith.select(huge, _c(0x7FF << 52), _c(0))], finite)[0]


@lowering("fxn.str_to_float")
def lower_str_to_float(op, target):
    """Whitespace skipped at both ends, a sign, then a word (``inf``, ``infinity``, ``nan``) or a decimal number scanned
    (:func:`_scan`) and rounded to a double (:func:`_double_bits`); a literal check for text that is neither (a
    ValueError through the status)."""
    string = op.operands[0]
    dtype = tensor_type(op.results[0]).dtype
    i1, i8, i64 = _i(1), _i(8), _i(64)
    length = _length(string)
    start, end = _stripped(string, length)
    inside = _ult(start, end)
    negative = _and_then(inside, lambda: _cmp("eq", _byte(string, start), arith.constant(i8, ord("-"))))
    signed = arith.ori(negative, _and_then(inside, lambda: _cmp("eq", _byte(string, start),
                                                                  arith.constant(i8, ord("+")))))
    body = arith.select(signed, arith.addi(start, index(1)), start)
    infinite = arith.ori(_is_word(string, body, end, "inf"), _is_word(string, body, end, "infinity"))
    nan = _is_word(string, body, end, "nan")
    scan = _scan(string, body, end)
    number = arith.andi(arith.andi(arith.xori(scan.bad, arith.constant(i1, 1)), scan.digits),
                        arith.ori(_cmp("slt", scan.phase, _c(2)), scan.exponent_digits))
    valid = arith.ori(arith.ori(infinite, nan), arith.andi(number, _cmp("eq", scan.at, end)))
    fail_unless(valid, arith.index_cast(i64, scan.at), arith.index_cast(i64, length), NOT_A_FLOAT,
                _enclosing_module(op), LITERAL_ERROR_FUNCTION)
    exponent = arith.select(scan.exponent_negative, arith.subi(_c(0), scan.exponent), scan.exponent)
    tens = arith.addi(exponent, scan.adjust)
    # A dropped digit that is not 0 is one more digit 1 after the kept ones: exact, as a double's rounding boundaries
    # have fewer significant digits than those kept.
    number_value = _if(scan.sticky, [scan.number.type], lambda: [multiply(scan.number, _c(10), _c(1))],
                       lambda: [scan.number])[0]
    tens = arith.select(scan.sticky, arith.subi(tens, _c(1)), tens)
    kept = arith.addi(scan.kept, arith.extui(i64, scan.sticky))
    magnitude = _if(arith.ori(arith.ori(infinite, nan), _cmp("eq", kept, _c(0))), [i64],
                    lambda: [arith.select(nan, _c(0x7FF8 << 48), arith.select(infinite, _c(0x7FF << 52), _c(0)))],
                    lambda: [_double_bits(number_value, kept, tens)])[0]
    bits = arith.select(negative, arith.ori(magnitude, _c(1 << 63)), magnitude)
    value = arith.bitcast(ir.F64Type.get(), bits)
    if dtype == "f32":
        value = arith.truncf(ir.F32Type.get(), value)
    return _scalar_tensor(value)
