"""Conformance cases of the nn ops, compared within the result dtype's tolerance (integers exactly).

matmul as each of its named forms (matrix, vector, batched, broadcast
batches, k = 0, dynamic dims) on every numeric dtype, integer products
wrapping; linear with and without bias; conv2d strided, dilated, grouped,
depthwise, pointwise and with dynamic batch; max and average pooling with
padding, dilation and ceil mode (partial windows); adaptive pooling
shrinking, growing and to an empty output; batch_norm over every rank;
layer_norm over one or several trailing dims, of offset and constant rows.
"""

from __future__ import annotations

import numpy as np

from fxn.dialects.nn import (AdaptiveAvgPool2dOp, AvgPool2dOp, BatchNormOp, Conv2dActivationOp, Conv2dOp,
                             LayerNormOp, LinearActivationOp, LinearOp, MatmulOp, MaxPool2dOp)
from fxn.dialects.types import ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES, NUMPY_DTYPES

from .case import Case, among, normal_array

NUMERIC_DTYPES = FLOAT_DTYPES + INT_DTYPES

#: (lhs shape, rhs shape, dynamic axes per operand): each named op, broadcast batches, 1-D operands, k = 0.
MATMUL_SHAPES = {
    "matrix": ((3, 4), (4, 5), ()),
    "vecmat": ((4,), (4, 5), ()),
    "matvec": ((3, 4), (4,), ()),
    "dot": ((7,), (7,), ()),
    "batch": ((2, 3, 4), (2, 4, 5), ()),
    "broadcast": ((2, 1, 3, 4), (5, 4, 2), ()),
    "batch_one": ((1, 3, 4), (2, 4, 5), ()),
    "vector_batch": ((4,), (2, 4, 3), ()),
    "batch_vector": ((2, 3, 4), (4,), ()),
    "empty_k": ((3, 0), (0, 2), ()),
    "dynamic": ((3, 4), (4, 5), ((0, 1), (0, 1))),
    "dynamic_batch": ((2, 3, 4), (2, 4, 5), ((0, 1), (0, 2))),
}
#: (input shape, with bias, dynamic axes of the input)
LINEAR_SHAPES = {"vector": ((5,), True, ()), "matrix": ((3, 5), False, ()), "batch": ((2, 3, 5), True, (0, 1))}
#: (input shape, weight shape, bias, stride, padding, dilation, groups, dynamic input axes)
CONV_CONFIGS = {
    "3x3_same": ((2, 3, 8, 7), (4, 3, 3, 3), True, (1, 1), (1, 1), (1, 1), 1, ()),
    "strided_dilated": ((1, 2, 11, 9), (3, 2, 3, 2), False, (2, 3), (0, 2), (2, 1), 1, ()),
    "grouped": ((2, 4, 9, 8), (6, 2, 3, 2), True, (2, 1), (1, 2), (1, 2), 2, ()),
    "depthwise": ((1, 3, 7, 7), (6, 1, 3, 3), True, (1, 2), (1, 1), (1, 1), 3, ()),
    "pointwise": ((2, 5, 4, 3), (2, 5, 1, 1), True, (1, 1), (0, 0), (1, 1), 1, ()),
    "kernel_fills_input": ((1, 2, 3, 4), (3, 2, 3, 4), False, (1, 1), (0, 0), (1, 1), 1, ()),
    "dynamic_batch": ((3, 2, 6, 5), (4, 2, 2, 2), True, (2, 2), (1, 0), (1, 1), 1, (0, 1)),
    "dynamic_grouped": ((2, 4, 6, 5), (4, 2, 3, 3), True, (1, 1), (1, 1), (1, 1), 2, (0, 1)),
}
#: (input shape, kernel, stride, padding, dilation, ceil_mode): odd sizes, CHW and NCHW, partial ceil windows.
POOL_CONFIGS = {
    "2x2": ((1, 3, 8, 8), (2, 2), (2, 2), (0, 0), (1, 1), False),
    "3x3_padded_chw": ((3, 9, 7), (3, 3), (2, 2), (1, 1), (1, 1), False),
    "ceil": ((2, 2, 7, 9), (3, 2), (2, 2), (1, 1), (1, 1), True),
    "ceil_overhang": ((1, 2, 6, 5), (2, 3), (3, 2), (0, 1), (1, 1), True),
    "dilated": ((1, 1, 10, 9), (3, 2), (1, 2), (1, 0), (2, 3), False),
    "1x1_output": ((1, 2, 3, 4), (3, 4), (1, 1), (0, 0), (1, 1), False),
}
#: (input shape, output size): shrinking, overlapping bins, growing, global, an empty output.
ADAPTIVE_CONFIGS = {
    "shrink": ((1, 2, 7, 9), (3, 4)),
    "grow_chw": ((2, 3, 3), (5, 4)),
    "global": ((2, 3, 5, 6), (1, 1)),
    "global_wide": ((1, 2, 20, 24), (1, 1)),  # bins wider than the unrolled taps
    "same": ((1, 1, 4, 4), (4, 4)),
    "empty": ((1, 2, 4, 4), (0, 2)),
}
#: (input shape, eps, dynamic input axes)
BATCH_NORM_CONFIGS = {"nc": ((4, 3), 1e-5, ()), "ncl": ((2, 3, 5), 0.1, ()), "nchw": ((2, 3, 4, 5), 1e-3, (0, 2)),
                      "ncdhw": ((1, 2, 3, 2, 2), 1e-5, ())}

