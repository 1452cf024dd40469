"""The generic lowering of reduce, softmax and argmax, compiled for the host against the reference interpreter."""

from __future__ import annotations

import numpy as np
import pytest
from lowering_harness import Case, compiled_fixture, random_array

from fxn.dialects.reduction import ArgmaxOp, ReduceOp, SoftmaxOp
from fxn.dialects.types import FLOAT_DTYPES, INT_DTYPES, NUMPY_DTYPES

# ----------------------------------------------------------------------------
# reduce

#: (input shape, axes, keepdims, dynamic axes): odd sizes, size-1 dims, negative and repeated-order axes, 0-d.
REDUCE_SHAPES = [
    ((3, 4, 5), (1,), False, ()),
    ((3, 4, 5), (0, -1), True, ()),
    ((2, 3, 4), (2, 0, 1), False, ()),
    ((5, 1, 3), (1,), True, ()),
    ((), (0,), False, ()),
    ((4, 6, 3), (-2,), True, (0, 1)),  # the reduced extent and a kept dim known at run time only
]

REDUCE_KINDS = [(kind, dtype) for kind in ("sum", "prod", "max", "min") for dtype in FLOAT_DTYPES + INT_DTYPES] + [
    ("mean", dtype) for dtype in FLOAT_DTYPES
]


def _reduce_input(kind: str, shape, dtype: str, seed: int) -> np.ndarray:
    x = random_array(shape, dtype, seed)
    if kind == "prod" and dtype in FLOAT_DTYPES:
        x = (x / 4 + 1).astype(x.dtype)  # products of many factors stay in f16's range
    return x


REDUCE_CASES = {
    f"reduce_{kind}_{dtype}_{i}": Case(
        ReduceOp, [_reduce_input(kind, shape, dtype, i)], dict(kind=kind, axes=axes, keepdims=keepdims), (dynamic,)
    )
    for kind, dtype in REDUCE_KINDS
    for i, (shape, axes, keepdims, dynamic) in enumerate(REDUCE_SHAPES)
}


def _with_nans(shape, dtype: str) -> np.ndarray:
    x = random_array(shape, dtype, 7)
    x[0, 1] = np.nan
    x[2, :] = np.nan
    return x


#: Special values: NaN propagates through max and min; empty extents give 0, 1 and NaN.
REDUCE_CASES.update(
    {
        f"reduce_{kind}_nan_{dtype}": Case(ReduceOp, [_with_nans((3, 5), dtype)], dict(kind=kind, axes=(1,)))
        for kind in ("max", "min", "sum")
        for dtype in ("f16", "f32")
    }
)
REDUCE_CASES.update(
    {
        f"reduce_{kind}_empty_{dtype}": Case(ReduceOp, [np.zeros((3, 0), NUMPY_DTYPES[dtype])], dict(kind=kind, axes=(1,)))
        for kind in ("sum", "prod", "mean")
        for dtype in ("f32", "i32")
        if not (kind == "mean" and dtype == "i32")
    }
)
REDUCE_CASES["reduce_sum_f16_large"] = Case(
    ReduceOp, [np.full((4, 3000), 1.0, np.float16)], dict(kind="sum", axes=(1,))
)  # f16 accumulation would stop at 2048


reduce_compiled = compiled_fixture(REDUCE_CASES)


@pytest.mark.parametrize("name", REDUCE_CASES)
def test_reduce(reduce_compiled, name):
    reduce_compiled.check(name)


def test_f16_sum_accumulates_in_f32(reduce_compiled):
    np.testing.assert_array_equal(reduce_compiled.check("reduce_sum_f16_large"), np.full(4, 3000, np.float16))


def test_nan_propagates_through_max(reduce_compiled):
    result = reduce_compiled.check("reduce_max_nan_f32")
    assert np.isnan(result[0]) and np.isnan(result[2]) and not np.isnan(result[1])


# ----------------------------------------------------------------------------
# softmax


