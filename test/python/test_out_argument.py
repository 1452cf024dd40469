"""``f(..., out=buf)``: compiled functions write their results into the caller's arrays (destination passing)."""

import numpy as np
import pytest
import torch

import fxn
import fxn.compiled
from fxn.compiled import lower_destination
from fxn.dialects import TensorType
from fxn.symbols import destination_symbol

N = fxn.Tensor[fxn.f32, "N"]


@fxn.compile
def fma(x, y, z):
    return x * y + z


@fxn.compile
def fma_named(x: N, y: N, z: N):
    return x * y + z


@fxn.compile
def stack_and_sum(a: fxn.Tensor[fxn.f32, "N", 4], b: fxn.Tensor[fxn.f32, "M", 4]):
    return torch.cat([a, b]), a.sum(dim=1)


def arrays(n: int, count: int = 3, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(n, dtype=np.float32) for _ in range(count)]


def sentinel(shape) -> np.ndarray:
    return np.full(shape, -7.0, np.float32)


def test_result_is_written_into_out_and_out_is_returned():
    x, y, z = arrays(7)  # 7: the vector loop's masked remainder writes out too
    copies = [a.copy() for a in (x, y, z)]
    buf = sentinel(7)
    assert fma(x, y, z, out=buf) is buf
    np.testing.assert_array_equal(buf, x * y + z)
    for given, copy in zip((x, y, z), copies):
        np.testing.assert_array_equal(given, copy)
    buf2 = sentinel(7)
    assert fma(x, y, z=z, out=(buf2,)) is buf2  # a tuple of one array, as numpy's ufuncs take it
    np.testing.assert_array_equal(buf2, buf)


def test_concrete_function_takes_out():
    x, y, z = arrays(7)
    concrete = fma.concrete_function([TensorType("f32", (7,))] * 3)
    buf = sentinel(7)
    assert concrete(x, y, z, out=buf) is buf
    np.testing.assert_array_equal(buf, x * y + z)


def test_named_dims_any_size_and_keyword_binding():
    for n in (5, 33):
        x, y, z = arrays(n, seed=n)
        buf = sentinel(n)
        assert fma_named(x, y, z=z, out=buf) is buf  # keywords leave the native entry for the Python path
        np.testing.assert_array_equal(buf, x * y + z)


def test_out_of_the_wrong_dynamic_size_is_rejected_before_anything_is_written():
    x, y, z = arrays(5)
    buf = sentinel(6)
    with pytest.raises(TypeError, match=r"^out expects tensor<5xf32> for these arguments; got tensor<6xf32>$"):
        fma_named(x, y, z, out=buf)
    np.testing.assert_array_equal(buf, sentinel(6))


def test_tuple_results_with_computed_dims():
    a, b = np.arange(12, dtype=np.float32).reshape(3, 4), np.ones((2, 4), np.float32)
    stacked, sums = sentinel((5, 4)), sentinel(3)
    out = (stacked, sums)
    assert stack_and_sum(a, b, out=out) is out
    np.testing.assert_array_equal(stacked, np.concatenate([a, b]))
    np.testing.assert_array_equal(sums, a.sum(axis=1))
    np.testing.assert_array_equal(stack_and_sum(a, b=b)[1], sums)  # keywords without out= after the first call


def test_tuple_with_one_wrong_dynamic_size_writes_no_result():
    a, b = np.ones((3, 4), np.float32), np.ones((2, 4), np.float32)
    stacked, sums = sentinel((5, 4)), sentinel(2)
    with pytest.raises(TypeError, match=r"^out\[1\] expects tensor<3xf32> for these arguments; got tensor<2xf32>$"):
        stack_and_sum(a, b, out=(stacked, sums))
    np.testing.assert_array_equal(stacked, sentinel((5, 4)))
    with pytest.raises(TypeError, match=r"^out\[0\] expects tensor<5x4xf32> for these arguments; got tensor<6x4xf32>$"):
        stack_and_sum(a, b, out=(sentinel((6, 4)), sentinel(3)))


@pytest.mark.parametrize("out, error, message", [
    (np.empty(7, np.float64), TypeError, r"out expects tensor<7xf32>; got tensor<7xf64>"),
    (np.empty(8, np.float32), TypeError, r"out expects tensor<7xf32>; got tensor<8xf32>"),
    (np.empty((7, 1), np.float32), TypeError, r"out expects tensor<7xf32>; got tensor<7x1xf32>"),
    ([0.0] * 7, TypeError, r"out expects tensor<7xf32>; got list"),
    (np.empty(14, np.float32)[::2], ValueError,
     r"out expects a C-contiguous, aligned, writeable tensor<7xf32>; got a non-contiguous tensor<7xf32>"),
    (np.frombuffer(bytes(28), np.float32), ValueError,
     r"out expects a C-contiguous, aligned, writeable tensor<7xf32>; got a read-only tensor<7xf32>"),
    (np.frombuffer(bytearray(29), np.float32, offset=1), ValueError,
     r"out expects a C-contiguous, aligned, writeable tensor<7xf32>; got a misaligned tensor<7xf32>"),
    ((np.empty(7, np.float32),) * 2, TypeError, r"out must be an array \(or a tuple of one array\); got a tuple of 2"),
])
def test_unfit_out_is_an_error_naming_out_expected_and_given(out, error, message):
    x, y, z = arrays(7)
    with pytest.raises(error, match=f"^{message}$"):
        fma(x, y, z, out=out)


