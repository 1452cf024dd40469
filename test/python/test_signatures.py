"""fxn.signatures reads a function's parameters and annotations as inspect does."""

import functools
import inspect

import pytest

import fxn
from fxn import signatures


def positional_only(a, b: float, /, c: "fxn.f32" = 1.0, *args, d: int, e="x", **kwargs) -> "float":
    return a


def keyword_only(x, *, y: "fxn.Tensor[fxn.f32, 3]") -> int:
    return x


def plain(x: float, y: float, z: float) -> float:
    return x * y + z


def no_annotations(x, y=2):
    return x


@functools.wraps(plain)
def wrapper(*args, **kwargs):
    return plain(*args, **kwargs)


class Callable:
    def __call__(self, p: float, *rest) -> float:
        return p


FUNCTIONS = [positional_only, keyword_only, plain, no_annotations, wrapper, functools.partial(keyword_only, 1),
             Callable(), lambda u, *v, w=1, **x: u]


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_parameter_kinds_are_inspects(fn):
    expected = {name: parameter.kind for name, parameter in inspect.signature(fn).parameters.items()}
    assert signatures.parameter_kinds(fn) == expected
    assert list(signatures.parameter_kinds(fn)) == list(expected)


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_annotations_are_inspects_evaluated(fn):
    assert signatures.annotations(fn) == inspect.get_annotations(fn, eval_str=True)


def test_variadic_functions_are_told_apart():
    assert [signatures.is_variadic(fn) for fn in (positional_only, keyword_only, plain, wrapper)] == [
        True, False, False, False]
