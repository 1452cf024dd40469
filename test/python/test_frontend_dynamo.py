"""NumPy code captured by TorchDynamo: compiled end to end with NumPy's dtypes, located, constants kept."""

import inspect

import numpy as np
import pytest

import fxn
from fxn.mlir import ir
from frontend_harness import traced

WEIGHTS = np.linspace(-1.0, 1.0, 6, dtype=np.float32)



def test_numpy_code_compiles_and_keeps_float32():
    @fxn.compile
    def predictor(x, y):
        return np.exp(x) * 2.0 + np.sqrt(np.abs(y)), np.maximum(x, 0.0).sum(axis=1)

    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 6)).astype(np.float32)
    y = rng.standard_normal((3, 6)).astype(np.float32)
    scaled, total = predictor(x, y)
    expected = predictor.__wrapped__(x, y)
    assert scaled.dtype == total.dtype == np.float32  # NEP 50: the Python 2.0 does not widen
    np.testing.assert_allclose(scaled, expected[0], rtol=1e-5)
    np.testing.assert_allclose(total, expected[1], rtol=1e-5)
    assert predictor.concrete_functions[0].lowered.traced.capture == "dynamo"


def test_numpy_promotion_rules_hold():
    def promotions(i, x, d):
        return i / 2, x + d, i.astype(np.float32) * 0.5, np.zeros(3) + x[0]

    i = np.arange(3, dtype=np.int32)
    x = np.ones((2, 3), np.float32)
    d = np.ones(3)
    result = traced(promotions, i, x, d)
    expected = promotions(i, x, d)
    got = fxn.interpret(result.module, i, x, d)
    assert [g.dtype for g in got] == [np.asarray(e).dtype for e in expected] == ["f8", "f8", "f4", "f8"]
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e)


def test_globals_returned_inputs_and_python_constants():
    def predictor(x):
        return x @ WEIGHTS, x, 7

    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    result = traced(predictor, x)
    assert result.capture == "dynamo"
    product, same, seven = fxn.interpret(result.module, x)
    np.testing.assert_allclose(product, x @ WEIGHTS, rtol=1e-6)
    np.testing.assert_array_equal(same, x)
    assert seven.dtype == np.int32 and seven == 7


def test_numpy_ops_the_interpreter_runs():
    def image_ops(img):
        gray = img.mean(axis=0)
        top = gray[1:3, ::2]
        stacked = np.concatenate([gray, gray.T], axis=0)
        return np.tanh(top), np.where(stacked > 0, stacked, 0.1 * stacked), np.argmax(gray, axis=1)

    img = np.random.default_rng(2).standard_normal((3, 4, 4)).astype(np.float32)
    result = traced(image_ops, img)
    for got, expected in zip(fxn.interpret(result.module, img), image_ops(img)):
        assert got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_every_op_is_located_in_the_users_source():
    def predictor(x):
        y = np.exp(x)
        return y * 3.0

    result = traced(predictor, np.ones(4, np.float32))
    lines, first = inspect.getsourcelines(predictor)
    exp_line = first + 1
    text = result.module.operation.get_asm(enable_debug_info=True)
    filename = predictor.__code__.co_filename
    assert f'loc("{filename}":{exp_line}:' in text

    def check(op):
        if op.name.startswith("fxn."):
            assert str(op.location).startswith(f'loc("{filename}":'), op
            assert first <= int(str(op.location).rsplit(":", 2)[1]) < first + len(lines)
        return ir.WalkResult.ADVANCE

    result.module.operation.walk(check)


def test_named_dims_in_numpy_code():
    @fxn.compile
    def softplus_ish(x: fxn.Tensor[fxn.f32, "N"]):
        return np.log(np.exp(x) + 1.0)

    for n in (2, 5):
        x = np.linspace(-2, 2, n, dtype=np.float32)
        np.testing.assert_allclose(softplus_ish(x), np.log(np.exp(x) + 1.0), rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float64, np.int32])
def test_numpy_dtypes_are_preserved_end_to_end(dtype):
    @fxn.compile
    def affine(a):
        return np.multiply(a, 3) + a

    a = np.arange(4, dtype=dtype)
    assert affine(a).dtype == dtype
    np.testing.assert_array_equal(affine(a), a * 3 + a)


def test_numpy_code_on_several_dynamic_dims():
    @fxn.compile
    def shifted_exp(x: fxn.Tensor[fxn.f32, "N", "M"]):
        return np.exp(x) + 1.0

    for shape in ((2, 3), (5, 1)):
        x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        np.testing.assert_allclose(shifted_exp(x), np.exp(x) + 1.0, rtol=1e-6)


def test_a_view_to_its_own_dynamic_sizes_is_no_reshape():
    @fxn.compile
    def same(x: fxn.Tensor[fxn.f32, "N", "M"]):
        return x.view(x.shape[0], x.shape[1]) * 2

    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(same(x), x * 2)


def test_the_dtype_of_a_numpy_array_is_read():
    # TorchDynamo does not read ndarray.dtype; the AST path reads it through the array's tensor.
    def like(x):
        scale = 2 if x.dtype == np.int32 else 3
        return np.zeros(3, dtype=x.dtype) + x[:3] * scale, x.dtype.kind == "i"

    for x in (np.arange(4, dtype=np.int32), np.arange(4, dtype=np.float32)):
        result, is_int = fxn.compile(like)(x)
        expected, expected_is_int = like(x)
        assert result.dtype == x.dtype and is_int == expected_is_int
        np.testing.assert_array_equal(result, expected)
