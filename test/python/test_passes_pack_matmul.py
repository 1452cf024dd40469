"""fxn-pack-matmul, compiled: packed and register-tiled products against a float64 product.

The packed code adds each element's products in order along K with fused
multiply-adds, so it agrees with any correct product within the bound of a
sum of K products: ``K * u * sum(|a| |b|)`` per element (``u`` the unit
roundoff). Shapes cover whole and partial register tiles, cache tiles,
empty dims, dynamic dims, batches, f64, and inputs that are not 64-byte
aligned.
"""

from __future__ import annotations

import numpy as np
import pytest

import fxn


def _bound(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    unit_roundoff = np.finfo(a.dtype).eps / 2
    k = a.shape[-1]
    return (k + 1) * unit_roundoff * (np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64))) + 1e-300


def _check(result, a, b):
    expected = a.astype(np.float64) @ b.astype(np.float64)
    assert result.shape == expected.shape and result.dtype == a.dtype
    assert np.all(np.abs(result - expected) <= _bound(a, b))


def _misaligned(array: np.ndarray) -> np.ndarray:
    buffer = np.empty(array.size + 16, array.dtype)
    skip = (-buffer.ctypes.data % 64) // array.itemsize + 1
    copy = buffer[skip: skip + array.size].reshape(array.shape)
    copy[...] = array
    return copy


@fxn.compile
def dynamic_matmul(a: fxn.Tensor[fxn.f32, "M", "K"], b: fxn.Tensor[fxn.f32, "K", "N"]):
    return a @ b


@pytest.mark.parametrize("m, k, n", [(1, 1, 1), (8, 32, 32), (9, 33, 31), (37, 50, 70), (130, 300, 530),
                                     (0, 5, 3), (4, 0, 3), (3, 5, 0)])
def test_dynamic_shapes_match_a_float64_product(m, k, n):
    rng = np.random.default_rng(m * 1000 + k + n)
    a, b = rng.standard_normal((m, k), dtype=np.float32), rng.standard_normal((k, n), dtype=np.float32)
    _check(dynamic_matmul(a, b), a, b)
    _check(dynamic_matmul(_misaligned(a), _misaligned(b)), a, b)


def test_one_compile_serves_every_shape():
    rng = np.random.default_rng(1)
    for m, k, n in [(3, 4, 5), (40, 41, 42)]:
        dynamic_matmul(rng.standard_normal((m, k), dtype=np.float32), rng.standard_normal((k, n), dtype=np.float32))
    assert len(dynamic_matmul.concrete_functions) == 1


@pytest.mark.parametrize("shape", [(64, 64, 64), (100, 100, 100), (257, 129, 65)])
def test_static_f32_and_f64(shape):
    m, k, n = shape
    rng = np.random.default_rng(k)
    for dtype in (np.float32, np.float64):
        a, b = rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((k, n)).astype(dtype)
        _check(fxn.compile(lambda x, y: x @ y)(a, b), a, b)


def test_batched_products():
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((3, 20, 30), dtype=np.float32), rng.standard_normal((3, 30, 40), dtype=np.float32)
    result = fxn.compile(lambda x, y: x @ y)(a, b)
    for i in range(3):
        _check(result[i], a[i], b[i])


def test_integer_products_stay_exact():
    rng = np.random.default_rng(8)
    a, b = rng.integers(-100, 100, (30, 40), dtype=np.int32), rng.integers(-100, 100, (40, 50), dtype=np.int32)
    np.testing.assert_array_equal(fxn.compile(lambda x, y: x @ y)(a, b), a @ b)
