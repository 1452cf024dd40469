"""The generic lowering of resize and crop, compiled for the host against the reference interpreter."""

from __future__ import annotations

import numpy as np
import pytest

from fxn.compiler import lower_to_llvm
from fxn.dialects import new_context
from fxn.dialects.types import NUMPY_DTYPES
from fxn.mlir import MLIRError
from fxn.source import parse_module
from fxn.testing.cases import op_cases
from lowering_harness import compiled_fixture

#: The conformance suite's cases of resize and crop (fxn.testing.image_cases).
IMAGE_CASES = {**op_cases("fxn.resize"), **op_cases("fxn.crop")}
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
