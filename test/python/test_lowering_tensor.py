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
from fxn.dialects.types import ALL_DTYPES
from fxn.source import parse_module
from fxn.testing.case import Case
from fxn.testing.tensor_cases import (
    broadcast_cases,
    concat_cases,
    constant_cases,
    pad_cases,
    reshape_cases,
    slice_cases,
    transpose_cases,
)
from test_lowering_elementwise import assert_calls_no_libm, assert_identical, build_text, run_both


def tensor_cases(dtype: str) -> list[Case]:
    """The conformance suite's cases of every tensor op for ``dtype`` (:mod:`fxn.testing.tensor_cases`)."""
    rng = np.random.default_rng(ALL_DTYPES.index(dtype))
    builders = (constant_cases, broadcast_cases, reshape_cases, transpose_cases, slice_cases, pad_cases, concat_cases)
    return [case for build in builders for case in build(rng, dtype).values()]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_tensor_ops_match_the_reference(dtype):
    for case, actual, expected in run_both(tensor_cases(dtype)):
        assert_identical(actual, expected, case)


def test_lowered_tensor_ops_call_no_runtime_library():
    """Slices, pads and concatenations never leave a strided copy for MLIR's runtime ``memrefCopy``."""
    module = parse_module(build_text(tensor_cases("f32")), "cases.mlir", new_context())
    lower_to_llvm(module, "host")
    assert_calls_no_libm(module)
