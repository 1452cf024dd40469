"""Generic lowering of the string ops (``fxn.dialects.string``) to tensor, linalg, scf and arith.

A string is a ``tensor<?xi8>`` once lowered (its UTF-8 bytes, signless as
all lowered code is). Ops that make a string compute its byte length first
and fill a fresh ``tensor.empty`` of that length with ``linalg.generic``s
(:func:`~.structured.generate`: each byte computed from its index, so the
result is a contiguous buffer written once); ops that inspect strings are
scalar loops (``scf.while``) that stop at the first byte that decides.

- ``fxn.str_constant``: an ``arith.constant`` of the bytes, cast to ``?``;
- ``fxn.str_concat``: each input inserted into its window of the result
  (``tensor.insert_slice``: bufferized, a copy into a view of the one result
  buffer; a generic per window would not do, since canonicalization folds
  the slice of a ``tensor.empty`` it writes into a buffer of its own);
- ``fxn.str_len``: a reduction counting the bytes that are not ``0b10xxxxxx``;
- ``fxn.str_compare``: the first differing byte below the shorter length,
  compared unsigned, else the lengths;
- ``fxn.str_contains``: each start position in turn, each compared byte by
  byte (no preprocessing: ``O(n m)`` in the worst case);
  ``fxn.str_starts_with``/``fxn.str_ends_with``: one such comparison;
- ``fxn.str_slice``/``fxn.str_at``: the bounds in code points (Python's
  clamping; ``str_at`` checks its index: CPython's ``IndexError: string
  index out of range``), their byte
  offsets from a scan counting lead bytes, the bytes between copied;
- ``fxn.str_to_int``: whitespace skipped, a sign, one loop accumulating
  the digits; a literal check (a ``ValueError`` through the status) for
  text that is no integer and for one beyond the result's range;
- ``fxn.format``: the digits' count from a loop dividing by the radix, the
  layout (fill, sign, prefix, padding after the sign, digits, fill) from
  the parsed spec, and each byte from its segment, digits from a table of
  powers of the radix. A bool without a spec is ``True`` or ``False``. A
  string is its bytes up to the precision's code point (a loop) between
  fills. A float's digits come from :mod:`.float_text` (which also lowers
  ``fxn.str_to_float``); the methods making strings of computed lengths
  are in :mod:`.string_methods`.
"""

from __future__ import annotations

from fxn.dialects.elements import numpy_to_elements
from fxn.dialects.format_spec import ALTERNATE_PREFIX, FLOAT_DTYPES, INTEGER_RADIX, parse
from fxn.dialects.types import STRING
from fxn.lazy import numpy as np
from fxn.mlir import arith, ir, linalg, scf, tensor

from . import lowering
from .bounds import LITERAL_ERROR_FUNCTION, fail_unless
from .checked_allocation import STRING_INDEX
from .structured import generate, if_else, index, tensor_type, with_window

#: The largest number of digits a 64-bit magnitude (at most 2**64 - 1) has in base 10.
_MAX_DECIMAL_DIGITS = 20


def _i(bits: int) -> ir.Type:
    return ir.IntegerType.get_signless(bits)


def _index_type() -> ir.Type:
    return ir.IndexType.get()


def _bytes_constant(data: bytes) -> ir.Value:
    """A ``tensor<Nxi8>`` constant holding ``data``."""
    attr = numpy_to_elements(np.frombuffer(data, np.int8))
    return arith.constant(attr.type, attr)


def _dynamic(value: ir.Value) -> ir.Value:
    """A 1-d i8 tensor as ``tensor<?xi8>``."""
    string = ir.RankedTensorType.get([ir.ShapedType.get_dynamic_size()], _i(8))
    return value if value.type == string else tensor.cast(string, value)


def _length(string: ir.Value) -> ir.Value:
    return tensor.dim(string, index(0))


def _byte(string: ir.Value, position: ir.Value) -> ir.Value:
    return tensor.extract(string, [position])


def _empty(size: ir.Value) -> ir.Value:
    return tensor.empty([size], _i(8))


def _scalar_tensor(value: ir.Value) -> ir.Value:
    """A 0-d tensor holding ``value``."""
    return tensor.from_elements(ir.RankedTensorType.get([], value.type), [value])


