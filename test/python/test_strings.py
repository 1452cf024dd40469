"""Python's str compiled: results equal CPython's byte for byte, errors name the user's line.

The functions here are captured with Numbers and Strings
(frontend/number_capture.py, frontend/string_capture.py), no torch, and
run natively on the host JIT; each is compared with the same function run
by CPython on the same arguments, ASCII and not.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import fxn
from fxn.dialects import OPS
from fxn.dialects import string as string_ops
from fxn.frontend.errors import UnsupportedOperation

NAMES = ["World", "", "Zoë", "日本", "🎉 party", "a\x00b", "ü" * 40, "Hello, World! " * 20]


def predict(name: str) -> str:
    return f"Hello {name}! How are you doing today?"


def test_the_product_example_matches_cpython_byte_for_byte():
    compiled = fxn.compile(predict)
    for name in NAMES:
        result = compiled(name)
        assert type(result) is str
        assert result.encode("utf-8") == predict(name).encode("utf-8")
    traced = compiled.concrete_functions[0].lowered.traced
    assert traced.capture == "numbers"  # no torch
    assert compiled.tracing_count == 1


def test_string_calls_take_the_native_entry_and_fall_back_as_the_python_path():
    compiled = fxn.compile(predict)
    assert compiled("World") == predict("World")
    assert compiled.concrete_functions[0].native  # CPython calls the compiled entry: no Python at call time

    class Name(str):
        pass

    assert compiled(Name("Zoë")) == predict("Zoë")  # a subclass takes the Python path
    with pytest.raises(ValueError, match="lone surrogate"):  # the entry clears its own failed encoding
        compiled("\ud800")
    assert compiled("日本") == predict("日本")

    @fxn.compile
    def count(name: str) -> int:
        return len(name) * 4_000_000_000  # an i64 result, boxed from the native entry

    assert count("Zoë") == 12_000_000_000 and count.concrete_functions[0].native


def test_the_product_example_is_one_concat_of_constants_and_the_argument():
    compiled = fxn.compile(predict)
    stages = {}
    compiled.lower(compiled.declared_types(), "host", stages, stop_after="fxn", debug_info=True)
    text = stages["fxn"]
    assert '"fxn.str_constant"() {value = "Hello "}' in text
    assert '"fxn.str_constant"() {value = "! How are you doing today?"}' in text
    assert text.count('"fxn.str_concat"') == 1
    line = predict.__code__.co_firstlineno + 1
    assert f'test_strings.py":{line}:12' in text  # the f-string's position


def measures(a: str, b: str):
    return len(a), len(b), a == b, a != b, a < b, a <= b, a > b, a >= b, b in a, b not in a, "é" in a


PAIRS = [("Zoë 日本", "oë"), ("abc", "abd"), ("abc", "ab"), ("", ""), ("", "x"), ("é", "日"), ("日", "🎉"),
         ("a\x7f", "aé"), ("🎉🎉x", "🎉x"), ("same", "same"), ("aaab", "aab"), ("é" * 30, "é" * 29 + "e")]


@pytest.mark.parametrize("a, b", PAIRS)
def test_len_comparisons_and_in_match_cpython(a, b):
    compiled = fxn.compile(measures)
    assert compiled(a, b) == measures(a, b)
    assert [type(r) for r in compiled(a, b)] == [type(r) for r in measures(a, b)]


def concatenations(a: str, b: str):
    return a + b, "<" + a, a + ">", a + "-" + b + "-" + a, f"{a}{b}", f"[{a}]", f"{a}"


@pytest.mark.parametrize("a, b", PAIRS[:6])
def test_concatenation_matches_cpython(a, b):
    assert fxn.compile(concatenations)(a, b) == concatenations(a, b)


def integers(n: int, flag: bool) -> str:
    return (f"{n}|{n:d}|{n:x}|{n:X}|{n:o}|{n:b}|{n:#x}|{n:#X}|{n:#o}|{n:#b}|{n:+d}|{n: d}|{n:-d}|{n:8}|{n:<8}|"
            f"{n:^9}|{n:=+9}|{n:08}|{n:*>10}|{n:é^7}|{n:日<5}|{n:🎉=+12}|{n:#010x}|{n:3}|{n:<05}|{n:*>05}|"
            f"{flag}|{flag:d}|{flag:>6}|{flag:#x}|{str(n)}|{str(flag)}|{format(n, '^+7')}|{n!s}")


@pytest.mark.parametrize("n", [0, 1, -1, 7, -42, 255, 1000, -65536, 2**31 - 1, -2**31, 123456789])
def test_integer_formats_match_cpython(n):
    compiled = fxn.compile(integers)
    for flag in (True, False):
        assert compiled(n, flag) == integers(n, flag)


def slices(name: str, a: int, b: int):
    return (name[a:b], name[a:], name[:b], name[:], name[1:-1], name[-2:], name[a:b:1], name[0:100],
            name.startswith("Zo"), name.endswith(name[-1:]), name.startswith(name[:a]), name.endswith("x"))


@pytest.mark.parametrize("name", [n for n in NAMES if n])
@pytest.mark.parametrize("a, b", [(0, 2), (1, -1), (-3, 100), (5, 2), (-100, 3), (2, 2)])
def test_slices_and_affixes_count_code_points_as_cpython(name, a, b):
    assert fxn.compile(slices)(name, a, b) == slices(name, a, b)


def letter(name: str, i: int) -> str:
    return name[i] + name[0] + name[-1]


def test_indexing_takes_code_points_and_raises_index_error_outside():
    compiled = fxn.compile(letter)
    for name in ["Zoë", "日本", "🎉x"]:
        for i in range(-len(name), len(name)):
            assert compiled(name, i) == letter(name, i)
    line = letter.__code__.co_firstlineno + 1
    with pytest.raises(IndexError, match=rf"^letter\(\): string index out of range \(index 3, length 3\) at "
                                         rf".*test_strings.py:{line}:"):
        compiled("Zoë", 3)
    with pytest.raises(IndexError, match=r"string index out of range \(index -4, length 3\)"):
        compiled("Zoë", -4)
    with pytest.raises(IndexError, match=r"^string index out of range$"):
        letter("Zoë", 3)  # CPython's words


def parse(text: str) -> int:
    return int(text) + 1


INT_TEXTS = ["0", "41", "-7", " +12 ", "\t-1_000\n", "007", "2147483646", "-2147483648", "1_2_3"]


def test_int_of_a_str_parses_as_cpython():
    compiled = fxn.compile(parse)
    assert [compiled(text) for text in INT_TEXTS] == [parse(text) for text in INT_TEXTS]
    wide = fxn.compile(parse, dtype={int: fxn.i64})
    assert wide("-9223372036854775807") == -9223372036854775806


@pytest.mark.parametrize("text, message", [
    ("12a", r"invalid literal for int\(\) with base 10 \(a text of 3 bytes, not an integer from byte 2\)"),
    ("", r"invalid literal for int\(\) with base 10 \(a text of 0 bytes, not an integer from byte 0\)"),
    ("1__0", r"invalid literal for int\(\) with base 10 \(a text of 4 bytes, not an integer from byte 2\)"),
    ("1_", r"invalid literal for int\(\) with base 10 \(a text of 2 bytes, not an integer from byte 2\)"),
    ("- 1", r"invalid literal for int\(\) with base 10 \(a text of 3 bytes, not an integer from byte 1\)"),
    ("٣", r"invalid literal for int\(\) with base 10 \(a text of 2 bytes, not an integer from byte 0\)"),
    ("2147483648", r"int\(\) of a text beyond the range of a 32-bit int"),
    ("-99999999999999999999999", r"int\(\) of a text beyond the range of a 32-bit int"),
])
def test_int_of_bad_text_is_a_value_error_at_its_line(text, message):
    line = parse.__code__.co_firstlineno + 1
    with pytest.raises(ValueError, match=rf"^parse\(\): {message} at {__file__}:{line}:"):
        fxn.compile(parse)(text)


def padded(name: str, n: int) -> str:
    return (f"[{name:>10}|{name:<7}|{name:^9}|{name:*^12.3}|{name:05}|{name:.0}|{name:é>6.2}|{name:🎉<4}|"
            f"{format(name, '^5')}|{n!s:>6}|{str(n):_<5}|{name!s:>3}]")


@pytest.mark.parametrize("name", NAMES)
def test_string_fields_pad_and_cut_as_cpython(name):
    assert fxn.compile(padded)(name, -42) == padded(name, -42)


def wide(n: fxn.Tensor[fxn.i64], small: fxn.Tensor[fxn.u8], tiny: fxn.Tensor[fxn.i8]) -> str:
    return f"{n}/{n:x}/{small:#b}/{tiny:+}/{str(n)}"


@pytest.mark.parametrize("n", [0, -1, 2**63 - 1, -2**63, 10**18, -(10**18) - 1])
def test_64_and_8_bit_integers_format_as_python_ints(n):
    compiled = fxn.compile(wide)
    for small, tiny in [(0, -128), (255, 127), (7, 0)]:
        arguments = np.int64(n), np.uint8(small), np.int8(tiny)
        assert compiled(*arguments) == wide(int(n), small, tiny)


def greeting_with_count(name: str, count: int) -> str:
    message = "Hi " + name
    return f"{message}: {count} new message{'' if 2 == 1 else 's'}, {len(name)} letters"


def test_strings_numbers_and_python_values_mix():
    compiled = fxn.compile(greeting_with_count)
    for name in NAMES:
        assert compiled(name, 3) == greeting_with_count(name, 3)


def constant_result(x: int) -> str:
    return "constant " + "text"


def test_a_constant_string_result_is_a_str():
    assert fxn.compile(constant_result)(3) == "constant text"


def number_to_text(x: int) -> str:
    return str(x) + "!"


def test_a_function_of_numbers_returns_a_str():
    compiled = fxn.compile(number_to_text)
    assert [compiled(x) for x in (0, -5, 12345)] == ["0!", "-5!", "12345!"]
    assert compiled.concrete_functions[0].lowered.traced.capture == "numbers"


def returns_several(name: str):
    return name, len(name), [name + "?", {"upper": name}]


def test_strings_inside_returned_containers():
    assert fxn.compile(returns_several)("Zoë") == returns_several("Zoë")


def test_every_string_op_is_reached_from_python():
    compiled = [fxn.compile(f) for f in (predict, measures, integers, slices, letter, parse, methods, parse_float,
                                         floats)]
    texts = []
    for function in compiled:
        stages = {}
        function.lower(function.declared_types(), "host", stages, stop_after="fxn")
        texts.append(stages["fxn"])
    strings = {name for name, op in OPS.items() if op.__module__ == string_ops.__name__}
    assert {name for name in strings if f'"{name}"' not in "".join(texts)} == set()


# ----------------------------------------------------------------------------- branches


def grade(score: int) -> str:
    if score >= 90:
        letter = "A"
    elif score >= 80:
        letter = "B"
    else:
        letter = "C"
    return f"grade {letter} for {score}"


def named(name: str) -> str:
    return name if name else "anonymous"


def either(name: str, other: str) -> str:
    return name or other or "nobody"


def shortened(name: str) -> str:
    if len(name) > 3:
        return name[:3]
    return name + "!"


def matches(a: str, b: str) -> bool:
    return a.startswith("x") and b.endswith("y") or a == b


def decorated(name: str, n: int) -> str:
    text = name
    if n > 0:
        text = text + "+"
        if n > 5:
            text = "big " + text
    return text


@pytest.mark.parametrize("function, arguments", [
    (grade, [(95,), (85,), (3,), (-1,)]),
    (named, [("Bob",), ("",), ("Zoë",)]),
    (either, [("Bob", "Al"), ("", "Al"), ("", "")]),
    (shortened, [("Bobby",), ("Al",), ("日本語です",), ("",)]),
    (matches, [("xa", "by"), ("q", "q"), ("a", "b"), ("xa", "b")]),
    (decorated, [("a", 0), ("ü", 2), ("a", 9)]),
])
def test_branches_on_strings_and_numbers_match_cpython(function, arguments):
    compiled = fxn.compile(function)
    for args in arguments:
        result = compiled(*args)
        assert type(result) is type(function(*args)) and result == function(*args), args
    assert compiled.concrete_functions[0].lowered.traced.capture == "ast"  # scf.if, straight parts with Numbers
    assert compiled.tracing_count == 1


def str_or_number(name: str, n: int) -> str:
    if n > 0:
        value = n
    else:
        value = name
    return str(value)


def test_a_name_that_is_a_str_on_one_branch_only_is_reported_at_the_if():
    line = str_or_number.__code__.co_firstlineno + 1
    with pytest.raises(UnsupportedOperation, match=rf"test_strings.py:{line}: fxn cannot compile the 'if': 'value' is "
                                                   r"a str on one of its branches and a tensor<i32> on the other"):
        fxn.compile(str_or_number)("x", 1)
# ----------------------------------------------------------------------------- floats


def floats(x: float) -> str:
    return (f"{x:.2f}|{x:.6e}|{x:f}|{x:e}|{x:+12.3F}|{x:*^14.0e}|{x:#.0f}|{x:010.4E}|{x:z.1f}|{x: .9f}|{x:.17e}|"
            f"{x:=+9.1f}|{format(x, '<9.2e')}|{x:.0e}")


def random_floats(rng: np.random.Generator, dtype, count: int) -> list[float]:
    """Random bit patterns of ``dtype`` (every magnitude, NaNs and infinities), moderate values, and ties."""
    bits = rng.integers(0, 2 ** (8 * np.dtype(dtype).itemsize), count, dtype=np.uint64)
    patterns = bits.astype(np.uint32 if dtype == np.float32 else np.uint64).view(dtype).tolist()
    moderate = rng.uniform(-1e5, 1e5, count).astype(dtype).tolist()
    ties = [float(np.asarray(v, dtype)) for v in (0.5, 1.5, 2.5, 0.125, 0.375, 9.995, 0.005, 1e-45, 5e-324)]
    return patterns + moderate + ties + [0.0, -0.0]


def expected_or_error(function, *args):
    """``function(*args)`` as CPython computes it, or the type of the error it raises."""
    try:
        return function(*args)
    except (ValueError, IndexError) as error:
        return type(error)


FIXED_POINT_LIMIT = 2.0 ** 64 / 10 ** 9  # floats() has up to 9 decimals: fxn formats |x| below this


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_floats_format_as_cpython_formats_the_double(dtype):
    """f32 arguments are widened to the double CPython would format; digits correctly rounded, half to even."""
    compiled = fxn.compile(floats, dtype={float: fxn.f64} if dtype == np.float64 else None)
    values = random_floats(np.random.default_rng(5), dtype, 400)
    checked = 0
    for value in values:
        if abs(value) >= FIXED_POINT_LIMIT and value == value and abs(value) != float("inf"):
            with pytest.raises(ValueError, match=r"format\(\) of a float with \d decimals whose digits reach 2\*\*64"):
                compiled(value)
            continue
        assert compiled(value) == floats(value), value
        checked += 1
    assert checked > 500


def parse_float(text: str) -> float:
    return float(text)


FLOAT_TEXTS = ["1.5", " -0.0 ", "+inf", "-Infinity", "iNf", "nan", "-NaN", "1e308", "1e309", "-1e-400", "5e-324",
               "2.4703282292062328e-324", "2.4703282292062327e-324", "1_000.000_1", ".5", "5.", "5.e3", "0.1",
               "3.4028235e38", "3.4028236e38", "1.17549435e-38", "123456789012345678901234567890",
               "0." + "0" * 400 + "1", "9007199254740993", "1.00000000000000011102230246251565404236316680908203125",
               "1.00000000000000011102230246251565404236316680908203126", "\t42\n", "1E5", "1e+05", "1e-05", "0e0",
               "00001.5000", "1" * 900 + "e-890"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_float_of_a_str_is_cpythons_double_correctly_rounded(dtype):
    compiled = fxn.compile(parse_float, dtype={float: fxn.f64} if dtype == np.float64 else None)
    rng = np.random.default_rng(7)
    texts = list(FLOAT_TEXTS)
    for value in random_floats(rng, np.float64, 150):
        texts += [repr(value), f"{value:.{rng.integers(1, 25)}e}", f"{value / 1e300:.{rng.integers(0, 30)}f}"]
    for text in texts:
        with np.errstate(over="ignore"):
            expected = np.asarray(float(text), dtype)
        assert np.asarray(compiled(text), dtype).tobytes() == expected.tobytes(), text


@pytest.mark.parametrize("text, position", [
    ("", 0), (" ", 1), ("abc", 0), ("1.5.5", 3), ("1__0", 1), ("_1", 0), ("1_", 1), ("1e", 2), ("1e+", 3), (".", 1),
    ("e5", 0), ("1 2", 1), ("inf5", 0), ("nana", 0), ("1_.5", 1), ("1._5", 2), ("+-1", 1), ("٣", 0), ("0x10", 1),
    ("1e_5", 2),
])
def test_float_of_bad_text_is_a_value_error_at_its_line(text, position):
    if text != "٣":  # CPython takes any Unicode digit; fxn ASCII ones (documented)
        with pytest.raises(ValueError):
            parse_float(text)
    line = parse_float.__code__.co_firstlineno + 1
    size = len(text.encode())
    with pytest.raises(ValueError, match=rf"^parse_float\(\): could not convert string to float \(a text of {size} "
                                         rf"bytes, not a number from byte {position}\) at {__file__}:{line}:"):
        fxn.compile(parse_float)(text)


# ----------------------------------------------------------------------------- methods


def methods(s: str, t: str, i: int):
    return (s.upper(), s.lower(), s.strip(), s.lstrip(), s.rstrip(), s.strip(t), s.lstrip(t), s.rstrip("é "),
            s.replace(t, "<>"), s.replace("a", t, i), s.replace("", "-"), s.replace(t, "", -1),
            len(s.split(",")), s.split(",", 1)[-1], "+".join(s.split(",")), t.join(s.split(",", i)),
            t.join([s, "x", s]), ", ".join((s, t)), "".join([t]), s.upper().lower().strip())


METHOD_TEXTS = ["Hello, World", "", " a,b,,c ", "straße ŉ ﬃ İı ǅ", "Σίσυφοι ΑΒΓ ώ", "Привет, МИР", "Բարեւ ა Ա",
                "𐐀𐐨 ᾳ,🎉", "\u3000\x85 Zoë,日本 \t", "aaa", ",,,", "ééaéé"]


@pytest.mark.parametrize("s", METHOD_TEXTS)
def test_methods_match_cpython(s):
    compiled = fxn.compile(methods)
    for t, i in [(",", 1), ("a", 0), ("", -1), ("é", 2), ("🎉", 5)]:
        assert compiled(s, t, i) == methods(s, t, i), (s, t, i)


def test_strip_without_arguments_strips_what_str_isspace_is_true_of():
    from fxn.frontend.string_capture import WHITESPACE

    assert WHITESPACE == "".join(c for c in map(chr, range(0x110000)) if c.isspace())


def split_items(s: str, sep: str, i: int):
    return s.split(sep)[i], len(s.split(sep, 1)), s.split(sep)[-1]


@pytest.mark.parametrize("s, sep", [("a,b,,c", ","), ("Zoë 日本 🎉", " "), ("x::y::", "::"), ("", ","), ("abc", "abc"),
                                    ("aaaa", "aa")])
def test_split_items_and_lengths_match_cpython(s, sep):
    compiled = fxn.compile(split_items)
    for i in range(-6, 6):
        expected = expected_or_error(split_items, s, sep, i)
        if expected is IndexError:
            line = split_items.__code__.co_firstlineno + 1
            with pytest.raises(IndexError, match=rf"^split_items\(\): list index out of range \(index {i}, length "
                                                 rf"\d+\) at {__file__}:{line}:"):
                compiled(s, sep, i)
        else:
            assert compiled(s, sep, i) == expected


def test_an_empty_separator_is_a_value_error():
    with pytest.raises(ValueError, match=r"^empty separator$"):
        split_items("a", "", 0)
    with pytest.raises(ValueError, match=r"^split_items\(\): empty separator at "):
        fxn.compile(split_items)("a", "", 0)


def lower_sigma(s: str) -> str:
    return s.lower()


def test_lower_maps_sigma_per_code_point_a_documented_difference():
    """CPython's lower() gives the final sigma ς at a word's end; fxn's is per code point (σ), as documented."""
    compiled = fxn.compile(lower_sigma)
    assert compiled("ΣΑΣ") == "σασ" != lower_sigma("ΣΑΣ") == "σας"
    assert compiled("Σ") == lower_sigma("Σ") == "σ"