#: (input shape, normalized_rank, eps, dynamic axes of the input, offset added to the input, constant rows)
LAYER_NORM_CONFIGS = {
    "rows": ((5, 12), 1, 1e-5, (), 0.0, False),
    "image": ((2, 3, 4, 5), 3, 1e-5, (), 0.0, False),
    "whole": ((7,), 1, 0.1, (), 0.0, False),
    "two_dims": ((3, 4, 6), 2, 1e-3, (0,), 0.0, False),
    "dynamic": ((2, 3, 8), 1, 1e-5, (0, 2), 0.0, False),
    "offset": ((4, 33), 1, 1e-5, (), 100.0, False),
    "constant": ((3, 9), 1, 1e-5, (), 0.0, True),
}


def matmul_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    return {
        f"matmul_{shape}_{dtype}": Case(MatmulOp, [normal_array(rng, lhs, dtype), normal_array(rng, rhs, dtype)],
                                        dynamic=dynamic, variant=(shape,))
        for dtype in among(NUMERIC_DTYPES, supported)
        for shape, (lhs, rhs, dynamic) in MATMUL_SHAPES.items()
    }


def linear_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    def inputs(x, dtype, bias):
        return [normal_array(rng, x, dtype), normal_array(rng, (4, 5), dtype),
                normal_array(rng, (4,), dtype) if bias else None]

    return {
        f"linear_{shape}_{dtype}": Case(LinearOp, inputs(x, dtype, bias), dynamic=(dynamic,), variant=(shape,))
        for dtype in among(FLOAT_DTYPES, supported)
        for shape, (x, bias, dynamic) in LINEAR_SHAPES.items()
    }


def conv2d_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    def inputs(x, w, dtype, bias):
        return [normal_array(rng, x, dtype), normal_array(rng, w, dtype), normal_array(rng, w[:1], dtype) if bias else None]

    return {
        f"conv2d_{config}_{dtype}": Case(Conv2dOp, inputs(x, w, dtype, bias),
                                         dict(stride=stride, padding=padding, dilation=dilation, groups=groups),
                                         (dynamic,), variant=(config,))
        for dtype in among(FLOAT_DTYPES, supported)
        for config, (x, w, bias, stride, padding, dilation, groups, dynamic) in CONV_CONFIGS.items()
    }


#: Activations of the fused ops' cases: (activation, min, max); relu6's clamp, a clamp below zero.
ACTIVATION_CONFIGS = {"relu": ("relu", -np.inf, np.inf), "relu6": ("clamp", 0.0, 6.0),
                      "clamp": ("clamp", -1.5, -0.25), "sigmoid": ("sigmoid", -np.inf, np.inf)}
#: The conv configurations the fused convolution's cases take (each activation on each).
FUSED_CONV_CONFIGS = ("3x3_same", "grouped", "pointwise", "dynamic_batch")


def conv2d_activation_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    cases = {}
    for dtype in among(FLOAT_DTYPES, supported):
        for config in FUSED_CONV_CONFIGS:
            x, w, bias, stride, padding, dilation, groups, dynamic = CONV_CONFIGS[config]
            for name, (activation, low, high) in ACTIVATION_CONFIGS.items():
                inputs = [normal_array(rng, x, dtype), normal_array(rng, w, dtype),
                          normal_array(rng, w[:1], dtype) if bias else None]
                attrs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups, activation=activation,
                             min=low, max=high)
                cases[f"conv2d_activation_{config}_{name}_{dtype}"] = Case(
                    Conv2dActivationOp, inputs, attrs, (dynamic,), variant=(config, name))
    return cases


def linear_activation_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    cases = {}
    for dtype in among(FLOAT_DTYPES, supported):
        for shape, (x, bias, dynamic) in LINEAR_SHAPES.items():
            for name, (activation, low, high) in ACTIVATION_CONFIGS.items():
                inputs = [normal_array(rng, x, dtype), normal_array(rng, (4, 5), dtype),
                          normal_array(rng, (4,), dtype) if bias else None]
                cases[f"linear_activation_{shape}_{name}_{dtype}"] = Case(
                    LinearActivationOp, inputs, dict(activation=activation, min=low, max=high), (dynamic,),
                    variant=(shape, name))
    return cases


