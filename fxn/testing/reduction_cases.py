"""Conformance cases of reduce, softmax and argmax, compared within the result dtype's tolerance.

Odd sizes, size-1 dims, negative and out-of-order axes, 0-d inputs, empty
extents, dims known only at run time; NaN through max, min and sum, f16
sums longer than f16 can count, softmax of huge values, infinities and
NaN, argmax ties and NaN (the first wins).
"""

from __future__ import annotations

import numpy as np

from fxn.dialects.reduction import ArgmaxOp, CumulativeOp, ReduceOp, SoftmaxOp
from fxn.dialects.types import ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES, NUMERIC_DTYPES, NUMPY_DTYPES

from .case import Case, among, normal_array

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


def _reduce_input(rng, kind: str, shape, dtype: str) -> np.ndarray:
    x = normal_array(rng, shape, dtype)
    if kind == "prod" and dtype in FLOAT_DTYPES:
        x = (x / 4 + 1).astype(x.dtype)  # products of many factors stay in f16's range
    return x


def _with_nans(rng, shape, dtype: str) -> np.ndarray:
    x = normal_array(rng, shape, dtype)
    x[0, 1] = np.nan
    x[2, :] = np.nan
    return x


def reduce_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    """Every kind on every dtype it takes and every shape; NaN, empty extents, a long f16 sum."""
    cases = {
        f"reduce_{kind}_{dtype}_{i}": Case(ReduceOp, [_reduce_input(rng, kind, shape, dtype)],
                                           dict(kind=kind, axes=axes, keepdims=keepdims), (dynamic,),
                                           variant=(kind, f"shape{i}"))
        for kind, dtype in REDUCE_KINDS if dtype in supported
        for i, (shape, axes, keepdims, dynamic) in enumerate(REDUCE_SHAPES)
    }
    # Special values: NaN propagates through max and min; empty extents give 0, 1 and NaN.
    for kind in ("max", "min", "sum"):
        for dtype in among(("f16", "f32"), supported):
            cases[f"reduce_{kind}_nan_{dtype}"] = Case(ReduceOp, [_with_nans(rng, (3, 5), dtype)],
                                                       dict(kind=kind, axes=(1,)), variant=(kind, "nan"))
    for kind, dtype in [("sum", "f32"), ("sum", "i32"), ("prod", "f32"), ("prod", "i32"), ("mean", "f32")]:
        if dtype in supported:
            cases[f"reduce_{kind}_empty_{dtype}"] = Case(ReduceOp, [np.zeros((3, 0), NUMPY_DTYPES[dtype])],
                                                         dict(kind=kind, axes=(1,)), variant=(kind, "empty"))
    if "f16" in supported:  # f16 accumulation would stop at 2048
        cases["reduce_sum_f16_large"] = Case(ReduceOp, [np.full((4, 3000), 1.0, np.float16)],
                                             dict(kind="sum", axes=(1,)), variant=("sum", "large"))
    return cases


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
SOFTMAX_SHAPES = [((3, 4, 5), -1, ()), ((3, 4, 5), 0, ()), ((2, 7, 3), 1, (0, 1)), ((6,), 0, ()), ((), 0, ()),
                  ((2, 0, 3), 2, ())]


def softmax_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    dtypes = among(FLOAT_DTYPES, supported)
    cases = {
        f"softmax_{dtype}_{i}": Case(SoftmaxOp, [normal_array(rng, shape, dtype) * 3],
                                     dict(dim=dim), (dynamic,), variant=(f"shape{i}",))
        for dtype in dtypes
        for i, (shape, dim, dynamic) in enumerate(SOFTMAX_SHAPES)
    }
    cases.update({f"softmax_specials_{dtype}": Case(SoftmaxOp, [_softmax_specials(dtype)], dict(dim=1),
                                                    variant=("specials",)) for dtype in dtypes})
    return cases