def iterates_split(s: str):
    return [part for part in s.split(",")]


def splits_on_whitespace(s: str) -> int:
    return len(s.split())


# ----------------------------------------------------------------------------- errors


def test_a_str_parameter_takes_only_str():
    compiled = fxn.compile(predict)
    with pytest.raises(TypeError, match=r"parameter 'name' expects a str; got int 3"):
        compiled(3)
    with pytest.raises(TypeError, match=r"parameter 'name' expects a str; got bytes"):
        compiled(b"World")


def test_a_str_without_utf8_encoding_is_refused():
    with pytest.raises(ValueError, match=r"parameter 'name' expects a str with a UTF-8 encoding; got one with a "
                                         r"lone surrogate at index 1"):
        fxn.compile(predict)("a\ud800")


def test_out_is_refused_for_a_string_result():
    with pytest.raises(TypeError, match=r"out= needs array results; predict\(\) returns a str"):
        fxn.compile(predict)("x", out=np.zeros(3, np.uint8))


def steps(name: str) -> str:
    return name[::2]


def shouts(name: str) -> str:
    return name.title()


def formats_float(x: float) -> str:
    return f"{x}"


def repeats(name: str) -> str:
    return name * 2


def adds_a_number(name: str, n: int) -> str:
    return name + n


def quotes(name: str) -> str:
    return f"{name!r}"


