"""The runtime of @fxn.compile: what a call takes and returns, its type errors, memory, and the concrete-function cache."""

import os
import resource
import subprocess
import sys
import threading
import types

import numpy as np
import pytest
import torch

import fxn
from fxn.runtime import as_array

N = "N"


@fxn.compile(tag="@test/fma", description="Scalar fused multiply-add.")
def fma(x: float, y: float, z: float) -> float:
    return x * y + z


@fxn.compile
def fma_arrays(x: fxn.Tensor[fxn.f32, N], y: fxn.Tensor[fxn.f32, N], z: fxn.Tensor[fxn.f32, N]):
    return x * y + z


@fxn.compile
def affine(m: fxn.Tensor[fxn.f32, 2, 3], b: fxn.Tensor[fxn.f32, 3]):
    return m * b + b, m - b


@fxn.compile
def int_scale(n: int, k: int) -> int:
    return n * k


@fxn.compile
def both(a: bool, b: bool) -> bool:
    return a & b


@fxn.compile
def positive(x: fxn.Tensor[fxn.f32, N]):
    return x > 0


@fxn.compile
def doubled(x: fxn.Tensor[fxn.f32]):  # a 0-d tensor: results stay arrays
    return x + x


@fxn.compile
def halves(x: fxn.Tensor[fxn.f16, 2, N]):
    return x * 0.5


def floats(*shape, seed=0):
    return np.random.default_rng(seed).integers(-8, 8, shape).astype(np.float32)


# ----------------------------------------------------------------------------- inputs and results


def test_python_scalars_in_python_scalars_out():
    assert fma(3.0, -1.0, 2.0) == -1.0
    assert isinstance(fma(1.0, 2.0, 3.0), float)
    assert fma(2, True, np.float64(0.5)) == 2.5  # any real number converts to f32
    result = int_scale(6, -7)
    assert result == -42 and isinstance(result, int)


def test_numpy_arrays_in_numpy_arrays_out():
    x, y, z = floats(5), floats(5, seed=1), floats(5, seed=2)
    result = fma_arrays(x, y, z)
    assert isinstance(result, np.ndarray) and result.dtype == np.float32
    np.testing.assert_array_equal(result, x * y + z)
    np.testing.assert_array_equal(fma_arrays(z=z, y=y, x=x), x * y + z)  # keywords bind as in Python


def test_several_results_come_back_as_a_tuple():
    m, b = floats(2, 3), floats(3, seed=1)
    first, second = affine(m, b)
    np.testing.assert_array_equal(first, m * b + b)
    np.testing.assert_array_equal(second, m - b)

    @fxn.compile
    def one(x: float):
        return (x * 2.0,)

    assert one(1.5) == (3.0,)


def test_torch_cpu_tensors_are_passed_without_a_copy():
    x = torch.arange(6, dtype=torch.float32)
    assert as_array(x).ctypes.data == x.data_ptr()
    np.testing.assert_array_equal(fma_arrays(x, x, x), (x * x + x).numpy())
    # The descriptor the compiled code read pointed at the tensor's own memory.
    (frame,) = fma_arrays.concrete_functions[0].executable._frames
    assert frame.descriptors[0].aligned == x.data_ptr()


def test_non_contiguous_inputs_are_read_correctly_and_left_alone():
    base = floats(4, 6)
    views = [base[:, ::2], base.T[::-1], base[1:3, 1:4]]
    m = floats(6, 8)[::3, ::2][:, :3]  # 2x3, strided in both dims
    snapshot = [v.copy() for v in views] + [m.copy()]
    first, _ = affine(m, views[1][0, :3])
    np.testing.assert_array_equal(first, m * views[1][0, :3] + views[1][0, :3])
    column = base[:, 1]  # stride 6 elements
    np.testing.assert_array_equal(fma_arrays(column, column, column), column * column + column)
    for view, before in zip(views + [m], snapshot):
        np.testing.assert_array_equal(view, before)


def test_caller_arrays_are_never_written():
    @fxn.compile
    def passthrough(x: fxn.Tensor[fxn.f32, N], y: fxn.Tensor[fxn.f32, N]):
        return x, x + y, y * 1.0  # results that could alias the arguments

    x, y = floats(8), floats(8, seed=1)
    x_before, y_before = x.copy(), y.copy()
    echoed, total, scaled = passthrough(x, y)
    for result in (echoed, total, scaled):
        result[:] = 99.0  # results are the caller's to write ...
    np.testing.assert_array_equal(x, x_before)  # ... and are never the arguments
    np.testing.assert_array_equal(y, y_before)


