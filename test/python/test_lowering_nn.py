"""The generic lowering of the nn ops, compiled for the host against the reference interpreter."""

from __future__ import annotations

import numpy as np
import pytest

from fxn.compiler import lower_to_llvm
from fxn.dialects import new_context
from fxn.dialects.nn import AdaptiveAvgPool2dOp, AvgPool2dOp, BatchNormOp, Conv2dOp, LinearOp, MatmulOp, MaxPool2dOp
from fxn.dialects.types import FLOAT_DTYPES, INT_DTYPES
from fxn.mlir import MLIRError
from fxn.source import parse_module
from lowering_harness import Case, compiled_fixture, random_array

NUMERIC_DTYPES = FLOAT_DTYPES + INT_DTYPES

# ----------------------------------------------------------------------------
# matmul and linear

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

NN_CASES = {
    f"matmul_{shape}_{dtype}": Case(MatmulOp, [random_array(lhs, dtype, 1), random_array(rhs, dtype, 2)], dynamic=dynamic)
    for dtype in NUMERIC_DTYPES
    for shape, (lhs, rhs, dynamic) in MATMUL_SHAPES.items()
}

#: (input shape, with bias, dynamic axes of the input)
LINEAR_SHAPES = {"vector": ((5,), True, ()), "matrix": ((3, 5), False, ()), "batch": ((2, 3, 5), True, (0, 1))}
NN_CASES.update(
    {
        f"linear_{shape}_{dtype}": Case(
            LinearOp,
            [random_array(x, dtype, 3), random_array((4, 5), dtype, 4), random_array((4,), dtype, 5) if bias else None],
            dynamic=(dynamic,),
        )
        for dtype in FLOAT_DTYPES
        for shape, (x, bias, dynamic) in LINEAR_SHAPES.items()
    }
)

# ----------------------------------------------------------------------------
# conv2d

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
NN_CASES.update(
    {
        f"conv2d_{config}_{dtype}": Case(
            Conv2dOp,
            [random_array(x, dtype, 6), random_array(w, dtype, 7), random_array(w[:1], dtype, 8) if bias else None],
            dict(stride=stride, padding=padding, dilation=dilation, groups=groups),
            (dynamic,),
        )
        for dtype in FLOAT_DTYPES
        for config, (x, w, bias, stride, padding, dilation, groups, dynamic) in CONV_CONFIGS.items()
    }
)

# ----------------------------------------------------------------------------
# Pooling

#: (input shape, kernel, stride, padding, dilation, ceil_mode): odd sizes, CHW and NCHW, partial ceil windows.
POOL_CONFIGS = {
    "2x2": ((1, 3, 8, 8), (2, 2), (2, 2), (0, 0), (1, 1), False),
    "3x3_padded_chw": ((3, 9, 7), (3, 3), (2, 2), (1, 1), (1, 1), False),
    "ceil": ((2, 2, 7, 9), (3, 2), (2, 2), (1, 1), (1, 1), True),
    "ceil_overhang": ((1, 2, 6, 5), (2, 3), (3, 2), (0, 1), (1, 1), True),
    "dilated": ((1, 1, 10, 9), (3, 2), (1, 2), (1, 0), (2, 3), False),
    "1x1_output": ((1, 2, 3, 4), (3, 4), (1, 1), (0, 0), (1, 1), False),
}
NN_CASES.update(
    {
        f"max_pool2d_{config}_{dtype}": Case(
            MaxPool2dOp,
            [random_array(x, dtype, 9)],
            dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=ceil),
        )
        for dtype in NUMERIC_DTYPES
        for config, (x, k, s, p, d, ceil) in POOL_CONFIGS.items()
    }
)
NN_CASES.update(
    {
        f"avg_pool2d_{config}_{dtype}_{'with' if include else 'without'}_pad": Case(
            AvgPool2dOp,
            [random_array(x, dtype, 10)],
            dict(kernel_size=k, stride=s, padding=p, ceil_mode=ceil, count_include_pad=include),
        )
        for dtype in FLOAT_DTYPES
        for include in (True, False)
        for config, (x, k, s, p, d, ceil) in POOL_CONFIGS.items()
        if d == (1, 1)
    }
)
NN_CASES["max_pool2d_nan"] = Case(
    MaxPool2dOp,
    [np.array([[[[1.0, np.nan, 2.0, 3.0], [0.0, 1.0, 5.0, 4.0]]]], np.float32)],
    dict(kernel_size=(2, 2), stride=(2, 2)),
)
NN_CASES["max_pool2d_dynamic"] = Case(
    MaxPool2dOp, [random_array((2, 3, 6, 5), "f32", 11)], dict(kernel_size=(2, 2), stride=(2, 1)), ((0, 1),)
)

