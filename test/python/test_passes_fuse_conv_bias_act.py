"""fxn-fuse-conv-bias-act, differentially: the interpreter before and after the pass gives the same bits (the
fused ops compute exactly the ops they replace), and compiled code from torch functions matches torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import fxn
from fxn.interpreter import interpret
from lowering_harness import parsed

PASS = "builtin.module(fxn-fuse-conv-bias-act)"

# A conv2d + per-channel add + an activation, and a linear + (1, out) add + an activation, in each element type
# the bias fold keeps exact; ACTIVATION is replaced by each activation op.
CONV = """
func.func @f(%x: tensor<2x4x9x9xDT>, %w: tensor<6x2x3x3xDT>, %c: tensor<1x6x1x1xDT>) -> tensor<2x6x5x5xDT> {
  %conv = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<2x4x9x9xDT>, tensor<6x2x3x3xDT>) -> tensor<2x6x5x5xDT>
  %sum = "fxn.add"(%conv, %c) : (tensor<2x6x5x5xDT>, tensor<1x6x1x1xDT>) -> tensor<2x6x5x5xDT>
  %r = ACTIVATION(%sum) : (tensor<2x6x5x5xDT>) -> tensor<2x6x5x5xDT>
  return %r : tensor<2x6x5x5xDT>
}
"""
LINEAR = """
func.func @f(%x: tensor<7x3xDT>, %w: tensor<5x3xDT>, %c: tensor<5xDT>) -> tensor<7x5xDT> {
  %l = "fxn.linear"(%x, %w) : (tensor<7x3xDT>, tensor<5x3xDT>) -> tensor<7x5xDT>
  %sum = "fxn.add"(%c, %l) : (tensor<5xDT>, tensor<7x5xDT>) -> tensor<7x5xDT>
  %r = ACTIVATION(%sum) : (tensor<7x5xDT>) -> tensor<7x5xDT>
  return %r : tensor<7x5xDT>
}
"""
ACTIVATIONS = {
    "relu": '"fxn.relu"',
    "relu6": '"fxn.clamp"(ARG) {max = 6.0 : f64, min = 0.0 : f64}',
    "clamp": '"fxn.clamp"(ARG) {max = 0.75 : f64, min = -0.5 : f64}',
    "sigmoid": '"fxn.sigmoid"',
}


def _program(template: str, activation: str, dtype: str) -> str:
    op = ACTIVATIONS[activation]
    text = template.replace("DT", dtype)
    if "(ARG)" in op:
        return text.replace("ACTIVATION(%sum)", op.replace("ARG", "%sum"))
    return text.replace("ACTIVATION", op)


@pytest.mark.parametrize("dtype", ["f32", "f64"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("template, shapes", [(CONV, [(2, 4, 9, 9), (6, 2, 3, 3), (1, 6, 1, 1)]),
                                              (LINEAR, [(7, 3), (5, 3), (5,)])], ids=["conv2d", "linear"])
def test_the_interpreter_gives_the_same_bits_before_and_after(template, shapes, activation, dtype):
    text = _program(template, activation, dtype)
    fused = parsed(text, PASS)
    printed = str(fused)
    assert "fxn.add" not in printed and '"fxn.relu"' not in printed and '"fxn.clamp"' not in printed
    assert "_activation" in printed
    rng = np.random.default_rng(len(activation))
    arrays = [(rng.standard_normal(s) * 2).astype({"f32": np.float32, "f64": np.float64}[dtype]) for s in shapes]
    before, after = interpret(parsed(text), *arrays), interpret(fused, *arrays)
    assert after.dtype == before.dtype and after.tobytes() == before.tobytes()


def _torch(fn, *arrays):
    return fn(*map(torch.from_numpy, arrays)).numpy()


def conv_bias_relu6(x, w, b):
    return F.relu6(F.conv2d(x, w, padding=1) + b.view(1, -1, 1, 1))


def depthwise_hardtanh(x, w, b):
    return F.hardtanh(F.conv2d(x, w, b, stride=2, padding=1, groups=8), -0.5, 0.5)


def pointwise_sigmoid(x, w, b):
    return torch.sigmoid(F.conv2d(x, w, b))


def linear_relu(v, w, b):
    return torch.relu(F.linear(v, w, b))


RNG = np.random.default_rng(3)
COMPILED_CASES = {
    "conv + bias + relu6": (conv_bias_relu6, [(1, 8, 20, 36), (16, 8, 3, 3), (16,)]),
    "depthwise + hardtanh": (depthwise_hardtanh, [(1, 8, 21, 21), (8, 1, 3, 3), (8,)]),
    "1x1 + sigmoid": (pointwise_sigmoid, [(2, 12, 7, 7), (24, 12, 1, 1), (24,)]),
    "linear + relu": (linear_relu, [(9, 40), (33, 40), (33,)]),
}


@pytest.mark.parametrize("case", COMPILED_CASES)
def test_compiled_fused_code_matches_torch(case):
    fn, shapes = COMPILED_CASES[case]
    arrays = [RNG.standard_normal(s).astype(np.float32) for s in shapes]
    compiled = fxn.compile(fn)
    stages = {}
    compiled.lower([fxn.dialects.TensorType("f32", s) for s in shapes], "host", stages=stages, stop_after="optimized")
    assert "_activation" in stages["optimized"], stages["optimized"]
    expected = _torch(fn, *arrays)
    np.testing.assert_allclose(compiled(*arrays), expected, rtol=0, atol=1e-5 * max(1.0, np.abs(expected).max()))
