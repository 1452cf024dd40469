"""Lowering of the ``str`` methods that make strings of computed lengths: ``fxn.str_case``, ``fxn.str_strip``,
``fxn.str_replace``, ``fxn.str_split_count`` and ``fxn.str_split_part``.

Where each output byte does not follow from its index alone (a case
mapping changes a code point's length, a replacement shifts what follows),
the lowering runs twice over the input: once to count the result's bytes,
once writing them in order into a fresh buffer of that length (an
``scf.while`` carrying the buffer, ``tensor.insert`` per byte: bufferized
in place). Code points are found by their lead bytes; case mappings are a
sorted table (code point -> UTF-8 bytes of its mapping, from the Unicode
database of the compiling Python) searched by bisection.
"""

from __future__ import annotations

from fxn.dialects.elements import numpy_to_elements
from fxn.lazy import numpy as np
from fxn.mlir import arith, ir, scf, tensor

from . import lowering
from .bounds import INDEX_ERROR_FUNCTION, LITERAL_ERROR_FUNCTION, fail_unless
from .checked_allocation import EMPTY_SEPARATOR, LIST_INDEX
from .string import (_and_then, _byte, _code_point_count, _copy, _empty, _enclosing_module, _i, _index_type,
                     _is_lead, _length, _scalar_tensor, _ult, _while)
from .structured import index


def _ule(a, b):
    return arith.cmpi(arith.CmpIPredicate.ule, a, b)


def _eq(a, b):
    return arith.cmpi(arith.CmpIPredicate.eq, a, b)


def _not(value):
    return arith.xori(value, arith.constant(_i(1), 1))


def _code_point_length(byte: ir.Value) -> ir.Value:
    """The bytes of the code point a lead byte starts (1 to 4), as an index."""
    unsigned = arith.extui(_i(32), byte)
    below = [arith.cmpi(arith.CmpIPredicate.ult, unsigned, arith.constant(_i(32), bound))
             for bound in (0x80, 0xE0, 0xF0)]
    return arith.select(below[0], index(1), arith.select(below[1], index(2), arith.select(below[2], index(3),
                                                                                          index(4))))


def _code_point(string: ir.Value, at: ir.Value, length: ir.Value) -> ir.Value:
    """The code point (an i32) of the ``length`` bytes of ``string`` from ``at``."""
    i32 = _i(32)
    lead = arith.extui(i32, _byte(string, at))
    value = arith.andi(lead, arith.select(_eq(length, index(1)), arith.constant(i32, 0x7F), arith.select(
        _eq(length, index(2)), arith.constant(i32, 0x1F), arith.select(_eq(length, index(3)), arith.constant(
            i32, 0x0F), arith.constant(i32, 0x07)))))
    for k in (1, 2, 3):
        more = _ult(index(k), length)
        at_k = arith.minui(arith.addi(at, index(k)), arith.subi(_length(string), index(1)))
        continued = arith.ori(arith.shli(value, arith.constant(i32, 6)),
                              arith.andi(arith.extui(i32, _byte(string, at_k)), arith.constant(i32, 0x3F)))
        value = arith.select(more, continued, value)
    return value


def _write(buffer: ir.Value, out: ir.Value, source: ir.Value, start: ir.Value, count: ir.Value) -> ir.Value:
    """``buffer`` with ``source``'s ``count`` bytes from ``start`` written from ``out``."""
    loop = scf.ForOp(index(0), count, index(1), [buffer])
    with ir.InsertionPoint(loop.body):
        j = loop.induction_variable
        byte = _byte(source, arith.addi(start, j))
        scf.YieldOp([tensor.insert(byte, loop.inner_iter_args[0], [arith.addi(out, j)])])
    return loop.results[0]


