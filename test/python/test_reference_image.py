"""fxn.resize and fxn.crop: builder, verifier and reference interpreter against torch, and every verifier error."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from fxn.dialects import new_context
from fxn.dialects.image import CropOp, ResizeOp
from fxn.dialects.types import ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES, NUMPY_DTYPES
from fxn.interpreter import InterpreterError, interpret
from fxn.source import ParseError, parse_module
from op_harness import assert_close, run_op


def random_array(shape, dtype: str, seed: int = 0) -> np.ndarray:
    """Standard normal floats, integers over the dtype's whole range, or fair booleans."""
    rng = np.random.default_rng(seed)
    np_dtype = NUMPY_DTYPES[dtype]
    if dtype == "i1":
        return rng.random(shape) < 0.5
    if dtype in INT_DTYPES:
        info = np.iinfo(np_dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=np_dtype, endpoint=True)
    return rng.standard_normal(shape).astype(np_dtype)


# ----------------------------------------------------------------------------
# resize

#: (input shape, output size) per case; rank 3 inputs are CHW.
RESIZE_CASES = {
    "up": ((1, 2, 4, 5), (8, 11)),
    "down": ((2, 3, 17, 13), (5, 4)),
    "down-far": ((1, 1, 31, 29), (3, 7)),
    "up-h-down-w": ((1, 2, 6, 16), (11, 5)),
    "odd-chw": ((3, 7, 9), (5, 13)),
    "same": ((1, 1, 5, 6), (5, 6)),
    "input-1x1": ((1, 2, 1, 1), (3, 4)),
    "output-1x1": ((2, 1, 7, 6), (1, 1)),
    "to-1-and-from-1": ((2, 9, 1), (1, 5)),
}
#: (mode, align_corners, antialias): every combination torch accepts.
RESIZE_MODES = [("nearest", False, False)] + [
    (mode, align_corners, antialias)
    for mode in ("bilinear", "bicubic")
    for align_corners in (False, True)
    for antialias in (False, True)
]


def mode_id(mode_spec) -> str:
    mode, align_corners, antialias = mode_spec
    return mode + ("-align_corners" if align_corners else "") + ("-antialias" if antialias else "")


def torch_interpolate(x: np.ndarray, size, mode: str, align_corners: bool, antialias: bool) -> np.ndarray:
    """F.interpolate of x (CHW gets a batch dim).

    Torch has no f16 antialias kernel; fxn defines f16 as computed in f32 and
    rounded once, so the expected value is exactly that.
    """
    t = torch.from_numpy(x)
    batched = t[None] if x.ndim == 3 else t
    if x.dtype == np.float16 and antialias:
        batched = batched.float()
    out = F.interpolate(
        batched,
        size=size,
        mode=mode,
        align_corners=None if mode == "nearest" else align_corners,
        antialias=antialias,
    )
    out = out[0] if x.ndim == 3 else out
    return out.numpy().astype(x.dtype)


def torch_nearest_sources(in_size: int, out_size: int) -> np.ndarray:
    """The input index torch's nearest mode copies to each output index, read off an f32 ramp."""
    ramp = torch.arange(in_size, dtype=torch.float32).view(1, 1, 1, in_size)
    return F.interpolate(ramp, size=(1, out_size), mode="nearest").view(-1).long().numpy()


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("case", RESIZE_CASES.values(), ids=RESIZE_CASES.keys())
@pytest.mark.parametrize("mode_spec", RESIZE_MODES, ids=mode_id)
def test_resize_float_matches_torch(mode_spec, case, dtype):
    (shape, size), (mode, align_corners, antialias) = case, mode_spec
    x = random_array(shape, dtype)
    actual = run_op(ResizeOp, [x], mode=mode, size=size, align_corners=align_corners, antialias=antialias)
    assert_close(actual, torch_interpolate(x, size, mode, align_corners, antialias), dtype)


@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize("case", RESIZE_CASES.values(), ids=RESIZE_CASES.keys())
def test_resize_nearest_copies_integers_from_torch_source_pixels(case, dtype):
    # Torch has no integer nearest kernel; nearest only copies, so compare
    # with the pixels torch's float kernel picks.
    shape, (out_h, out_w) = case
    x = random_array(shape, dtype)
    rows = torch_nearest_sources(shape[-2], out_h)
    cols = torch_nearest_sources(shape[-1], out_w)
    actual = run_op(ResizeOp, [x], mode="nearest", size=(out_h, out_w))
    np.testing.assert_array_equal(actual, x[..., rows[:, None], cols])
    assert actual.dtype == x.dtype