def _while(inits: list[ir.Value], condition, body) -> list[ir.Value]:
    """``while condition(*values): values = body(*values)``; the final values.

    ``condition`` returns an i1 (evaluated on the current values), ``body``
    the next values (of the same types).
    """
    types = [v.type for v in inits]
    loop = scf.WhileOp(types, inits)
    before = loop.before.blocks.append(*types)
    with ir.InsertionPoint(before):
        scf.ConditionOp(condition(*before.arguments), list(before.arguments))
    after = loop.after.blocks.append(*types)
    with ir.InsertionPoint(after):
        scf.YieldOp(list(body(*after.arguments)))
    return list(loop.results)


def _is_lead(byte: ir.Value) -> ir.Value:
    """Whether a UTF-8 byte starts a code point (is not ``0b10xxxxxx``)."""
    return arith.cmpi(arith.CmpIPredicate.ne, arith.andi(byte, arith.constant(_i(8), 0xC0 - 256)),
                      arith.constant(_i(8), 0x80 - 256))


def _code_point_count(string: ir.Value) -> ir.Value:
    """The number of code points of ``string``, as an index (a reduction over its bytes)."""
    i64 = _i(64)
    count = linalg.fill(arith.constant(i64, 0), outs=[tensor.empty([], i64)])
    maps = [ir.AffineMap.get_identity(1), ir.AffineMap.get(1, 0, [])]

    @linalg.generic([string], [count], maps, [linalg.IteratorType.reduction])
    def counted(byte, total):
        return arith.addi(total, arith.extui(i64, _is_lead(byte)))

    return counted


def _code_point_offset(string: ir.Value, count: ir.Value, start: tuple | None = None) -> tuple[ir.Value, ir.Value]:
    """The byte offset where code point ``count`` of ``string`` starts (its length if it has fewer), and how many
    code points come before it; both index values. The scan starts at ``start``: a byte offset where a code
    point starts and that code point's number (default: the string's start)."""
    length = _length(string)

    def before_it(i, seen):
        return _and_then(_ult(i, length), lambda: arith.ori(
            arith.xori(_is_lead(_byte(string, i)), arith.constant(_i(1), 1)), _ult(seen, count)))

    def step(i, seen):
        lead = arith.index_cast(_index_type(), arith.extui(_i(64), _is_lead(_byte(string, i))))
        return [arith.addi(i, index(1)), arith.addi(seen, lead)]

    offset, seen = _while(list(start or (index(0), index(0))), before_it, step)
    return offset, seen


def _bytes_match(string: ir.Value, offset: ir.Value, part: ir.Value) -> ir.Value:
    """Whether ``part``'s bytes are ``string``'s from ``offset`` on (which must leave room for them)."""
    part_length = _length(part)

    def matching(j):
        return _and_then(_ult(j, part_length), lambda: arith.cmpi(
            arith.CmpIPredicate.eq, _byte(string, arith.addi(offset, j)), _byte(part, j)))

    (matched,) = _while([index(0)], matching, lambda j: [arith.addi(j, index(1))])
    return arith.cmpi(arith.CmpIPredicate.eq, matched, part_length)


def _and_then(condition: ir.Value, then_value) -> ir.Value:
    """``condition and then_value()``, evaluating ``then_value`` only when ``condition`` holds."""
    return if_else(condition, _i(1), then_value, lambda: arith.constant(_i(1), 0))


def _ult(a: ir.Value, b: ir.Value) -> ir.Value:
    return arith.cmpi(arith.CmpIPredicate.ult, a, b)


@lowering("fxn.str_constant")
def lower_str_constant(op, target):
    return _dynamic(_bytes_constant(op.attributes["value"].value_bytes))


@lowering("fxn.str_concat")
def lower_str_concat(op, target):
    """Each input inserted at its offset into one fresh buffer (a copy each: a loop LLVM may make a memcpy)."""
    inputs = list(op.operands)
    lengths = [_length(s) for s in inputs]
    total = lengths[0]
    for length in lengths[1:]:
        total = arith.addi(total, length)
    result = _empty(total)
    offset = index(0)
    for string, length in zip(inputs, lengths):
        result = with_window(string, result, [offset], [length])
        offset = arith.addi(offset, length)
    return result


@lowering("fxn.str_len")
def lower_str_len(op, target):
    """A reduction: the count of bytes ``b`` with ``b & 0xC0 != 0x80`` (the first byte of each code point)."""
    return _code_point_count(op.operands[0])