#: (input shape, dim, keepdims, dynamic axes)
ARGMAX_SHAPES = [((3, 4, 5), 1, False, ()), ((3, 4, 5), -1, True, ()), ((7,), 0, False, (0,)), ((4, 1), 1, True, ()),
                 ((), 0, True, ())]


def argmax_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    def argmax_input(shape, dtype: str) -> np.ndarray:
        # A small integer range makes ties, which must give the first index.
        return normal_array(rng, shape, dtype) if dtype in FLOAT_DTYPES else normal_array(rng, shape, dtype, 0, 3)

    cases = {
        f"argmax_{dtype}_{i}": Case(ArgmaxOp, [argmax_input(shape, dtype)], dict(dim=dim, keepdims=keepdims),
                                    (dynamic,), variant=(f"shape{i}",))
        for dtype in among(FLOAT_DTYPES + INT_DTYPES, supported)
        for i, (shape, dim, keepdims, dynamic) in enumerate(ARGMAX_SHAPES)
    }
    specials = [[1.0, np.nan, 5.0, np.nan], [-np.inf, -np.inf, -np.inf, -np.inf], [2.0, 7.0, 7.0, -1.0],
                [np.inf, 1.0, np.inf, np.nan]]
    cases["argmax_specials"] = Case(ArgmaxOp, [np.array(specials, np.float32)], dict(dim=1), variant=("specials",))
    cases["argmax_extremes_i8"] = Case(ArgmaxOp, [np.array([[-128, -128, -128], [127, -128, 127]], np.int8)],
                                       dict(dim=1), variant=("extremes",))
    return cases


#: (input shape, axis, dynamic axes): the scanned axis first, last, in the middle, known at run time, empty; 0-d.
CUMULATIVE_SHAPES = [((4, 37), 1, ()), ((6, 3, 5), 0, ()), ((3, 9, 17), -2, (0, 1)), ((23,), 0, (0,)), ((4, 0, 3), 1, ()),
                     ((0, 5), 0, (0,)), ((), 0, ())]


def _cumulative_input(rng, kind: str, shape, dtype: str) -> np.ndarray:
    x = normal_array(rng, shape, dtype)
    if kind == "prod" and dtype in FLOAT_DTYPES:
        x = (x / 8 + 1).astype(x.dtype)  # running products stay in f16's range
    return x


def cumulative_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    """Both kinds on every numeric dtype and shape (integers wrap); NaN and inf propagating; a long f16 sum."""
    cases = {
        f"cumulative_{kind}_{dtype}_{i}": Case(CumulativeOp, [_cumulative_input(rng, kind, shape, dtype)],
                                               dict(kind=kind, axis=axis), (dynamic,), variant=(kind, f"shape{i}"))
        for kind in ("sum", "prod") for dtype in among(NUMERIC_DTYPES, supported)
        for i, (shape, axis, dynamic) in enumerate(CUMULATIVE_SHAPES)
    }
    specials = np.array([[1.0, np.nan, 2.0, 3.0], [1.0, np.inf, -np.inf, 1.0], [0.0, -0.0, -0.0, 1.0], [2.0, np.inf, 0.0, 1.0]])
    for kind in ("sum", "prod"):
        for dtype in among(FLOAT_DTYPES, supported):
            cases[f"cumulative_{kind}_specials_{dtype}"] = Case(
                CumulativeOp, [specials.astype(NUMPY_DTYPES[dtype])], dict(kind=kind, axis=1), variant=(kind, "specials"))
    if "f16" in supported:  # f16 accumulation would stop at 2048
        cases["cumulative_sum_f16_long"] = Case(CumulativeOp, [np.full((3, 3000), 1.0, np.float16)],
                                                dict(kind="sum", axis=1), variant=("sum", "long"))
    return cases


def builders() -> dict[str, object]:
    """Per reduction op name, the function ``(rng, supported dtypes) -> {name: Case}`` making its cases."""
    return {"fxn.reduce": reduce_cases, "fxn.softmax": softmax_cases, "fxn.argmax": argmax_cases,
            "fxn.cumulative": cumulative_cases}
