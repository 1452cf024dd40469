"""The reduction ops (reduce, softmax, argmax): builder, verifier and reference kernels against PyTorch."""

import numpy as np
import pytest
import torch

from fxn.dialects.reduction import ArgmaxOp, ReduceOp, SoftmaxOp
from fxn.dialects.types import FLOAT_DTYPES, INT_DTYPES, NUMPY_DTYPES
from fxn.interpreter import InterpreterError, interpret
from op_harness import assert_close, assert_rejected, random_array, run_op




# ----------------------------------------------------------------------------
# reduce

#: (shape, axes): odd sizes, size-1 and size-0 dims, negative axes, several axes, 0-d.
REDUCE_CASES = [
    ((7,), (0,)),
    ((2, 3, 5), (0, 2)),
    ((2, 3, 5), (-1, -3)),
    ((4, 1, 3), (1,)),
    ((0, 3), (1,)),
    ((3, 0), (0,)),
    ((), (0,)),
    ((), (-1,)),
]


def torch_reduce(x: np.ndarray, kind: str, axes, keepdims: bool) -> np.ndarray:
    """PyTorch's reduction, cast back to the input dtype (PyTorch widens integer sum and prod to i64)."""
    t = torch.from_numpy(x)
    if x.ndim == 0:
        return x.copy()
    dims = sorted((a % x.ndim for a in axes), reverse=True)
    if kind == "prod":  # torch.prod takes one dim; going from the last keeps the others' positions
        for dim in dims:
            t = t.prod(dim, keepdim=keepdims)
    else:
        reducer = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin}[kind]
        t = reducer(t, dim=tuple(dims), keepdim=keepdims)
    return t.to(torch.from_numpy(x).dtype).numpy()


@pytest.mark.parametrize(
    "kind, dtype",
    [(kind, dtype) for kind in ("sum", "prod", "max", "min") for dtype in FLOAT_DTYPES + INT_DTYPES]
    + [("mean", dtype) for dtype in FLOAT_DTYPES],
)
def test_reduce_matches_torch(kind, dtype):
    for i, (shape, axes) in enumerate(REDUCE_CASES):
        if kind in ("max", "min") and 0 in [shape[a] for a in axes if shape]:
            continue  # an empty extent is an error: test_max_and_min_of_an_empty_extent_fail
        x = random_array(shape, dtype, seed=i)
        if kind == "prod" and dtype in FLOAT_DTYPES:
            x = np.asarray(x / 4 + 1, x.dtype)  # keep f16 products in range
        keepdims = i % 2 == 1
        result = run_op(ReduceOp, [x], kind=kind, axes=axes, keepdims=keepdims)
        assert_close(result, torch_reduce(x, kind, axes, keepdims), dtype)


def test_reduce_over_an_empty_extent_gives_the_identity():
    x = np.zeros((3, 0), np.float32)
    assert_close(run_op(ReduceOp, [x], kind="sum", axes=(1,)), np.zeros(3, np.float32))
    assert_close(run_op(ReduceOp, [x], kind="prod", axes=(1,)), np.ones(3, np.float32))
    assert_close(run_op(ReduceOp, [x], kind="mean", axes=(1,)), np.full(3, np.nan, np.float32))


@pytest.mark.parametrize("kind", ["max", "min"])
def test_max_and_min_of_an_empty_extent_fail(kind):
    with pytest.raises(InterpreterError, match=f"{kind} over an empty extent is undefined"):
        run_op(ReduceOp, [np.zeros((0, 3), np.float32)], kind=kind, axes=(0,))


def test_integer_sum_wraps_in_the_input_type():
    x = np.array([100, 100, 100], np.int8)
    assert run_op(ReduceOp, [x], kind="sum", axes=(0,)) == np.int8(44)  # 300 mod 256


def test_f16_sum_and_prod_accumulate_in_f32():
    # Reducing the outer axis makes numpy add row by row; rounding each step
    # to f16 would lose every +1 after 4096 (the ulp there is 4).
    x = np.array([[4096, 2]] + [[1, 1]] * 8, np.float16)
    assert_close(run_op(ReduceOp, [x], kind="sum", axes=(0,)), np.array([4104, 10], np.float16))
    x = np.full((5, 2), 1.01, np.float16)
    expected = np.prod(x.astype(np.float32), axis=0).astype(np.float16)  # 1.05, not 1.049
    assert_close(run_op(ReduceOp, [x], kind="prod", axes=(0,)), expected, atol=0, rtol=0)


def test_max_propagates_nan():
    x = np.array([[1.0, np.nan, 3.0]], np.float32)
    assert np.isnan(run_op(ReduceOp, [x], kind="max", axes=(1,)))[0]


def test_reduce_dynamic_dims_at_run_time():
    text = """
    func.func @f(%x: tensor<?x3xf32>) -> tensor<3xf32> {
      %r = "fxn.reduce"(%x) {axes = array<i64: 0>, keepdims = false, kind = "max"} : (tensor<?x3xf32>) -> tensor<3xf32>
      return %r : tensor<3xf32>
    }
    """
    x = random_array((5, 3), "f32")
    assert_close(interpret(text, x), x.max(axis=0))
    with pytest.raises(InterpreterError, match="max over an empty extent"):
        interpret(text, np.zeros((0, 3), np.float32))


