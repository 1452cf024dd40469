"""The nn ops (matmul, linear, conv2d, pooling, batch_norm): builder, verifier and reference kernels against PyTorch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from fxn.dialects.nn import (
    AdaptiveAvgPool2dOp,
    AvgPool2dOp,
    BatchNormOp,
    Conv2dOp,
    LinearOp,
    MatmulOp,
    MaxPool2dOp,
)
from fxn.dialects.types import FLOAT_DTYPES, INT_DTYPES
from fxn.interpreter import InterpreterError, interpret
from op_harness import assert_close, assert_rejected, random_array, run_op



def torch_apply(function, *arrays, **kwargs) -> np.ndarray:
    """``function`` on the arrays as torch tensors (None stays None), back as numpy."""
    tensors = [None if a is None else torch.from_numpy(a) for a in arrays]
    return function(*tensors, **kwargs).numpy()



# ----------------------------------------------------------------------------
# matmul

#: (lhs shape, rhs shape): 1-D operands, one- and two-sided batch broadcasting, empty dims.
MATMUL_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((3,), (2, 3, 4)),
    ((2, 4, 3), (3,)),
    ((1, 5), (5, 1)),
    ((5, 2, 3), (3, 4)),
    ((2, 1, 2, 3), (4, 3, 5)),
    ((0, 3), (3, 4)),
    ((2, 0), (0, 4)),
]


def test_matmul_shapes_match_torch():
    for i, (lhs_shape, rhs_shape) in enumerate(MATMUL_SHAPES):
        lhs, rhs = random_array(lhs_shape, seed=i), random_array(rhs_shape, seed=100 + i)
        assert_close(run_op(MatmulOp, [lhs, rhs]), torch_apply(torch.matmul, lhs, rhs))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES + INT_DTYPES)
def test_matmul_dtypes_match_torch(dtype):
    # A long contraction (33) makes i8 wrap and f16 rounding visible.
    lhs, rhs = random_array((3, 1, 2, 33), dtype, seed=1), random_array((4, 33, 5), dtype, seed=2)
    assert_close(run_op(MatmulOp, [lhs, rhs]), torch_apply(torch.matmul, lhs, rhs), dtype)


def test_matmul_checks_dynamic_dims_at_run_time():
    text = """
    func.func @f(%a: tensor<2x?xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
      %r = "fxn.matmul"(%a, %b) : (tensor<2x?xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
      return %r : tensor<2x4xf32>
    }
    """
    lhs, rhs = random_array((2, 3)), random_array((3, 4))
    assert_close(interpret(text, lhs, rhs), lhs @ rhs)
    with pytest.raises(InterpreterError, match="contracting dimensions 5 and 3 differ"):
        interpret(text, random_array((2, 5)), rhs)


# ----------------------------------------------------------------------------
# linear

#: (input shape, weight shape)
LINEAR_SHAPES = [((3,), (2, 3)), ((5, 3), (4, 3)), ((2, 5, 3), (1, 3)), ((4, 0), (2, 0)), ((0, 3), (2, 3))]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_linear_matches_torch(dtype):
    for i, (input_shape, weight_shape) in enumerate(LINEAR_SHAPES):
        x, weight = random_array(input_shape, dtype, seed=i), random_array(weight_shape, dtype, seed=10 + i)
        bias = random_array(weight_shape[:1], dtype, seed=20 + i) if i % 2 else None
        assert_close(run_op(LinearOp, [x, weight, bias]), torch_apply(F.linear, x, weight, bias), dtype)


# ----------------------------------------------------------------------------
# conv2d

#: (input shape, weight shape, stride, padding, dilation, groups)
CONV_CASES = [
    ((1, 3, 7, 6), (4, 3, 3, 2), (1, 1), (0, 0), (1, 1), 1),
    ((2, 4, 9, 8), (6, 2, 3, 3), (2, 1), (1, 2), (1, 1), 2),
    ((1, 6, 10, 9), (6, 1, 3, 3), (2, 3), (2, 1), (2, 1), 6),
    ((2, 3, 5, 5), (2, 3, 5, 5), (1, 1), (0, 0), (1, 1), 1),
    ((1, 2, 1, 1), (3, 2, 1, 1), (1, 1), (0, 0), (1, 1), 1),
    ((1, 3, 4, 4), (2, 3, 2, 2), (3, 3), (1, 1), (2, 2), 1),
    ((1, 2, 3, 3), (2, 2, 3, 3), (1, 1), (2, 2), (2, 2), 1),
    ((0, 3, 5, 5), (2, 3, 3, 3), (1, 1), (1, 1), (1, 1), 1),
]


def check_conv2d(case, dtype, with_bias, seed):
    input_shape, weight_shape, stride, padding, dilation, groups = case
    x, weight = random_array(input_shape, dtype, seed), random_array(weight_shape, dtype, seed + 1)
    bias = random_array(weight_shape[:1], dtype, seed + 2) if with_bias else None
    attrs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    assert_close(run_op(Conv2dOp, [x, weight, bias], **attrs), torch_apply(F.conv2d, x, weight, bias, **attrs), dtype)


def test_conv2d_cases_match_torch():
    for i, case in enumerate(CONV_CASES):
        check_conv2d(case, "f32", with_bias=i % 2 == 0, seed=i)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_conv2d_dtypes_match_torch(dtype):
    check_conv2d(CONV_CASES[1], dtype, with_bias=True, seed=7)


def test_conv2d_empty_channels_deviate_from_torch():
    # PyTorch refuses O = 0 and returns a (1, 0, ...) result for C = 0; here
    # both follow the formula: an empty result, and the bias (an empty sum).
    x, bias = np.zeros((1, 0, 4, 4), np.float32), np.array([1.5, -2.0], np.float32)
    result = run_op(Conv2dOp, [x, np.zeros((2, 0, 3, 3), np.float32), bias])
    assert_close(result, np.broadcast_to(bias[:, None, None], (1, 2, 2, 2)).copy())
    result = run_op(Conv2dOp, [random_array((1, 3, 4, 4)), np.zeros((0, 3, 3, 3), np.float32), None])
    assert result.shape == (1, 0, 2, 2)


def test_conv2d_checks_dynamic_dims_at_run_time():
    text = """
    func.func @f(%x: tensor<1x1x?x?xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x?x?xf32> {
      %r = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x?x?xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x?x?xf32>
      return %r : tensor<1x1x?x?xf32>
    }
    """
    x, weight = random_array((1, 1, 5, 4)), random_array((1, 1, 3, 3))
    assert_close(interpret(text, x, weight), torch_apply(F.conv2d, x, weight))
    with pytest.raises(InterpreterError, match="dilated kernel height 3 exceeds padded input height 2"):
        interpret(text, random_array((1, 1, 2, 4)), weight)


# ----------------------------------------------------------------------------
# pooling

#: (input shape, kernel_size, stride, padding, dilation, ceil_mode)
POOL_CASES = [
    ((1, 3, 7, 6), (2, 2), (2, 2), (0, 0), (1, 1), False),
    ((2, 2, 7, 6), (3, 2), (2, 2), (1, 1), (1, 1), True),  # ceil mode: partial last windows
    ((1, 1, 5, 5), (2, 2), (2, 2), (1, 1), (1, 1), True),  # ceil mode: a window starting in the padding is dropped
    ((3, 5, 5), (3, 3), (2, 2), (1, 1), (1, 2), True),  # (C, H, W) input
    ((1, 1, 1, 1), (2, 2), (2, 2), (0, 0), (1, 1), True),  # the only window overhangs the input
    ((1, 4, 5, 5), (5, 1), (3, 1), (2, 0), (1, 1), True),
    ((1, 2, 6, 7), (2, 3), (1, 3), (1, 1), (3, 1), False),
    ((0, 2, 4, 4), (2, 2), (2, 2), (0, 0), (1, 1), False),
]


def check_max_pool2d(case, dtype, seed):
    shape, kernel_size, stride, padding, dilation, ceil_mode = case
    x = random_array(shape, dtype, seed)
    attrs = dict(kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode)
    assert_close(run_op(MaxPool2dOp, [x], **attrs), torch_apply(F.max_pool2d, x, **attrs), dtype)


def test_max_pool2d_cases_match_torch():
    for i, case in enumerate(POOL_CASES):
        check_max_pool2d(case, "f32", seed=i)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES + INT_DTYPES)
def test_max_pool2d_dtypes_match_torch(dtype):
    check_max_pool2d(POOL_CASES[1], dtype, seed=3)


@pytest.mark.parametrize("dtype", ["f32", "i32"])
def test_max_pool2d_window_of_padding_only_gives_the_lowest_value(dtype):
    # Dilation 3 spreads the two taps of the only window over the padding on both sides.
    x = random_array((1, 1, 2, 2), dtype)
    attrs = dict(kernel_size=(2, 2), stride=(1, 1), padding=(1, 1), dilation=(3, 3), ceil_mode=False)
    expected = torch_apply(F.max_pool2d, x, **attrs)
    assert_close(run_op(MaxPool2dOp, [x], **attrs), expected)
    assert expected.item() in (-np.inf, np.iinfo(np.int32).min)


def test_pooling_zero_channels_gives_an_empty_result():
    # A deviation: PyTorch refuses zero channels.
    x = np.zeros((2, 0, 4, 4), np.float32)
    assert run_op(MaxPool2dOp, [x], kernel_size=(2, 2), stride=(2, 2)).shape == (2, 0, 2, 2)
    assert run_op(AvgPool2dOp, [x], kernel_size=(2, 2), stride=(2, 2)).shape == (2, 0, 2, 2)


def test_max_pool2d_propagates_nan():
    x = np.array([[[[1.0, np.nan], [3.0, 2.0]]]], np.float32)
    attrs = dict(kernel_size=(2, 2), stride=(2, 2))
    assert np.isnan(run_op(MaxPool2dOp, [x], **attrs)).all()


def check_avg_pool2d(case, dtype, count_include_pad, seed):
    shape, kernel_size, stride, padding, _, ceil_mode = case
    x = random_array(shape, dtype, seed)
    attrs = dict(
        kernel_size=kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad
    )
    assert_close(run_op(AvgPool2dOp, [x], **attrs), torch_apply(F.avg_pool2d, x, **attrs), dtype)


@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_cases_match_torch(count_include_pad):
    for i, case in enumerate(POOL_CASES):
        check_avg_pool2d(case, "f32", count_include_pad, seed=i)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_avg_pool2d_dtypes_match_torch(dtype):
    check_avg_pool2d(POOL_CASES[1], dtype, count_include_pad=False, seed=3)


#: (input shape, output_size): dividing and non-dividing bins, more bins than inputs, empty output.
ADAPTIVE_CASES = [
    ((1, 3, 7, 7), (1, 1)),
    ((2, 2, 5, 7), (3, 2)),
    ((3, 4, 4), (4, 4)),
    ((1, 1, 3, 2), (5, 4)),
    ((1, 2, 6, 6), (0, 3)),
    ((0, 2, 5, 5), (2, 2)),
]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_adaptive_avg_pool2d_matches_torch(dtype):
    for i, (shape, output_size) in enumerate(ADAPTIVE_CASES):
        x = random_array(shape, dtype, seed=i)
        expected = torch_apply(F.adaptive_avg_pool2d, x, output_size=output_size)
        assert_close(run_op(AdaptiveAvgPool2dOp, [x], output_size=output_size), expected, dtype)


# ----------------------------------------------------------------------------
# batch_norm

BATCH_NORM_SHAPES = [(4, 3), (2, 3, 5), (2, 3, 4, 5), (0, 3, 2), (1, 1)]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_batch_norm_matches_torch(dtype):
    for i, shape in enumerate(BATCH_NORM_SHAPES):
        channels = shape[1]
        x, mean, weight, bias = (random_array(s, dtype, seed=10 * i + j) for j, s in enumerate([shape] + [(channels,)] * 3))
        var = np.asarray(np.random.default_rng(i).random(channels) + 0.1, x.dtype)
        eps = (1e-5, 0.5)[i % 2]
        expected = torch_apply(F.batch_norm, x, mean, var, weight, bias, training=False, eps=eps)
        assert_close(run_op(BatchNormOp, [x, mean, var, weight, bias], eps=eps), expected, dtype)


def test_batch_norm_checks_dynamic_channels_at_run_time():
    text = """
    func.func @f(%x: tensor<2x?xf32>, %v: tensor<3xf32>) -> tensor<2x?xf32> {
      %r = "fxn.batch_norm"(%x, %v, %v, %v, %v) {eps = 1.0e-05 : f64} : (tensor<2x?xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x?xf32>
      return %r : tensor<2x?xf32>
    }
    """
    with pytest.raises(InterpreterError, match="running_mean size 3 and input channels 4 differ"):
        interpret(text, random_array((2, 4)), np.ones(3, np.float32))


# ----------------------------------------------------------------------------
# verifier rules, one case each

CONV_ATTRS = {"dilation": "array<i64: 1, 1>", "groups": "1 : i64", "padding": "array<i64: 0, 0>", "stride": "array<i64: 1, 1>"}
POOL_ATTRS = {"kernel_size": "array<i64: 2, 2>", "padding": "array<i64: 0, 0>", "stride": "array<i64: 2, 2>", "ceil_mode": "false"}
MAX_POOL_ATTRS = {**POOL_ATTRS, "dilation": "array<i64: 1, 1>"}
AVG_POOL_ATTRS = {**POOL_ATTRS, "count_include_pad": "true"}


def generic_op(name: str, operands: int, attrs: dict, types: str, **overrides) -> str:
    """``"fxn.<name>"(%a0, ...) {attrs with overrides} : types``."""
    attributes = ", ".join(f"{key} = {value}" for key, value in {**attrs, **overrides}.items())
    arguments = ", ".join(f"%a{i}" for i in range(operands))
    return f'"fxn.{name}"({arguments}) {{{attributes}}} : {types}'


def conv(types: str, **overrides) -> str:
    return generic_op("conv2d", types.count("tensor<") - 1, CONV_ATTRS, types, **overrides)


def max_pool(types: str, **overrides) -> str:
    return generic_op("max_pool2d", 1, MAX_POOL_ATTRS, types, **overrides)


def avg_pool(types: str, **overrides) -> str:
    return generic_op("avg_pool2d", 1, AVG_POOL_ATTRS, types, **overrides)


REJECTED = [
    # matmul
    ('"fxn.matmul"(%a0, %a1) : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>',
     "contracting dimensions 3 and 4 differ"),
    ('"fxn.matmul"(%a0, %a1) : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>',
     "operands must have rank at least 1; got ranks 0 and 1"),
    ('"fxn.matmul"(%a0, %a1) : (tensor<2x3xf32>, tensor<3x4xf16>) -> tensor<2x4xf32>',
     "operand element types differ: f32, f16"),
    ('"fxn.matmul"(%a0, %a1) : (tensor<2x3xi1>, tensor<3x4xi1>) -> tensor<2x4xi1>',
     "requires numeric operands; got i1"),
    ('"fxn.matmul"(%a0, %a1) : (tensor<2x2x3xf32>, tensor<3x3x4xf32>) -> tensor<2x2x4xf32>',
     "batch dimensions [2] and [3] are not broadcastable"),
    # linear
    ('"fxn.linear"(%a0, %a1) : (tensor<2x3xi32>, tensor<4x3xi32>) -> tensor<2x4xi32>',
     "requires float operands; got i32"),
    ('"fxn.linear"(%a0, %a1, %a2) : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf64>) -> tensor<2x4xf32>',
     "operand element types differ: f32, f32, f64"),
    ('"fxn.linear"(%a0, %a1) : (tensor<f32>, tensor<4x3xf32>) -> tensor<4xf32>',
     "input must have rank at least 1 (*, in); got rank 0"),
    ('"fxn.linear"(%a0, %a1) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>',
     "weight must have rank 2 (out, in); got rank 1"),
    ('"fxn.linear"(%a0, %a1) : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x4xf32>',
     "input features 3 and weight input features 5 differ"),
    ('"fxn.linear"(%a0, %a1, %a2) : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>',
     "bias must have rank 1; got rank 2"),
    ('"fxn.linear"(%a0, %a1, %a2) : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<5xf32>) -> tensor<2x4xf32>',
     "bias size 5 and weight output features 4 differ"),
    # conv2d
    (conv("(tensor<1x3x5x5xi32>, tensor<2x3x3x3xi32>) -> tensor<1x2x3x3xi32>"),
     "requires float operands; got i32"),
    (conv("(tensor<1x3x5x5xf32>, tensor<2x3x3x3xf16>) -> tensor<1x2x3x3xf32>"),
     "operand element types differ: f32, f16"),
    (conv("(tensor<3x5x5xf32>, tensor<2x3x3x3xf32>) -> tensor<2x3x3xf32>"),
     "input must have rank 4 (N, C, H, W); got rank 3"),
    (conv("(tensor<1x3x5x5xf32>, tensor<2x3x3xf32>) -> tensor<1x2x3x3xf32>"),
     "weight must have rank 4 (O, C / groups, kH, kW); got rank 3"),
    (conv("(tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x3x3xf32>", groups="0 : i64"),
     "attribute 'groups' must be at least 1; got 0"),
    (conv("(tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x3x3xf32>", stride="array<i64: 0, 1>"),
     "attribute 'stride' elements must be at least 1; got [0, 1]"),
    (conv("(tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x3x3xf32>", padding="array<i64: 1>"),
     "attribute 'padding' must have 2 elements; got 1"),
    (conv("(tensor<1x6x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32>", groups="4 : i64"),
     "input channels 6 are not divisible by groups 4"),
    (conv("(tensor<1x6x5x5xf32>, tensor<3x3x3x3xf32>) -> tensor<1x3x3x3xf32>", groups="2 : i64"),
     "output channels 3 are not divisible by groups 2"),
    (conv("(tensor<1x6x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32>", groups="2 : i64"),
     "input channels per group 3 (6 / groups 2) and weight input channels 2 differ"),
    (conv("(tensor<1x3x5x5xf32>, tensor<2x3x0x3xf32>) -> tensor<1x2x6x3xf32>"),
     "kernel size must be positive; got [0, 3]"),
    (conv("(tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x3x3xf32>", dilation="array<i64: 3, 1>"),
     "dilated kernel height 7 exceeds padded input height 5"),
    (conv("(tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32>, tensor<2x1xf32>) -> tensor<1x2x3x3xf32>"),
     "bias must have rank 1; got rank 2"),
    (conv("(tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32>, tensor<3xf32>) -> tensor<1x2x3x3xf32>"),
     "bias size 3 and output channels 2 differ"),
    # max_pool2d, avg_pool2d
    (max_pool("(tensor<4x4xf32>) -> tensor<2x2xf32>"),
     "input must have rank 3 or 4 ((N,) C, H, W); got rank 2"),
    (max_pool("(tensor<1x4x4xi1>) -> tensor<1x2x2xi1>"),
     "requires numeric operands; got i1"),
    (max_pool("(tensor<1x4x4xf32>) -> tensor<1x2x4xf32>", padding="array<i64: 0, 2>"),
     "padding 2 exceeds half the kernel width 2"),
    (max_pool("(tensor<1x0x4xf32>) -> tensor<1x0x2xf32>"),
     "input height must not be 0"),
    (max_pool("(tensor<1x4x4xf32>) -> tensor<1x2x1xf32>", dilation="array<i64: 1, 4>"),
     "input width 4 with padding 0 is too small for the dilated kernel width 5"),
    (max_pool("(tensor<1x4x4xf32>) -> tensor<1x2x2xf32>", kernel_size="array<i64: 0, 2>"),
     "attribute 'kernel_size' elements must be at least 1; got [0, 2]"),
    (avg_pool("(tensor<1x4x4xi32>) -> tensor<1x2x2xi32>"),
     "requires float operands; got i32"),
    (avg_pool("(tensor<1x4x4xf32>) -> tensor<1x4x2xf32>", padding="array<i64: 2, 0>"),
     "padding 2 exceeds half the kernel height 2"),
    (avg_pool("(tensor<1x1x4xf32>) -> tensor<1x0x2xf32>"),
     "input height 1 with padding 0 is too small for the dilated kernel height 2"),
    # adaptive_avg_pool2d
    ('"fxn.adaptive_avg_pool2d"(%a0) {output_size = array<i64: 1, 1>} : (tensor<1x4x4xi32>) -> tensor<1x1x1xi32>',
     "requires float operands; got i32"),
    ('"fxn.adaptive_avg_pool2d"(%a0) {output_size = array<i64: 1, 1>} : (tensor<2x1x1x4x4xf32>) -> tensor<2x1x1x1x1xf32>',
     "input must have rank 3 or 4 ((N,) C, H, W); got rank 5"),
    ('"fxn.adaptive_avg_pool2d"(%a0) {output_size = array<i64: 1, 1>} : (tensor<1x4x0xf32>) -> tensor<1x1x1xf32>',
     "input width must not be 0"),
    ('"fxn.adaptive_avg_pool2d"(%a0) {output_size = array<i64: 1, -1>} : (tensor<1x4x4xf32>) -> tensor<1x1x1xf32>',
     "attribute 'output_size' elements must be at least 0; got [1, -1]"),
    # batch_norm
    ('"fxn.batch_norm"(%a0, %a1, %a2, %a3, %a4) {eps = 1.0e-05 : f64} : (tensor<2x3xf16>, tensor<3xf16>, tensor<3xf16>, tensor<3xf16>, tensor<3xf32>) -> tensor<2x3xf16>',
     "operand element types differ: f16, f16, f16, f16, f32"),
    ('"fxn.batch_norm"(%a0, %a1, %a2, %a3, %a4) {eps = 1.0e-05 : f64} : (tensor<2x3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<3xi32>) -> tensor<2x3xi32>',
     "requires float operands; got i32"),
    ('"fxn.batch_norm"(%a0, %a1, %a2, %a3, %a4) {eps = 1.0e-05 : f64} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>',
     "input must have rank at least 2 (N, C, ...); got rank 1"),
    ('"fxn.batch_norm"(%a0, %a1, %a2, %a3, %a4) {eps = 1.0e-05 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3x1xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>',
     "running_var must have rank 1; got rank 2"),
    ('"fxn.batch_norm"(%a0, %a1, %a2, %a3, %a4) {eps = 1.0e-05 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<2x3xf32>',
     "bias size 4 and input channels 3 differ"),
]


@pytest.mark.parametrize("op, message", REJECTED, ids=[message for _, message in REJECTED])
def test_verifier_rejects(op, message):
    assert_rejected(op, message)
