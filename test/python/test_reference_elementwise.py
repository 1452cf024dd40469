"""The elementwise ops through builder, verifier and reference interpreter.

Random inputs are compared with PyTorch; special values, wrapping, casts and
fma's single rounding with exact expectations; ill-typed IR with the
verifier's messages.
"""

import itertools
import math
import re
import warnings
from fractions import Fraction

import numpy as np
import pytest
import torch

from fxn.dialects import TensorType, VerifyError, new_context
from fxn.dialects import elementwise as ew
from fxn.dialects.reference import load_kernels
from fxn.dialects.types import ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES, NUMERIC_DTYPES, NUMPY_DTYPES
from fxn.source import ParseError, parse_module
from op_harness import assert_close, build_op_module, run_op

nan, inf = math.nan, math.inf


TORCH_DTYPES = {
    "f16": torch.float16,
    "f32": torch.float32,
    "f64": torch.float64,
    "i8": torch.int8,
    "ui8": torch.uint8,
    "i32": torch.int32,
    "i64": torch.int64,
    "i1": torch.bool,
}

# Together these cover broadcasting both ways, odd sizes, size-0 and size-1 dims and 0-d tensors.
UNARY_SHAPES = [(2, 7), (), (0,), (1,)]
BINARY_SHAPES = [((2, 1, 7), (3, 1)), ((), (2, 7)), ((0, 3), (1, 3)), ((), ())]
TERNARY_SHAPES = [((2, 1), (3,), ()), ((7,), (7,), (7,)), ((), (), ()), ((0, 1), (1, 4), (4,))]


def random_array(rng, dtype: str, shape) -> np.ndarray:
    """Floats around [-9, 9]; integers over their whole range (so arithmetic overflows); fair booleans."""
    if dtype == "i1":
        return np.asarray(rng.random(shape) < 0.5)
    if dtype in INT_DTYPES:
        limits = np.iinfo(NUMPY_DTYPES[dtype])
        return np.asarray(rng.integers(limits.min, limits.max, size=shape, endpoint=True), NUMPY_DTYPES[dtype])
    return np.asarray(rng.standard_normal(shape) * 3, NUMPY_DTYPES[dtype])


def check_against_torch(op_class, torch_fn, operands, dtype, **attrs):
    actual = run_op(op_class, operands, **attrs)
    expected = torch_fn(*(torch.from_numpy(a) for a in operands)).numpy()
    assert_close(actual, expected, dtype)


def cases(table):
    """pytest params ``(op_class, torch_fn, dtype)`` for each op of ``table`` and each dtype it accepts."""
    return [
        pytest.param(op_class, torch_fn, dtype, id=f"{op_class.OPERATION_NAME}-{dtype}")
        for op_class, torch_fn, dtypes in table
        for dtype in dtypes
    ]


# ----------------------------------------------------------------------------
# Random inputs against PyTorch.

BINARY_OPS = [
    (ew.AddOp, torch.add, NUMERIC_DTYPES),
    (ew.SubOp, torch.sub, NUMERIC_DTYPES),
    (ew.MulOp, torch.mul, NUMERIC_DTYPES),
    (ew.DivOp, torch.div, FLOAT_DTYPES),
    (ew.MaxOp, torch.maximum, NUMERIC_DTYPES),
    (ew.MinOp, torch.minimum, NUMERIC_DTYPES),
    (ew.PowOp, torch.pow, FLOAT_DTYPES),
    (ew.Atan2Op, torch.atan2, FLOAT_DTYPES),
]

UNARY_OPS = [
    (ew.NegOp, torch.neg, NUMERIC_DTYPES),
    (ew.AbsOp, torch.abs, NUMERIC_DTYPES),
    (ew.ReluOp, torch.relu, NUMERIC_DTYPES),
    (ew.ExpOp, torch.exp, FLOAT_DTYPES),
    (ew.LogOp, torch.log, FLOAT_DTYPES),
    (ew.SqrtOp, torch.sqrt, FLOAT_DTYPES),
    (ew.RsqrtOp, torch.rsqrt, FLOAT_DTYPES),
    (ew.TanhOp, torch.tanh, FLOAT_DTYPES),
    (ew.SigmoidOp, torch.sigmoid, FLOAT_DTYPES),
    (ew.ErfOp, torch.erf, FLOAT_DTYPES),
    (ew.SinOp, torch.sin, FLOAT_DTYPES),
    (ew.CosOp, torch.cos, FLOAT_DTYPES),
    (ew.TanOp, torch.tan, FLOAT_DTYPES),
    (ew.AtanOp, torch.atan, FLOAT_DTYPES),
    (ew.SinhOp, torch.sinh, FLOAT_DTYPES),
    (ew.CoshOp, torch.cosh, FLOAT_DTYPES),
]


