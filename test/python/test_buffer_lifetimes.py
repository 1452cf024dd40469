"""Buffers live from their allocation to their last use: a network's intermediates are not all alive at once.

The ownership-based deallocation frees each buffer at the end of its block,
which for a straight-line function (a CNN) kept every intermediate alive to
the return; the "bufferized" stage then moves each free to right after the
buffer's last use (upstream ``optimize-allocation-liveness``), so the next
layer reuses memory that is still in cache.
"""

from __future__ import annotations

import numpy as np
import torch

import fxn
from fxn.compiler import pipeline_text
from fxn.dialects import new_context
from fxn.pipeline import build_pipeline
from fxn.source import parse_module

CHAIN = """
func.func @chain(%x: tensor<256x256xf32>) -> tensor<256xf32> {
  %a = "fxn.exp"(%x) : (tensor<256x256xf32>) -> tensor<256x256xf32>
  %s = "fxn.reduce"(%a) {axes = array<i64: 0>, keepdims = true, kind = "sum"} : (tensor<256x256xf32>) -> tensor<1x256xf32>
  %b = "fxn.div"(%a, %s) : (tensor<256x256xf32>, tensor<1x256xf32>) -> tensor<256x256xf32>
  %t = "fxn.reduce"(%b) {axes = array<i64: 1>, keepdims = true, kind = "max"} : (tensor<256x256xf32>) -> tensor<256x1xf32>
  %c = "fxn.sub"(%b, %t) : (tensor<256x256xf32>, tensor<256x1xf32>) -> tensor<256x256xf32>
  %r = "fxn.reduce"(%c) {axes = array<i64: 0>, keepdims = false, kind = "sum"} : (tensor<256x256xf32>) -> tensor<256xf32>
  return %r : tensor<256xf32>
}
"""


def test_a_buffer_is_freed_after_its_last_use_not_at_the_return():
    module = parse_module(CHAIN, "chain.mlir", new_context())
    pass_manager, _ = build_pipeline(pipeline_text("host", ("lowered", "vectorized", "bufferized"), threads=1),
                                     module.context)
    pass_manager.run(module.operation)
    body = [line.strip() for line in str(module).splitlines()]
    first_free = next(i for i, line in enumerate(body) if line.startswith("memref.dealloc"))
    # Loops still run after the first free: it came right after the buffer's last use.
    assert any(line.startswith("scf.for") for line in body[first_free:]), "\n".join(body)


def softmax_like(x):
    a = torch.exp(x)
    b = a / a.sum(0, keepdim=True)
    return (b - b.amax(1, keepdim=True)).sum(0)


def test_early_frees_leave_results_intact():
    x = np.random.default_rng(0).standard_normal((256, 256), dtype=np.float32)
    expected = softmax_like(torch.from_numpy(x)).numpy()
    for threads in (1, 2):
        np.testing.assert_allclose(fxn.compile(softmax_like, threads=threads)(x), expected, rtol=1e-5, atol=1e-6)


TWO_CONVOLUTIONS = """
func.func @twice(%x: tensor<1x32x28x28xf32>, %w: tensor<32x32x1x1xf32>) -> tensor<1x32x28x28xf32> {
  %a = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x32x28x28xf32>, tensor<32x32x1x1xf32>) -> tensor<1x32x28x28xf32>
  %b = "fxn.conv2d"(%a, %w) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x32x28x28xf32>, tensor<32x32x1x1xf32>) -> tensor<1x32x28x28xf32>
  return %b : tensor<1x32x28x28xf32>
}
"""


def test_parallel_accumulations_of_one_shape_start_from_their_own_zeros_not_a_copy():
    # cse merges the two convolutions' fills of zeros; fxn-unshare-fills gives each its own again, which
    # each chunk of the convolution's parallel loop then computes on its slice.
    module = parse_module(TWO_CONVOLUTIONS, "twice.mlir", new_context())
    stages = pipeline_text("host", ("lowered", "vectorized", "bufferized"), threads=2)
    pass_manager, _ = build_pipeline(stages, module.context)
    pass_manager.run(module.operation)
    assert str(module).count("scf.parallel") == 2 and "memref.copy" not in str(module)
