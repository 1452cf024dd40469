"""fxn-fuse-fma, differentially: the interpreter before and after the pass, and the compiled result against torch.

The fused op rounds once where the multiply and the add rounded twice, so
before and after agree within a rounding of the result, and exactly where
the product is exact (small integers in floats).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from fxn.interpreter import interpret
from lowering_harness import host_function, parsed

SOURCE = """
func.func @f(%x: tensor<3x1xf32>, %y: tensor<4xf32>, %z: tensor<f32>, %w: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>) {
  %p = "fxn.mul"(%x, %y) : (tensor<3x1xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %r = "fxn.add"(%z, %p) : (tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %q = "fxn.mul"(%r, %w) : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = "fxn.add"(%q, %x) : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  return %r, %s : tensor<3x4xf32>, tensor<3x4xf32>
}
"""


def _fused():
    return parsed(SOURCE, "builtin.module(fxn-fuse-fma)")


def _inputs(rng, integers=False):
    shapes = [(3, 1), (4,), (), (3, 4)]
    if integers:
        return [rng.integers(-8, 8, size=s).astype(np.float32) for s in shapes]
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


def test_the_pass_fuses_both_multiply_adds():
    text = str(_fused())
    assert text.count('"fxn.fma"') == 2 and '"fxn.mul"' not in text and '"fxn.add"' not in text


@pytest.mark.parametrize("seed", range(5))
def test_the_interpreter_agrees_before_and_after(seed):
    arrays = _inputs(np.random.default_rng(seed))
    before = interpret(parsed(SOURCE), *arrays)
    after = interpret(_fused(), *arrays)
    for b, a in zip(before, after):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_exact_products_give_the_same_bits():
    arrays = _inputs(np.random.default_rng(0), integers=True)
    before = interpret(parsed(SOURCE), *arrays)
    after = interpret(_fused(), *arrays)
    for b, a in zip(before, after):
        assert np.array_equal(a, b)


def test_compiled_after_the_pass_matches_torch():
    function = host_function(_fused())
    arrays = _inputs(np.random.default_rng(1))
    r, s = function(*arrays)
    x, y, z, w = (torch.from_numpy(a) for a in arrays)
    expected_r = z + x * y
    expected_s = expected_r * w + x
    np.testing.assert_allclose(r, expected_r.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s, expected_s.numpy(), rtol=1e-5, atol=1e-6)