#: Exact ops PyTorch computes alike on random operands (floats: the same algorithms as numpy's).
EXACT_BINARY_OPS = [
    (ew.FloorDivOp, lambda a, b: torch.div(a, b, rounding_mode="floor"), FLOAT_DTYPES),
    (ew.FmodOp, torch.fmod, FLOAT_DTYPES),
    (ew.BitwiseAndOp, torch.bitwise_and, INT_DTYPES + ("i1",)),
    (ew.BitwiseOrOp, torch.bitwise_or, INT_DTYPES + ("i1",)),
    (ew.BitwiseXorOp, torch.bitwise_xor, INT_DTYPES + ("i1",)),
]
EXACT_UNARY_OPS = [
    (ew.FloorOp, torch.floor, FLOAT_DTYPES),
    (ew.CeilOp, torch.ceil, FLOAT_DTYPES),
    (ew.RoundOp, torch.round, FLOAT_DTYPES),
    (ew.TruncOp, torch.trunc, FLOAT_DTYPES),
    (ew.SignOp, torch.sign, NUMERIC_DTYPES),
    (ew.BitwiseNotOp, torch.bitwise_not, INT_DTYPES + ("i1",)),
]


@pytest.mark.parametrize("op_class, torch_fn, dtype", cases(EXACT_BINARY_OPS))
def test_exact_binary_op_matches_torch_exactly(op_class, torch_fn, dtype):
    rng = np.random.default_rng(8)
    for shapes in BINARY_SHAPES:
        operands = [random_array(rng, dtype, shape) for shape in shapes]
        expected = torch_fn(*(torch.from_numpy(a) for a in operands)).numpy()
        assert_identical(run_op(op_class, operands), expected)


@pytest.mark.parametrize("op_class, torch_fn, dtype", cases(EXACT_UNARY_OPS))
def test_exact_unary_op_matches_torch_exactly(op_class, torch_fn, dtype):
    rng = np.random.default_rng(9)
    for shape in UNARY_SHAPES:
        x = random_array(rng, dtype, shape)
        if dtype in FLOAT_DTYPES and x.size:
            x.reshape(-1)[: min(x.size, 6)] = [0.5, -0.5, 1.5, -2.5, -0.0, 2.5][: min(x.size, 6)]
        assert_identical(run_op(op_class, [x]), torch_fn(torch.from_numpy(x)).numpy())


def nonzero_divisors(rng, dtype: str, shape) -> np.ndarray:
    """Integers without 0 (torch raises there), over the type's range."""
    values = random_array(rng, dtype, shape)
    return np.where(values == 0, np.ones((), values.dtype), values)


TORCH_INTEGER_DIVISION = {
    ew.FloorDivOp: lambda a, b: torch.div(a, b, rounding_mode="floor"),
    ew.RemainderOp: torch.remainder,
    ew.FmodOp: torch.fmod,
}


@pytest.mark.parametrize("op_class", TORCH_INTEGER_DIVISION, ids=lambda op: op.OPERATION_NAME)
@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_integer_division_matches_torch_and_numpy(op_class, dtype):
    rng = np.random.default_rng(10)
    numpy_fn = {ew.FloorDivOp: np.floor_divide, ew.RemainderOp: np.remainder, ew.FmodOp: np.fmod}[op_class]
    for shapes in BINARY_SHAPES:
        lhs, rhs = random_array(rng, dtype, shapes[0]), nonzero_divisors(rng, dtype, shapes[1])
        actual = run_op(op_class, [lhs, rhs])
        assert_identical(actual, TORCH_INTEGER_DIVISION[op_class](torch.from_numpy(lhs), torch.from_numpy(rhs)).numpy())
        with np.errstate(over="ignore"):
            assert_identical(actual, numpy_fn(lhs, rhs))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_float_remainder_matches_torch_but_for_the_sign_of_zero(dtype):
    """torch.remainder gives a zero result lhs's sign; fxn (numpy, Python) gives it rhs's."""
    rng = np.random.default_rng(11)
    for shapes in BINARY_SHAPES:
        lhs, rhs = (random_array(rng, dtype, shape) for shape in shapes)
        actual = run_op(ew.RemainderOp, [lhs, rhs])
        expected = torch.remainder(torch.from_numpy(lhs), torch.from_numpy(rhs)).numpy()
        np.testing.assert_array_equal(actual, expected)
        with np.errstate(invalid="ignore", divide="ignore"):
            assert_identical(actual, np.remainder(lhs, rhs))


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_shifts_match_torch(dtype):
    rng = np.random.default_rng(12)
    bits = 8 * NUMPY_DTYPES[dtype].itemsize
    for shapes in BINARY_SHAPES:
        lhs = random_array(rng, dtype, shapes[0])
        rhs = rng.integers(0, bits + 3, shapes[1]).astype(NUMPY_DTYPES[dtype])
        for op_class, torch_fn in ((ew.ShiftLeftOp, torch.bitwise_left_shift), (ew.ShiftRightOp, torch.bitwise_right_shift)):
            expected = torch_fn(torch.from_numpy(lhs), torch.from_numpy(rhs)).numpy()
            assert_identical(run_op(op_class, [lhs, rhs]), expected)


