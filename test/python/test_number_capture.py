"""Functions of numbers captured without torch (frontend/number_capture.py) compute what torch's capture computes."""

import math

import pytest

import fxn
from fxn.frontend import number_capture


def f32_arithmetic(x: float, y: float, z: float) -> float:
    return (x * y + z) / (y - 2.5) - x ** 2 + 2.0 ** z - abs(-x) + (-y) % 3.0 + x // 0.75


def int_arithmetic(a: int, b: int) -> int:
    return a * 3 - b // 2 + a % 7 - (b << 2) + (a ^ b) - (a & 5) + (b | 1) + (~a) + (a >> 1)


def mixed(a: int, x: float, flag: bool) -> float:
    return a / 4 + x * a - flag + 1 / (a + 0.5) + (2 - x) + 3 * flag


def comparison(x: float, y: float) -> bool:
    return (x < y) & (x != 1.5) | (y >= 10.0)


def divmod_sum(a: int, b: int) -> int:
    quotient, remainder = divmod(a, b)
    return quotient * 100 + remainder


def reversed_division(x: float) -> float:
    return 1.0 / x + 3 // x + 2 ** x


CASES = [
    (f32_arithmetic, [(1.5, -2.0, 0.25), (-3.0, 7.5, 2.0), (0.0, 1.0, -1.0)]),
    (int_arithmetic, [(7, -3), (-20, 11), (0, 1)]),
    (mixed, [(3, 1.25, True), (-7, 0.5, False)]),
    (comparison, [(1.0, 2.0), (1.5, 2.0), (3.0, 2.0), (11.0, 12.0)]),
    (reversed_division, [(0.75,), (-2.5,)]),
]


@pytest.mark.parametrize("function, arguments", CASES, ids=[f.__name__ for f, _ in CASES])
def test_numbers_compute_as_torch_captures(function, arguments, monkeypatch):
    numbers = fxn.compile(function)
    results = [numbers(*args) for args in arguments]
    assert numbers.concrete_functions[0].lowered.traced.capture == "numbers"
    monkeypatch.setattr(number_capture, "applies", lambda *args: False)
    torch = fxn.compile(function)
    assert [torch(*args) for args in arguments] == results
    assert torch.concrete_functions[0].lowered.traced.capture == "fx"


def test_divmod_which_torch_does_not_take():
    compiled = fxn.compile(divmod_sum)
    for a, b in [(17, 5), (-17, 5), (17, -5), (-17, -5)]:
        assert compiled(a, b) == divmod_sum(a, b)


def branches(x: float) -> float:
    return x if x > 0 else -x


def uses_math(x: float) -> float:
    return math.sin(x) + 1.0


def converts(x: float) -> int:
    return int(x) + round(x)


@pytest.mark.parametrize("function, argument, expected", [
    (branches, -2.0, 2.0), (uses_math, 0.5, math.sin(0.5) + 1.0), (converts, 2.6, 5)])
def test_code_beyond_arithmetic_is_captured_by_torch(function, argument, expected):
    compiled = fxn.compile(function)
    assert compiled(argument) == pytest.approx(expected, rel=1e-6)
    assert compiled.concrete_functions[0].lowered.traced.capture != "numbers"


def test_ops_carry_the_position_of_their_operator():
    compiled = fxn.compile(divmod_sum)
    stages = {}
    compiled.lower(compiled.declared_types(), "host", stages, stop_after="fxn", debug_info=True)
    line = divmod_sum.__code__.co_firstlineno
    # divmod(a, b) on line +1 (MLIR column 27), the sum on line +2.
    assert f'test_number_capture.py":{line + 1}:27' in stages["fxn"]
    assert f'test_number_capture.py":{line + 2}:' in stages["fxn"]