@pytest.mark.parametrize("case", ["down-far", "up-h-down-w"])
@pytest.mark.parametrize("mode_spec", RESIZE_MODES[1:], ids=mode_id)
def test_resize_f16_is_computed_in_f32_and_rounded_once(mode_spec, case):
    # Within one f16 ulp of torch's f32 result: both f32 results round to
    # the same f16 value or to neighbours. f16 arithmetic would be far off.
    (shape, size), (mode, align_corners, antialias) = RESIZE_CASES[case], mode_spec
    x = random_array(shape, "f16")
    actual = run_op(ResizeOp, [x], mode=mode, size=size, align_corners=align_corners, antialias=antialias)
    expected = torch_interpolate(x.astype(np.float32), size, *mode_spec).astype(np.float16)
    one_ulp = np.spacing(np.abs(expected)).astype(np.float64) + 1e-6
    assert np.all(np.abs(actual.astype(np.float64) - expected) <= one_ulp)


def test_resize_nearest_rounds_the_source_index_in_f32_like_torch():
    # 41 * (2 / 82) is 1, but in f32 the product rounds to just below 1.
    x = random_array((1, 1, 3, 2), "f32")
    actual = run_op(ResizeOp, [x], mode="nearest", size=(3, 82))
    np.testing.assert_array_equal(actual, torch_interpolate(x, (3, 82), "nearest", False, False))
    np.testing.assert_array_equal(actual[..., 41], x[..., 0])


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_resize_antialias_downsampling_differs_from_plain_mode(mode):
    # Guards against the antialias flag being ignored.
    x = random_array((1, 1, 20, 20), "f64")
    smooth = run_op(ResizeOp, [x], mode=mode, size=(5, 5), antialias=True)
    plain = run_op(ResizeOp, [x], mode=mode, size=(5, 5), antialias=False)
    assert np.abs(smooth - plain).max() > 0.1


def test_resize_bicubic_overshoots_the_input_range_like_torch():
    x = np.zeros((1, 1, 4, 4), np.float32)
    x[..., 2:] = 1.0
    actual = run_op(ResizeOp, [x], mode="bicubic", size=(4, 16))
    assert actual.min() < 0.0 and actual.max() > 1.0
    assert_close(actual, torch_interpolate(x, (4, 16), "bicubic", False, False), "f32")


RESIZE_DYNAMIC = """
func.func @main(%x: tensor<?x?x?xf32>) -> tensor<?x4x6xf32> {
  %r = "fxn.resize"(%x) {align_corners = true, antialias = true, mode = "bilinear", size = array<i64: 4, 6>} : (tensor<?x?x?xf32>) -> tensor<?x4x6xf32>
  return %r : tensor<?x4x6xf32>
}
"""


def test_resize_with_dynamic_dims_matches_torch():
    x = random_array((2, 9, 3), "f32")
    assert_close(interpret(RESIZE_DYNAMIC, x), torch_interpolate(x, (4, 6), "bilinear", True, True), "f32")


def test_resize_with_a_dynamic_empty_spatial_dim_fails_at_run_time():
    with pytest.raises(InterpreterError, match=r"input spatial dims must be at least 1; got \[0, 3\]"):
        interpret(RESIZE_DYNAMIC, np.zeros((2, 0, 3), np.float32))


# ----------------------------------------------------------------------------
# crop

#: (input shape, (top, left, height, width)) per case.
CROP_CASES = {
    "rank-2": ((5, 7), (1, 2, 3, 4)),
    "whole": ((2, 3, 6, 5), (0, 0, 6, 5)),
    "corner-1x1": ((3, 4, 4), (3, 3, 1, 1)),
    "rank-5-rows": ((1, 2, 1, 8, 9), (2, 0, 6, 9)),
}


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("case", CROP_CASES.values(), ids=CROP_CASES.keys())
def test_crop_matches_torch_slicing(case, dtype):
    # torchvision's crop is this slice when the window lies inside the image.
    shape, (top, left, height, width) = case
    x = random_array(shape, dtype)
    actual = run_op(CropOp, [x], top=top, left=left, height=height, width=width)
    expected = torch.from_numpy(x)[..., top : top + height, left : left + width].numpy()
    assert_close(actual, expected, dtype)