@pytest.mark.parametrize("op_class, torch_fn, dtype", cases(BINARY_OPS))
def test_binary_op_matches_torch(op_class, torch_fn, dtype):
    rng = np.random.default_rng(0)
    for shapes in BINARY_SHAPES:
        operands = [random_array(rng, dtype, shape) for shape in shapes]
        check_against_torch(op_class, torch_fn, operands, dtype)


@pytest.mark.parametrize("op_class, torch_fn, dtype", cases(UNARY_OPS))
def test_unary_op_matches_torch(op_class, torch_fn, dtype):
    rng = np.random.default_rng(1)
    for shape in UNARY_SHAPES:
        check_against_torch(op_class, torch_fn, [random_array(rng, dtype, shape)], dtype)


def torch_clamp(lower: float, upper: float, integral: bool):
    def bound(value):
        return None if math.isinf(value) else (int(value) if integral else value)

    def clamp(x):
        if math.isinf(lower) and math.isinf(upper):
            return x  # torch.clamp needs at least one bound
        return torch.clamp(x, min=bound(lower), max=bound(upper))

    return clamp


FLOAT_BOUNDS = [(0.0, 1.0), (-inf, 0.1), (-1.5, inf), (2.0, 2.0), (-inf, inf)]
INT_BOUNDS = [(0.0, 100.0), (-inf, 5.0), (-3.0, inf), (7.0, 7.0), (-inf, inf)]
UNSIGNED_BOUNDS = [(0.0, 100.0), (-inf, 5.0), (3.0, inf), (200.0, 200.0), (-inf, inf)]


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_clamp_matches_torch(dtype):
    rng = np.random.default_rng(2)
    integral = dtype in INT_DTYPES
    bounds = UNSIGNED_BOUNDS if dtype == "ui8" else INT_BOUNDS if integral else FLOAT_BOUNDS
    for (lower, upper), shape in zip(bounds, itertools.cycle(UNARY_SHAPES)):
        x = random_array(rng, dtype, shape)
        check_against_torch(ew.ClampOp, torch_clamp(lower, upper, integral), [x], dtype, min=lower, max=upper)


def test_clamp_bounds_default_to_unbounded():
    x = np.array([-7.0, 3.0, 9.0], np.float32)
    np.testing.assert_array_equal(run_op(ew.ClampOp, [x], max=6.0), [-7.0, 3.0, 6.0])


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_select_matches_torch_where(dtype):
    rng = np.random.default_rng(3)
    for condition_shape, true_shape, false_shape in TERNARY_SHAPES:
        operands = [
            random_array(rng, "i1", condition_shape),
            random_array(rng, dtype, true_shape),
            random_array(rng, dtype, false_shape),
        ]
        check_against_torch(ew.SelectOp, torch.where, operands, dtype)


def small_values(rng, dtype: str, shape) -> np.ndarray:
    """Few distinct values (with NaN and signed zeros for floats), so that ties are frequent."""
    if dtype == "i1":
        return np.asarray(rng.random(shape) < 0.5)
    choices = [-1, 0, 1, 2] if dtype in INT_DTYPES else [-1.0, -0.0, 0.0, 1.0, inf, nan]
    return np.asarray(rng.choice(choices, size=shape), NUMPY_DTYPES[dtype])


TORCH_PREDICATES = {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge}


@pytest.mark.parametrize("predicate", TORCH_PREDICATES)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_compare_matches_torch(predicate, dtype):
    rng = np.random.default_rng(4)
    for shapes in BINARY_SHAPES[:2]:
        operands = [small_values(rng, dtype, shape) for shape in shapes]
        check_against_torch(ew.CompareOp, TORCH_PREDICATES[predicate], operands, "i1", predicate=predicate)


def cast_input(rng, source: str, target: str, shape) -> np.ndarray:
    """Inputs for which the cast is specified: floats going to an integer stay within i8's range."""
    if source in FLOAT_DTYPES and target in INT_DTYPES:
        return np.asarray(rng.uniform(-100, 100, size=shape), NUMPY_DTYPES[source])
    return random_array(rng, source, shape)


@pytest.mark.parametrize("source", ALL_DTYPES)
@pytest.mark.parametrize("target", ALL_DTYPES)
def test_cast_matches_torch(source, target):
    x = cast_input(np.random.default_rng(5), source, target, (2, 7))
    actual = run_op(ew.CastOp, [x], result_type=TensorType(target, x.shape))
    assert_close(actual, torch.from_numpy(x).to(TORCH_DTYPES[target]).numpy(), target)


