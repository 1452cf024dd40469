"""The unsigned element type ``ui8`` (``fxn.u8``, numpy/torch ``uint8``) from annotation to native code."""

import ctypes
import shutil

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import fxn
from fxn.dialects import new_context
from fxn.frontend.errors import UnsupportedOperation
from fxn.pipeline import build_pipeline
from fxn.source import parse_module

A = np.array([0, 1, 127, 128, 200, 255, 3], np.uint8)
B = np.array([255, 0, 128, 127, 100, 255, 3], np.uint8)


def test_unsigned_semantics_match_numpy():
    @fxn.compile
    def ops(a: fxn.Tensor[fxn.u8, "N"], b: fxn.Tensor[fxn.u8, "N"]):
        return (torch.maximum(a, b), torch.minimum(a, b), a < b, a + b, a * b, a - b,
                a.to(torch.int32), a.float(), torch.clamp(a, 10, 200))

    expected = (np.maximum(A, B), np.minimum(A, B), A < B, A + B, A * B, A - B,
                A.astype(np.int32), A.astype(np.float32), np.clip(A, 10, 200))
    for got, want in zip(ops(A, B), expected, strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_reductions_and_pooling_order_unsigned():
    @fxn.compile
    def stats(a: fxn.Tensor[fxn.u8, 2, 4]):
        pooled = F.max_pool2d(a.reshape(1, 1, 2, 4), 2)
        return a.amax(dim=1), a.amin(dim=1), a.argmax(dim=1), a.sum(dim=1), pooled

    a = np.array([[1, 200, 127, 128], [255, 0, 3, 129]], np.uint8)
    amax, amin, argmax, total, pooled = stats(a)
    np.testing.assert_array_equal(amax, [200, 255])
    np.testing.assert_array_equal(amin, [1, 0])
    np.testing.assert_array_equal(argmax, [1, 0])
    assert total.dtype == np.int64  # torch sums integers in int64
    np.testing.assert_array_equal(total, a.astype(np.int64).sum(axis=1))
    np.testing.assert_array_equal(pooled, [[[[255, 129]]]])


def test_float_to_u8_truncates_and_wraps_through_i32():
    @fxn.compile
    def to_u8(x: fxn.Tensor[fxn.f32, 6]):
        return x.to(torch.uint8)

    x = np.array([0.0, 1.9, 254.5, 255.0, 256.0, -1.0], np.float32)
    np.testing.assert_array_equal(to_u8(x), [0, 1, 254, 255, 0, 255])


def test_python_scalars_stay_u8_and_floats_promote():
    @fxn.compile
    def mixed(a: fxn.Tensor[fxn.u8, "N"]):
        return a + 1, a * 0.5

    wrapped, halved = mixed(A)
    assert wrapped.dtype == np.uint8 and halved.dtype == np.float32
    np.testing.assert_array_equal(wrapped, A + np.uint8(1))
    np.testing.assert_array_equal(halved, A.astype(np.float32) * 0.5)


def test_u8_with_i8_is_a_located_error():
    @fxn.compile
    def mixed(a: fxn.Tensor[fxn.u8, 3], b: fxn.Tensor[fxn.i8, 3]):
        return a + b

    with pytest.raises(UnsupportedOperation, match=r"test_unsigned\.py:\d+: .*uint8 with int8 to int16"):
        mixed(A[:3], np.zeros(3, np.int8))


def test_u8_scalars_and_arguments_are_checked():
    @fxn.compile
    def add(a: fxn.Tensor[fxn.u8], b: fxn.Tensor[fxn.u8]):
        return a + b

    assert add(200, 100) == 44  # wraps like numpy's uint8
    assert add(np.uint8(255), np.uint8(255)) == 254
    with pytest.raises(TypeError, match=r"parameter 'a' expects tensor<ui8>; got int 256 \(out of the range of ui8\)"):
        add(256, 1)
    with pytest.raises(TypeError, match=r"parameter 'b' expects tensor<ui8>; got int -1"):
        add(1, -1)

    @fxn.compile
    def double(a: fxn.Tensor[fxn.u8, "N"]):
        return a * 2

    with pytest.raises(TypeError, match=r"parameter 'a' expects tensor<\?xui8>; got tensor<7xi8>"):
        double(A.view(np.int8))


def test_torch_uint8_tensors_are_taken_without_a_copy_and_never_written():
    @fxn.compile
    def inverted(image: torch.Tensor):
        return 255 - image

    image = torch.from_numpy(A.copy())
    np.testing.assert_array_equal(inverted(image), 255 - A)
    np.testing.assert_array_equal(image.numpy(), A)


def test_preprocessing_a_uint8_image_matches_torch():
    @fxn.compile
    def preprocess(image: fxn.Tensor[fxn.u8, 37, 50, 3]):
        chw = image.permute(2, 0, 1).float() / 255.0
        resized = F.interpolate(chw.unsqueeze(0), size=(16, 24), mode="bilinear", align_corners=False)
        return (resized[0] - 0.5) / 0.25

    image = np.random.default_rng(0).integers(0, 256, (37, 50, 3), dtype=np.uint8)
    expected = preprocess.fn(torch.from_numpy(image)).numpy()
    np.testing.assert_allclose(preprocess(image), expected, atol=1e-5)


UNSIGNED_CONSTANTS = """
func.func @main(%a: tensor<3xui8>) -> tensor<3xui8> {
  %c = "fxn.constant"() {value = dense<[255, 128, 1]> : tensor<3xui8>} : () -> tensor<3xui8>
  %p = "fxn.pad"(%a) {low = array<i64: 1>, high = array<i64: 0>, mode = "constant", value = 250.0 : f64} : (tensor<3xui8>) -> tensor<4xui8>
  %s = "fxn.slice"(%p) {starts = array<i64: 0>, limits = array<i64: 3>, strides = array<i64: 1>} : (tensor<4xui8>) -> tensor<3xui8>
  %m = "fxn.max"(%s, %c) : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  return %m : tensor<3xui8>
}
"""


def test_lowered_code_is_signless_with_unsigned_ops():
    module = parse_module(UNSIGNED_CONSTANTS, "test.mlir", new_context())
    expected = fxn.interpret(str(module), np.array([7, 129, 2], np.uint8))
    np.testing.assert_array_equal(expected, [255, 128, 129])
    build_pipeline("builtin.module(func.func(fxn-lower-to-linalg))", module.context)[0].run(module.operation)
    text = str(module)
    assert "ui8" not in text
    assert "arith.maxui" in text and "dense<[-1, -128, 1]> : tensor<3xi8>" in text
    assert "arith.constant -6 : i8" in text  # the pad value 250


PREDICTORS = '''
import fxn, torch

@fxn.compile
def brighter(p: fxn.Tensor[fxn.u8], q: fxn.Tensor[fxn.u8]):
    return torch.maximum(p, q)
'''


@pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 builds the artifacts")
def test_ahead_of_time_library_takes_and_returns_uint8_t(tmp_path):
    from click.testing import CliRunner

    from fxn.cli import cli

    source = tmp_path / "brighten.py"
    source.write_text(PREDICTORS)
    result = CliRunner().invoke(cli, ["compile", str(source), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "uint8_t fxn_brighter__value(uint8_t p, uint8_t q);" in (tmp_path / "brighten.h").read_text()
    brighter = ctypes.CDLL(str(tmp_path / "libbrighten.so")).fxn_brighter__value
    brighter.argtypes, brighter.restype = [ctypes.c_uint8, ctypes.c_uint8], ctypes.c_uint8
    assert brighter(200, 100) == 200 and brighter(3, 255) == 255


def test_shrinking_resize_reads_the_uint8_image_without_an_f32_copy():
    @fxn.compile
    def shrink(image: fxn.Tensor[fxn.u8, 60, 80, 3]):
        return F.interpolate(image.permute(2, 0, 1).unsqueeze(0).float(), size=(8, 8), mode="bilinear")[0]

    stages = {}
    shrink.lower(shrink.declared_types(), "host", stages, stop_after="lowered")
    assert "tensor<1x3x60x80xf32>" not in stages["lowered"]  # the cast is computed at each tap
    assert "arith.uitofp" in stages["lowered"]
    image = np.random.default_rng(4).integers(0, 256, (60, 80, 3), dtype=np.uint8)
    np.testing.assert_allclose(shrink(image), shrink.fn(torch.from_numpy(image)).numpy(), atol=1e-4)
