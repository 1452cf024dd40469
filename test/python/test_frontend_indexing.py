"""Indexing and stores with run-time indices (frontend/indexing.py, subscripts.py): compiled code against CPython.

``x[i]``, ``x[i, j]``, ``x[i, :]``, negative indices, slices with run-time
bounds and negative steps, slices of dynamic dims, stores into arrays the
function makes (of static or run-time shape), value semantics for the
caller's arrays, and ``IndexError`` naming the user's line at run time.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import fxn
from fxn.dialects import TensorType


def same(compiled, python, *args):
    result = compiled(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    expected = python(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    np.testing.assert_array_equal(np.asarray(result), np.asarray(expected))
    return result


def check(fn, *args):
    return same(fxn.compile(fn), fn, *args)


X = np.arange(10.0)
GRID = np.arange(12.0).reshape(3, 4)


# ----------------------------------------------------------------------------- reads


def element(x, i: int):
    return x[i]


def cell(x, i: int, j: int):
    return x[i, j]


def row(x, i: int):
    return x[i, :]


def column(x, j: int):
    return x[:, j]


def window(x, a: int, b: int):
    return x[a:b]


def backwards(x, a: int, b: int):
    return x[b:a:-2]


def reversed_columns(x):
    return x[:, ::-1]


@pytest.mark.parametrize("fn, args", [
    (element, (X, 3)), (element, (X, -1)), (element, (X, -10)),
    (cell, (GRID, 2, 3)), (cell, (GRID, -1, -4)),
    (row, (GRID, 1)), (column, (GRID, -2)),
    (window, (X, 2, 7)), (window, (X, -3, 100)), (window, (X, 8, 2)), (window, (X, -100, -5)),
    (backwards, (X, 1, 8)), (backwards, (X, -9, -1)), (backwards, (X, 5, 5)),
    (reversed_columns, (GRID,)),
], ids=lambda v: getattr(v, "__name__", None))
def test_reads_match_python(fn, args):
    check(fn, *args)


def test_slices_of_dynamic_dims():
    @fxn.compile
    def ends(x: fxn.Tensor[fxn.f64, "n"], k: int):
        return x[1:-1] * 2, x[0] + x[-1], x[:k]

    x = np.arange(7.0)
    middle, total, head = ends(x, 3)
    np.testing.assert_array_equal(middle, x[1:-1] * 2)
    assert total == x[0] + x[-1]
    np.testing.assert_array_equal(head, x[:3])
    middle, total, head = ends(np.arange(4.0), 9)
    np.testing.assert_array_equal(head, np.arange(4.0))


def test_a_loop_reads_with_its_index():
    def total(x):
        s = 0.0
        for i in range(x.shape[0]):
            s = s + x[i] * i
        return s

    check(total, np.linspace(0.0, 1.0, 300))


# ----------------------------------------------------------------------------- stores


def stencil(x):
    n = x.shape[0]
    out = np.empty(n)
    out[0] = x[0]
    out[n - 1] = x[n - 1]
    for i in range(1, n - 1):
        out[i] = (x[i - 1] + x[i] + x[i + 1]) / 3
    return out


def swap_sort(a):
    n = a.shape[0]
    for i in range(n):
        for j in range(n - 1 - i):
            if a[j] > a[j + 1]:
                a[j], a[j + 1] = a[j + 1], a[j]
    return a


def bubble_sort(X):
    # Numba's example as written: no np., a copy sorted in place.
    X = X.copy()
    N = len(X)
    for end in range(N, 1, -1):
        for i in range(end - 1):
            cur = X[i]
            if cur > X[i + 1]:
                tmp = X[i]
                X[i] = X[i + 1]
                X[i + 1] = tmp
    return X


def sieve(n: int):
    flags = np.ones(n, dtype=np.bool_)
    flags[0] = False
    flags[1] = False
    i = 2
    while i * i < n:
        if flags[i]:
            for j in range(i * i, n, i):
                flags[j] = False
        i += 1
    return flags


def stores(x, i: int, a: int, b: int):
    out = np.zeros((3, 4))
    out[i] = x[0]
    out[i - 1, 1:3] = 7.0
    out[1, ::-1] += x[0]
    out[a:b, ::-1] += 1
    out[a:b, 0] = 5.0
    out[0][b] = -5
    return out


def filled_from(x, k: int):
    out = np.zeros(k)
    out[:] = x  # the whole of a dim known only at run time
    out[::-1] += 1
    return out


def shifted(x: fxn.Tensor[fxn.f64, "n"]):
    out = np.zeros(x.shape[0])  # of a dynamic dim's size
    out[1:] = x[:-1]
    out[0] = x[-1]
    return out


def collatz(starts):
    lengths = np.zeros_like(starts)
    for k in range(starts.shape[0]):
        n = starts[k]
        steps = 0
        while n != 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            steps += 1
        lengths[k] = steps
    return lengths


@pytest.mark.parametrize("fn, args", [
    (stencil, (np.random.default_rng(0).random(200),)),
    (swap_sort, (np.array([5.0, 3, 8, 1, 9, 2, 2, -1]),)),
    (bubble_sort, (np.array([5, 3, 8, 1, 9, 2, 2, -1], np.int32),)),
    (sieve, (60,)),
    (stores, (GRID, 2, 1, 3)),
    (collatz, (np.arange(1, 30),)),
    (filled_from, (np.arange(3.0), 3)),
    (shifted, (np.arange(5.0),)),
], ids=lambda v: getattr(v, "__name__", None))
def test_stores_match_python(fn, args):
    check(fn, *args)


def test_the_callers_array_is_never_written():
    def clobber(x, i: int):
        x[i] = -1.0
        x[0] = 5.0
        return x * 2

    x = np.arange(4.0)
    np.testing.assert_array_equal(fxn.compile(clobber)(x, 2), [10.0, 2.0, -2.0, 6.0])
    np.testing.assert_array_equal(x, np.arange(4.0))


def test_a_function_calling_numpy_only_methods_is_numpy_code():
    def halved(x):
        y = x.astype(x.dtype)
        return y / 2  # NumPy: float64; torch would give float32

    result = fxn.compile(halved)(np.arange(4, dtype=np.int32))
    assert result.dtype == np.float64


def test_torch_stores_into_a_new_tensor():
    @fxn.compile
    def doubled_prefix(x: torch.Tensor, k: int):
        out = torch.zeros(10)
        for i in range(k):
            out[i] = x[i] * 2
        return out

    result = doubled_prefix(torch.arange(10.0), 4)
    np.testing.assert_array_equal(np.asarray(result), [0, 2, 4, 6, 0, 0, 0, 0, 0, 0])


def test_arrays_of_a_run_time_shape():
    def grid(h: int, w: int):
        counts = np.zeros((h, w), dtype=np.int32)
        for r in range(h):
            for c in range(w):
                counts[r, c] = r * w + c
        return counts

    result = check(grid, 3, 5)
    assert result.dtype == np.int32


def test_empty_arrays_are_written_not_filled():
    def squares(n: int):
        out = np.empty((n, 2), dtype=np.int64)
        for i in range(n):
            out[i, 0] = i
            out[i, 1] = i * i
        return out

    def doubled(x: fxn.Tensor[fxn.f32, "n"]):
        out = torch.empty_like(x)
        for i in range(x.shape[0]):
            out[i] = x[i] * 2
        return out

    assert check(squares, 5).dtype == np.int64
    assert check(squares, 0).shape == (0, 2)
    np.testing.assert_array_equal(fxn.compile(doubled)(np.arange(7, dtype=np.float32)), np.arange(7) * 2.0)
    # Nothing fills the stencil's np.empty before the loop writes it.
    stages = {}
    fxn.compile(stencil).lower([TensorType("f64", (100,))], "host", stages, stop_after="optimized")
    assert '"fxn.empty"() {dtype = "f64", shape = array<i64: 100>}' in stages["optimized"]
    assert "dense<0.0" not in stages["optimized"]


def test_each_shape_traces_with_its_own_static_sizes():
    # TorchDynamo would make a size that changed between two traces of the same code symbolic.
    compiled = fxn.compile(stencil)
    for n in (50, 40, 30):
        x = np.random.default_rng(n).random(n)
        same(compiled, stencil, x)


# ----------------------------------------------------------------------------- out of bounds


def test_an_index_out_of_bounds_is_an_index_error_at_the_users_line():
    compiled = fxn.compile(element)
    line = element.__code__.co_firstlineno + 1
    with pytest.raises(IndexError, match=rf"index 10 is out of bounds for axis 0 with size 10 at .*{__name__.split('.')[-1]}.py:{line}:"):
        compiled(X, 10)
    with pytest.raises(IndexError, match="index -11 is out of bounds for axis 0 with size 10"):
        compiled(X, -11)
    assert compiled(X, 9) == 9.0  # the function still works after a failed call


def test_a_store_out_of_bounds_is_an_index_error():
    def put(x, i: int):
        out = np.zeros(3)
        out[i] = x[0]
        return out

    with pytest.raises(IndexError, match="index 3 is out of bounds for axis 0 with size 3"):
        fxn.compile(put)(X, 3)


def put_window(x, a: int, b: int):
    out = np.zeros(6)
    out[a:b] = x[a:b + 1]  # one element too many where a <= b
    return out


def test_a_store_that_does_not_broadcast_is_a_value_error_at_the_users_line():
    compiled = fxn.compile(put_window)
    line = put_window.__code__.co_firstlineno + 2
    with pytest.raises(ValueError, match=rf"^put_window\(\): could not broadcast a stored value of size 3 into a "
                                         rf"window of size 2 along axis 0 at .*test_frontend_indexing.py:{line}:"):
        compiled(np.arange(6.0), 1, 3)
    with pytest.raises(ValueError, match="could not broadcast"):
        put_window(np.arange(6.0), 1, 3)  # as NumPy says
    np.testing.assert_array_equal(compiled(np.arange(6.0), 5, 3), np.zeros(6))  # an empty value into an empty window


def test_boundscheck_false_drops_the_checks():
    from fxn.compiler import pipeline_text

    assert "bounds-check=false" in pipeline_text("host", ("lowered",), bounds_check=False)
    assert "bounds-check=true" in pipeline_text("host", ("lowered",))
    unchecked = fxn.compile(element, boundscheck=False)
    assert unchecked.boundscheck is False
    assert unchecked(X, 4) == 4.0 and unchecked(X, -1) == 9.0


def index_out_of_bounds(x: fxn.Tensor[fxn.f32, 4], i: int) -> float:
    return x[i]


def test_a_predictor_may_have_the_name_of_the_index_check():
    # Its scalar entry is fxn_index_out_of_bounds: the check's hook must be named otherwise.
    compiled = fxn.compile(index_out_of_bounds)
    assert compiled(np.arange(4, dtype=np.float32), -1) == 3.0
    with pytest.raises(IndexError, match="index 7 is out of bounds for axis 0 with size 4"):
        compiled(np.arange(4, dtype=np.float32), 7)