def max_pool2d_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    cases = {
        f"max_pool2d_{config}_{dtype}": Case(MaxPool2dOp, [normal_array(rng, x, dtype)],
                                             dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=ceil),
                                             variant=(config,))
        for dtype in among(NUMERIC_DTYPES, supported)
        for config, (x, k, s, p, d, ceil) in POOL_CONFIGS.items()
    }
    if "f32" in supported:
        cases["max_pool2d_nan"] = Case(MaxPool2dOp, [np.array([[[[1.0, np.nan, 2.0, 3.0], [0.0, 1.0, 5.0, 4.0]]]],
                                                               np.float32)],
                                       dict(kernel_size=(2, 2), stride=(2, 2)), variant=("nan",))
    for dtype in ["f32" if "f32" in supported else d for d in among(NUMERIC_DTYPES, supported)][:1]:
        cases["max_pool2d_dynamic"] = Case(MaxPool2dOp, [normal_array(rng, (2, 3, 6, 5), dtype)],
                                           dict(kernel_size=(2, 2), stride=(2, 1)), ((0, 1),), variant=("dynamic",))
    return cases


def avg_pool2d_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    return {
        f"avg_pool2d_{config}_{dtype}_{'with' if include else 'without'}_pad": Case(
            AvgPool2dOp, [normal_array(rng, x, dtype)],
            dict(kernel_size=k, stride=s, padding=p, ceil_mode=ceil, count_include_pad=include),
            variant=(config, f"include_pad_{include}"))
        for dtype in among(FLOAT_DTYPES, supported)
        for include in (True, False)
        for config, (x, k, s, p, d, ceil) in POOL_CONFIGS.items()
        if d == (1, 1)
    }


def adaptive_avg_pool2d_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    return {
        f"adaptive_avg_pool2d_{config}_{dtype}": Case(AdaptiveAvgPool2dOp, [normal_array(rng, x, dtype)],
                                                      dict(output_size=size), variant=(config,))
        for dtype in among(FLOAT_DTYPES, supported)
        for config, (x, size) in ADAPTIVE_CONFIGS.items()
    }


def batch_norm_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    def inputs(shape, dtype: str) -> list[np.ndarray]:
        channels = shape[1]
        variance = np.abs(normal_array(rng, (channels,), dtype)) + np.asarray(0.5, NUMPY_DTYPES[dtype])
        return [normal_array(rng, shape, dtype), normal_array(rng, (channels,), dtype), variance,
                normal_array(rng, (channels,), dtype), normal_array(rng, (channels,), dtype)]

    return {
        f"batch_norm_{config}_{dtype}": Case(BatchNormOp, inputs(shape, dtype), dict(eps=eps), (dynamic,),
                                             variant=(config,))
        for dtype in among(FLOAT_DTYPES, supported)
        for config, (shape, eps, dynamic) in BATCH_NORM_CONFIGS.items()
    }


def layer_norm_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    def inputs(shape, rank, dtype, offset, constant):
        x = normal_array(rng, shape, dtype) + np.asarray(offset, NUMPY_DTYPES[dtype])
        if constant:
            x[...] = x[..., :1]
        return [x, normal_array(rng, shape[len(shape) - rank:], dtype), normal_array(rng, shape[len(shape) - rank:], dtype)]

    return {
        f"layer_norm_{config}_{dtype}": Case(LayerNormOp, inputs(shape, rank, dtype, offset, constant),
                                             dict(normalized_rank=rank, eps=eps), (dynamic,), variant=(config,))
        for dtype in among(FLOAT_DTYPES, supported)
        for config, (shape, rank, eps, dynamic, offset, constant) in LAYER_NORM_CONFIGS.items()
    }


def builders() -> dict[str, object]:
    """Per nn op name, the function ``(rng, supported dtypes) -> {name: Case}`` making its cases."""
    return {"fxn.matmul": matmul_cases, "fxn.linear": linear_cases, "fxn.conv2d": conv2d_cases,
            "fxn.conv2d_activation": conv2d_activation_cases, "fxn.linear_activation": linear_activation_cases,
            "fxn.max_pool2d": max_pool2d_cases, "fxn.avg_pool2d": avg_pool2d_cases,
            "fxn.adaptive_avg_pool2d": adaptive_avg_pool2d_cases, "fxn.batch_norm": batch_norm_cases,
            "fxn.layer_norm": layer_norm_cases}