def _matches_at(string: ir.Value, at: ir.Value, part: ir.Value) -> ir.Value:
    """Whether ``part`` fits in ``string`` from ``at`` and its bytes are there."""
    part_length = _length(part)
    fits = _ule(arith.addi(at, part_length), _length(string))

    def matching():
        (matched,) = _while([index(0)], lambda j: _and_then(_ult(j, part_length), lambda: _eq(
            _byte(string, arith.addi(at, j)), _byte(part, j))), lambda j: [arith.addi(j, index(1))])
        return _eq(matched, part_length)

    return _and_then(fits, matching)


# ----------------------------------------------------------------------------- upper(), lower()


class _CaseTable:
    """The code points a case mapping changes (sorted, an i32 tensor), and their mappings' UTF-8 bytes (one blob,
    each mapping from ``offsets[k]`` to ``offsets[k + 1]``)."""

    def __init__(self, mode: str):
        from fxn.dialects.reference.string import case_mapping  # (the reference kernels import numpy)

        mapping = sorted(case_mapping(mode).items())
        encoded = [target.encode("utf-8") for _, target in mapping]
        offsets = np.cumsum([0] + [len(e) for e in encoded]).astype(np.int32)
        self.size = len(mapping)
        self.keys = self._constant(np.array([ord(c) for c, _ in mapping], np.int32))
        self.offsets = self._constant(offsets)
        self.blob = self._constant(np.frombuffer(b"".join(encoded), np.int8))

    @staticmethod
    def _constant(array: np.ndarray) -> ir.Value:
        attr = numpy_to_elements(array)
        return arith.constant(attr.type, attr)

    def find(self, code_point: ir.Value) -> tuple[ir.Value, ir.Value, ir.Value]:
        """Whether ``code_point`` is mapped, and its mapping's start and end in the blob (index values)."""
        def bisect(low, high):
            middle = arith.divui(arith.addi(low, high), index(2))
            below = arith.cmpi(arith.CmpIPredicate.slt, tensor.extract(self.keys, [middle]), code_point)
            return [arith.select(below, arith.addi(middle, index(1)), low), arith.select(below, high, middle)]

        low, _ = _while([index(0), index(self.size)], lambda low, high: _ult(low, high), bisect)
        at = arith.minui(low, index(self.size - 1))
        found = arith.andi(_ult(low, index(self.size)), _eq(tensor.extract(self.keys, [at]), code_point))
        start = arith.index_cast(_index_type(), tensor.extract(self.offsets, [at]))
        end = arith.index_cast(_index_type(), tensor.extract(self.offsets, [arith.addi(at, index(1))]))
        return found, start, end


@lowering("fxn.str_case")
def lower_str_case(op, target):
    """Two passes over the code points: the mapped length, then the mapped bytes written in order."""
    string = op.operands[0]
    table = _CaseTable(op.attributes["mode"].value)
    length = _length(string)

    def mapped(i):
        size = _code_point_length(_byte(string, i))
        found, start, end = table.find(_code_point(string, i, size))
        return size, found, start, end

    def count_step(i, total):
        size, found, start, end = mapped(i)
        return [arith.addi(i, size), arith.addi(total, arith.select(found, arith.subi(end, start), size))]

    _, total = _while([index(0), index(0)], lambda i, total: _ult(i, length), count_step)

    def write_step(i, out, buffer):
        size, found, start, end = mapped(i)
        written = scf.IfOp(found, [buffer.type], has_else=True)
        with ir.InsertionPoint(written.then_block):
            scf.YieldOp([_write(buffer, out, table.blob, start, arith.subi(end, start))])
        with ir.InsertionPoint(written.else_block):
            scf.YieldOp([_write(buffer, out, string, i, size)])
        return [arith.addi(i, size), arith.addi(out, arith.select(found, arith.subi(end, start), size)),
                written.results[0]]

    return _while([index(0), index(0), _empty(total)], lambda i, out, buffer: _ult(i, length), write_step)[2]


# ----------------------------------------------------------------------------- strip()


