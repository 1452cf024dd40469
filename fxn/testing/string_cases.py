"""Conformance cases of the string ops, compared bit for bit.

Strings are random UTF-8 text mixing code points of 1 to 4 bytes (ASCII,
Latin, CJK, emoji), with the empty string, prefixes of each other and equal
strings among them; numbers to format cover each integer type's extremes,
zero and random values, with every supported part of a format spec; floats
to format and texts to parse cover ties, subnormals, extremes, infinities
and NaN; case mappings cover scripts whose mappings change length.
"""

from __future__ import annotations

import numpy as np

from fxn.dialects import string as s
from fxn.dialects.types import INT_DTYPES

from .case import EXACT, Case, among, special_array

#: Code point ranges random text draws from: 1, 2, 3 and 4 UTF-8 bytes.
_RANGES = [(0x20, 0x7F), (0xA0, 0x800), (0x3040, 0x9FFF), (0x1F300, 0x1FAFF)]
#: A string argument's type: its one dim is dynamic.
_DYNAMIC = ((0,),)


def random_text(rng: np.random.Generator, length: int) -> str:
    """``length`` random code points, each from a random one of :data:`_RANGES`."""
    ranges = [_RANGES[i] for i in rng.integers(0, len(_RANGES), length)]
    return "".join(chr(int(rng.integers(low, high))) for low, high in ranges)


def utf8(text: str) -> np.ndarray:
    """``text``'s UTF-8 bytes as a string input."""
    return np.frombuffer(text.encode("utf-8"), np.uint8).copy()


def _cases(op, configs: list[tuple]) -> dict[str, Case]:
    """``{op_i: Case}`` of ``(texts, attrs)`` configs, each text a dynamic string input, variant ``i``."""
    name = op.OPERATION_NAME.removeprefix("fxn.")
    return {f"{name}_{i}": Case(op, [utf8(t) for t in texts], attrs, _DYNAMIC * len(texts), compare=EXACT,
                                variant=(str(i),))
            for i, (texts, attrs) in enumerate(configs)}


def constant_cases(rng) -> dict[str, Case]:
    return _cases(s.StrConstantOp, [([], dict(value=text)) for text in ["Hello ", "", "Zoë 日本 🎉", "\x00\n\""]])


def concat_cases(rng) -> dict[str, Case]:
    return _cases(s.StrConcatOp, [
        ([random_text(rng, 5), random_text(rng, 7)], {}),
        (["Hello ", random_text(rng, 4), "! How are you doing today?"], {}),
        ([random_text(rng, 3)], {}),
        (["", random_text(rng, 2), "", ""], {}),
        ([random_text(rng, 40)] * 5, {}),
    ])


def len_cases(rng) -> dict[str, Case]:
    return _cases(s.StrLenOp, [([text], {}) for text in
                               ["", "a", "Zoë", "日本", "🎉x", random_text(rng, 100), "é" * 33]])


def compare_cases(rng) -> dict[str, Case]:
    text = random_text(rng, 6)
    pairs = [(text, text), (text, text[:3]), (text[:3], text), ("", text), ("", ""), ("abc", "abd"),
             ("a\x7f", "aé"), ("é", "日"), ("日", "🎉"), (random_text(rng, 4), random_text(rng, 4))]
    return _cases(s.StrCompareOp, [([a, b], dict(predicate=predicate))
                                   for a, b in pairs for predicate in ("eq", "ne", "lt", "le", "gt", "ge")])


def contains_cases(rng) -> dict[str, Case]:
    text = random_text(rng, 12)
    return _cases(s.StrContainsOp, [([text, needle], {}) for needle in
                                    [text[3:7], text, "", text + "x", text[-1], text[:1] + "\x00", "zz"]]
                  + [(["", ""], {}), (["", "a"], {}), (["aaab", "aab"], {}), (["Zoë", "oë"], {}), (["Zoë", "o\xeb!"], {})])