def _softmax_specials(dtype: str) -> np.ndarray:
    """Rows: large values (stability), an all -inf row, a +inf, a NaN, a -inf among numbers."""
    x = np.array(
        [
            [1000.0, 999.0, 998.0, -1000.0],
            [-np.inf, -np.inf, -np.inf, -np.inf],
            [1.0, np.inf, 0.0, 2.0],
            [1.0, np.nan, 0.0, 2.0],
            [-np.inf, 0.5, 0.25, 0.0],
        ]
    )
    return x.astype(NUMPY_DTYPES[dtype])


#: (input shape, dim, dynamic axes)
SOFTMAX_SHAPES = [((3, 4, 5), -1, ()), ((3, 4, 5), 0, ()), ((2, 7, 3), 1, (0, 1)), ((6,), 0, ()), ((), 0, ()), ((2, 0, 3), 2, ())]

SOFTMAX_CASES = {
    f"softmax_{dtype}_{i}": Case(SoftmaxOp, [random_array(shape, dtype, i) * 3], dict(dim=dim), (dynamic,))
    for dtype in FLOAT_DTYPES
    for i, (shape, dim, dynamic) in enumerate(SOFTMAX_SHAPES)
}
SOFTMAX_CASES.update(
    {f"softmax_specials_{dtype}": Case(SoftmaxOp, [_softmax_specials(dtype)], dict(dim=1)) for dtype in FLOAT_DTYPES}
)

softmax_compiled = compiled_fixture(SOFTMAX_CASES)


@pytest.mark.parametrize("name", SOFTMAX_CASES)
def test_softmax(softmax_compiled, name):
    softmax_compiled.check(name)


def test_softmax_is_stable_and_nan_where_torch_is(softmax_compiled):
    result = softmax_compiled.check("softmax_specials_f32")
    assert np.all(np.isfinite(result[0])) and abs(result[0].sum() - 1) < 1e-6
    assert np.all(np.isnan(result[1:4])) and result[4, 0] == 0


# ----------------------------------------------------------------------------
# argmax

#: (input shape, dim, keepdims, dynamic axes)
ARGMAX_SHAPES = [((3, 4, 5), 1, False, ()), ((3, 4, 5), -1, True, ()), ((7,), 0, False, (0,)), ((4, 1), 1, True, ()), ((), 0, True, ())]


def _argmax_input(shape, dtype: str, seed: int) -> np.ndarray:
    # A small integer range makes ties, which must give the first index.
    return random_array(shape, dtype, seed) if dtype in FLOAT_DTYPES else random_array(shape, dtype, seed, 0, 3)


ARGMAX_CASES = {
    f"argmax_{dtype}_{i}": Case(ArgmaxOp, [_argmax_input(shape, dtype, i)], dict(dim=dim, keepdims=keepdims), (dynamic,))
    for dtype in FLOAT_DTYPES + INT_DTYPES
    for i, (shape, dim, keepdims, dynamic) in enumerate(ARGMAX_SHAPES)
}
ARGMAX_CASES["argmax_specials"] = Case(
    ArgmaxOp,
    [np.array([[1.0, np.nan, 5.0, np.nan], [-np.inf, -np.inf, -np.inf, -np.inf], [2.0, 7.0, 7.0, -1.0], [np.inf, 1.0, np.inf, np.nan]], np.float32)],
    dict(dim=1),
)
ARGMAX_CASES["argmax_extremes_i8"] = Case(ArgmaxOp, [np.array([[-128, -128, -128], [127, -128, 127]], np.int8)], dict(dim=1))

argmax_compiled = compiled_fixture(ARGMAX_CASES)


@pytest.mark.parametrize("name", ARGMAX_CASES)
def test_argmax(argmax_compiled, name):
    argmax_compiled.check(name)


def test_argmax_takes_the_first_nan_and_the_first_tie(argmax_compiled):
    np.testing.assert_array_equal(argmax_compiled.check("argmax_specials"), [1, 0, 1, 3])
    np.testing.assert_array_equal(argmax_compiled.check("argmax_extremes_i8"), [0, 0])