@lowering("fxn.str_compare")
def lower_str_compare(op, target):
    """The first index below the shorter length where the bytes differ; the predicate on those bytes (unsigned),
    or on the lengths if there is none."""
    lhs, rhs = op.operands
    predicate = getattr(arith.CmpIPredicate, {"eq": "eq", "ne": "ne", "lt": "ult", "le": "ule", "gt": "ugt",
                                              "ge": "uge"}[op.attributes["predicate"].value])
    lhs_length, rhs_length = _length(lhs), _length(rhs)
    shorter = arith.minui(lhs_length, rhs_length)

    def equal_so_far(i):
        return _and_then(_ult(i, shorter), lambda: arith.cmpi(arith.CmpIPredicate.eq, _byte(lhs, i), _byte(rhs, i)))

    (first,) = _while([index(0)], equal_so_far, lambda i: [arith.addi(i, index(1))])
    result = if_else(_ult(first, shorter), _i(1),
                     lambda: arith.cmpi(predicate, _byte(lhs, first), _byte(rhs, first)),
                     lambda: arith.cmpi(predicate, lhs_length, rhs_length))
    return _scalar_tensor(result)


@lowering("fxn.str_contains")
def lower_str_contains(op, target):
    """Each start from 0 while the needle fits, compared byte by byte, until one matches."""
    haystack, needle = op.operands
    haystack_length, needle_length = _length(haystack), _length(needle)
    false = arith.constant(_i(1), 0)

    def searching(start, found):
        fits = arith.cmpi(arith.CmpIPredicate.ule, arith.addi(start, needle_length), haystack_length)
        return arith.andi(arith.xori(found, arith.constant(_i(1), 1)), fits)

    def try_start(start, found):
        return [arith.addi(start, index(1)), _bytes_match(haystack, start, needle)]

    _, found = _while([index(0), false], searching, try_start)
    return _scalar_tensor(found)


@lowering("fxn.str_starts_with")
def lower_str_starts_with(op, target):
    string, prefix = op.operands
    fits = arith.cmpi(arith.CmpIPredicate.ule, _length(prefix), _length(string))
    return _scalar_tensor(_and_then(fits, lambda: _bytes_match(string, index(0), prefix)))


@lowering("fxn.str_ends_with")
def lower_str_ends_with(op, target):
    string, suffix = op.operands
    fits = arith.cmpi(arith.CmpIPredicate.ule, _length(suffix), _length(string))
    return _scalar_tensor(_and_then(fits, lambda: _bytes_match(
        string, arith.subi(_length(string), _length(suffix)), suffix)))


# ----------------------------------------------------------------------------- slices


def _count_i64(string: ir.Value) -> ir.Value:
    """The number of code points of ``string`` as an i64."""
    return tensor.extract(_code_point_count(string), [])


def _clamped(position: ir.Value, count: ir.Value) -> ir.Value:
    """A slice bound (i64) as Python's ``slice.indices`` has it: plus ``count`` where negative, then within
    ``[0, count]``."""
    zero = arith.constant(_i(64), 0)
    negative = arith.cmpi(arith.CmpIPredicate.slt, position, zero)
    from_end = arith.maxsi(arith.addi(position, count), zero)
    return arith.select(negative, from_end, arith.minsi(position, count))


def _copy(string: ir.Value, start: ir.Value, end: ir.Value) -> ir.Value:
    """A fresh string of ``string``'s bytes from ``start`` to ``end`` (index values)."""
    return generate(_empty(arith.subi(end, start)), lambda at: _byte(string, arith.addi(at[0], start)))


def _as_index(value: ir.Value) -> ir.Value:
    return arith.index_cast(_index_type(), value)


@lowering("fxn.str_slice")
def lower_str_slice(op, target):
    """The bounds clamped in code points, their byte offsets from a scan, the bytes between copied."""
    string, start, stop = op.operands
    count = _count_i64(string)
    first = _clamped(tensor.extract(start, []), count)
    last = arith.maxsi(_clamped(tensor.extract(stop, []), count), first)
    begin = _code_point_offset(string, _as_index(first))
    end, _ = _code_point_offset(string, _as_index(last), begin)
    return _copy(string, begin[0], end)


@lowering("fxn.str_at")
def lower_str_at(op, target):
    """The index from the end where negative, checked (an IndexError), its code point's bytes copied."""
    string, position = op.operands
    count = _count_i64(string)
    given = tensor.extract(position, [])
    wrapped = arith.select(arith.cmpi(arith.CmpIPredicate.slt, given, arith.constant(_i(64), 0)),
                           arith.addi(given, count), given)
    fail_unless(arith.cmpi(arith.CmpIPredicate.ult, wrapped, count), given, count, STRING_INDEX,
                _enclosing_module(op))
    begin = _code_point_offset(string, _as_index(wrapped))
    end, _ = _code_point_offset(string, arith.addi(_as_index(wrapped), index(1)), begin)
    return _copy(string, begin[0], end)