def _in_chars(chars: ir.Value, string: ir.Value, at: ir.Value, size: ir.Value) -> ir.Value:
    """Whether the code point of ``size`` bytes of ``string`` at ``at`` occurs in ``chars`` (its bytes do: UTF-8 is
    self-synchronizing)."""
    chars_length = _length(chars)

    def differs(p):
        fits = _ule(arith.addi(p, size), chars_length)
        return _and_then(fits, lambda: _not(_same_bytes(chars, p, string, at, size)))

    (p,) = _while([index(0)], differs, lambda p: [arith.addi(p, index(1))])
    return _ule(arith.addi(p, size), chars_length)


def _same_bytes(a: ir.Value, a_at: ir.Value, b: ir.Value, b_at: ir.Value, size: ir.Value) -> ir.Value:
    (j,) = _while([index(0)], lambda j: _and_then(_ult(j, size), lambda: _eq(
        _byte(a, arith.addi(a_at, j)), _byte(b, arith.addi(b_at, j)))), lambda j: [arith.addi(j, index(1))])
    return _eq(j, size)


@lowering("fxn.str_strip")
def lower_str_strip(op, target):
    """The first code point not in ``chars`` from the start, the last from the end; the bytes between copied."""
    string, chars = op.operands
    side = op.attributes["side"].value
    length = _length(string)
    start = index(0)
    if side in ("both", "left"):
        def strippable(i):
            return _and_then(_ult(i, length), lambda: _in_chars(chars, string, i, _code_point_length(_byte(string, i))))

        (start,) = _while([start], strippable, lambda i: [arith.addi(i, _code_point_length(_byte(string, i)))])
    end = length
    if side in ("both", "right"):
        def last_lead(end):
            (lead,) = _while([arith.subi(end, index(1))], lambda q: _and_then(_ult(start, q), lambda: _not(
                _is_lead(_byte(string, q)))), lambda q: [arith.subi(q, index(1))])
            return lead

        def strippable_end(end):
            return _and_then(_ult(start, end), lambda: _in_chars(
                chars, string, last_lead(end), arith.subi(end, last_lead(end))))

        (end,) = _while([end], strippable_end, lambda end: [last_lead(end)])
    return _copy(string, start, end)


# ----------------------------------------------------------------------------- replace(), split()


def _limit(count: ir.Value, string: ir.Value) -> ir.Value:
    """A 0-d i64 count (negative: no limit) as an index bound: at most ``string``'s length plus one, which no count
    of occurrences exceeds (so that it fits a 32-bit index, as on wasm32)."""
    value = tensor.extract(count, [])
    most = arith.index_cast(_i(64), arith.addi(_length(string), index(1)))
    unlimited = arith.cmpi(arith.CmpIPredicate.slt, value, arith.constant(_i(64), 0))
    return arith.index_cast(_index_type(), arith.select(unlimited, most, arith.minsi(value, most)))


def _occurrences(string: ir.Value, part: ir.Value, limit: ir.Value) -> ir.Value:
    """How many times non-empty ``part`` occurs in ``string`` left to right without overlapping, at most
    ``limit``."""
    length = _length(string)

    def step(i, found):
        matched = _matches_at(string, i, part)
        return [arith.select(matched, arith.addi(i, _length(part)), arith.addi(i, index(1))),
                arith.addi(found, arith.select(matched, index(1), index(0)))]

    _, found = _while([index(0), index(0)], lambda i, found: arith.andi(_ult(i, length), _ult(found, limit)), step)
    return found