# ----------------------------------------------------------------------------
# Exact results: special values, wrapping, signed zeros, cast rules.


def arr(dtype: str, *values) -> np.ndarray:
    return np.array(values, NUMPY_DTYPES[dtype])


SPECIAL_CASES = [
    ("add-wraps", ew.AddOp, [arr("i8", 127, -128), arr("i8", 1, -1)], {}, arr("i8", -128, 127)),
    ("sub-wraps", ew.SubOp, [arr("i32", -(2**31)), arr("i32", 1)], {}, arr("i32", 2**31 - 1)),
    ("mul-wraps", ew.MulOp, [arr("i64", 2**62), arr("i64", 4)], {}, arr("i64", 0)),
    ("neg-min-wraps", ew.NegOp, [arr("i8", -128, 5)], {}, arr("i8", -128, -5)),
    ("abs-min-wraps", ew.AbsOp, [arr("i8", -128, -5)], {}, arr("i8", -128, 5)),
    ("div-by-zero", ew.DivOp, [arr("f32", 1, -1, 0, 1), arr("f32", 0, 0, 0, -0.0)], {}, arr("f32", inf, -inf, nan, -inf)),
    ("max-nan-and-zeros", ew.MaxOp, [arr("f32", nan, 1, -0.0, 0.0), arr("f32", 1, nan, 0.0, -0.0)], {}, arr("f32", nan, nan, 0.0, 0.0)),
    ("min-nan-and-zeros", ew.MinOp, [arr("f64", nan, 1, -0.0, 0.0), arr("f64", 1, nan, 0.0, -0.0)], {}, arr("f64", nan, nan, -0.0, -0.0)),
    ("relu", ew.ReluOp, [arr("f16", -0.0, nan, -inf, 2)], {}, arr("f16", 0.0, nan, 0.0, 2)),
    ("clamp-nan-and-zero", ew.ClampOp, [arr("f32", nan, -0.0, 5, -5)], dict(min=0.0, max=1.0), arr("f32", nan, 0.0, 1, 0)),
    ("clamp-f16-rounds-bounds", ew.ClampOp, [arr("f16", 0.0, 1.0)], dict(min=0.1, max=1e6), arr("f16", 0.1, 1.0)),
    ("clamp-int-bounds", ew.ClampOp, [arr("i64", -(2**63), 2**63 - 1)], dict(min=-5.0, max=inf), arr("i64", -5, 2**63 - 1)),
    ("exp", ew.ExpOp, [arr("f32", -inf, inf, nan, 0)], {}, arr("f32", 0, inf, nan, 1)),
    ("log", ew.LogOp, [arr("f32", 0, -1, inf, 1)], {}, arr("f32", -inf, nan, inf, 0)),
    ("sqrt", ew.SqrtOp, [arr("f32", -0.0, -1, inf, 4)], {}, arr("f32", -0.0, nan, inf, 2)),
    ("rsqrt", ew.RsqrtOp, [arr("f32", 0.0, -0.0, -1, inf, 4)], {}, arr("f32", inf, -inf, nan, 0, 0.5)),
    ("tanh", ew.TanhOp, [arr("f32", -inf, inf, -0.0)], {}, arr("f32", -1, 1, -0.0)),
    ("sigmoid-tiny", ew.SigmoidOp, [arr("f32", -inf, inf, -100, 0)], {}, arr("f32", 0, 1, math.exp(-100), 0.5)),
    ("erf", ew.ErfOp, [arr("f16", -inf, inf, -0.0, nan)], {}, arr("f16", -1, 1, -0.0, nan)),
    ("sin", ew.SinOp, [arr("f32", -0.0, inf, nan, 0.0)], {}, arr("f32", -0.0, nan, nan, 0.0)),
    ("cos", ew.CosOp, [arr("f64", -0.0, -inf, nan)], {}, arr("f64", 1, nan, nan)),
    ("tan", ew.TanOp, [arr("f16", -0.0, inf)], {}, arr("f16", -0.0, nan)),
    ("asin", ew.AsinOp, [arr("f32", -0.0, 1, -1, 1.5, nan)], {}, arr("f32", -0.0, math.pi / 2, -math.pi / 2, nan, nan)),
    ("acos", ew.AcosOp, [arr("f32", 1, -1, 0.0, -2)], {}, arr("f32", 0.0, math.pi, math.pi / 2, nan)),
    ("atan", ew.AtanOp, [arr("f32", -0.0, inf, -inf, nan)], {}, arr("f32", -0.0, math.pi / 2, -math.pi / 2, nan)),
    ("atan2-zeros", ew.Atan2Op, [arr("f64", 0.0, -0.0, 0.0, -0.0, 1, -1), arr("f64", 0.0, 0.0, -0.0, -0.0, 0.0, -0.0)], {},
     arr("f64", 0.0, -0.0, math.pi, -math.pi, math.pi / 2, -math.pi / 2)),
    ("atan2-infinities", ew.Atan2Op, [arr("f32", inf, -inf, inf, 1, -1, nan), arr("f32", inf, inf, -inf, inf, -inf, 1)], {},
     arr("f32", math.pi / 4, -math.pi / 4, 3 * math.pi / 4, 0.0, -math.pi, nan)),
    ("sinh", ew.SinhOp, [arr("f32", -0.0, inf, -inf, 1000, nan)], {}, arr("f32", -0.0, inf, -inf, inf, nan)),
    ("cosh", ew.CoshOp, [arr("f32", -0.0, -inf, -1000, nan)], {}, arr("f32", 1, inf, inf, nan)),
    ("pow", ew.PowOp, [arr("f32", 0, -8, nan, 1, 2), arr("f32", -1, 1 / 3, 0, nan, -1)], {}, arr("f32", inf, nan, 1, 1, 0.5)),
    ("floor_div-by-zero-and-minus-one", ew.FloorDivOp, [arr("i8", 7, -128, -128, -7), arr("i8", 0, -1, 1, 2)], {}, arr("i8", 0, -128, -128, -4)),
    ("floor_div-unsigned", ew.FloorDivOp, [arr("ui8", 255, 7, 9), arr("ui8", 0, 2, 255)], {}, arr("ui8", 0, 3, 0)),
    ("remainder-sign-of-divisor", ew.RemainderOp, [arr("i32", -7, 7, -7, 5, -(2**31)), arr("i32", 3, -3, -3, 0, -1)], {}, arr("i32", 2, -2, -1, 0, 0)),
    ("fmod-sign-of-dividend", ew.FmodOp, [arr("i64", -7, 7, 5), arr("i64", 3, -3, 0)], {}, arr("i64", -1, 1, 0)),
    ("floor_div-floats", ew.FloorDivOp, [arr("f32", 7, -7, 1, -1, 1, 0, -0.0, inf, 1), arr("f32", 2, 2, 0, inf, inf, -3, 3, 2, nan)], {}, arr("f32", 3, -4, inf, -1, 0, -0.0, -0.0, nan, nan)),
    ("remainder-floats", ew.RemainderOp, [arr("f64", 7, -7, -4, 4, -1e-30, 1, -1, 5, inf), arr("f64", 3, 3, 2, -2, 1, 0, inf, -inf, 1)], {}, arr("f64", 1, 2, 0.0, -0.0, 1, nan, inf, -inf, nan)),
    ("fmod-floats", ew.FmodOp, [arr("f32", -7, 7, -4, 1e30, 5, 3, inf, -0.0), arr("f32", 3, -3, 2, 1e-30, 0, -inf, 1, 1)], {}, arr("f32", -1, 1, -0.0, np.fmod(np.float32(1e30), np.float32(1e-30)), nan, 3, nan, -0.0)),
    ("fmod-f64-subnormal", ew.FmodOp, [arr("f64", 1.7e308, 5e-324 * 7, 1e-310), arr("f64", 5e-324 * 3, 5e-324 * 3, 3e-311)], {}, arr("f64", np.fmod(1.7e308, 5e-324 * 3), 5e-324, np.fmod(1e-310, 3e-311))),
    ("round-halves-to-even", ew.RoundOp, [arr("f32", 0.5, 1.5, 2.5, -0.5, -1.5, 0.49999997, 8388609.0)], {}, arr("f32", 0, 2, 2, -0.0, -2, 0, 8388609.0)),
    ("floor-ceil-trunc-keep-zeros", ew.CeilOp, [arr("f16", -0.5, -0.0, 0.5, -inf, nan)], {}, arr("f16", -0.0, -0.0, 1, -inf, nan)),
    ("floor", ew.FloorOp, [arr("f64", -0.5, -0.0, 0.5, 2**52 + 0.5)], {}, arr("f64", -1, -0.0, 0, 2**52)),
    ("trunc", ew.TruncOp, [arr("f32", -0.5, -1.7, 1.7, inf)], {}, arr("f32", -0.0, -1, 1, inf)),
    ("sign-float", ew.SignOp, [arr("f32", -0.0, 0.0, nan, -inf, 1e-45, -3)], {}, arr("f32", 0.0, 0.0, nan, -1, 1, -1)),
    ("sign-int", ew.SignOp, [arr("i8", -128, 0, 127)], {}, arr("i8", -1, 0, 1)),
    ("sign-unsigned", ew.SignOp, [arr("ui8", 0, 200)], {}, arr("ui8", 0, 1)),
    ("bitwise_not", ew.BitwiseNotOp, [arr("i32", 0, -1, 5)], {}, arr("i32", -1, 0, -6)),
    ("bitwise_not-bool", ew.BitwiseNotOp, [arr("i1", 0, 1)], {}, arr("i1", 1, 0)),
    ("bitwise_xor-unsigned", ew.BitwiseXorOp, [arr("ui8", 255, 15), arr("ui8", 255, 255)], {}, arr("ui8", 0, 240)),
    ("shift_left-out-of-range", ew.ShiftLeftOp, [arr("i8", 1, 1, 1, 64), arr("i8", 7, 8, -1, 1)], {}, arr("i8", -128, 0, 0, -128)),
    ("shift_right-out-of-range", ew.ShiftRightOp, [arr("i32", -8, -8, 8, -8), arr("i32", 1, 32, 40, -1)], {}, arr("i32", -4, -1, 0, -1)),
    ("shift_right-unsigned-is-logical", ew.ShiftRightOp, [arr("ui8", 255, 255), arr("ui8", 1, 8)], {}, arr("ui8", 127, 0)),
    ("compare-eq-nan", ew.CompareOp, [arr("f32", nan, -0.0, 1), arr("f32", nan, 0.0, nan)], dict(predicate="eq"), arr("i1", 0, 1, 0)),
    ("compare-ne-nan", ew.CompareOp, [arr("f32", nan, -0.0, 1), arr("f32", nan, 0.0, nan)], dict(predicate="ne"), arr("i1", 1, 0, 1)),
    ("compare-ge-nan", ew.CompareOp, [arr("f32", nan, -0.0, 1), arr("f32", nan, 0.0, nan)], dict(predicate="ge"), arr("i1", 0, 1, 0)),
    ("compare-i1", ew.CompareOp, [arr("i1", 0, 1, 1), arr("i1", 1, 1, 0)], dict(predicate="lt"), arr("i1", 1, 0, 0)),
]


