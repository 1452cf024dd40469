"""Reference kernels of the string ops (see ``fxn.dialects.string``): Python's own ``str`` and ``bytes``."""

import functools
import math
import re
from fractions import Fraction

import numpy as np

from fxn.dialects.format_spec import DEFAULT_FLOAT_PRECISION
from fxn.dialects.format_spec import parse as parse_spec

from . import kernel


def _text(array: np.ndarray) -> bytes:
    return array.tobytes()


def _string(data: bytes) -> np.ndarray:
    return np.frombuffer(data, np.uint8).copy()


@kernel("fxn.str_constant")
def str_constant(*, value, result_type):
    return _string(value.encode("utf-8"))


@kernel("fxn.str_concat")
def str_concat(inputs, *, result_type):
    return _string(b"".join(_text(s) for s in inputs))


@kernel("fxn.str_len")
def str_len(input, *, result_type):
    return np.int64(np.count_nonzero((input & 0xC0) != 0x80))


@kernel("fxn.str_compare")
def str_compare(lhs, rhs, *, predicate, result_type):
    a, b = _text(lhs), _text(rhs)
    return np.bool_({"eq": a == b, "ne": a != b, "lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[predicate])


@kernel("fxn.str_contains")
def str_contains(haystack, needle, *, result_type):
    return np.bool_(_text(needle) in _text(haystack))


@kernel("fxn.format")
def format_number(input, *, spec, result_type):
    if input.ndim == 1:  # a string
        value = _text(input).decode("utf-8")
    elif input.dtype.kind == "f":
        value = float(input)  # the double Python holds (an f32 widened exactly)
        _check_fixed_point_range(value, spec)
    else:
        value = bool(input) if input.dtype == np.bool_ else int(input)
    return _string(format(value, spec).encode("utf-8"))


def _check_fixed_point_range(value: float, spec: str) -> None:
    """ValueError where fixed-point formatting's scaled value reaches ``2**64`` (``fxn.format``'s limit)."""
    parsed = parse_spec(spec)
    if parsed.type in "fF" and math.isfinite(value):
        precision = DEFAULT_FLOAT_PRECISION if parsed.precision is None else parsed.precision
        if abs(round(Fraction(value) * 10 ** precision)) >= 1 << 64:
            raise ValueError(f"format() of {value!r} with {precision} decimals is beyond fxn's fixed-point range")


@kernel("fxn.str_slice")
def str_slice(input, start, stop, *, result_type):
    return _string(_text(input).decode("utf-8")[int(start):int(stop)].encode("utf-8"))


@kernel("fxn.str_at")
def str_at(input, index, *, result_type):
    text = _text(input).decode("utf-8")
    if not -len(text) <= int(index) < len(text):
        raise IndexError(f"string index out of range (index {int(index)}, length {len(text)})")
    return _string(text[int(index)].encode("utf-8"))


@kernel("fxn.str_starts_with")
def str_starts_with(input, prefix, *, result_type):
    return np.bool_(_text(input).startswith(_text(prefix)))


@kernel("fxn.str_ends_with")
def str_ends_with(input, suffix, *, result_type):
    return np.bool_(_text(input).endswith(_text(suffix)))


#: What ``fxn.str_to_int`` parses: ASCII whitespace, a sign, digits with single underscores between them.
_INT_LITERAL = re.compile(rb"[ \t\n\v\f\r]*[+-]?[0-9](?:_?[0-9])*[ \t\n\v\f\r]*")


@kernel("fxn.str_to_int")
def str_to_int(input, *, dtype, result_type):
    text = _text(input)
    if not _INT_LITERAL.fullmatch(text):
        raise ValueError(f"invalid literal for int() with base 10: {text.decode('utf-8', 'replace')!r}")
    value = int(text)
    limits = np.iinfo(result_type.numpy_dtype)
    if not limits.min <= value <= limits.max:
        raise ValueError(f"int() of {value} is beyond the range of {dtype}")
    return np.asarray(value, result_type.numpy_dtype)


#: What ``fxn.str_to_float`` parses: ASCII whitespace, a sign, a decimal number (underscores between digits) or a
#: word for infinity or NaN.
_DIGITS = rb"[0-9](?:_?[0-9])*"
_FLOAT_LITERAL = re.compile(rb"[ \t\n\v\f\r]*[+-]?(?:(?:%s(?:\.(?:%s)?)?|\.%s)(?:[eE][+-]?%s)?|(?i:inf|infinity|nan))"
                            rb"[ \t\n\v\f\r]*" % (_DIGITS, _DIGITS, _DIGITS, _DIGITS))


@kernel("fxn.str_to_float")
def str_to_float(input, *, dtype, result_type):
    text = _text(input)
    if not _FLOAT_LITERAL.fullmatch(text):
        raise ValueError(f"could not convert string to float: {text.decode('utf-8', 'replace')!r}")
    return np.asarray(float(text), result_type.numpy_dtype)


def case_mapping(mode: str) -> dict[str, str]:
    """Each code point whose ``upper()`` (or ``lower()``) differs from it, and that mapping (per code point: no
    context rule)."""
    return _case_mappings()[mode]


@functools.lru_cache(maxsize=None)
def _case_mappings() -> dict[str, dict[str, str]]:
    characters = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    return {mode: {c: getattr(c, mode)() for c in characters if getattr(c, mode)() != c} for mode in ("upper", "lower")}


@kernel("fxn.str_case")
def str_case(input, *, mode, result_type):
    mapping = case_mapping(mode)
    return _string("".join(mapping.get(c, c) for c in _text(input).decode("utf-8")).encode("utf-8"))


@kernel("fxn.str_strip")
def str_strip(input, chars, *, side, result_type):
    method = {"both": str.strip, "left": str.lstrip, "right": str.rstrip}[side]
    return _string(method(_text(input).decode("utf-8"), _text(chars).decode("utf-8")).encode("utf-8"))


@kernel("fxn.str_replace")
def str_replace(input, old, new, count, *, result_type):
    text = _text(input).decode("utf-8")
    return _string(text.replace(_text(old).decode("utf-8"), _text(new).decode("utf-8"), int(count)).encode("utf-8"))


def _split(input, sep, maxsplit) -> list[bytes]:
    if not _text(sep):
        raise ValueError("empty separator")
    return _text(input).split(_text(sep), int(maxsplit))


@kernel("fxn.str_split_count")
def str_split_count(input, sep, maxsplit, *, result_type):
    return np.int64(len(_split(input, sep, maxsplit)))


@kernel("fxn.str_split_part")
def str_split_part(input, sep, maxsplit, index, *, result_type):
    parts = _split(input, sep, maxsplit)
    if not -len(parts) <= int(index) < len(parts):
        raise IndexError(f"list index out of range (index {int(index)}, length {len(parts)})")
    return _string(parts[int(index)])
