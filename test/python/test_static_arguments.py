"""Static parameters (``fxn.Static[T]``, ``static_argnames=``): Python values that are constants of the traced code."""

import enum

import numpy as np
import pytest

import fxn
from fxn.dialects import TensorType
from fxn.frontend.types import Parameter, StaticSpec, parameters


class Mode(enum.Enum):
    SUM = 1
    MAX = 2


@fxn.compile
def head(x: fxn.Tensor[fxn.f32, 6], k: fxn.Static[int]):
    return x[:k] * 2


def test_each_static_value_has_a_concrete_function_of_its_own():
    x = np.arange(6, dtype=np.float32)
    np.testing.assert_array_equal(head(x, 3), x[:3] * 2)
    np.testing.assert_array_equal(head(x, k=2), x[:2] * 2)
    np.testing.assert_array_equal(head(x, 3), x[:3] * 2)
    assert len(head.concrete_functions) == 2
    assert [c.result_types[0].shape for c in head.concrete_functions] == [(3,), (2,)]


@fxn.compile
def reduce(x: fxn.Tensor[fxn.f32, "N"], mode: fxn.Static[Mode], training: fxn.Static[bool] = False):
    if mode == Mode.SUM:
        r = x.sum()
    else:
        r = x.max()
    if training:
        r = r * 0
    return r


def test_enum_and_bool_statics_decide_branches_at_trace_time():
    x = np.arange(6, dtype=np.float32)
    assert reduce(x, Mode.SUM) == 15.0 and reduce(x, Mode.MAX) == 5.0
    assert reduce(x, Mode.MAX, training=True) == 0.0
    stages = {}
    lowered = reduce.specialize(mode=Mode.SUM, training=False).lower([TensorType("f32", (None,))], "host", stages,
                                                                      stop_after="fxn")
    assert lowered is None and "scf.if" not in stages["fxn"] and "fxn.max" not in stages["fxn"]


@fxn.compile(static_argnames=("p",))
def power(p, x: fxn.Tensor[fxn.f32, 4]):
    y = x
    for _ in range(p - 1):
        y = y * x
    return y


def test_static_argnames_makes_an_unannotated_parameter_static():
    x = np.array([0, 1, 2, 3], np.float32)
    np.testing.assert_array_equal(power(3, x), x ** 3)
    np.testing.assert_array_equal(power(p=1, x=x), x)


@fxn.compile
def scaled_if_positive(x: fxn.Tensor[fxn.f32, 4], scale: fxn.Static[float], n: int):
    total = 0.0
    for i in range(n):
        if x.sum() > 0:
            total = total + scale
    return x * total


def test_a_static_value_in_a_function_with_run_time_control_flow():
    x = np.ones(4, np.float32)
    np.testing.assert_array_equal(scaled_if_positive(x, 0.5, 3), x * 1.5)
    np.testing.assert_array_equal(scaled_if_positive(-x, 2.0, 3), -x * 0.0)


def test_static_values_are_checked_and_a_specialization_is_needed_ahead_of_time():
    x = np.arange(6, dtype=np.float32)
    with pytest.raises(TypeError, match=r"static parameter 'k' is annotated fxn\.Static\[int\]; got float 2\.5"):
        head(x, 2.5)
    with pytest.raises(TypeError, match="static parameter 'k' takes an int, float, bool, str, None, enum member or "
                                        "tuple of these; got list"):
        head(x, [1])
    with pytest.raises(TypeError, match=r"head has static parameters; compile a specialization ahead of time: "
                                        r"head\.specialize\(k=\.\.\.\)"):
        head.declared_types()
    assert head.specialize(k=4).declared_types()[0].shape == (6,)
    with pytest.raises(TypeError, match="static_argnames names no parameter 'q'"):
        fxn.compile(static_argnames=("q",))(power.__wrapped__)


def test_parameters_mark_statics():
    def f(x, k: fxn.Static[int], m):
        return x

    marked = parameters(f, static_argnames=("m",))
    assert marked[0] == Parameter("x", None, False)
    assert marked[1].static == StaticSpec(int) and marked[2].static == StaticSpec(object)