def test_tuple_out_errors():
    a, b = np.ones((3, 4), np.float32), np.ones((2, 4), np.float32)
    with pytest.raises(TypeError, match=r"^out must be a tuple of 2 array\(s\), one per result; got ndarray$"):
        stack_and_sum(a, b, out=sentinel((5, 4)))
    shared = sentinel(20)
    with pytest.raises(ValueError, match=r"^out\[0\] and out\[1\] may share memory"):
        stack_and_sum(a, b, out=(shared.reshape(5, 4), shared[:3]))


def test_out_aliasing_an_input_still_gives_the_right_answer():
    x, y, z = arrays(7)
    expected, y_copy, z_copy = x * y + z, y.copy(), z.copy()
    assert fma(x, y, z, out=x) is x
    np.testing.assert_array_equal(x, expected)
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(z, z_copy)
    # out is x moved one element on: computed in place, each vector after the first would read results.
    y, z = arrays(19, count=2)
    shifted = np.arange(20, dtype=np.float32)
    expected = shifted[:-1] * y + z
    fma(shifted[:-1], y, z, out=shifted[1:])
    np.testing.assert_array_equal(shifted[1:], expected)


def test_torch_tensor_as_out():
    x, y, z = arrays(7)
    out = torch.zeros(7)
    assert fma(x, y, z, out=out) is out
    np.testing.assert_array_equal(out.numpy(), x * y + z)


def test_unsigned_result_into_out():
    @fxn.compile
    def brighter(image, other):
        return np.maximum(image, other)

    image, other = np.array([1, 200, 3], np.uint8), np.array([100, 2, 250], np.uint8)
    out = np.zeros(3, np.uint8)
    assert brighter(image, other, out=out) is out
    np.testing.assert_array_equal(out, [100, 200, 250])


def test_zero_d_array_result_takes_a_zero_d_out():
    @fxn.compile
    def total(a):
        return a.sum()

    a = np.arange(6, dtype=np.float32)
    out = np.empty((), np.float32)
    assert total(a, out=out) is out
    assert out == 15.0


def test_python_scalar_result_rejects_out():
    @fxn.compile
    def add(x: float, y: float) -> float:
        return x + y

    with pytest.raises(TypeError, match=r"^out= needs array results; add\(\) returns result 0 \(tensor<f32>\) "
                                        r"as a Python scalar$"):
        add(1.0, 2.0, out=np.empty((), np.float32))


def test_a_parameter_named_out_keeps_its_name():
    @fxn.compile
    def shift(x, out):
        return x + out

    x = np.arange(3, dtype=np.float32)
    np.testing.assert_array_equal(shift(x, out=x), x + x)


def test_destination_entry_is_compiled_lazily_once(monkeypatch):
    lowered = []

    def counting(lowered_function):
        lowered.append(lowered_function.entry)
        return lower_destination(lowered_function)

    monkeypatch.setattr(fxn.compiled, "lower_destination", counting)

    @fxn.compile
    def scale(x):
        return x * 2.0

    x = np.arange(4, dtype=np.float32)
    scale(x)
    scale(x)
    assert lowered == []
    out = np.empty(4, np.float32)
    scale(x, out=out)
    scale(x, out=out)
    assert lowered == ["scale"]
    np.testing.assert_array_equal(out, x * 2.0)


@pytest.mark.parametrize("function, types", [
    (fma, [TensorType("f32", (1000,))] * 3),
    (fma_named, [TensorType("f32", (None,))] * 3),
])
def test_destination_entry_allocates_nothing(function, types):
    lowered = function.lower(types, "host")
    assert "llvm.call @malloc" in str(lowered.module)  # the ordinary entry allocates its result
    destination = str(lower_destination(lowered))
    assert f"llvm.func @{destination_symbol(function.__name__)}(" in destination
    assert "@malloc" not in destination
    assert "memcpy" not in destination  # the vector loop stores into out itself: no copy either


def test_calls_without_declared_types_switch_signatures_through_the_native_entries():
    """The latest signature's CPython entry takes the calls and falls back to the dispatch for any other."""
    @fxn.compile
    def axpy(a, x, y):
        return a * x + y

    f32, f64 = arrays(5), [a.astype(np.float64) for a in arrays(6, seed=1)]
    strided = np.arange(10, dtype=np.float32)[::2]
    for a, x, y in [f32, f64, f32, (f32[0], strided, f32[2]), (torch.from_numpy(f32[0]), *f32[1:]), f64]:
        expected = np.asarray(a) * np.asarray(x) + np.asarray(y)
        np.testing.assert_array_equal(axpy(a, x, y), expected)
    assert len(axpy.concrete_functions) == 2
    with pytest.raises(TypeError, match=r"^axpy\(\): missing a required argument: 'y'$"):
        axpy(*f32[:2])