def assert_identical(actual, expected):
    """Same dtype, shape and values; NaN matches NaN; zeros must match in sign."""
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    np.testing.assert_array_equal(actual, expected)
    if expected.dtype.kind == "f":
        numbers = ~np.isnan(expected)
        np.testing.assert_array_equal(np.signbit(actual[numbers]), np.signbit(expected[numbers]))


@pytest.mark.parametrize(
    "op_class, operands, attrs, expected",
    [pytest.param(*case[1:], id=case[0]) for case in SPECIAL_CASES],
)
def test_special_values(op_class, operands, attrs, expected):
    assert_identical(run_op(op_class, operands, **attrs), expected)


CAST_CASES = [
    ("float-to-int-truncates", arr("f32", -2.7, -0.5, 0.5, 2.7, 127.9), "i8", arr("i8", -2, 0, 0, 2, 127)),
    ("to-i1-is-nonzero", arr("f32", nan, -0.0, 0.0, 0.5), "i1", arr("i1", 1, 0, 0, 1)),
    ("int-to-i1", arr("i64", 0, -(2**63), 256), "i1", arr("i1", 0, 1, 1)),
    ("i1-to-numeric", arr("i1", 1, 0), "f16", arr("f16", 1, 0)),
    ("int-narrowing-wraps", arr("i32", 300, -129, 255), "i8", arr("i8", 44, 127, -1)),
    ("int-widening-sign-extends", arr("i8", -1, -128), "i64", arr("i64", -1, -128)),
    ("0-d", np.array(-3.5, np.float64), "i32", np.array(-3, np.int32)),
    # torch goes through f32 here and gets 1.0 for the first value.
    ("f64-to-f16-rounds-once", arr("f64", 1 + 2**-11 + 2**-40, 1e6, -1e-10), "f16", arr("f16", 1 + 2**-10, inf, -0.0)),
    ("int-to-float-rounds-to-nearest-even", arr("i64", 2**24 + 1, 2**24 + 3), "f32", arr("f32", 2**24, 2**24 + 4)),
]


