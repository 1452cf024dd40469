"""``for i in range(n)`` over a run-time ``n``: scf.for from the AST, loop-carried values, not unrolled."""

import ast
import re
import textwrap

import numpy as np
import pytest

import fxn
from fxn.dialects import TensorType
from fxn.frontend.errors import UnsupportedOperation
from fxn.frontend.liveness import assigned, read_before_assigned
from frontend_harness import traced, line_of




@fxn.compile
def fma(x: float, y: float, z: float, n_iter: int) -> float:
    result = 0.0
    for i in range(n_iter):
        result = x * y + z
    return result


@fxn.compile
def chain(r: float, x: float, z: float, n: int) -> float:
    for i in range(n):
        r = r * x + z
    return r


@pytest.mark.parametrize("n_iter, expected", [(5, -1.0), (1, -1.0), (0, 0.0), (-3, 0.0)])
def test_seed_fma_loop(n_iter, expected):
    assert fma(3.0, -1.0, 2.0, n_iter) == expected


def test_loop_is_scf_for_not_unrolled():
    result = traced(fma.__wrapped__, 1.0, 1.0, 1.0, 1)
    assert result.capture == "ast"
    text = result.module.operation.get_asm(enable_debug_info=True)
    assert text.count("scf.for") == 1 and text.count('"fxn.mul"') == 1 and text.count('"fxn.add"') == 1
    assert "tensor.extract %arg3[] : tensor<i32>" in text and "arith.index_cast" in text
    for_line = line_of(fma.__wrapped__, "for i in range")
    assert f'loc("{__file__}":{for_line}:5)' in text
    assert result.module.operation.verify()


@pytest.mark.parametrize("n", [0, 1, 10, 1000])
def test_dependent_chain_matches_float32_python(n):
    r, x, z = np.float32(0.25), np.float32(0.999), np.float32(0.5)
    expected = r
    for _ in range(n):
        expected = expected * x + z
    # The traced IR rounds as Python does; compiled code may fuse each step into one fma.
    assert fxn.interpret(traced(chain.__wrapped__, r, x, z, n).module, r, x, z, n) == expected
    assert chain(0.25, 0.999, 0.5, n) == pytest.approx(expected, rel=1e-5)


def test_range_bounds_and_the_loop_variable():
    @fxn.compile
    def stepped(start: int, stop: int, x: float) -> float:
        total = 0.0
        for i in range(start, stop + 1, 3):
            total = total + x * i
        return total

    for start, stop in [(0, 10), (2, 9), (5, 1), (-4, 4)]:
        assert stepped(start, stop, 0.5) == sum(0.5 * i for i in range(start, stop + 1, 3))


def test_carried_values_widen_to_the_loop_type():
    def widen(x: fxn.Tensor[fxn.f32, 3], n: int):
        count = 0  # a Python int that becomes f32 in the loop
        acc = 0.0  # a scalar that becomes an array
        for i in range(n):
            count = count + 0.5
            acc = acc + x
        return count, acc

    x = np.array([1.0, 2.0, 3.0], np.float32)
    result = traced(widen, x, 2)
    assert [str(t) for t in result.result_types] == ["tensor<f32>", "tensor<3xf32>"]
    count, acc = fxn.interpret(result.module, x, 4)
    assert count == 2.0
    np.testing.assert_array_equal(acc, 4 * x)
    _, empty = fxn.interpret(result.module, x, 0)
    np.testing.assert_array_equal(empty, np.zeros(3, np.float32))


def test_only_values_live_across_iterations_are_carried():
    def temporaries(x: float, n: int) -> float:
        acc = 1.0
        for i in range(n):
            t = x * 2.0  # assigned before it is read: not carried
            acc = acc * t
        return acc

    text = str(traced(temporaries, 1.0, 1).module)
    assert "iter_args(%arg3 = " in text and "iter_args(%arg3 = %1, " not in text
    assert fxn.interpret(traced(temporaries, 1.0, 1).module, 1.5, 3) == 27.0


def test_nested_loops_with_numpy_bodies():
    def nested(x: fxn.Tensor[fxn.f32, 4], n: int, m: int):
        acc = np.zeros(4, np.float32)
        for i in range(n):
            for j in range(1, m):
                acc = acc + np.exp(x)
            acc = acc * 0.5
        return acc

    x = np.linspace(0, 1, 4, dtype=np.float32)
    result = traced(nested, x, 1, 1)
    assert str(result.module).count("scf.for") == 2
    got = fxn.interpret(result.module, x, 3, 4)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, nested(x, 3, 4))


def test_in_numpy_code_the_loop_variable_is_an_int32_array():
    def weighted(x: fxn.Tensor[fxn.f32, 4], n: int):
        acc = np.zeros(4, np.float32)
        for j in range(n):
            acc = acc + x * j  # NumPy promotes f32 * int32 array to f64
        return acc

    x = np.linspace(0, 1, 4, dtype=np.float32)
    got = fxn.interpret(traced(weighted, x, 1).module, x, 4)
    expected = np.zeros(4, np.float32)
    for j in range(4):
        expected = expected + x * np.array(j, np.int32)
    assert got.dtype == expected.dtype == np.float64
    np.testing.assert_array_equal(got, expected)


def test_constant_ranges_are_unrolled_by_the_capture():
    def unrolled(x: float, n: int) -> float:
        for k in range(3):
            x = x * 2.0
        for i in range(n):
            x = x + 1.0
        return x

    result = traced(unrolled, 1.0, 1)
    text = str(result.module)
    assert text.count("scf.for") == 1 and text.count('"fxn.mul"') == 3
    assert fxn.interpret(result.module, 1.0, 2) == 10.0