def _enclosing_module(op):
    parent = op.operation.parent
    while parent.name != "builtin.module":
        parent = parent.parent
    return parent


# ----------------------------------------------------------------------------- int()


#: Above this a magnitude times 10 plus a digit could leave 64 bits: parsing saturates (to all ones) instead.
_SATURATION = (1 << 63) // 10


def _is_space(byte: ir.Value) -> ir.Value:
    """Whether a byte is ASCII whitespace as ``int()`` strips it: space, or ``\\t`` through ``\\r``."""
    i8 = _i(8)
    control = arith.cmpi(arith.CmpIPredicate.ult, arith.subi(byte, arith.constant(i8, 9)), arith.constant(i8, 5))
    return arith.ori(arith.cmpi(arith.CmpIPredicate.eq, byte, arith.constant(i8, 32)), control)


def _stripped(string: ir.Value, length: ir.Value) -> tuple[ir.Value, ir.Value]:
    """The bounds ``[start, end)`` of ``string`` (of ``length`` bytes) without its leading and trailing ASCII
    whitespace (:func:`_is_space`), as ``int()`` and ``float()`` skip it."""
    (start,) = _while([index(0)], lambda i: _and_then(_ult(i, length), lambda: _is_space(_byte(string, i))),
                      lambda i: [arith.addi(i, index(1))])
    (end,) = _while([length], lambda j: _and_then(_ult(start, j), lambda: _is_space(
        _byte(string, arith.subi(j, index(1))))), lambda j: [arith.subi(j, index(1))])
    return start, end


@lowering("fxn.str_to_int")
def lower_str_to_int(op, target):
    """Whitespace skipped at both ends, a sign, then one loop over the digits accumulating the magnitude (saturating
    past 64 bits) until a byte that is neither a digit nor an underscore after one; a literal check each for the
    text and for the range (a ValueError through the status)."""
    string = op.operands[0]
    result = tensor_type(op.results[0])
    bits = int(result.dtype.lstrip("i"))
    i1, i8, i64 = _i(1), _i(8), _i(64)
    length = _length(string)
    start, end = _stripped(string, length)

    def is_char(char: str):
        return lambda: arith.cmpi(arith.CmpIPredicate.eq, _byte(string, start), arith.constant(i8, ord(char)))

    inside = _ult(start, end)
    negative = _and_then(inside, is_char("-"))
    signed = arith.ori(negative, _and_then(inside, is_char("+")))
    digits_start = arith.select(signed, arith.addi(start, index(1)), start)
    false = arith.constant(i1, 0)

    def reading(i, value, after_digit, bad):
        return arith.andi(_ult(i, end), arith.xori(bad, arith.constant(i1, 1)))

    def step(i, value, after_digit, bad):
        byte = _byte(string, i)
        digit = arith.subi(byte, arith.constant(i8, ord("0")))
        is_digit = arith.cmpi(arith.CmpIPredicate.ult, digit, arith.constant(i8, 10))
        underscore = arith.cmpi(arith.CmpIPredicate.eq, byte, arith.constant(i8, ord("_")))
        ok = arith.ori(is_digit, arith.andi(underscore, after_digit))
        saturated = arith.cmpi(arith.CmpIPredicate.ugt, value, arith.constant(i64, _SATURATION))
        grown = arith.select(saturated, arith.constant(i64, -1), arith.addi(
            arith.muli(value, arith.constant(i64, 10)), arith.extui(i64, digit)))
        return [arith.select(ok, arith.addi(i, index(1)), i), arith.select(is_digit, grown, value), is_digit,
                arith.xori(ok, arith.constant(i1, 1))]

    stop, magnitude, after_digit, bad = _while([digits_start, arith.constant(i64, 0), false, false], reading, step)
    valid = arith.andi(arith.xori(bad, arith.constant(i1, 1)), after_digit)
    module = _enclosing_module(op)
    position, size = arith.index_cast(i64, stop), arith.index_cast(i64, length)
    fail_unless(valid, position, size, 0, module, LITERAL_ERROR_FUNCTION)
    # The largest magnitude of each sign, unsigned (2**63 is -2**63 in i64's bits).
    most_negative = (1 << (bits - 1)) - (1 << 64 if bits == 64 else 0)
    limit = arith.select(negative, arith.constant(i64, most_negative), arith.constant(i64, (1 << (bits - 1)) - 1))
    in_range = arith.cmpi(arith.CmpIPredicate.ule, magnitude, limit)
    fail_unless(in_range, position, size, bits, module, LITERAL_ERROR_FUNCTION)
    value = arith.select(negative, arith.subi(arith.constant(i64, 0), magnitude), magnitude)
    return _scalar_tensor(value if bits == 64 else arith.trunci(_i(bits), value))