@pytest.mark.parametrize("x, target, expected", [pytest.param(*case[1:], id=case[0]) for case in CAST_CASES])
def test_cast_rules(x, target, expected):
    assert_identical(run_op(ew.CastOp, [x], result_type=TensorType(target, x.shape)), expected)


@pytest.mark.parametrize("target", INT_DTYPES)
def test_cast_of_unrepresentable_float_neither_fails_nor_warns(target):
    x = arr("f32", nan, inf, -inf, 1e30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = load_kernels()["fxn.cast"](x, result_type=TensorType(target, x.shape))
    assert result.dtype == NUMPY_DTYPES[target] and result.shape == x.shape


def test_cast_build_needs_result_type():
    with pytest.raises(VerifyError, match="give result_type"):
        build_op_module(ew.CastOp, [arr("f32", 1.0)])


# ----------------------------------------------------------------------------
# fma: one rounding of the exact x * y + z.


def round_to_nearest_even(value: Fraction, dtype: str) -> float:
    """``value`` rounded to the float type ``dtype`` from first principles (no float arithmetic)."""
    info = np.finfo(NUMPY_DTYPES[dtype])
    magnitude = abs(value)
    if magnitude == 0:
        return 0.0
    exponent = magnitude.numerator.bit_length() - magnitude.denominator.bit_length()
    if Fraction(2) ** exponent > magnitude:
        exponent -= 1
    ulp = Fraction(2) ** (max(exponent, info.minexp) - info.nmant)
    rounded = round(magnitude / ulp) * ulp  # Fraction rounds half to even
    result = inf if rounded > Fraction(float(info.max)) else float(rounded)
    return -result if value < 0 else result


def exact_fma(x, y, z, dtype: str) -> np.ndarray:
    x, y, z = np.broadcast_arrays(x, y, z)
    values = [
        round_to_nearest_even(Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c)), dtype)
        for a, b, c in zip(x.ravel(), y.ravel(), z.ravel())
    ]
    return np.array(values, NUMPY_DTYPES[dtype]).reshape(x.shape)


