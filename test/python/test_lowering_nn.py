"""The generic lowering of the nn ops, compiled for the host against the reference interpreter."""

from __future__ import annotations

import numpy as np
import pytest

from fxn.compiler import lower_to_llvm
from fxn.dialects import new_context
from fxn.mlir import MLIRError
from fxn.source import parse_module
from fxn.testing.cases import op_cases
from lowering_harness import compiled_fixture

#: The conformance suite's cases of the nn ops (fxn.testing.nn_cases).
NN_OPS = ("fxn.matmul", "fxn.linear", "fxn.conv2d", "fxn.max_pool2d", "fxn.avg_pool2d", "fxn.adaptive_avg_pool2d",
          "fxn.batch_norm")
NN_CASES = {name: case for op in NN_OPS for name, case in op_cases(op).items()}
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
