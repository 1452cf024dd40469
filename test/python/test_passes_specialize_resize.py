"""fxn-specialize-resize, differentially: the interpreter before and after the pass on each rewrite (exact for
copies and strided slices, within a few ulps of the inputs for the average pools), and the compiled result against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from fxn.interpreter import interpret
from lowering_harness import host_function, parsed

#: (input shape, size, mode, align_corners, antialias, dtype, the op it becomes)
CASES = [
    ((1, 3, 5, 7), (5, 7), "bicubic", True, False, "f32", None),
    ((1, 3, 5, 7), (5, 7), "bilinear", False, True, "f64", None),
    ((2, 4, 4), (4, 4), "nearest", False, False, "ui8", None),
    ((1, 3, 8, 9), (2, 3), "nearest", False, False, "f32", "fxn.slice"),
    ((3, 12, 10), (4, 10), "nearest", False, False, "i32", "fxn.slice"),
    ((1, 3, 8, 6), (4, 3), "bilinear", False, False, "f32", "fxn.avg_pool2d"),
    ((3, 5, 6), (5, 3), "bilinear", False, False, "f64", "fxn.avg_pool2d"),
    ((2, 3, 10, 4), (5, 4), "bilinear", False, False, "f32", "fxn.avg_pool2d"),
]
NUMPY = {"f32": np.float32, "f64": np.float64, "ui8": np.uint8, "i32": np.int32}


def _text(shape, size, mode, align_corners, antialias, dtype):
    result = shape[:-2] + size
    tensor = lambda s: f"tensor<{'x'.join(map(str, s))}x{dtype}>"  # noqa: E731
    return f"""
func.func @f(%x: {tensor(shape)}) -> {tensor(result)} {{
  %r = "fxn.resize"(%x) {{align_corners = {str(align_corners).lower()}, antialias = {str(antialias).lower()}, mode = "{mode}", size = array<i64: {size[0]}, {size[1]}>}} : ({tensor(shape)}) -> {tensor(result)}
  return %r : {tensor(result)}
}}
"""


def _module(text, specialize):
    return parsed(text, "builtin.module(fxn-specialize-resize)" if specialize else None)


def _input(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype in ("ui8", "i32"):
        return rng.integers(0, 255, size=shape).astype(NUMPY[dtype])
    return rng.standard_normal(shape).astype(NUMPY[dtype])


@pytest.mark.parametrize("shape, size, mode, align_corners, antialias, dtype, becomes", CASES,
                         ids=[f"{c[2]}-{c[0]}-to-{c[1]}-{c[5]}" for c in CASES])
def test_the_interpreter_agrees_before_and_after(shape, size, mode, align_corners, antialias, dtype, becomes):
    text = _text(shape, size, mode, align_corners, antialias, dtype)
    specialized = _module(text, True)
    printed = str(specialized)
    assert "fxn.resize" not in printed and (becomes is None or becomes in printed)
    x = _input(shape, dtype)
    before = interpret(_module(text, False), x)
    after = interpret(specialized, x)
    if becomes == "fxn.avg_pool2d":
        # The pool rounds its window's sum where resize weighs rows then columns: a few units in the last place of
        # the inputs apart (more ulps of the result where the window's values cancel).
        np.testing.assert_allclose(after, before, rtol=0, atol=4 * np.finfo(x.dtype).eps * np.abs(x).max())
    else:
        assert before.dtype == after.dtype and np.array_equal(after, before)


def test_compiled_after_the_pass_matches_torch():
    text = _text((2, 3, 10, 8), (5, 4), "bilinear", False, False, "f32")
    function = host_function(_module(text, True))
    x = _input((2, 3, 10, 8), "f32", seed=3)
    (actual,) = function(x)
    expected = torch.nn.functional.interpolate(torch.from_numpy(x), size=(5, 4), mode="bilinear", align_corners=False)
    np.testing.assert_allclose(actual, expected.numpy(), rtol=1e-6, atol=1e-6)
