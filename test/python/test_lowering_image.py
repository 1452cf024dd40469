"""The generic lowering of resize and crop, compiled for the host against the reference interpreter."""

from __future__ import annotations

import numpy as np
import pytest

from fxn.compiler import lower_to_llvm
from fxn.dialects import new_context
from fxn.dialects.image import CropOp, ResizeOp
from fxn.dialects.types import ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES, NUMPY_DTYPES
from fxn.mlir import MLIRError
from fxn.source import parse_module
from lowering_harness import Case, compiled_fixture, random_array

#: (input shape, output size, dynamic input axes); rank 3 inputs are CHW.
RESIZE_SHAPES = {
    "up": ((1, 2, 4, 5), (8, 11), ()),
    "down": ((2, 3, 17, 13), (5, 4), ()),
    "down_far": ((1, 1, 31, 29), (3, 7), ()),
    "up_h_down_w": ((1, 2, 6, 16), (11, 5), ()),
    "odd_chw": ((3, 7, 9), (5, 13), ()),
    "same": ((1, 1, 5, 6), (5, 6), ()),
    "input_1x1": ((1, 2, 1, 1), (3, 4), ()),
    "output_1x1": ((2, 1, 7, 6), (1, 1), ()),
    "to_1_and_from_1": ((2, 9, 1), (1, 5), ()),
    "dynamic_leading": ((2, 3, 6, 5), (4, 7), (0, 1)),
}
#: (mode, align_corners, antialias): every combination the op accepts.
RESIZE_MODES = [("nearest", False, False)] + [
    (mode, align_corners, antialias)
    for mode in ("bilinear", "bicubic")
    for align_corners in (False, True)
    for antialias in (False, True)
]


def _mode_name(mode: str, align_corners: bool, antialias: bool) -> str:
    return mode + ("_align_corners" if align_corners else "") + ("_antialias" if antialias else "")


# Every mode on every shape; the float dtypes take turns (nearest also runs on every numeric dtype below).
IMAGE_CASES = {
    f"resize_{_mode_name(*mode)}_{shape}_{FLOAT_DTYPES[i % 3]}": Case(
        ResizeOp,
        [random_array(x, FLOAT_DTYPES[i % 3], i)],
        dict(mode=mode[0], size=size, align_corners=mode[1], antialias=mode[2]),
        (dynamic,),
    )
    for i, (mode, (shape, (x, size, dynamic))) in enumerate(
        (mode, item) for mode in RESIZE_MODES for item in RESIZE_SHAPES.items()
    )
}
IMAGE_CASES.update(
    {
        f"resize_nearest_{dtype}": Case(ResizeOp, [random_array((2, 5, 7), dtype, 3)], dict(mode="nearest", size=(9, 4)))
        for dtype in INT_DTYPES
    }
)
# torch's f32 nearest index arithmetic: input 2 -> 82 samples reads input 0 at sample 41.
IMAGE_CASES["resize_nearest_rounding"] = Case(ResizeOp, [random_array((1, 2, 3), "f32", 4)], dict(mode="nearest", size=(82, 82)))
IMAGE_CASES.update(
    {
        f"resize_{mode}_identity": Case(ResizeOp, [random_array((2, 5, 6), "f16", 7)], dict(mode=mode, size=(5, 6)))
        for mode in ("bilinear", "bicubic")
    }
)
# The benchmark's shape: a camera frame to 224 x 224.
IMAGE_CASES["resize_bilinear_frame"] = Case(ResizeOp, [random_array((3, 96, 128), "f32", 5)], dict(mode="bilinear", size=(224, 224)))


def _crop_input(shape, dtype: str) -> np.ndarray:
    if dtype == "i1":
        return np.random.default_rng(6).random(shape) < 0.5
    return random_array(shape, dtype, 6)


#: (input shape, top, left, height, width, dynamic input axes)
CROP_CONFIGS = {
    "hw": ((5, 7), 1, 2, 3, 4, ()),
    "chw_corner": ((3, 6, 4), 5, 3, 1, 1, ()),
    "nchw_whole": ((2, 3, 4, 5), 0, 0, 4, 5, ()),
    "dynamic_leading": ((2, 3, 6, 5), 2, 1, 3, 2, (0, 1)),
    # At offset 0 a window of a dynamic input once folded into a view of the input itself.
    "dynamic_corner": ((5, 5), 0, 0, 2, 2, (0, 1)),
}
IMAGE_CASES.update(
    {
        f"crop_{config}_{dtype}": Case(
            CropOp, [_crop_input(x, dtype)], dict(top=top, left=left, height=height, width=width), (dynamic,)
        )
        for dtype in ALL_DTYPES
        for config, (x, top, left, height, width, dynamic) in CROP_CONFIGS.items()
    }
)

image_compiled = compiled_fixture(IMAGE_CASES)


@pytest.mark.parametrize("name", IMAGE_CASES)
def test_image(image_compiled, name):
    image_compiled.check(name)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_resize_to_the_same_size_copies_exactly(image_compiled, mode):
    result = image_compiled.check(f"resize_{mode}_identity")
    np.testing.assert_array_equal(result, IMAGE_CASES[f"resize_{mode}_identity"].arrays[0])


def test_crop_result_is_a_copy(image_compiled):
    case = IMAGE_CASES["crop_hw_f32"]
    result = image_compiled.function("crop_hw_f32")(*case.arrays)[0]
    result[...] = 0  # writing the result leaves the input alone
    assert np.all(case.arrays[0][1:4, 2:6] != 0)


def test_nearest_keeps_every_value(image_compiled):
    result = image_compiled.check("resize_nearest_i64")
    x = IMAGE_CASES["resize_nearest_i64"].arrays[0]
    assert set(result.ravel()) <= set(x.ravel()) and result.dtype == NUMPY_DTYPES["i64"]


def test_dynamic_spatial_dims_are_a_located_error():
    text = (
        "func.func @main(%x: tensor<1x3x?x?xf32>) -> tensor<1x3x4x4xf32> {\n"
        '  %r = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 4, 4>}'
        " : (tensor<1x3x?x?xf32>) -> tensor<1x3x4x4xf32>\n"
        "  return %r : tensor<1x3x4x4xf32>\n}\n"
    )
    module = parse_module(text, "dynamic.mlir", new_context())
    with pytest.raises(MLIRError) as error:
        lower_to_llvm(module, "host")
    (diagnostic,) = error.value.error_diagnostics
    assert diagnostic.message == "fxn-lower-to-linalg: fxn.resize needs static spatial dims to lower; got tensor<1x3x?x?xf32>"
    assert str(diagnostic.location) == 'loc("dynamic.mlir":2:8)'