def formats_in_a_helper(n: int) -> str:
    return helper(n)


def helper(n):
    return f"{n}"


def returns_a_number_as_str(n: int) -> str:
    return n + 1


@pytest.mark.parametrize("function, arguments, message", [
    (shouts, ("x",), r"fxn cannot compile 'name.title': str.title\(\) of a run-time str is not supported yet"),
    (formats_float, (1.5,), r"fxn cannot compile 'f'\{x\}'': format spec '': fxn formats a run-time float with a type, "
                            r"not as Python's shortest repr \(str\(x\), f'\{x\}'\): give a precision and a type, e.g. "
                            r"'.6f' or '.6e'"),
    (quotes, ("x",), r"fxn cannot compile 'f'\{name!r\}'': !r of a run-time value is not supported yet"),
    (formats_in_a_helper, (1,), r"an f-string or format\(\) of a run-time number where fxn did not rewrite it \(in a "
                                r"helper function\)"),
    (steps, ("x",), r"fxn cannot compile indexing 'name\[::2\]': a slice of a run-time str with a step is not "
                    r"supported yet"),
    (repeats, ("x",), r"operator '\*' in 'name \* 2': repeating a run-time str \('\*'\) is not supported yet"),
    (adds_a_number, ("x", 1), r"operator '\+' in 'name \+ n': '\+' of a str and a run-time number"),
    (iterates_split, ("a,b",), r"iterating over a run-time str.split\(\) is not supported yet: its number of parts is "
                               r"known only at run time \(take an item, len\(\) or join\(\) of it\)"),
    (splits_on_whitespace, ("a b",), r"str.split\(\) of a run-time str without a separator \(at runs of whitespace\) "
                                     r"is not supported yet: give one"),
])
def test_what_fxn_cannot_compile_is_reported_at_its_line(function, arguments, message):
    with pytest.raises(UnsupportedOperation, match=message) as raised:
        fxn.compile(function)(*arguments)
    line = (helper if function is formats_in_a_helper else function).__code__.co_firstlineno + 1
    assert str(raised.value).startswith(f"{__file__}:{line}: ")


