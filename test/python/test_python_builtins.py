"""Python's builtins on run-time values in compiled code (frontend/python_builtins.py), against CPython.

``int``, ``float``, ``bool``, ``round``, ``min`` and ``max`` of run-time
scalars (int and float arguments, ``x[i]``, loop variables) and integer
``**``, each compiled and compared with the same function run by CPython.
"""

from __future__ import annotations

import numpy as np
import pytest

import fxn
from fxn.frontend import python_builtins
from fxn.frontend.errors import UnsupportedOperation


def check(fn, *args):
    expected = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    result = fxn.compile(fn)(*args)
    np.testing.assert_array_equal(np.asarray(result), np.asarray(expected))
    return result


def truncated(x):
    return int(x[0] * 3.7), int(-x[1] * 3.7), int(x[0] > 0)


def truth(x, i: int):
    return bool(x[i]), bool(i), bool(x[i] - x[i])


def halves(x):
    return round(x[0]), round(x[1]), round(x[2]), round(x[0] * 10, 1)


def chosen(a: int, b: int, x):
    return min(a, b), max(a, b, 3), min(x[0], 2.0), max(x[1], x[0]), min(x), max(x)


def counted(x):
    total = 0
    for i in range(x.shape[0]):
        total += int(x[i] > 0.5)
    return total


@pytest.mark.parametrize("fn, args", [
    (truncated, (np.array([1.3, 2.9]),)),
    (truth, (np.array([0.0, 2.0, np.nan]), 1)), (truth, (np.array([0.0, 2.0, np.nan]), 0)),
    (truth, (np.array([0.0, 2.0, np.nan]), 2)),
    (halves, (np.array([2.5, 3.5, -0.5]),)),
    (chosen, (3, -4, np.array([1.5, 7.25, -1.0]))),
    (counted, (np.linspace(0.0, 1.0, 11),)),
], ids=lambda v: getattr(v, "__name__", None))
def test_builtins_match_python(fn, args):
    check(fn, *args)


def test_int_of_a_float_is_an_i32_and_float_of_an_int_the_default_float():
    def mixed(x, i: int):
        return int(x[i]), float(i) / 4

    def mixed_numpy(x, i: int):
        return np.abs(int(x[i])), float(i) / 4

    n, quarter = fxn.compile(mixed)(np.array([7.9, -7.9]), 1)
    assert (n, quarter) == (-7, 0.25)
    assert np.asarray(n).dtype == np.int32 and np.asarray(quarter).dtype == np.float32  # torch's default float
    n, quarter = fxn.compile(mixed_numpy)(np.array([7.9, -7.9]), 1)
    assert (n, quarter) == (7, 0.25) and np.asarray(quarter).dtype == np.float64  # NumPy's


def test_a_shadowed_builtin_is_the_users():
    def shadowed(x, k: int):
        min = max  # noqa: A001 - the point of the test
        total = 0.0
        for i in range(k):
            total += min(x[i], 0.5)
        return total

    check(shadowed, np.array([0.25, 0.75, 1.0]), 3)
    assert not python_builtins.needs_rewrite(shadowed)


def test_converting_an_array_of_several_elements_is_a_type_error():
    def whole(x, k: int):
        s = 0.0
        for _ in range(k):
            s += float(x)
        return s

    with pytest.raises((TypeError, UnsupportedOperation), match=r"float\(\) of an array of shape \(3,\)"):
        fxn.compile(whole)(np.ones(3), 2)


# ----------------------------------------------------------------------------- integer powers


def power(a: int, b: int):
    return a ** b


@pytest.mark.parametrize("a, b", [(3, 4), (-2, 7), (0, 0), (5, 0), (2, 30), (1, -5), (-1, -3), (-1, -4), (7, -2)])
def test_integer_power_of_run_time_ints(a, b):
    result = fxn.compile(power)(a, b)
    # Python gives a float for a negative exponent; fxn the integer part of it, as Numba does.
    assert result == (a ** b if b >= 0 else int(a ** b))


def test_integer_arrays_to_integer_powers_wrap_as_numpy():
    def cubes(x, e):
        return x ** 3, x ** e

    x = np.arange(-5, 6, dtype=np.int32)
    e = np.arange(11, dtype=np.int32)
    cubed, powered = fxn.compile(cubes)(x, e)
    np.testing.assert_array_equal(cubed, x ** 3)
    np.testing.assert_array_equal(powered, x ** e)
    wrapped = fxn.compile(cubes)(np.array([200], np.uint8), np.array([2], np.uint8))
    np.testing.assert_array_equal(wrapped[0], np.array([200], np.uint8) ** 3)
