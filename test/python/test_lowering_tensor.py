"""The tensor ops compiled for this machine against the reference interpreter, bit for bit.

Every op for every element type, in one module per element type (one JIT
compilation each): constants (``dense`` and ``dense_resource``), broadcasts,
reshapes, transposes, slices, the three pad modes and concatenations, with
0-d tensors, empty dims, dynamic dims and negative dims/permutations.
"""

import numpy as np
import pytest

from fxn.compiler import lower_to_llvm
from fxn.dialects import new_context
from fxn.dialects import tensor as t
from fxn.dialects.elements import numpy_to_resource
from fxn.dialects.types import ALL_DTYPES
from fxn.source import parse_module
from test_lowering_elementwise import Case, assert_calls_no_libm, assert_identical, build_text, random_array, run_both


def constant_cases(rng, dtype):
    dense = random_array(rng, dtype, (3, 4), special=0.3)
    weights = random_array(rng, dtype, (2, 3))
    return [
        Case(t.ConstantOp, [], dict(value=dense)),
        Case(t.ConstantOp, [], dict(value=np.full((2, 5), dense[0, 0]))),  # a splat
        Case(t.ConstantOp, [], dict(value=np.asarray(dense[1, 1]))),  # 0-d
        Case(t.ConstantOp, [], dict(value=lambda: numpy_to_resource(weights, "weights"))),
    ]


def broadcast_cases(rng, dtype):
    def case(shape, target, types=None):
        return Case(t.BroadcastToOp, [random_array(rng, dtype, shape)], dict(shape=target), types)

    return [
        case((3, 1), [2, 3, 4]),
        case((), [2, 3]),
        case((4,), [0, 4]),
        case((2, 3), [2, 3]),
        case((2, 3), [5, 2, 3], [(None, 3)]),  # a dynamic dim of the target's size
    ]


def reshape_cases(rng, dtype):
    def case(shape, target, types=None):
        return Case(t.ReshapeOp, [random_array(rng, dtype, shape)], dict(shape=target), types)

    return [
        case((2, 3, 4), [4, -1]),
        case((2, 3, 4), [-1, 2], [(None, 3, 4)]),
        case((6,), [2, 3], [(None,)]),
        case((), [1, 1]),
        case((1, 1), []),
        case((1, 1), [], [(None, 1)]),
        case((0, 3), [3, 0]),
        case((5,), [5]),
    ]


def transpose_cases(rng, dtype):
    def case(shape, permutation, types=None):
        return Case(t.TransposeOp, [random_array(rng, dtype, shape)], dict(permutation=permutation), types)

    return [
        case((2, 3, 4), [2, 0, 1]),
        case((2, 3, 4), [-1, -3, 1]),
        case((3, 5), [1, 0], [(None, 5)]),
        case((), []),
        case((0, 2), [1, 0]),
    ]


def slice_cases(rng, dtype):
    def case(shape, starts, limits, strides, types=None):
        attrs = dict(starts=starts, limits=limits, strides=strides)
        return Case(t.SliceOp, [random_array(rng, dtype, shape)], attrs, types)

    return [
        case((5, 9), [1, 0], [5, 9], [2, 3]),
        case((4, 7), [0, 2], [3, 7], [1, 1], [(None, 7)]),
        case((), [], [], []),
        case((4, 3), [2, 1], [2, 3], [1, 1]),  # empty
        case((6,), [0], [6], [1]),
    ]


def pad_cases(rng, dtype):
    value = 0.1 if dtype.startswith("f") else 1.0  # 0.1 is rounded to the element type

    def case(shape, low, high, mode, types=None):
        attrs = dict(low=low, high=high, mode=mode, value=value)
        return Case(t.PadOp, [random_array(rng, dtype, shape)], attrs, types)

    return [
        case((3, 4), [1, 0], [2, 3], "constant"),
        case((0, 3), [1, 1], [1, 0], "constant"),
        case((4, 5), [0, 2], [0, 0], "constant", [(None, 5)]),
        case((4, 5), [2, 1], [1, 4], "reflect", [(None, 5)]),
        case((3, 1), [2, 0], [0, 3], "replicate"),
        case((2, 3), [0, 0], [0, 0], "reflect"),
        case((), [], [], "replicate"),
    ]


def concat_cases(rng, dtype):
    def case(shapes, dim, types=None):
        return Case(t.ConcatOp, [random_array(rng, dtype, s) for s in shapes], dict(dim=dim), types)

    return [
        case([(2, 3), (1, 3)], 0),
        case([(2, 1), (2, 3), (2, 2), (2, 2)], -1),
        case([(2, 3), (0, 3)], 0, [(None, 3), (None, 3)]),
        case([(0,), (3,), (0,)], 0),
        case([(2, 2, 3), (2, 4, 3)], 1, [(2, None, 3), (None, 4, 3)]),
    ]


def tensor_cases(dtype: str) -> list[Case]:
    rng = np.random.default_rng(ALL_DTYPES.index(dtype))
    builders = (constant_cases, broadcast_cases, reshape_cases, transpose_cases, slice_cases, pad_cases, concat_cases)
    return [case for build in builders for case in build(rng, dtype)]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_tensor_ops_match_the_reference(dtype):
    for case, actual, expected in run_both(tensor_cases(dtype)):
        assert_identical(actual, expected, case)


def test_lowered_tensor_ops_call_no_runtime_library():
    """Slices, pads and concatenations never leave a strided copy for MLIR's runtime ``memrefCopy``."""
    module = parse_module(build_text(tensor_cases("f32")), "cases.mlir", new_context())
    lower_to_llvm(module, "host")
    assert_calls_no_libm(module)
