"""How a compiled result is compared with the reference interpreter's: bit for bit, within a tolerance, within ulps,
or by shape alone.

These are the bounds fxn's own tests hold its lowering to: exact ops bit for
bit, sums and products within :data:`TOLERANCES` (they may add in another
order), transcendentals within the ulps :mod:`fxn.passes.lowering.math_expansion`
states. Every check raises ``AssertionError`` saying where and by how much
the results differ.
"""

from __future__ import annotations

import numpy as np

from fxn.dialects.types import NUMPY_DTYPES, dtype_of_numpy
from fxn.passes.lowering.math_expansion import F32, F64, MAX_ERROR_ULPS

from .case import CLOSE, EXACT, SHAPE, ULPS, Case

#: Allowed difference per result dtype, relative to 1 + the largest expected magnitude:
#: f16 results may differ by one rounding of the f32 accumulator, f32/f64 by summation order.
TOLERANCES = {"f16": 2e-3, "f32": 2e-5, "f64": 1e-12}
#: The f64 reference's own error (glibc is within 1 ulp; sigmoid composes exp, an add and a division).
REFERENCE_F64_ULPS = {"exp": 1, "log": 1, "tanh": 1, "sigmoid": 2.5, "erf": 1, "pow": 1, "sin": 1, "cos": 1, "tan": 1,
                      "asin": 1, "acos": 1, "atan": 1, "atan2": 1, "sinh": 1, "cosh": 1}


def _same_type(actual: np.ndarray, expected: np.ndarray, what) -> None:
    assert actual.dtype == expected.dtype and actual.shape == expected.shape, (
        f"{what}: got {actual.dtype} of shape {actual.shape}, expected {expected.dtype} of shape {expected.shape}"
    )


def _first_difference(bad: np.ndarray, actual: np.ndarray, expected: np.ndarray, what) -> str:
    index = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
    return (f"{what}: {int(bad.sum())} of {bad.size} elements differ; first at {index}: "
            f"got {actual[index]!r}, expected {expected[index]!r}")


def assert_identical(actual: np.ndarray, expected: np.ndarray, what="") -> None:
    """Same dtype, shape and values; floats bit for bit up to NaN payloads (the sign of zero counts)."""
    _same_type(actual, expected, what)
    if expected.dtype.kind == "f":
        same = (actual == expected) & (np.signbit(actual) == np.signbit(expected))
        bad = ~(same | (np.isnan(actual) & np.isnan(expected)))
    else:
        bad = actual != expected
    assert not bad.any(), _first_difference(bad, actual, expected, what)


def assert_close(actual: np.ndarray, expected: np.ndarray, what="") -> None:
    """Same dtype and shape; floats within the dtype's tolerance of 1 + max |expected|, NaN where NaN; others equal."""
    _same_type(actual, expected, what)
    if expected.dtype.kind != "f":
        assert_identical(actual, expected, what)
        return
    wide, got = expected.astype(np.float64), actual.astype(np.float64)
    finite = wide[np.isfinite(wide)]
    allowed = TOLERANCES[dtype_of_numpy(expected.dtype)] * (1 + (np.abs(finite).max() if finite.size else 0))
    with np.errstate(invalid="ignore"):
        fits = (np.abs(got - wide) <= allowed) | (got == wide) | (np.isnan(got) & np.isnan(wide))
    assert fits.all(), _first_difference(~fits, actual, expected, f"{what} (tolerance {allowed:.3g})")


def ulp_errors(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """``|actual - expected|`` in ulps of ``expected``'s type at ``expected`` (0 where equal or both NaN)."""
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    wide_actual, wide_expected = actual.astype(np.float64), expected.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        ulps = np.abs(wide_actual - wide_expected) / np.spacing(np.abs(expected)).astype(np.float64)
    equal = (actual == expected) | (np.isnan(actual) & np.isnan(expected))
    return np.where(equal, 0.0, np.nan_to_num(ulps, nan=np.inf))


def allowed_ulps(function: str, dtype: str) -> float:
    """The ulps a compiled ``function`` (``"exp"``) may be from the reference in ``dtype``.

    f32 is compared with the f64 reference rounded to f32 (nearly the
    correctly rounded value: half an ulp more), f64 with the f64 reference
    (its own error added); f16, computed in f32 and rounded once as the
    reference does, with the f16 reference, within 1 ulp.
    """
    if dtype == "f32":
        return MAX_ERROR_ULPS[function][F32] + 0.5
    if dtype == "f64":
        return MAX_ERROR_ULPS[function][F64] + REFERENCE_F64_ULPS[function]
    return 1.0


def assert_within_ulps(actual: np.ndarray, expected: np.ndarray, allowed: float, what="", inputs=()) -> None:
    """``actual`` within ``allowed`` ulps of ``expected`` (rounded to ``actual``'s dtype) everywhere."""
    assert actual.shape == expected.shape, f"{what}: got shape {actual.shape}, expected {expected.shape}"
    with np.errstate(over="ignore"):
        errors = ulp_errors(actual, expected.astype(actual.dtype))
    if not errors.size:
        return
    worst = np.unravel_index(int(np.argmax(errors)), errors.shape)
    at = [np.broadcast_to(a, actual.shape)[worst] for a in inputs]
    assert errors[worst] <= allowed, (f"{what}: {errors[worst]} ulps (allowed {allowed}) at inputs {at}: "
                                      f"got {actual[worst]!r}, expected {expected[worst]!r}")


def needs_wide_reference(case: Case) -> bool:
    """Whether ``case`` is compared with the reference computed on its inputs widened to f64."""
    return case.compare == ULPS and case.dtype in ("f32", "f64")


def widened(case: Case) -> Case:
    """``case`` on its inputs converted to f64 (the reference for :data:`~fxn.testing.case.ULPS` cases)."""
    inputs = [None if a is None else a.astype(np.float64) for a in case.inputs]
    return Case(case.op, inputs, case.attrs, case.dynamic, compare=case.compare, variant=case.variant)


def check_result(case: Case, actual: np.ndarray, expected: np.ndarray, what="") -> None:
    """AssertionError unless ``actual`` is ``case``'s result as its :attr:`~Case.compare` defines against ``expected``.

    ``expected`` is the reference's result on the case's inputs, or for
    :func:`needs_wide_reference` cases on the inputs widened to f64.
    """
    actual, expected = np.asarray(actual), np.asarray(expected)
    if case.compare == EXACT:
        assert_identical(actual, expected, what)
    elif case.compare == CLOSE:
        assert_close(actual, expected, what)
    elif case.compare == SHAPE:
        assert (actual.shape, actual.dtype) == (expected.shape, expected.dtype), (
            f"{what}: got {actual.dtype}{list(actual.shape)}, expected {expected.dtype}{list(expected.shape)}")
    elif case.compare == ULPS:
        function = case.op.OPERATION_NAME.removeprefix("fxn.")
        dtype = NUMPY_DTYPES[case.dtype]
        assert actual.dtype == dtype, f"{what}: got {actual.dtype}, expected {dtype}"
        assert_within_ulps(actual, expected, allowed_ulps(function, case.dtype), what, case.arrays)
    else:
        raise ValueError(f"{what}: unknown comparison '{case.compare}'")