def test_returned_buffers_are_freed():
    x = np.ones(4096, np.float32)
    for _ in range(200):
        fma_arrays(x, x, x)
        fma(1.0, 2.0, 3.0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(5000):  # 5000 results of 16 KiB would be 80 MiB if leaked
        fma_arrays(x, x, x)
        affine(floats(2, 3), floats(3))
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss < 16_000  # KiB


def test_concurrent_calls_each_use_their_own_frame():
    inputs = [floats(64, seed=s) for s in range(4)]
    failures = []

    def work(x):
        for _ in range(200):
            if not np.array_equal(fma_arrays(x, x, x), x * x + x):
                failures.append(x)

    threads = [threading.Thread(target=work, args=(x,)) for x in inputs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


# ----------------------------------------------------------------------------- the CPython entry


def test_calls_reach_compiled_code_without_running_python():
    x = floats(4)
    for function, args in [(fma, (1.0, 2.0, 3.0)), (fma_arrays, (x, x, x)), (int_scale, (2, 3)),
                           (both, (True, False)), (positive, (x,)), (doubled, (1.5,)),
                           (halves, (np.ones((2, 5), np.float16),))]:
        function(*args)
        # The partial now targets the compiled CPython entry itself.
        assert type(function.func) is types.BuiltinFunctionType, function
    affine(floats(2, 3), floats(3))
    assert type(affine.func) is not types.BuiltinFunctionType  # two results: the Python path


X, Y = floats(6), floats(6, seed=1)


@pytest.mark.parametrize(
    "function, args",
    [
        (fma, (1.5, -2.0, 0.25)),
        (fma, (1, True, np.float32(2.5))),  # not exact floats: the entry hands them to the Python path
        (int_scale, (6, -7)),
        (int_scale, (2**31 - 1, 1)),
        (both, (True, False)),
        (both, (True, True)),
        (positive, (X,)),
        (doubled, (1.5,)),
        (doubled, (np.array(1.5, np.float32),)),
        (halves, (np.arange(6, dtype=np.float16).reshape(2, 3),)),
        (fma_arrays, (X, Y, X)),
        (fma_arrays, (np.empty(0, np.float32),) * 3),
        (fma_arrays, (X[::2], Y[::2], X[1::2])),  # strided: copied on the Python path
        (fma_arrays, (torch.from_numpy(X), Y, X)),
    ],
)
def test_the_cpython_entry_and_the_python_path_agree(function, args):
    function(*args)
    (concrete,) = function.concrete_functions
    fast, slow = concrete.entry(*args), concrete.python_path(*args)
    assert type(fast) is type(slow)
    np.testing.assert_array_equal(fast, slow)
    if isinstance(fast, np.ndarray):
        assert fast.dtype == slow.dtype and fast.flags.writeable and fast.flags.c_contiguous


# ----------------------------------------------------------------------------- type errors


@pytest.mark.parametrize(
    "args, message",
    [
        ((np.ones(3, np.float64),) * 3, r"parameter 'x' expects tensor<\?xf32>; got tensor<3xf64>"),
        ((np.ones((2, 2), np.float32),) * 3, r"parameter 'x' expects tensor<\?xf32>; got tensor<2x2xf32>"),
        ((np.ones(3, np.float32), torch.ones(3, dtype=torch.int32), np.ones(3, np.float32)),
         r"parameter 'y' expects tensor<\?xf32>; got tensor<3xi32>"),
        ((np.ones(3, np.float32), np.ones(3, np.float32), np.ones(4, np.float32)),
         r"parameter 'z' expects tensor<\?xf32> with dim 0 'N' = 3 \(from parameter 'x'\); got tensor<4xf32>"),
        ((np.ones(3, np.float32), np.ones(3, np.float32), "text"), r"parameter 'z' expects tensor<\?xf32>; got str"),
    ],
)
def test_arrays_that_do_not_fit_the_signature_are_named(args, message):
    with pytest.raises(TypeError, match=message):
        fma_arrays(*args)


@pytest.mark.parametrize(
    "function, args, message",
    [
        (fma, (np.ones(3), 1.0, 2.0), r"parameter 'x' expects tensor<f32>; got tensor<3xf64>"),
        (fma, (1.0, "2", 3.0), r"parameter 'y' expects tensor<f32>; got str$"),
        (fma, (1.0, 2.0, np.array(3.0)), r"parameter 'z' expects tensor<f32>; got tensor<f64>"),
        (int_scale, (1.5, 2), r"parameter 'n' expects tensor<i32>; got float 1.5"),
        (int_scale, (1, 2**40), r"parameter 'k' expects tensor<i32>; got int 1099511627776 \(out of the range of i32\)"),
        (affine, (np.ones((3, 2), np.float32), np.ones(3, np.float32)),
         r"parameter 'm' expects tensor<2x3xf32>; got tensor<3x2xf32>"),
    ],
)
def test_scalars_and_static_shapes_that_do_not_fit_are_named(function, args, message):
    with pytest.raises(TypeError, match=message):
        function(*args)


def test_keyword_and_default_arguments_bind_as_in_python():
    @fxn.compile
    def shifted(x: float, shift: float = 0.5) -> float:
        return x + shift

    assert shifted(1.0) == 1.5
    assert shifted(1.0, shift=2.0) == 3.0
    assert shifted(shift=1.0, x=1.0) == 2.0


def test_missing_arguments_name_the_function():
    with pytest.raises(TypeError, match=r"fma\(\): missing a required argument: 'z'"):
        fma(1.0, 2.0)


def test_a_return_annotation_that_does_not_fit_is_an_error():
    @fxn.compile
    def not_a_float(x: fxn.Tensor[fxn.f32, 3]) -> float:
        return x + x

    with pytest.raises(TypeError, match=r"not_a_float is annotated to return float but returns tensor<3xf32>"):
        not_a_float(np.ones(3, np.float32))


# ----------------------------------------------------------------------------- the concrete-function cache


def test_a_fully_annotated_signature_is_traced_once():
    traces = []

    @fxn.compile
    def scaled(x: fxn.Tensor[fxn.f32, N], y: fxn.Tensor[fxn.f32, N]):
        traces.append(1)  # a Python side effect: runs when traced, not when called
        return x * y

    for size in (1, 7, 300):
        a = floats(size)
        np.testing.assert_array_equal(scaled(a, a), a * a)
    with pytest.raises(TypeError, match="expects tensor<\\?xf32>; got tensor<3xf64>"):
        scaled(np.ones(3), np.ones(3))
    assert len(traces) == 1
    assert len(scaled.concrete_functions) == 1
    assert scaled.fully_annotated


def test_unannotated_parameters_get_one_concrete_function_per_signature():
    traces = []

    @fxn.compile
    def product(a, b):
        traces.append(1)
        return a * b

    f32, f64 = floats(3), floats(3).astype(np.float64)
    np.testing.assert_array_equal(product(f32, f32), f32 * f32)
    np.testing.assert_array_equal(product(f64, f64), f64 * f64)
    np.testing.assert_array_equal(product(f32 + 1, f32), (f32 + 1) * f32)  # same signature: cached
    assert product(floats(2, 2), floats(2, 2)).shape == (2, 2)
    assert len(traces) == 3
    assert [str(c.arg_types[0]) for c in product.concrete_functions] == ["tensor<3xf32>", "tensor<3xf64>",
                                                                        "tensor<2x2xf32>"]
    assert not product.fully_annotated


def test_tag_description_and_lowered_module_are_exposed():
    fma(1.0, 1.0, 1.0)
    assert (fma.tag, fma.description) == ("@test/fma", "Scalar fused multiply-add.")
    (concrete,) = fma.concrete_functions
    assert [str(t) for t in concrete.arg_types] == ["tensor<f32>"] * 3
    assert concrete.lowered.value_entry  # scalars in and out: called through fxn_fma__value
    text = str(concrete.lowered.module)
    assert "llvm.func @fxn_fma(" in text and "llvm.func @fxn_fma__value(" in text


def test_results_held_until_interpreter_teardown_are_freed_without_a_crash(tmp_path):
    """Module dicts are cleared in an order fxn does not choose: the code freeing results must outlive them all."""
    import subprocess
    import sys

    script = tmp_path / "held.py"
    script.write_text(
        "import numpy as np, torch, fxn\n\n"
        "@fxn.compile\ndef plus_one(x: fxn.Tensor[fxn.f32, 'N']):\n    return x + 1\n\n"
        "@fxn.compile\ndef column_max(x, y):\n    return np.maximum(x, y).sum(axis=0)\n\n"
        "kept = plus_one(np.ones(1000, np.float32))\n"
        "held = column_max(np.ones((16, 8), np.float32), np.ones((16, 8), np.float32))\n"
        "print(float(held[0]) + float(kept[0]))\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (0, "18.0"), result.stderr


_FAULTS_PROGRAM = """
import resource, sys
import numpy as np
import fxn

square = fxn.compile(lambda x: x * x)
x = np.ones(10_000_000, np.float32)  # a 40 MB result
for _ in range(2):
    del_me = square(x)
    del del_me
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    result = square(x)
    del result
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _page_faults_of_five_calls(keep_buffers: str) -> int:
    environment = {**os.environ, "FXN_KEEP_BUFFERS": keep_buffers}
    done = subprocess.run([sys.executable, "-c", _FAULTS_PROGRAM], capture_output=True, text=True, env=environment)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


def test_large_results_reuse_freed_memory_instead_of_faulting_fresh_pages():
    pages = 40_000_000 // 4096
    # glibc maps a 40 MB buffer afresh each time: each call faults its ~10k pages in again.
    assert _page_faults_of_five_calls("0") > 4 * pages
    # fxn's runtime keeps freed buffers in the heap: later calls reuse the pages.
    assert _page_faults_of_five_calls("1") < pages


def test_results_are_64_byte_aligned():
    double = fxn.compile(lambda x: x * 2)
    product = fxn.compile(lambda a, b: a @ b)
    for n in (1, 3, 17, 1000, 100_001):
        assert double(np.ones(n, np.float32)).ctypes.data % 64 == 0
    for n in (3, 50):
        assert product(np.ones((n, n), np.float32), np.ones((n, n), np.float32)).ctypes.data % 64 == 0