def _with_indices(op, configs: list[tuple]) -> dict[str, Case]:
    """``{op_i: Case}`` of ``(text, indices)`` configs: a dynamic string input, then 0-d i64 indices."""
    name = op.OPERATION_NAME.removeprefix("fxn.")
    return {f"{name}_{i}": Case(op, [utf8(text), *(np.asarray(k, np.int64) for k in indices)], {}, _DYNAMIC,
                                compare=EXACT, variant=(str(i),), subject=0)
            for i, (text, indices) in enumerate(configs)}


def slice_cases(rng) -> dict[str, Case]:
    text = "Zoë 日本🎉" + random_text(rng, 5)
    bounds = [(0, 3), (2, -1), (-4, 100), (5, 2), (-100, 2), (0, 0), (3, 3), (-1, 2**62), (7, 13)]
    return _with_indices(s.StrSliceOp, [(text, b) for b in bounds] + [("", (0, 5)), ("abc", (-2**63, 2**63 - 1))])


def at_cases(rng) -> dict[str, Case]:
    text = "Zoë 日本🎉" + random_text(rng, 3)
    return _with_indices(s.StrAtOp, [(text, (k,)) for k in (0, 2, 4, 6, -1, -3, 9)] + [("é", (0,)), ("a", (-1,))])


def affix_cases(op, rng) -> dict[str, Case]:
    text = random_text(rng, 8)
    pairs = [(text, text[:3]), (text, text[-3:]), (text, ""), ("", ""), ("", "a"), (text, text), (text, text + "x"),
             ("Zoë", "Zo"), ("Zoë", "ë"), ("Zoë", "o")]
    return _cases(op, [([a, b], {}) for a, b in pairs])


#: Texts int() takes: whitespace, signs, underscores, leading zeros, each type's extremes.
INT_TEXTS = {
    "i8": ["0", "-128", "127", " +5 ", "1_2", "\t-0\n", "007"],
    "i32": ["2147483647", "-2147483648", "  42", "-1_000_000", "0_0", "\v\f\r12"],
    "i64": ["9223372036854775807", "-9223372036854775808", "-0", "+9_223", "1" * 18],
}


def to_int_cases(rng, supported) -> dict[str, Case]:
    return {f"str_to_int_{dtype}_{i}": Case(s.StrToIntOp, [utf8(text)], dict(dtype=dtype), _DYNAMIC, compare=EXACT,
                                           variant=(f"to {dtype}",))
            for dtype in among(INT_TEXTS, supported) if "ui8" in supported
            for i, text in enumerate(INT_TEXTS[dtype])}


#: Format specs of integers: each part of the mini-language fxn supports, alone and together.
INTEGER_SPECS = ["", "d", "x", "X", "o", "b", "#x", "#X", "#o", "#b", "+d", " d", "-d", "8", "<8", "^9", "=+9",
                 "08", "*>10", "é^7", "日<5", "🎉=+12", "#010x", "+#b", "3", "<05", "*>05", "0"]


def format_cases(rng, supported) -> dict[str, Case]:
    cases = {}
    for dtype in among((*INT_DTYPES, "i1"), supported):
        numpy_dtype = np.dtype(special_array(rng, dtype, ()).dtype)
        if dtype == "i1":
            values = [np.bool_(True), np.bool_(False)]
        else:
            limits = np.iinfo(numpy_dtype)
            values = [limits.min, limits.max, 0, -1 if limits.min else 1, *special_array(rng, dtype, (2,))]
        specs = [""] + INTEGER_SPECS[1:] if dtype != "i1" else ["", "d", ">6", "#x", "+"]
        for i, spec in enumerate(specs):
            value = np.asarray(values[i % len(values)], numpy_dtype)
            cases[f"format_{dtype}_{i}"] = Case(s.FormatOp, [value], dict(spec=spec), compare=EXACT,
                                                variant=(f"spec {spec!r}",))
    return cases


#: Format specs of strings: fill, alignment, the 0 flag, width and precision (in code points).
STRING_SPECS = ["", "s", "5", ">5", "^6", "*<4", "05", ".2", "8.3", "é^9.1", ".0", "<05", "🎉>12.20"]