def test_crop_result_does_not_alias_the_input():
    x = random_array((4, 4), "f32")
    actual = run_op(CropOp, [x], top=0, left=0, height=4, width=4)
    assert not np.shares_memory(actual, x)


CROP_DYNAMIC = """
func.func @main(%x: tensor<2x?x?xi32>) -> tensor<2x2x3xi32> {
  %r = "fxn.crop"(%x) {height = 2 : i64, left = 1 : i64, top = 2 : i64, width = 3 : i64} : (tensor<2x?x?xi32>) -> tensor<2x2x3xi32>
  return %r : tensor<2x2x3xi32>
}
"""


def test_crop_with_dynamic_dims():
    x = random_array((2, 5, 4), "i32")
    np.testing.assert_array_equal(interpret(CROP_DYNAMIC, x), x[:, 2:4, 1:4])


@pytest.mark.parametrize(
    "shape, message",
    [
        ((2, 3, 4), r"crop window rows \[2, 4\) exceed the input's 3 rows"),
        ((2, 4, 3), r"crop window columns \[1, 4\) exceed the input's 3 columns"),
    ],
)
def test_crop_outside_a_dynamic_input_fails_at_run_time(shape, message):
    with pytest.raises(InterpreterError, match=message):
        interpret(CROP_DYNAMIC, random_array(shape, "i32"))


# ----------------------------------------------------------------------------
# Verifier errors: one case per rule, in IR as a user would write it.


def resize_ir(
    input_type: str,
    result_type: str,
    mode='"bilinear"',
    size="array<i64: 4, 4>",
    align_corners="false",
    antialias="false",
) -> str:
    """The resize op defining %r from %x, attributes as written."""
    return (
        f'%r = "fxn.resize"(%x) {{align_corners = {align_corners}, antialias = {antialias}, '
        f"mode = {mode}, size = {size}}} : ({input_type}) -> {result_type}"
    )


def crop_ir(input_type: str, result_type: str, top=0, left=0, height=2, width=2) -> str:
    """The crop op defining %r from %x; integers are written as ``i64`` attributes, strings as they are."""

    def attr(value) -> str:
        return value if isinstance(value, str) else f"{value} : i64"

    return (
        f'%r = "fxn.crop"(%x) {{height = {attr(height)}, left = {attr(left)}, '
        f"top = {attr(top)}, width = {attr(width)}}} : ({input_type}) -> {result_type}"
    )