# Products of (1 + 2^-a)(1 + 2^-b) land exactly between two values of the
# type, so rounding the product first, or rounding x * y + z to f64 first
# when z is below f64's precision, rounds the wrong way.
DOUBLE_ROUNDING_CASES = {
    "f16": [(1 + 2**-5, 1 + 2**-6, 2**-60), (1 + 2**-5, 1 + 2**-6, -1.0)],
    "f32": [(1 + 2**-12, 1 + 2**-12, 2**-80), (1 + 2**-12, 1 + 2**-12, -1.0)],
    "f64": [(1 + 2**-27, 1 + 2**-27, -1.0), (1 + 2**-27, 1 + 2**-26, 2**-200)],
}


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_fma_rounds_once_where_mul_then_add_does_not(dtype):
    x, y, z = (arr(dtype, *column) for column in zip(*DOUBLE_ROUNDING_CASES[dtype]))
    expected = exact_fma(x, y, z, dtype)
    assert_identical(run_op(ew.FmaOp, [x, y, z]), expected)
    assert not np.array_equal(x * y + z, expected)  # the cases do tell fused from unfused


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_fma_of_random_inputs_is_exact(dtype):
    rng = np.random.default_rng(6)
    for shapes in TERNARY_SHAPES:
        x, y, z = (random_array(rng, dtype, shape) for shape in shapes)
        assert_identical(run_op(ew.FmaOp, [x, y, z]), exact_fma(x, y, z, dtype))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_fma_matches_torch_addcmul(dtype):
    rng = np.random.default_rng(7)
    for shapes in TERNARY_SHAPES:
        operands = [random_array(rng, dtype, shape) for shape in shapes]
        check_against_torch(ew.FmaOp, lambda x, y, z: torch.addcmul(z, x, y), operands, dtype)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_fma_special_values(dtype):
    big = np.finfo(NUMPY_DTYPES[dtype]).max
    # The product big * 1.5 overflows the type but the exact sum does not;
    # big * big overflows even f64, yet adding -inf gives -inf, not NaN.
    x = arr(dtype, inf, 1, -0.0, 1, big, big)
    y = arr(dtype, 0, 1, 1, 1, 1.5, big)
    z = arr(dtype, 1, -1, -0.0, nan, -big, -inf)
    expected = arr(dtype, nan, 0.0, -0.0, nan, big / 2, -inf)
    assert_identical(run_op(ew.FmaOp, [x, y, z]), expected)


# ----------------------------------------------------------------------------
# The verifier: one case per rule, checked by message.

