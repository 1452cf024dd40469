"""The generic lowering of reduce, softmax and argmax, compiled for the host against the reference interpreter."""

from __future__ import annotations

import numpy as np
import pytest
from lowering_harness import compiled_fixture

from fxn.testing.cases import op_cases

# ----------------------------------------------------------------------------
# reduce: the conformance suite's cases (fxn.testing.reduction_cases)

REDUCE_CASES = op_cases("fxn.reduce")
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

SOFTMAX_CASES = op_cases("fxn.softmax")
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

ARGMAX_CASES = op_cases("fxn.argmax")
argmax_compiled = compiled_fixture(ARGMAX_CASES)


@pytest.mark.parametrize("name", ARGMAX_CASES)
def test_argmax(argmax_compiled, name):
    argmax_compiled.check(name)


def test_argmax_takes_the_first_nan_and_the_first_tie(argmax_compiled):
    np.testing.assert_array_equal(argmax_compiled.check("argmax_specials"), [1, 0, 1, 3])
    np.testing.assert_array_equal(argmax_compiled.check("argmax_extremes_i8"), [0, 0])