@lowering("fxn.str_replace")
def lower_str_replace(op, target):
    """The replacements counted (an empty ``old``: one per code point and one at the end), then the result written:
    at each code point, ``new`` where ``old`` matches (skipping ``old``), else the code point."""
    string, old, new, count = op.operands
    length, old_length, new_length = _length(string), _length(old), _length(new)
    limit = _limit(count, string)
    empty_old = _eq(old_length, index(0))
    code_points = arith.index_cast(_index_type(), tensor.extract(_code_point_count(string), []))
    found = scf.IfOp(empty_old, [_index_type()], has_else=True)
    with ir.InsertionPoint(found.then_block):
        scf.YieldOp([arith.minui(arith.addi(code_points, index(1)), limit)])
    with ir.InsertionPoint(found.else_block):
        scf.YieldOp([_occurrences(string, old, limit)])
    replaced = found.results[0]
    total = arith.subi(arith.addi(length, arith.muli(replaced, new_length)), arith.muli(replaced, old_length))

    def step(i, out, done, buffer):
        matched = arith.andi(_ult(done, limit), _matches_at(string, i, old))
        buffer = _write(buffer, out, new, index(0), arith.select(matched, new_length, index(0)))
        out = arith.addi(out, arith.select(matched, new_length, index(0)))
        skips = arith.andi(matched, _not(empty_old))
        size = _code_point_length(_byte(string, i))
        copied = arith.select(skips, index(0), size)
        buffer = _write(buffer, out, string, i, copied)
        return [arith.addi(i, arith.select(skips, old_length, size)), arith.addi(out, copied),
                arith.addi(done, arith.select(matched, index(1), index(0))), buffer]

    _, out, done, buffer = _while([index(0), index(0), index(0), _empty(total)],
                                  lambda i, out, done, buffer: _ult(i, length), step)
    at_end = arith.andi(empty_old, _ult(done, limit))
    return _write(buffer, out, new, index(0), arith.select(at_end, new_length, index(0)))


def _checked_separator(op, sep: ir.Value) -> None:
    i64 = _i(64)
    fail_unless(_ult(index(0), _length(sep)), arith.constant(i64, 0), arith.constant(i64, 0), EMPTY_SEPARATOR,
                _enclosing_module(op), LITERAL_ERROR_FUNCTION)


@lowering("fxn.str_split_count")
def lower_str_split_count(op, target):
    """The separator checked (not empty), its occurrences counted up to ``maxsplit``, plus one."""
    string, sep, maxsplit = op.operands
    _checked_separator(op, sep)
    parts = arith.addi(_occurrences(string, sep, _limit(maxsplit, string)), index(1))
    return _scalar_tensor(arith.index_cast(_i(64), parts))


def _find(string: ir.Value, part: ir.Value, start: ir.Value) -> ir.Value:
    """The first offset from ``start`` where non-empty ``part`` occurs in ``string``, else its length."""
    length = _length(string)
    (at,) = _while([start], lambda i: _and_then(_ult(i, length), lambda: _not(_matches_at(string, i, part))),
                   lambda i: [arith.addi(i, index(1))])
    return arith.minui(at, length)


@lowering("fxn.str_split_part")
def lower_str_split_part(op, target):
    """The separator and the index checked (an IndexError outside the parts), the start of the part after as many
    separators, its end at the next one (or the string's end for the last part); the bytes between copied."""
    string, sep, maxsplit, position = op.operands
    _checked_separator(op, sep)
    i64 = _i(64)
    limit = _limit(maxsplit, string)
    separators = _occurrences(string, sep, limit)
    parts = arith.index_cast(i64, arith.addi(separators, index(1)))
    given = tensor.extract(position, [])
    wrapped = arith.select(arith.cmpi(arith.CmpIPredicate.slt, given, arith.constant(i64, 0)),
                           arith.addi(given, parts), given)
    fail_unless(arith.cmpi(arith.CmpIPredicate.ult, wrapped, parts), given, parts, LIST_INDEX,
                _enclosing_module(op), INDEX_ERROR_FUNCTION)
    wanted = arith.index_cast(_index_type(), wrapped)
    sep_length = _length(sep)
    start, _ = _while([index(0), index(0)], lambda at, k: _ult(k, wanted),
                      lambda at, k: [arith.addi(_find(string, sep, at), sep_length), arith.addi(k, index(1))])
    last = _eq(wanted, separators)
    end = arith.select(last, _length(string), _find(string, sep, start))
    return _copy(string, start, end)
