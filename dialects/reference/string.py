"""Reference kernels of the string ops (see ``fxn.dialects.string``): Python's own ``str`` and ``bytes``."""

import re

import numpy as np

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
    else:
        value = bool(input) if input.dtype == np.bool_ else int(input)
    return _string(format(value, spec).encode("utf-8"))


@kernel("fxn.str_slice")
def str_slice(input, start, stop, *, result_type):
    return _string(_text(input).decode("utf-8")[int(start):int(stop)].encode("utf-8"))


@kernel("fxn.str_at")
def str_at(input, index, *, result_type):
    text = _text(input).decode("utf-8")
    if not -len(text) <= int(index) < len(text):
        raise ValueError(f"index {int(index)} is out of bounds for a string of {len(text)} code points")
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