# ----------------------------------------------------------------------------- format


@lowering("fxn.format")
def lower_format(op, target):
    source = op.operands[0]
    spec_text = op.attributes["spec"].value
    if tensor_type(source) == STRING:
        return _format_string(source, parse(spec_text))
    dtype = tensor_type(source).dtype
    value = tensor.extract(source, [])
    if dtype in FLOAT_DTYPES:
        from .float_text import format_float

        return format_float(op, value, dtype, parse(spec_text))
    if dtype == "i1" and spec_text == "":
        return _format_bool(value)
    return _format_integer(value, dtype, parse(spec_text))


def _format_bool(value: ir.Value) -> ir.Value:
    """``True`` or ``False``: the bytes at 0 or 4 of ``TrueFalse``."""
    words = _bytes_constant(b"TrueFalse")
    start = arith.select(value, index(0), index(4))
    size = arith.select(value, index(4), index(5))
    return generate(_empty(size), lambda at: _byte(words, arith.addi(at[0], start)))


def _format_string(string: ir.Value, spec) -> ir.Value:
    """``[fill][text][fill]``: the text up to ``precision`` code points, padded to ``width`` code points."""
    if spec.precision is not None:
        end, code_points = _code_point_offset(string, index(spec.precision))
    else:
        end = _length(string)
        code_points = None
        if spec.width:
            code_points = arith.index_cast(_index_type(), tensor.extract(_code_point_count(string), []))
    segments = [(end, lambda offset: _byte(string, offset))]
    if spec.width:
        fill, align = spec.padding("<")
        _pad(segments, code_points, spec.width, align, _Fill(fill))
    return _assemble(segments)


def _format_integer(value: ir.Value, dtype: str, spec) -> ir.Value:
    """The segments ``[fill][sign][prefix][fill][digits][fill]`` that the spec can make non-empty."""
    magnitude, negative = _magnitude(value, dtype)
    radix = INTEGER_RADIX[spec.type]
    digits = _digit_count(magnitude, radix)
    prefix = ALTERNATE_PREFIX.get(spec.type, "") if spec.alternate else ""
    table = _Digits(spec.type, radix)
    segments = []
    sign = _sign(negative, spec.sign)
    if sign is not None:
        segments.append(sign)
    if prefix:
        prefix_table = _bytes_constant(prefix.encode())
        segments.append((index(len(prefix)), lambda offset: _byte(prefix_table, offset)))
    segments.append((digits, lambda offset: table.digit(magnitude, arith.subi(arith.subi(digits, index(1)), offset))))
    if spec.width:
        content = segments[0][0]  # in bytes, which are code points: the text is ASCII
        for length, _ in segments[1:]:
            content = arith.addi(content, length)
        fill, align = spec.padding(">")
        _pad(segments, content, spec.width, align, _Fill(fill))
    return _assemble(segments)


def _assemble(segments: list) -> ir.Value:
    """A string of ``segments`` ((length in bytes, byte at an offset into the segment), in order) one after another:
    each byte is read from the segment its index falls in."""
    ends, end = [], index(0)
    for length, _ in segments:
        end = arith.addi(end, length)
        ends.append(end)
    return generate(_empty(end), lambda at: _segment(at[0], index(0), ends, [byte for _, byte in segments]))


def _magnitude(value: ir.Value, dtype: str) -> tuple[ir.Value, ir.Value | None]:
    """``|value|`` as an unsigned i64 (``-2**63`` included) and whether ``value`` is negative (None: it cannot be)."""
    i64 = _i(64)
    if dtype in ("ui8", "i1"):
        return arith.extui(i64, value), None
    wide = value if dtype == "i64" else arith.extsi(i64, value)
    zero = arith.constant(i64, 0)
    negative = arith.cmpi(arith.CmpIPredicate.slt, wide, zero)
    return arith.select(negative, arith.subi(zero, wide), wide), negative