#: (input shape, output size): shrinking, overlapping bins, growing, global, an empty output.
ADAPTIVE_CONFIGS = {
    "shrink": ((1, 2, 7, 9), (3, 4)),
    "grow_chw": ((2, 3, 3), (5, 4)),
    "global": ((2, 3, 5, 6), (1, 1)),
    "global_wide": ((1, 2, 20, 24), (1, 1)),  # bins wider than the unrolled taps
    "same": ((1, 1, 4, 4), (4, 4)),
    "empty": ((1, 2, 4, 4), (0, 2)),
}
NN_CASES.update(
    {
        f"adaptive_avg_pool2d_{config}_{dtype}": Case(AdaptiveAvgPool2dOp, [random_array(x, dtype, 12)], dict(output_size=size))
        for dtype in FLOAT_DTYPES
        for config, (x, size) in ADAPTIVE_CONFIGS.items()
    }
)

# ----------------------------------------------------------------------------
# batch_norm


def _batch_norm_inputs(shape, dtype: str) -> list[np.ndarray]:
    channels = shape[1]
    variance = np.abs(random_array((channels,), dtype, 14)) + np.asarray(0.5, random_array((), dtype, 0).dtype)
    return [random_array(shape, dtype, 13), random_array((channels,), dtype, 15), variance] + [
        random_array((channels,), dtype, seed) for seed in (16, 17)
    ]


#: (input shape, eps, dynamic input axes)
BATCH_NORM_CONFIGS = {"nc": ((4, 3), 1e-5, ()), "ncl": ((2, 3, 5), 0.1, ()), "nchw": ((2, 3, 4, 5), 1e-3, (0, 2)), "ncdhw": ((1, 2, 3, 2, 2), 1e-5, ())}
NN_CASES.update(
    {
        f"batch_norm_{config}_{dtype}": Case(BatchNormOp, _batch_norm_inputs(shape, dtype), dict(eps=eps), (dynamic,))
        for dtype in FLOAT_DTYPES
        for config, (shape, eps, dynamic) in BATCH_NORM_CONFIGS.items()
    }
)

nn_compiled = compiled_fixture(NN_CASES)


@pytest.mark.parametrize("name", NN_CASES)
def test_nn(nn_compiled, name):
    nn_compiled.check(name)


def test_integer_matmul_wraps(nn_compiled):
    case = NN_CASES["matmul_matrix_i8"]
    lhs, rhs = (a.astype(np.int64) for a in case.arrays)
    expected = (lhs @ rhs).astype(np.int8)  # the low 8 bits of the exact product
    assert not np.array_equal(expected, lhs @ rhs)
    np.testing.assert_array_equal(nn_compiled.check("matmul_matrix_i8"), expected)


def test_max_pool2d_propagates_nan(nn_compiled):
    result = nn_compiled.check("max_pool2d_nan")
    assert np.isnan(result[0, 0, 0, 0]) and result[0, 0, 0, 1] == 5.0


#: (op, operand types, attributes, result type): ops whose windows need static spatial dims.
DYNAMIC_SPATIAL = [
    (
        "fxn.conv2d",
        "tensor<1x3x?x8xf32>, tensor<4x3x3x3xf32>",
        "{dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>}",
        "tensor<1x4x?x6xf32>",
    ),
    (
        "fxn.max_pool2d",
        "tensor<1x3x8x?xf32>",
        "{ceil_mode = false, dilation = array<i64: 1, 1>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>,"
        " stride = array<i64: 2, 2>}",
        "tensor<1x3x4x?xf32>",
    ),
    ("fxn.adaptive_avg_pool2d", "tensor<3x?x?xf32>", "{output_size = array<i64: 2, 2>}", "tensor<3x2x2xf32>"),
]


@pytest.mark.parametrize("op, operand_types, attrs, result_type", DYNAMIC_SPATIAL)
def test_dynamic_spatial_dims_are_a_located_error(op, operand_types, attrs, result_type):
    types = operand_types.split(", ")
    params = ", ".join(f"%a{i}: {t}" for i, t in enumerate(types))
    operands = ", ".join(f"%a{i}" for i in range(len(types)))
    text = (
        f"func.func @main({params}) -> {result_type} {{\n"
        f'  %r = "{op}"({operands}) {attrs} : ({operand_types}) -> {result_type}\n'
        f"  return %r : {result_type}\n}}\n"
    )
    module = parse_module(text, "dynamic.mlir", new_context())
    with pytest.raises(MLIRError) as error:
        lower_to_llvm(module, "host")
    (diagnostic,) = error.value.error_diagnostics
    assert diagnostic.message == f"fxn-lower-to-linalg: {op} needs static spatial dims to lower; got {types[0]}"
    assert str(diagnostic.location) == 'loc("dynamic.mlir":2:8)'
