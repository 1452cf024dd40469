"""sin, cos, tan, asin, acos, atan, atan2, sinh, cosh and cumsum/cumprod compiled for this machine against numpy and torch.

The transcendentals are held to :data:`~fxn.passes.lowering.math_expansion.MAX_ERROR_ULPS`
over 2e5 random inputs each (the stated bounds were measured over 1e6):
f32 against numpy's f64 result rounded to f32, f64 against numpy's f64
result (glibc's, itself within 1 ulp: the bound is measured against it).
Beyond the range of an exact reduction by pi/2, sin, cos and tan stay
finite and bounded. Running sums and products go through make_fx (torch)
and TorchDynamo (numpy), with torch's dtype rule (integers to i64) and
dims known only at run time.
"""

import numpy as np
import pytest
import torch

import fxn
from fxn.dialects import elementwise as ew
from fxn.passes.lowering.math_expansion import F32, F64, MAX_ERROR_ULPS, TRIG_REDUCTION_LIMIT
from fxn.testing.case import Case
from fxn.testing.compare import assert_identical, ulp_errors
from test_lowering_elementwise import build_text, compile_text

N = 200_000
RNG = np.random.default_rng(11)
FORMATS = {"f32": (np.float32, F32), "f64": (np.float64, F64)}


def _random_inputs(name: str) -> list[np.ndarray]:
    """Random inputs over each function's interesting range (as the measurement: bulk, tiny, near the limits)."""
    n = N
    if name in ("sin", "cos", "tan"):
        multiples = RNG.integers(-(10**6), 10**6, n // 4) * (np.pi / 2)
        return [np.concatenate([RNG.uniform(-10, 10, n // 2), RNG.uniform(-1.6e6, 1.6e6, n // 4),
                                multiples * (1 + RNG.standard_normal(n // 4) * 1e-12)])]
    if name in ("asin", "acos"):
        return [np.concatenate([RNG.uniform(-1, 1, n // 2), 1 - np.exp(RNG.uniform(-50, 0, n // 4)),
                                -1 + np.exp(RNG.uniform(-50, 0, n // 4))])]
    if name == "atan":
        return [np.concatenate([RNG.uniform(-4, 4, n // 2), np.exp(RNG.uniform(-80, 80, n // 2)) * RNG.choice([-1, 1], n // 2)])]
    if name in ("sinh", "cosh"):
        return [np.concatenate([RNG.uniform(-25, 25, n // 2), RNG.uniform(-88, 88, n // 4), RNG.standard_normal(n // 4) * 1e-3])]
    return [RNG.standard_normal(n) * np.exp(RNG.uniform(-30, 30, n)), RNG.standard_normal(n) * np.exp(RNG.uniform(-30, 30, n))]


FUNCTIONS = {"sin": (ew.SinOp, np.sin), "cos": (ew.CosOp, np.cos), "tan": (ew.TanOp, np.tan),
             "asin": (ew.AsinOp, np.arcsin), "acos": (ew.AcosOp, np.arccos), "atan": (ew.AtanOp, np.arctan),
             "atan2": (ew.Atan2Op, np.arctan2), "sinh": (ew.SinhOp, np.sinh), "cosh": (ew.CoshOp, np.cosh)}


@pytest.mark.parametrize("dtype", ["f32", "f64"])
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_within_the_stated_ulps_of_numpy(name, dtype):
    op, reference = FUNCTIONS[name]
    numpy_dtype, fmt = FORMATS[dtype]
    arrays = [a.astype(numpy_dtype) for a in _random_inputs(name)]
    case = Case(op, arrays, dynamic=tuple((0,) for _ in arrays))
    (got,) = compile_text(build_text([case]))(*arrays)
    with np.errstate(all="ignore"):
        expected = reference(*(a.astype(np.float64) for a in arrays)).astype(numpy_dtype)
    errors = ulp_errors(got, expected)
    worst = int(np.argmax(errors))
    assert errors[worst] <= MAX_ERROR_ULPS[name][fmt], (name, dtype, [a[worst] for a in arrays], got[worst], expected[worst])


@pytest.mark.parametrize("numpy_dtype", [np.float32, np.float64])
def test_trigonometric_functions_beyond_the_reduction_range_stay_bounded(numpy_dtype):
    top = np.log10(np.finfo(numpy_dtype).max)
    x = (10 ** RNG.uniform(np.log10(TRIG_REDUCTION_LIMIT), top, 20000) * RNG.choice([-1, 1], 20000)).astype(numpy_dtype)
    cases = [Case(op, [x], dynamic=((0,),)) for op in (ew.SinOp, ew.CosOp, ew.TanOp)]
    sine, cosine, tangent = compile_text(build_text(cases))(x, x, x)
    assert np.abs(sine).max() <= 1 and np.abs(cosine).max() <= 1 and np.isfinite(tangent).all()
    # Just beyond the limit the error is about |x| 2**-53 (n pi/2 rounds).
    near = RNG.uniform(TRIG_REDUCTION_LIMIT, 1e9, 20000).astype(numpy_dtype)
    (got,) = compile_text(build_text([cases[0]]))(near)
    allowed = np.maximum(np.abs(near.astype(np.float64)) * 2.0**-50, np.finfo(numpy_dtype).eps)
    assert np.all(np.abs(got - np.sin(near.astype(np.float64))) <= allowed)


SPECIALS = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, 3.0, 1e-30, 40.0, -100.0], np.float32)


def torch_trigonometric(x, y):
    return (torch.sin(x), torch.cos(x), torch.tan(x), torch.asin(x), torch.acos(x), torch.atan(x), torch.atan2(x, y),
            torch.sinh(x), torch.cosh(x))


def numpy_trigonometric(x, y):
    return (np.sin(x), np.cos(x), np.tan(x), np.arcsin(x), np.arccos(x), np.arctan(x), np.arctan2(x, y), np.sinh(x),
            np.cosh(x))


@pytest.mark.parametrize("fn", [torch_trigonometric, numpy_trigonometric])
def test_special_values_match_torch_and_numpy(fn):
    """Signed zeros, infinities, NaN and every (y, x) pair of them for atan2: as the eager libraries, bit for bit there."""
    y, x = (a.ravel() for a in np.meshgrid(SPECIALS, SPECIALS))
    compiled = fxn.compile(fn)(y, x)
    with np.errstate(all="ignore"):
        eager = fn(torch.from_numpy(y), torch.from_numpy(x)) if fn is torch_trigonometric else fn(y, x)
    for k, (got, want) in enumerate(zip(compiled, eager)):
        want = np.asarray(want)
        exact = ~np.isfinite(want) | (want == 0) | (np.abs(want) == np.float32(np.pi))
        assert_identical(np.asarray(got)[exact], want[exact], f"result {k}")
        np.testing.assert_allclose(np.asarray(got), want, rtol=3e-7, atol=0, equal_nan=True, err_msg=f"result {k}")


def torch_scans(x: fxn.Tensor[fxn.f32, "N", 5], i: fxn.Tensor[fxn.i32, "N", 5]):
    return (torch.cumsum(x, 0), torch.cumprod(x, -1), torch.cumsum(i, 1), torch.cumprod(i, 0), (x > 0).cumsum(1),
            torch.cumsum(i, 0, dtype=torch.float64))


def numpy_scans(x: fxn.Tensor[fxn.f32, "N", 5], i: fxn.Tensor[fxn.i32, "N", 5]):
    return np.cumsum(x, axis=1), np.cumprod(x, axis=0), np.cumsum(i, axis=0), np.cumprod(i, axis=1), np.cumsum(x)


@pytest.mark.parametrize("rows", [7, 1, 0])
def test_cumsum_and_cumprod_match_torch_with_dynamic_dims(rows):
    x = (RNG.standard_normal((rows, 5)) / 4 + 1).astype(np.float32)
    i = RNG.integers(-3, 4, (rows, 5)).astype(np.int32)
    compiled = fxn.compile(torch_scans)(x, i)
    eager = [t.numpy() for t in torch_scans(torch.from_numpy(x), torch.from_numpy(i))]
    assert [np.asarray(c).dtype for c in compiled] == [e.dtype for e in eager]  # integers and bool: i64
    for got, want in zip(compiled, eager):
        np.testing.assert_allclose(np.asarray(got), want, rtol=2e-6)


def test_cumsum_and_cumprod_match_numpy():
    """Values as numpy's; i32 stays i32 (TorchDynamo's numpy gives that; numpy itself widens to i64)."""
    x = (RNG.standard_normal((6, 5)) / 4 + 1).astype(np.float32)
    x[2, 1], x[4, 3] = np.nan, np.inf
    i = RNG.integers(-3, 4, (6, 5)).astype(np.int32)
    compiled = fxn.compile(numpy_scans)(x, i)
    for got, want in zip(compiled, numpy_scans(x, i)):
        np.testing.assert_allclose(np.asarray(got), want, rtol=2e-6)
        assert np.asarray(got).dtype == (np.int32 if want.dtype.kind == "i" else want.dtype)


def test_integer_running_products_wrap_as_torch():
    i = np.full((2, 70), 3, np.int64)
    (got,) = fxn.compile(lambda v: (torch.cumprod(v, 1),))(i)
    np.testing.assert_array_equal(got, torch.cumprod(torch.from_numpy(i), 1).numpy())