def string_format_cases(rng) -> dict[str, Case]:
    texts = ["Zoë日", "", random_text(rng, 7), "ab"]
    return {f"format_str_{i}": Case(s.FormatOp, [utf8(texts[i % len(texts)])], dict(spec=spec), _DYNAMIC,
                                    compare=EXACT, variant=(f"str spec {spec!r}",))
            for i, spec in enumerate(STRING_SPECS)}


#: Floats to format (as f32 and f64): zeros, ties, tiny and huge magnitudes, infinities, NaN.
FLOAT_VALUES = [0.0, -0.0, 0.125, 2.5, -1.5, 9.995, 0.1, 1e-7, 123456.789, -1e15, 3e-30, 1e30, np.inf, -np.inf, np.nan]
#: Float format specs: each type, precisions, and every other part a float's spec takes.
FLOAT_SPECS = [".2f", ".6e", "f", "E", "+12.3F", "*^14.0e", "#.0f", "010.4E", "z.1f", " .18e", "=+9.1f", "<9.2e",
               "#.0e", ".0f"]


def float_format_cases(rng, supported) -> dict[str, Case]:
    cases = {}
    for dtype in among(("f32", "f64"), supported):
        numpy_dtype = np.dtype(special_array(rng, dtype, ()).dtype)
        values = FLOAT_VALUES + [float(v) for v in rng.uniform(-1e4, 1e4, 4)]
        for i, spec in enumerate(FLOAT_SPECS * 2):
            value = values[i % len(values)]
            if spec.endswith(("f", "F")) and abs(value) > 1e12:  # fixed point's range: |x| * 10**p below 2**64
                value = value / 1e20
            cases[f"format_{dtype}_{i}"] = Case(s.FormatOp, [np.asarray(value, numpy_dtype)], dict(spec=spec),
                                                compare=EXACT, variant=(f"spec {spec!r}",))
    return cases


#: Texts float() takes: signs, points, exponents, underscores, words, extremes, ties and subnormals.
FLOAT_TEXTS = ["1.5", " -0.0 ", "+inf", "-Infinity", "nan", "1e308", "1e309", "-1e-400", "5e-324", "1_000.000_1",
               ".5", "5.", "5.e3", "0.1", "3.4028235e38", "3.4028236e38", "1.17549435e-38", "9007199254740993",
               "1.00000000000000011102230246251565404236316680908203125", "\t42\n", "1E5", "00001.5000",
               "123456789012345678901234567890", "2.4703282292062328e-324", "0." + "0" * 60 + "1"]


def to_float_cases(rng, supported) -> dict[str, Case]:
    return {f"str_to_float_{dtype}_{i}": Case(s.StrToFloatOp, [utf8(text)], dict(dtype=dtype), _DYNAMIC,
                                             compare=EXACT, variant=(f"to {dtype}",))
            for dtype in among(("f32", "f64"), supported) if "ui8" in supported
            for i, text in enumerate(FLOAT_TEXTS)}


#: Texts whose case mapping CPython changes in every way: ASCII, Latin-1, length-changing (ß, ŉ, ﬃ, İ, ı), Greek,
#: Cyrillic, Armenian, Georgian, Deseret (4 bytes), titlecase digraphs.
CASE_TEXTS = ["Hello, World!", "", "straße ŉ ﬃ İı ǅ", "Σίσυφος ΑΒΓ ώ", "Привет МИР", "Բարեւ", "ა Ა", "𐐀𐐨 ᾳ",
              "Zoë 日本 🎉"]


def case_cases(rng) -> dict[str, Case]:
    return _cases(s.StrCaseOp, [([text], dict(mode=mode)) for mode in ("upper", "lower")
                                for text in CASE_TEXTS + [random_text(rng, 9)]])


def strip_cases(rng) -> dict[str, Case]:
    from fxn.frontend.string_capture import WHITESPACE

    texts = [("  hi  ", WHITESPACE), ("\u3000\x85 é日 \t", WHITESPACE), ("", WHITESPACE), ("   ", WHITESPACE),
             ("xxhixyx", "xy"), ("ééaéé", "é"), ("🎉a🎉", "🎉"), ("abc", ""), ("aaa", "a")]
    return _cases(s.StrStripOp, [([text, chars], dict(side=side)) for side in ("both", "left", "right")
                                 for text, chars in texts])