def test_functions_without_runtime_loops_take_the_plain_capture():
    def fixed(x: float) -> float:
        for k in range(4):
            x = x * x
        return x

    result = traced(fixed, 1.0)
    assert result.capture == "numbers" and "scf.for" not in str(result.module)  # unrolled, as the captures do


def test_the_interpreter_runs_scf_for():
    text = """
    func.func @sum_to(%n: tensor<i32>, %x: tensor<f32>) -> tensor<f32> {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %bound = tensor.extract %n[] : tensor<i32>
      %ub = arith.index_cast %bound : i32 to index
      %r = scf.for %i = %c0 to %ub step %c1 iter_args(%acc = %x) -> (tensor<f32>) {
        %i32 = arith.index_cast %i : index to i32
        %t = tensor.from_elements %i32 : tensor<i32>
        %f = "fxn.cast"(%t) : (tensor<i32>) -> tensor<f32>
        %next = "fxn.add"(%acc, %f) : (tensor<f32>, tensor<f32>) -> tensor<f32>
        scf.yield %next : tensor<f32>
      }
      return %r : tensor<f32>
    }
    """
    assert fxn.interpret(text, 5, 0.5) == 10.5
    assert fxn.interpret(text, 0, 0.5) == 0.5


def test_the_interpreter_runs_index_arithmetic():
    text = """
    func.func @rows_times_two_minus_one(%x: tensor<?x2xf32>) -> tensor<i64> {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c2 = arith.constant 2 : index
      %rows = tensor.dim %x, %c0 : tensor<?x2xf32>
      %twice = arith.muli %rows, %c2 : index
      %less = arith.subi %twice, %c1 : index
      %sum = arith.addi %less, %c0 : index
      %n = arith.index_cast %sum : index to i64
      %t = tensor.from_elements %n : tensor<i64>
      return %t : tensor<i64>
    }
    """
    assert fxn.interpret(text, np.zeros((7, 2), np.float32)) == 13


def test_liveness_of_statements():
    body = ast.parse(textwrap.dedent("""
        t = x * 2
        if flag:
            u = t
        else:
            u = -t
        acc = acc + u
        for j in range(m):
            acc = acc + j
    """)).body
    assert read_before_assigned(body) == {"x", "flag", "acc", "range", "m"}
    assert assigned(body) == {"t", "u", "acc", "j"}


@pytest.mark.parametrize(
    "source, message",
    [
        ("for i in range(n):\n        r = x\n        break\n    return r", r"'r' is assigned in it .* has no value before it"),
        ("for i in range(n):\n        r = x\n    return r", r"'r' is assigned in it .* has no value before it"),
        ("r = x\n    for i in range(n):\n        r = r * x\n    return r + i", r"'i' is assigned in it .* has no value before it"),
        ("r = x\n    for a, b in range(n):\n        r = r * x\n    return r", r"a loop target '\(a, b\)'"),
    ],
)
def test_unsupported_loops_are_named(tmp_path, source, message):
    path = tmp_path / "predictor.py"
    path.write_text(f"def predictor(x: float, n: int) -> float:\n    {source}\n")
    namespace = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    expected = f"^{re.escape(str(path))}:\\d+: fxn cannot compile .*" + message
    with pytest.raises(UnsupportedOperation, match=expected) as error:
        traced(namespace["predictor"], 1.0, 3)
    assert error.value.filename == str(path) and error.value.line > 1


# ----------------------------------------------------------------------------- loops over arrays


def running_sum(x: fxn.Tensor[fxn.f64, "n"]):
    s = 0.0
    for v in x:
        s += v
    return s


def last_positive_index(x: fxn.Tensor[fxn.f64, "n"]):
    found = -1
    for i, v in enumerate(x):
        if v > 0:
            found = i
    return found


def rows_over_a_size(x: fxn.Tensor[fxn.f32, "n", 3]):
    total = np.zeros(3, np.float32)
    for r in range(x.shape[0]):
        total = total + x[r]
    return total


@pytest.mark.parametrize("fn, x", [
    (running_sum, np.arange(7.0)), (running_sum, np.arange(0.0)), (running_sum, np.arange(100.0)),
    (last_positive_index, np.array([1.0, -2.0, 3.0, -4.0])), (last_positive_index, np.array([-1.0])),
    (rows_over_a_size, np.arange(12, dtype=np.float32).reshape(4, 3)),
], ids=lambda v: getattr(v, "__name__", None))
def test_loops_over_arrays_of_a_dynamic_size(fn, x):
    np.testing.assert_allclose(np.asarray(fxn.compile(fn)(x)), fn(x), rtol=1e-6)


def test_a_long_static_array_is_looped_over_not_unrolled():
    def total(x):
        s = 0.0
        for v in x:
            s += v * v
        return s

    stages = {}
    fxn.compile(total).lower([TensorType("f64", (1000,))], "host", stages, stop_after="fxn")
    assert "scf.for" in stages["fxn"]
    x = np.linspace(0.0, 1.0, 1000)
    assert fxn.compile(total)(x) == pytest.approx(total(x), rel=1e-12)


def test_a_dynamic_dims_size_is_read_at_run_time_in_torch_code():
    def scaled_by_size(x: fxn.Tensor[fxn.f32, "N"]):
        return x / x.shape[0], x.shape[0]

    scaled, size = fxn.compile(scaled_by_size)(np.ones(4, np.float32))
    np.testing.assert_array_equal(scaled, np.full(4, 0.25, np.float32))
    assert size == 4
