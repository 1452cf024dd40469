"""Python's ``math`` module on run-time scalars in compiled code (frontend/python_math.py), against ``math`` itself."""

import math

import numpy as np
import pytest

import fxn
from fxn.frontend.python_math import tensor_aware_math

UNARY = {
    "sqrt": [0.0, 0.25, 2.0, 1e6], "exp": [-3.0, 0.0, 0.5, 10.0], "log": [1e-3, 1.0, 7.5],
    "log1p": [-0.5, 0.0, 1e-6, 3.0], "expm1": [-1.0, 0.0, 1e-6, 2.0], "tanh": [-2.0, 0.0, 0.3],
    "fabs": [-2.5, -0.0, 3.0], "erf": [-1.0, 0.0, 0.5], "sin": [-4.0, 0.0, 1.0, 100.0], "cos": [-4.0, 0.0, 2.0],
    "tan": [-1.0, 0.5], "asin": [-1.0, 0.3], "acos": [0.3, 1.0], "atan": [-5.0, 0.7], "sinh": [-2.0, 0.5],
    "cosh": [-2.0, 3.0],
}
ROUNDING = {"floor": [-2.5, -0.0, 0.0, 2.5, 7.0], "ceil": [-2.5, 0.0, 2.5, 7.0], "trunc": [-2.5, 2.5, 7.9]}
BINARY = {"pow": [(2.0, 10.0), (9.0, 0.5)], "fmod": [(7.5, 2.0), (-7.5, 2.0), (7.5, -2.0)],
          "atan2": [(1.0, -1.0), (-0.0, -1.0), (3.0, 0.5)]}
PREDICATES = {"isnan": [math.nan, 1.0], "isinf": [math.inf, -math.inf, 1.0], "isfinite": [math.inf, 2.0]}


@pytest.mark.parametrize("name, x", [(n, x) for n, xs in UNARY.items() for x in xs])
def test_math_functions_of_a_run_time_float(name, x):
    @fxn.compile
    def f(t: float) -> float:
        return getattr(math, name)(t)

    assert f(x) == pytest.approx(getattr(math, name)(x), rel=2e-6, abs=1e-7)


@pytest.mark.parametrize("name, x", [(n, x) for n, xs in ROUNDING.items() for x in xs])
def test_floor_ceil_trunc_return_ints(name, x):
    @fxn.compile
    def f(t: float) -> int:
        return getattr(math, name)(t)

    result = f(x)
    assert type(result) is int and result == getattr(math, name)(x)


@pytest.mark.parametrize("name, args", [(n, a) for n, pairs in BINARY.items() for a in pairs])
def test_two_argument_functions(name, args):
    @fxn.compile
    def f(a: float, b: float) -> float:
        return getattr(math, name)(a, b)

    assert f(*args) == pytest.approx(getattr(math, name)(*args), rel=2e-6)


@pytest.mark.parametrize("name, x", [(n, x) for n, xs in PREDICATES.items() for x in xs])
def test_predicates(name, x):
    @fxn.compile
    def f(t: float) -> bool:
        return getattr(math, name)(t)

    assert f(x) is getattr(math, name)(x)


def test_constants_and_a_loop_and_numpy_code():
    @fxn.compile
    def radii(x: float, n: int) -> float:
        total = 0.0
        for i in range(n):
            total = total + math.sqrt(x + i) * math.pi
        return total

    assert radii(1.0, 4) == pytest.approx(sum(math.sqrt(1.0 + i) * math.pi for i in range(4)), rel=1e-6)

    @fxn.compile
    def scaled(x: fxn.Tensor[fxn.f32, 3]):
        return np.sqrt(x) * math.e + math.log(2.0)

    np.testing.assert_allclose(scaled(np.full(3, 4.0, np.float32)), 2 * math.e + math.log(2.0), rtol=1e-6)


def test_python_numbers_see_the_math_module_unchanged_while_tracing():
    with tensor_aware_math():
        assert math.sqrt(9.0) == 3.0 and math.floor(2.5) == 2
        with pytest.raises(ValueError):
            math.sqrt(-1.0)
    assert type(math.sqrt).__name__ == "builtin_function_or_method"


@pytest.mark.parametrize("x", [2.5, -2.5, 3.5, 0.49, -0.51])
def test_round_of_a_run_time_float_is_pythons(x):
    @fxn.compile
    def nearest(t: float) -> int:
        return round(t)

    @fxn.compile
    def tenths(t: float) -> float:
        return round(t, 1)

    assert nearest(x) == round(x) and type(nearest(x)) is int
    assert tenths(x) == pytest.approx(round(x, 1), abs=1e-6)