def _with_strings_and_counts(op, configs: list[tuple]) -> dict[str, Case]:
    """``{op_i: Case}`` of ``(texts, counts)`` configs: dynamic string inputs, then 0-d i64s."""
    name = op.OPERATION_NAME.removeprefix("fxn.")
    return {f"{name}_{i}": Case(op, [*(utf8(t) for t in texts), *(np.asarray(k, np.int64) for k in counts)], {},
                                _DYNAMIC * len(texts), compare=EXACT, variant=(str(i),), subject=0)
            for i, (texts, counts) in enumerate(configs)}


def replace_cases(rng) -> dict[str, Case]:
    text = random_text(rng, 6)
    return _with_strings_and_counts(s.StrReplaceOp, [
        (["a,b,,c", ",", "; "], (-1,)), (["a,b,,c", ",", ""], (2,)), (["aaaa", "aa", "b"], (-1,)),
        (["abc", "", "-"], (-1,)), (["abc", "", "-"], (2,)), (["", "", "x"], (-1,)), (["Zoë日本", "ë", "🎉🎉"], (-1,)),
        ([text + text, text[1:3], "é"], (-1,)), (["abc", "x", "y"], (5,)), (["日日日", "日", ""], (0,))])


def split_count_cases(rng) -> dict[str, Case]:
    return _with_strings_and_counts(s.StrSplitCountOp, [
        (["a,b,,c", ","], (-1,)), (["a,b,,c", ","], (1,)), (["", ","], (-1,)), (["aaaa", "aa"], (-1,)),
        (["Zoë 日本 🎉", " "], (-1,)), (["abc", "abc"], (-1,))])


def split_part_cases(rng) -> dict[str, Case]:
    return _with_strings_and_counts(s.StrSplitPartOp, [
        (["a,b,,c", ","], (-1, 0)), (["a,b,,c", ","], (-1, 2)), (["a,b,,c", ","], (-1, -1)), (["a,b,,c", ","], (1, 1)),
        (["", ","], (-1, 0)), (["Zoë 日本 🎉", " "], (-1, 1)), (["x::y::", "::"], (-1, -1)), (["abc", "abc"], (-1, 1))])


def _any_dtype(build):
    """A builder ``(rng, supported) -> {name: Case}`` of string cases (ui8 bytes: every target has them)."""
    def build_all(rng, supported) -> dict[str, Case]:
        return build(rng) if "ui8" in supported else {}

    return build_all


def builders() -> dict[str, object]:
    """Per string op name, the function ``(rng, supported dtypes) -> {name: Case}`` making its cases."""
    return {
        "fxn.str_constant": _any_dtype(constant_cases),
        "fxn.str_concat": _any_dtype(concat_cases),
        "fxn.str_len": _any_dtype(len_cases),
        "fxn.str_compare": _any_dtype(compare_cases),
        "fxn.str_contains": _any_dtype(contains_cases),
        "fxn.str_slice": _any_dtype(slice_cases),
        "fxn.str_to_int": to_int_cases,
        "fxn.str_at": _any_dtype(at_cases),
        "fxn.str_starts_with": _any_dtype(lambda rng: affix_cases(s.StrStartsWithOp, rng)),
        "fxn.str_ends_with": _any_dtype(lambda rng: affix_cases(s.StrEndsWithOp, rng)),
        "fxn.format": lambda rng, supported: {**format_cases(rng, supported), **float_format_cases(rng, supported),
                                              **_any_dtype(string_format_cases)(rng, supported)},
        "fxn.str_to_float": to_float_cases,
        "fxn.str_case": _any_dtype(case_cases),
        "fxn.str_strip": _any_dtype(strip_cases),
        "fxn.str_replace": _any_dtype(replace_cases),
        "fxn.str_split_count": _any_dtype(split_count_cases),
        "fxn.str_split_part": _any_dtype(split_part_cases),
    }
