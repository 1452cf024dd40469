"""Python's ``float`` and ``int`` in compiled code (frontend/types.py): f32 and i32 by default, as DESIGN.md says,
and ``fxn.compile(dtype=...)`` for Python's own precision, compared bit for bit with CPython."""

from __future__ import annotations

import numpy as np
import pytest

import fxn
from fxn.dialects import TensorType


def bisect(lo: float, hi: float) -> float:
    for _ in range(60):
        mid = (lo + hi) / 2
        if mid * mid - 2 > 0:
            hi = mid
        else:
            lo = mid
    return lo


def harmonic(n: int) -> float:
    s = 0.0
    for k in range(1, n + 1):
        s += 1.0 / k
    return s


def reciprocal(n: int) -> float:
    return 1.0 / n + 0.1  # straight-line arithmetic on numbers: captured without torch


def scaled(x, a: float):
    return x * a, (x * a).sum()


@pytest.mark.parametrize("fn, args", [(bisect, (0.0, 2.0)), (harmonic, (1000,)), (reciprocal, (3,))],
                         ids=["bisect", "harmonic", "reciprocal"])
def test_float_is_f32_by_default_and_f64_on_request(fn, args):
    default, python = fxn.compile(fn)(*args), fxn.compile(fn, dtype=fxn.f64)(*args)
    assert type(python) is float and python == fn(*args)  # bit for bit
    assert default == pytest.approx(fn(*args), rel=1e-5) and default == float(np.float32(default))


def test_the_option_types_parameters_results_and_carried_literals():
    compiled = fxn.compile(harmonic, dtype=fxn.f64)
    assert [p.declared for p in compiled.parameters] == [TensorType("i32", ())]
    stages = {}
    compiled.lower(compiled.declared_types(), "host", stages, stop_after="fxn")
    assert "-> tensor<f64>" in stages["fxn"] and "tensor<f32>" not in stages["fxn"]
    wide = fxn.compile(lambda n: n * 3, dtype={float: fxn.f64, int: fxn.i64})
    assert wide.scalar_dtypes == {float: "f64", int: "i64", bool: "i1"}


def test_arrays_keep_their_type_with_a_float64_scalar():
    x = np.arange(4, dtype=np.float32)
    values, total = fxn.compile(scaled, dtype=fxn.f64)(x, 0.1)
    assert values.dtype == np.float32  # the array's type, as torch promotes a 0-d operand


@pytest.mark.parametrize("dtype", [fxn.i32, {int: fxn.f32}, {str: fxn.f64}, "f64"])
def test_a_wrong_dtype_option_is_a_type_error(dtype):
    with pytest.raises(TypeError, match=r"fxn.compile\(dtype=...\) gives float a float type"):
        fxn.compile(bisect, dtype=dtype)