VERIFIER_CASES = [
    ('"fxn.add"(%a0, %a1) : (tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>', "operand element types differ: f32, i32"),
    ('"fxn.sub"(%a0, %a1) : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>', "requires numeric operands; got i1"),
    ('"fxn.div"(%a0, %a1) : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>', "requires floating-point operands; got i32"),
    ('"fxn.mul"(%a0, %a1) : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>', "operand shapes [2, 3] and [4] are not broadcastable"),
    ('"fxn.max"(%a0, %a1) : (tensor<2x3xi8>, tensor<3xi8>) -> tensor<3xi8>', "result type tensor<3xi8> does not match the inferred type tensor<2x3xi8>"),
    ('"fxn.add"(%a0) : (tensor<3xf32>) -> tensor<3xf32>', "expected 2 operands; got 1"),
    ('"fxn.neg"(%a0) : (tensor<3xi1>) -> tensor<3xi1>', "requires numeric operands; got i1"),
    ('"fxn.exp"(%a0) : (tensor<3xi32>) -> tensor<3xi32>', "requires floating-point operands; got i32"),
    ('"fxn.fma"(%a0, %a1, %a2) : (tensor<3xf32>, tensor<3xf32>, tensor<3xf16>) -> tensor<3xf32>', "operand element types differ: f32, f32, f16"),
    ('"fxn.clamp"(%a0) {max = 1.0 : f64, min = 2.0 : f64} : (tensor<3xf32>) -> tensor<3xf32>', "requires min <= max; got min = 2.0, max = 1.0"),
    ('"fxn.clamp"(%a0) {max = 3.0 : f64, min = 0.5 : f64} : (tensor<3xi32>) -> tensor<3xi32>', "requires integral bounds for i32 operands; got min = 0.5"),
    ('"fxn.clamp"(%a0) {max = 300.0 : f64, min = 0.0 : f64} : (tensor<3xi8>) -> tensor<3xi8>', "bound max = 300.0 is out of range for i8 [-128, 127]"),
    ('"fxn.clamp"(%a0) {max = 0x7FF8000000000000 : f64, min = 0.0 : f64} : (tensor<3xf32>) -> tensor<3xf32>', "attribute 'max' must not be NaN"),
    ('"fxn.clamp"(%a0) {max = 1.0 : f32, min = 0.0 : f64} : (tensor<3xf32>) -> tensor<3xf32>', "attribute 'max' must be an f64 float"),
    ('"fxn.clamp"(%a0) {min = 0.0 : f64} : (tensor<3xf32>) -> tensor<3xf32>', "requires attribute 'max'"),
    ('"fxn.compare"(%a0, %a1) {predicate = "lte"} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>', "attribute 'predicate' must be one of"),
    ('"fxn.compare"(%a0, %a1) {predicate = "lt"} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>', "result type tensor<3xf32> does not match the inferred type tensor<3xi1>"),
    ('"fxn.compare"(%a0, %a1) {predicate = "lt"} : (tensor<3xbf16>, tensor<3xbf16>) -> tensor<3xi1>', "operand 'lhs' has unsupported element type bf16"),
    ('"fxn.select"(%a0, %a1, %a2) : (tensor<3xi8>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>', "requires an i1 condition; got i8"),
    ('"fxn.select"(%a0, %a1, %a2) : (tensor<3xi1>, tensor<3xf32>, tensor<3xf16>) -> tensor<3xf32>', "operand element types differ: f32, f16"),
    ('"fxn.floor_div"(%a0, %a1) : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>', "requires numeric operands; got i1"),
    ('"fxn.round"(%a0) : (tensor<3xi8>) -> tensor<3xi8>', "requires floating-point operands; got i8"),
    ('"fxn.bitwise_or"(%a0, %a1) : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>', "requires integer or i1 operands; got f64"),
    ('"fxn.shift_left"(%a0, %a1) : (tensor<3xi8>, tensor<3xi32>) -> tensor<3xi8>', "operand element types differ: i8, i32"),
    ('"fxn.shift_right"(%a0, %a1) : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>', "requires integer operands; got i1"),
    ('"fxn.cast"(%a0) : (tensor<2x3xf32>) -> tensor<3x2xi32>', "requires the result shape to equal the operand shape; got [2, 3] -> [3, 2]"),
    ('"fxn.cast"(%a0) : (tensor<?x3xf32>) -> tensor<2x3xf32>', "requires the result shape to equal the operand shape; got [?, 3] -> [2, 3]"),
    ('"fxn.cast"(%a0) : (tensor<3xf32>) -> tensor<3xbf16>', "result has unsupported element type bf16"),
]


def parse_single_op(op_text: str):
    """Parse a function whose arguments ``%a0, %a1 ...`` have the op's operand types and that holds the op."""
    operand_types = re.search(r": \((.*)\) ->", op_text)[1].split(", ")
    arguments = ", ".join(f"%a{i}: {t}" for i, t in enumerate(operand_types))
    text = f"func.func @f({arguments}) {{\n  %0 = {op_text}\n  return\n}}\n"
    return parse_module(text, "t.mlir", new_context())


@pytest.mark.parametrize("op_text, message", VERIFIER_CASES, ids=[m for _, m in VERIFIER_CASES])
def test_verifier_rejects(op_text, message):
    op_name = re.match(r'"(fxn\.\w+)"', op_text)[1]
    with pytest.raises(ParseError) as error:
        parse_single_op(op_text)
    diagnostics = [d.message for d in error.value.diagnostics]
    assert any(f"'{op_name}' op {message}" in d for d in diagnostics), diagnostics


def test_verifier_accepts_a_valid_op():
    module = parse_single_op('"fxn.cast"(%a0) : (tensor<?x3xf32>) -> tensor<?x3xi1>')
    assert module.operation.verify()
