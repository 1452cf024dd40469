"""fxn-fold-batch-norm, differentially: the interpreter before and after the pass (with constant folding, as
the optimization pipeline will run it), and the compiled result against torch's conv2d/linear + batch_norm."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from fxn.interpreter import interpret
from lowering_harness import host_function, parsed

CONV = """
func.func @f(%x: tensor<2x4x9x9xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>, %mean: tensor<6xf32>, %var: tensor<6xf32>, %g: tensor<6xf32>, %beta: tensor<6xf32>) -> tensor<2x6x5x5xf32> {
  %c = "fxn.conv2d"(%x, %w, %b) {dilation = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<2x4x9x9xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<2x6x5x5xf32>
  %y = "fxn.batch_norm"(%c, %mean, %var, %g, %beta) {eps = 1.0e-03 : f64} : (tensor<2x6x5x5xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x5x5xf32>
  return %y : tensor<2x6x5x5xf32>
}
"""
LINEAR = """
func.func @f(%x: tensor<8x3xf64>, %w: tensor<5x3xf64>, %mean: tensor<5xf64>, %var: tensor<5xf64>, %g: tensor<5xf64>, %beta: tensor<5xf64>) -> tensor<8x5xf64> {
  %l = "fxn.linear"(%x, %w) : (tensor<8x3xf64>, tensor<5x3xf64>) -> tensor<8x5xf64>
  %y = "fxn.batch_norm"(%l, %mean, %var, %g, %beta) {eps = 1.0e-05 : f64} : (tensor<8x5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>) -> tensor<8x5xf64>
  return %y : tensor<8x5xf64>
}
"""


def _conv_inputs(rng):
    x = rng.standard_normal((2, 4, 9, 9)).astype(np.float32)
    w = rng.standard_normal((6, 2, 3, 3)).astype(np.float32)
    vectors = [rng.standard_normal(6).astype(np.float32) for _ in range(4)]
    vectors[2] = np.abs(vectors[2]) + 0.1  # the variance
    b, mean, var, g = vectors
    return [x, w, b, mean, var, g, rng.standard_normal(6).astype(np.float32)]


def test_the_batch_norm_is_gone():
    text = str(parsed(CONV, "builtin.module(fxn-fold-batch-norm)"))
    assert "fxn.batch_norm" not in text and text.count('"fxn.conv2d"') == 1


@pytest.mark.parametrize("seed", range(3))
def test_the_interpreter_agrees_before_and_after_the_conv_fold(seed):
    arrays = _conv_inputs(np.random.default_rng(seed))
    before = interpret(parsed(CONV), *arrays)
    after = interpret(parsed(CONV, "builtin.module(fxn-fold-batch-norm,fxn-constant-fold)"), *arrays)
    np.testing.assert_allclose(after, before, rtol=1e-4, atol=1e-5)


def test_the_interpreter_agrees_before_and_after_the_linear_fold():
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal(s) for s in ((8, 3), (5, 3), (5,), (5,), (5,), (5,))]
    arrays[3] = np.abs(arrays[3]) + 0.1
    before = interpret(parsed(LINEAR), *arrays)
    after = interpret(parsed(LINEAR, "builtin.module(fxn-fold-batch-norm)"), *arrays)
    np.testing.assert_allclose(after, before, rtol=1e-12, atol=1e-12)


def test_compiled_after_the_fold_matches_torch():
    function = host_function(parsed(CONV, "builtin.module(fxn-fold-batch-norm)"))
    arrays = _conv_inputs(np.random.default_rng(11))
    (actual,) = function(*arrays)
    x, w, b, mean, var, g, beta = (torch.from_numpy(a) for a in arrays)
    convolved = torch.nn.functional.conv2d(x, w, b, stride=2, padding=1, groups=2)
    expected = torch.nn.functional.batch_norm(convolved, mean, var, g, beta, training=False, eps=1e-3)
    np.testing.assert_allclose(actual, expected.numpy(), rtol=1e-4, atol=1e-5)