INVALID_OPS = {
    "resize-rank": (
        resize_ir("tensor<4x5xf32>", "tensor<4x4xf32>"),
        "requires a rank 3 (CHW) or rank 4 (NCHW) input; got rank 2",
    ),
    "resize-empty-input": (
        resize_ir("tensor<1x0x5xf32>", "tensor<1x4x4xf32>"),
        "input spatial dims must be at least 1; got [0, 5]",
    ),
    "resize-missing-attribute": (
        '%r = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear"} '
        ": (tensor<1x3x5xf32>) -> tensor<1x4x4xf32>",
        "requires attribute 'size'",
    ),
    "resize-size-length": (
        resize_ir("tensor<1x3x5xf32>", "tensor<1x4x4xf32>", size="array<i64: 1, 4, 4>"),
        "attribute 'size' must have 2 elements; got 3",
    ),
    "resize-size-zero": (
        resize_ir("tensor<1x3x5xf32>", "tensor<1x0x4xf32>", size="array<i64: 0, 4>"),
        "attribute 'size' elements must be at least 1; got [0, 4]",
    ),
    "resize-size-kind": (
        resize_ir("tensor<1x3x5xf32>", "tensor<1x4x4xf32>", size="[4, 4]"),
        "attribute 'size' must be an array<i64: ...>",
    ),
    "resize-mode": (
        resize_ir("tensor<1x3x5xf32>", "tensor<1x4x4xf32>", mode='"area"'),
        "attribute 'mode' must be one of \"nearest\", \"bilinear\", \"bicubic\"",
    ),
    "resize-bool-kind": (
        resize_ir("tensor<1x3x5xf32>", "tensor<1x4x4xf32>", antialias="1 : i64"),
        "attribute 'antialias' must be true or false",
    ),
    "resize-bilinear-int": (
        resize_ir("tensor<1x3x5xi32>", "tensor<1x4x4xi32>"),
        'mode "bilinear" requires a float input (f16, f32, f64); got i32',
    ),
    "resize-bicubic-int": (
        resize_ir("tensor<1x3x5xi8>", "tensor<1x4x4xi8>", mode='"bicubic"'),
        'mode "bicubic" requires a float input (f16, f32, f64); got i8',
    ),
    "resize-nearest-i1": (
        resize_ir("tensor<1x3x5xi1>", "tensor<1x4x4xi1>", mode='"nearest"'),
        'mode "nearest" requires a numeric input; got i1',
    ),
    "resize-nearest-align-corners": (
        resize_ir("tensor<1x3x5xf32>", "tensor<1x4x4xf32>", mode='"nearest"', align_corners="true"),
        'align_corners = true is only allowed with mode "bilinear" or "bicubic"',
    ),
    "resize-nearest-antialias": (
        resize_ir("tensor<1x3x5xf32>", "tensor<1x4x4xf32>", mode='"nearest"', antialias="true"),
        'antialias = true is only allowed with mode "bilinear" or "bicubic"',
    ),
    "resize-result-type": (
        resize_ir("tensor<2x3x5xf32>", "tensor<2x4x5xf32>"),
        "result type tensor<2x4x5xf32> does not match the inferred type tensor<2x4x4xf32>",
    ),
    "crop-rank": (
        crop_ir("tensor<5xf32>", "tensor<2x2xf32>"),
        "requires an input of rank at least 2; got rank 1",
    ),
    "crop-top-negative": (
        crop_ir("tensor<5x5xf32>", "tensor<2x2xf32>", top=-1),
        "attribute 'top' must be at least 0; got -1",
    ),
    "crop-left-negative": (
        crop_ir("tensor<5x5xf32>", "tensor<2x2xf32>", left=-2),
        "attribute 'left' must be at least 0; got -2",
    ),
    "crop-height-zero": (
        crop_ir("tensor<5x5xf32>", "tensor<0x2xf32>", height=0),
        "attribute 'height' must be at least 1; got 0",
    ),
    "crop-width-zero": (
        crop_ir("tensor<5x5xf32>", "tensor<2x0xf32>", width=0),
        "attribute 'width' must be at least 1; got 0",
    ),
    "crop-offset-kind": (
        crop_ir("tensor<5x5xf32>", "tensor<2x2xf32>", left="0 : i32"),
        "attribute 'left' must be an i64 integer; got 0 : i32",
    ),
    "crop-rows-outside": (
        crop_ir("tensor<3x5x5xf32>", "tensor<3x2x2xf32>", top=4),
        "crop window rows [4, 6) exceed the input's 5 rows",
    ),
    "crop-columns-outside": (
        crop_ir("tensor<5x5xi1>", "tensor<2x4xi1>", left=2, width=4),
        "crop window columns [2, 6) exceed the input's 5 columns",
    ),
    "crop-result-type": (
        crop_ir("tensor<5x5xf32>", "tensor<2x3xf32>"),
        "result type tensor<2x3xf32> does not match the inferred type tensor<2x2xf32>",
    ),
}


def function_around(op_text: str) -> str:
    """``op_text`` (defining %r from %x) as the body of a function with matching types."""
    input_type, result_type = op_text.rsplit(": (", 1)[1].split(") -> ")
    return (
        f"func.func @f(%x: {input_type}) -> {result_type} {{\n"
        f"  {op_text}\n"
        f"  return %r : {result_type}\n"
        "}\n"
    )


@pytest.mark.parametrize("op_text, message", INVALID_OPS.values(), ids=INVALID_OPS.keys())
def test_verifier_rejects(op_text, message):
    op_name = op_text.split('"')[1]
    with pytest.raises(ParseError) as raised:
        parse_module(function_around(op_text), "t.mlir", new_context())
    diagnostics = raised.value.diagnostics
    messages = [d.message for d in diagnostics]
    assert any(m.startswith(f"'{op_name}' op {message}") for m in messages), messages
    assert all(d.line == 2 for d in diagnostics), [d.format() for d in diagnostics]