def _sign(negative: ir.Value | None, sign: str | None):
    """The sign segment: ``-`` where negative, else the spec's ``+`` or space if it asks for one; None if empty."""
    shown = sign in ("+", " ")
    if negative is None:
        return (index(1), lambda offset: arith.constant(_i(8), ord(sign))) if shown else None
    char = arith.select(negative, arith.constant(_i(8), ord("-")), arith.constant(_i(8), ord(sign if shown else "-")))
    return arith.select(negative, index(1), index(1 if shown else 0)), lambda offset: char


def _pad(segments: list, content: ir.Value, width: int, align: str, fill: "_Fill") -> None:
    """Add the fill segments that make ``segments`` (``content`` code points) ``width`` code points wide."""
    width_value = index(width)
    pad = arith.select(_ult(content, width_value), arith.subi(width_value, content), index(0))

    def filled(count: ir.Value):
        return arith.muli(count, index(fill.size)), fill.byte

    if align == "<":
        segments.append(filled(pad))
    elif align == ">":
        segments.insert(0, filled(pad))
    elif align == "^":
        left = arith.divui(pad, index(2))
        segments.insert(0, filled(left))
        segments.append(filled(arith.subi(pad, left)))
    else:  # "=": after the sign and prefix, before the digits
        segments.insert(len(segments) - 1, filled(pad))


def _segment(i: ir.Value, start: ir.Value, ends: list[ir.Value], bytes_at: list) -> ir.Value:
    """The byte at ``i`` (at least ``start``) from the first segment whose end lies past ``i`` (the last: the rest)."""
    if len(bytes_at) == 1:
        return bytes_at[0](arith.subi(i, start))
    return if_else(_ult(i, ends[0]), _i(8), lambda: bytes_at[0](arith.subi(i, start)),
                   lambda: _segment(i, ends[0], ends[1:], bytes_at[1:]))


class _Fill:
    """A fill character: its UTF-8 bytes, repeated."""

    def __init__(self, character: str):
        self.data = character.encode("utf-8")
        self.size = len(self.data)
        self.table = _bytes_constant(self.data) if self.size > 1 else None

    def byte(self, offset: ir.Value) -> ir.Value:
        if self.table is None:
            return arith.constant(_i(8), _signed_byte(self.data[0]))
        return _byte(self.table, arith.remui(offset, index(self.size)))


class _Digits:
    """The digits of a radix as characters, and for radix 10 the powers of 10."""

    def __init__(self, kind: str, radix: int):
        self.digits = _bytes_constant((b"0123456789ABCDEF" if kind == "X" else b"0123456789abcdef")[:radix])
        self.radix = radix
        self.powers = None
        if radix == 10:
            powers = np.array([10 ** k for k in range(_MAX_DECIMAL_DIGITS)], np.uint64).view(np.int64)
            attr = numpy_to_elements(powers)
            self.powers = arith.constant(attr.type, attr)

    def digit(self, magnitude: ir.Value, power: ir.Value) -> ir.Value:
        """The digit of ``magnitude`` (an unsigned i64) at ``radix ** power``, as its character."""
        i64 = _i(64)
        if self.powers is not None:
            # At least 1: vectorized, the lanes past the end read a power of 0 (and a division by 0 traps).
            divisor = arith.maxui(tensor.extract(self.powers, [power]), arith.constant(i64, 1))
            scaled = arith.divui(magnitude, divisor)
            digit = arith.remui(scaled, arith.constant(i64, 10))
        else:
            shift = arith.muli(arith.index_cast(i64, power), arith.constant(i64, self.radix.bit_length() - 1))
            digit = arith.andi(arith.shrui(magnitude, shift), arith.constant(i64, self.radix - 1))
        return _byte(self.digits, arith.index_cast(_index_type(), digit))


def _signed_byte(value: int) -> int:
    return value - 256 if value >= 128 else value


def _digit_count(magnitude: ir.Value, radix: int) -> ir.Value:
    """How many digits ``magnitude`` (an unsigned i64) has in ``radix``, as an index (1 for 0)."""
    i64 = _i(64)
    base = arith.constant(i64, radix)
    count, _ = _while([index(1), magnitude],
                      lambda n, rest: arith.cmpi(arith.CmpIPredicate.uge, rest, base),
                      lambda n, rest: [arith.addi(n, index(1)), arith.divui(rest, base)])
    return count