# ----------------------------------------------------------------------------
# softmax

#: (shape, dim)
SOFTMAX_CASES = [((7,), 0), ((2, 3, 5), 1), ((2, 3, 5), -1), ((4, 1), 1), ((0, 3), 1), ((3, 0), 1), ((), 0), ((), -1)]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_softmax_matches_torch(dtype):
    for i, (shape, dim) in enumerate(SOFTMAX_CASES):
        x = random_array(shape, dtype, seed=i)
        expected = torch.softmax(torch.from_numpy(x), dim).numpy()
        assert_close(run_op(SoftmaxOp, [x], dim=dim), expected, dtype)


def test_softmax_is_stable_and_handles_infinities():
    x = np.array([[1000.0, 1000.0, -np.inf], [-np.inf, -np.inf, -np.inf], [0.0, np.inf, 1.0]], np.float32)
    expected = torch.softmax(torch.from_numpy(x), 1).numpy()
    assert_close(run_op(SoftmaxOp, [x], dim=1), expected)
    assert_close(expected[0], np.array([0.5, 0.5, 0.0], np.float32))


# ----------------------------------------------------------------------------
# argmax

#: (shape, dim)
ARGMAX_CASES = [((7,), 0), ((2, 3, 5), 1), ((2, 3, 5), -1), ((4, 1), 1), ((0, 3), 1), ((3, 0), 0), ((), 0), ((), -1)]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES + INT_DTYPES)
def test_argmax_matches_torch(dtype):
    for i, (shape, dim) in enumerate(ARGMAX_CASES):
        # Few distinct values, so that ties (first index wins) occur.
        x = np.asarray(random_array(shape, dtype, seed=i) % 3, NUMPY_DTYPES[dtype])
        keepdims = i % 2 == 0
        expected = torch.argmax(torch.from_numpy(x), dim, keepdim=keepdims).numpy()
        assert_close(run_op(ArgmaxOp, [x], dim=dim, keepdims=keepdims), expected)


def test_argmax_takes_the_first_nan_as_the_maximum():
    x = np.array([[1.0, np.nan, 5.0, np.nan], [2.0, 7.0, 7.0, 1.0]], np.float32)
    expected = torch.argmax(torch.from_numpy(x), 1).numpy()
    assert_close(run_op(ArgmaxOp, [x], dim=1), expected)
    assert expected.tolist() == [1, 1]


def test_argmax_over_an_empty_dimension_fails():
    with pytest.raises(InterpreterError, match="argmax over the empty dimension 1"):
        run_op(ArgmaxOp, [np.zeros((3, 0), np.int32)], dim=1)


# ----------------------------------------------------------------------------
# verifier rules, one case each

REJECTED = [
    ('"fxn.reduce"(%a0) {axes = array<i64: 0>, keepdims = false, kind = "median"} : (tensor<3xf32>) -> tensor<f32>',
     'attribute \'kind\' must be one of "sum", "mean", "max", "min", "prod"'),
    ('"fxn.reduce"(%a0) {axes = array<i64>, keepdims = false, kind = "sum"} : (tensor<3xf32>) -> tensor<3xf32>',
     "attribute 'axes' must not be empty"),
    ('"fxn.reduce"(%a0) {axes = array<i64: 2>, keepdims = false, kind = "sum"} : (tensor<2x3xf32>) -> tensor<2xf32>',
     "axis 2 is out of range for rank 2"),
    ('"fxn.reduce"(%a0) {axes = array<i64: 1, -1>, keepdims = false, kind = "sum"} : (tensor<2x3xf32>) -> tensor<2xf32>',
     "axes 1 and -1 both name dimension 1"),
    ('"fxn.reduce"(%a0) {axes = array<i64: 0>, keepdims = false, kind = "sum"} : (tensor<3xi1>) -> tensor<i1>',
     "requires a numeric operand; got i1"),
    ('"fxn.reduce"(%a0) {axes = array<i64: 0>, keepdims = false, kind = "mean"} : (tensor<3xi32>) -> tensor<i32>',
     'kind "mean" requires a float operand; got i32'),
    ('"fxn.reduce"(%a0) {axes = array<i64: 0>, keepdims = true, kind = "sum"} : (tensor<2x3xf32>) -> tensor<3xf32>',
     "result type tensor<3xf32> does not match the inferred type tensor<1x3xf32>"),
    ('"fxn.softmax"(%a0) {dim = 0 : i64} : (tensor<3xi32>) -> tensor<3xi32>',
     "requires a float operand; got i32"),
    ('"fxn.softmax"(%a0) {dim = -3 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>',
     "dimension -3 is out of range for rank 2"),
    ('"fxn.argmax"(%a0) {dim = 0 : i64, keepdims = false} : (tensor<3xi1>) -> tensor<i64>',
     "requires a numeric operand; got i1"),
    ('"fxn.argmax"(%a0) {dim = 2 : i64, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xi64>',
     "dimension 2 is out of range for rank 2"),
    ('"fxn.argmax"(%a0) {dim = 1 : i64, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xi32>',
     "result type tensor<2xi32> does not match the inferred type tensor<2xi64>"),
]


@pytest.mark.parametrize("op, message", REJECTED, ids=[message for _, message in REJECTED])
def test_verifier_rejects(op, message):
    assert_rejected(op, message)