def test_a_str_annotation_needs_a_str_result():
    with pytest.raises(TypeError, match=r"returns_a_number_as_str is annotated to return str but returns tensor<i32>"):
        fxn.compile(returns_a_number_as_str)(3)


def with_array(name: str, x: fxn.Tensor[fxn.f32, 3]) -> str:
    return name


def test_a_function_of_strings_and_arrays_is_refused_at_its_definition():
    with pytest.raises(UnsupportedOperation) as raised:
        fxn.compile(with_array)("x", np.zeros(3, np.float32))
    line = with_array.__code__.co_firstlineno
    assert str(raised.value) == (
        f"{__file__}:{line}: fxn cannot compile with_array: a function of str parameters compiles as Python code "
        "on numbers and strings (f-strings, +, comparisons, in, len(), str(), int(), float(), indexing, slices, "
        "str methods, branches), and it takes arrays")


# ----------------------------------------------------------------------------- without torch


def test_the_product_example_compiles_and_runs_without_torch(tmp_path):
    source = tmp_path / "greet.py"
    source.write_text(textwrap.dedent('''
        import sys
        import fxn

        @fxn.compile
        def predict(name: str) -> str:
            return f"Hello {name}! How are you doing today?"

        assert predict("Zoë") == "Hello Zoë! How are you doing today?"
        assert "torch" not in sys.modules
    '''))
    result = subprocess.run([sys.executable, str(source)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_code_from_the_on_disk_cache_takes_and_returns_strings(tmp_path):
    source = tmp_path / "greet.py"
    source.write_text(textwrap.dedent('''
        import sys
        import fxn

        @fxn.compile
        def predict(name: str) -> str:
            return f"Hello {name}! ({len(name)} letters)"

        assert predict("Zoë") == "Hello Zoë! (3 letters)"
        assert predict.concrete_functions[0].native
        print(predict.tracing_count, sorted({"torch", "torch_mlir", "numpy"} & set(sys.modules)))
    '''))
    environment = {**os.environ, "FXN_CACHE": "1", "FXN_CACHE_DIR": str(tmp_path / "cache")}
    outputs = []
    for _ in range(2):
        result = subprocess.run([sys.executable, str(source)], capture_output=True, text=True, env=environment)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout.strip())
    # The second process loads the code (no trace) and calls it natively: no numpy, MLIR or torch.
    assert outputs[1] == "0 []"


# ----------------------------------------------------------------------------- ahead of time, through the C ABI

ROOT = Path(__file__).resolve().parents[2]

C_DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "greet.h"

static fxn_memref_1d_ui8 text(const char *s) {
    fxn_memref_1d_ui8 m = {(uint8_t *)s, (uint8_t *)s, 0, {(int64_t)strlen(s)}, {1}};
    return m;
}

static void print(fxn_memref_1d_ui8 result, fxn_status status) {
    if (status.site != 0) {
        printf("failed at site %lld\n", (long long)status.site);
        exit(1);
    }
    fwrite(result.aligned + result.offset, 1, (size_t)result.sizes[0], stdout);
    printf("|%lld\n", (long long)result.sizes[0]);
    free(result.allocated);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        fxn_memref_1d_ui8 name = text(argv[i]), result;
        fxn_status status;
        fxn_predict(&result, &name, &status);
        print(result, status);
        int32_t count = -42;
        fxn_memref_0d_i32 number = {&count, &count, 0};
        fxn_describe(&result, &name, &number, &status);
        print(result, status);
    }
    return 0;
}
"""


@pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 builds the artifacts")
def test_fxn_compile_gives_a_c_abi_of_utf8_bytes(tmp_path):
    build = tmp_path / "build"
    compiled = subprocess.run([str(Path(sys.executable).parent / "fxn"), "compile", str(ROOT / "examples" / "greet.py"),
                               "-o", str(build)], capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr
    header = (build / "greet.h").read_text()
    assert ("void fxn_predict(fxn_memref_1d_ui8 *fxn_result, const fxn_memref_1d_ui8 *name, "
            "fxn_status *fxn_status);") in header
    assert "predict(name: str (UTF-8 bytes: tensor<?xui8>)) -> str (UTF-8 bytes: tensor<?xui8>)" in header
    assert "sizes[0] is the length in bytes" in header and "no terminating NUL" in header
    manifest = json.loads((build / "greet.json").read_text())
    signature = manifest["predictors"][0]["signature"]
    assert [p["string"] for p in signature["parameters"]] == [True]
    assert [r["string"] for r in signature["results"]] == [True]
    assert manifest["imports"] == ["free", "malloc"]
    driver = tmp_path / "driver.c"
    driver.write_text(C_DRIVER)
    linked = subprocess.run(["clang-22", "-std=c11", "-Wall", "-Werror", "-I", str(build), str(driver), "-L",
                             str(build), "-lgreet", f"-Wl,-rpath,{build}", "-o", str(tmp_path / "driver")],
                            capture_output=True, text=True)
    assert linked.returncode == 0, linked.stderr
    names = ["World", "Zoë", "日本", "", "🎉 and more " * 10]
    run = subprocess.run([str(tmp_path / "driver"), *names], capture_output=True)
    assert run.returncode == 0, run.stderr
    greet = load_module(ROOT / "examples" / "greet.py")
    expected = b"".join(
        text.encode() + b"|%d\n" % len(text.encode())
        for name in names
        for text in (greet.predict.fn(name), greet.describe.fn(name, -42)))
    assert run.stdout == expected


def load_module(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_targets() -> list:
    """This machine, and each other target whose code runs here (through its backend's runner)."""
    from fxn.backends import call_hook, discover_backends, how_it_runs

    params = [pytest.param("host", id="host")]
    for entry in discover_backends():
        if entry.backend is None:
            continue
        for target in call_hook(entry.backend, "conformance_targets"):
            if how_it_runs(entry.backend, target) == "runner":
                params.append(pytest.param(target.spec, id=target.spec))
    return params


@pytest.mark.parametrize("target", run_targets())
def test_fxn_run_takes_and_prints_strings_on_every_target_that_runs_here(target):
    fxn_command = str(Path(sys.executable).parent / "fxn")
    result = subprocess.run([fxn_command, "run", str(ROOT / "examples" / "greet.py"), "--predictor", "describe",
                             "--arg", "name=日本 Zoë", "--arg", "count=-7", "--target", target],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "result #0: '日本 Zoë has 6 letters; -0007 = -0x7'\n"


NODE_SCRIPT = """
import { load } from "./greet.mjs";
const m = await load();
const out = [];
for (const name of %s) out.push(m.predict(name), m.describe(name, -7));
let refused = "";
try { m.predict(3); } catch (error) { refused = `${error.constructor.name}: ${error.message}`; }
console.log(JSON.stringify({ out, refused }));
"""


@pytest.mark.skipif(not (shutil.which("node") and shutil.which("clang-22") and shutil.which("wasm-ld-22")),
                    reason="node runs the loader; clang-22 and wasm-ld-22 build the .wasm")
def test_the_wasm_loader_takes_and_returns_strings_in_node(tmp_path):
    from fxn.artifacts import build

    greet = load_module(ROOT / "examples" / "greet.py")
    build([("predict", greet.predict), ("describe", greet.describe)], "greet", tmp_path, "greet.py",
          target="wasm_simd")
    names = ["World", "Zoë", "日本", "", "🎉"]
    (tmp_path / "run.mjs").write_text(NODE_SCRIPT % json.dumps(names))
    result = subprocess.run(["node", "run.mjs"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["out"] == [text for name in names for text in (greet.predict.fn(name), greet.describe.fn(name, -7))]
    assert printed["refused"] == "TypeError: predict(): argument 'name' must be a string, got number"
