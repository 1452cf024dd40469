"""Parallel loops: fxn-parallelize and fxn-pack-matmul's chunks on OpenMP threads (see fxn/threads.py).

Every case is compiled for 1, 2 and 3 threads: the results must be bit for
bit the same (each chunk computes whole elements as the serial code does,
no sum is split), and match torch or numpy; the code for 2 threads must
really hold parallel loops.
"""

import ctypes
import ctypes.util
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import fxn
from fxn.compiler import llvm_ir, pipeline_text
from fxn.dialects import TensorType
from fxn.dialects.types import NUMPY_DTYPES
from fxn.runtime import Status, descriptor_type
from fxn.threads import OPENMP_LIBRARY, THREADS_VARIABLE, thread_plan

FXN = str(Path(sys.executable).parent / "fxn")
RNG = np.random.default_rng(7)


def _random(shape, dtype=np.float32):
    if np.issubdtype(dtype, np.integer):
        return RNG.integers(-100, 100, shape).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


def _torch(fn):
    """``fn`` on torch tensors, called with numpy arrays, returning numpy."""
    return lambda *args: fn(*map(torch.from_numpy, args)).numpy()


def scale_add(x, y):
    return x * 2.0 + y


def int_affine(x, y):
    return x * 3 + y


def matmul(a, b):
    return a @ b


def conv_relu(x, w, b):
    return F.relu(F.conv2d(x, w, b, padding=1))


def conv_stride2(x, w):
    return F.conv2d(x, w, stride=2, padding=1)


def pointwise(x, w):
    return F.conv2d(x, w)


def depthwise(x, w):
    return F.conv2d(x, w, padding=1, groups=32)


def max_pool(x):
    return F.max_pool2d(x, 2)


def row_mean(x):
    return x.mean(-1)


def softmax_rows(x):
    return torch.softmax(x, -1)


def layer_norm_rows(x, w, b):
    return F.layer_norm(x, x.shape[-1:], w, b)


# name -> (function, arguments, tolerance of the float comparison with torch, whether 2 threads split a loop)
CASES = {
    "elementwise 1080x1920": (scale_add, [_random((1080, 1920)), _random((1080, 1920))], 0, True),
    "elementwise 1-D": (scale_add, [_random(1 << 20), _random(1 << 20)], 0, True),
    "int32 elementwise": (int_affine, [_random((700, 900), np.int32), _random((700, 900), np.int32)], 0, True),
    "matmul 1024": (matmul, [_random((1024, 1024)), _random((1024, 1024))], 1e-3, True),
    "matmul odd panels": (matmul, [_random((300, 700)), _random((700, 520))], 1e-3, True),
    "batch_matmul f64": (matmul, [_random((4, 128, 256), np.float64), _random((4, 256, 200), np.float64)], 1e-9, True),
    "conv+bias+relu": (conv_relu, [_random((1, 32, 56, 56)), _random((64, 32, 3, 3)), _random(64)], 1e-4, True),
    "conv stride 2": (conv_stride2, [_random((1, 3, 224, 224)), _random((32, 3, 3, 3))], 1e-4, True),
    "1x1 conv, 16 filters": (pointwise, [_random((1, 32, 112, 112)), _random((16, 32, 1, 1))], 1e-4, True),
    "depthwise": (depthwise, [_random((1, 32, 112, 112)), _random((32, 1, 3, 3))], 1e-4, True),
    "max_pool": (max_pool, [_random((1, 64, 112, 112))], 0, True),
    "row mean": (row_mean, [_random((1000, 1000))], 1e-5, True),
    "softmax rows": (softmax_rows, [_random((256, 1000))], 1e-6, True),
    "layer_norm rows": (layer_norm_rows, [_random((256, 768)), _random(768), _random(768)], 1e-5, True),
    "layer_norm few rows": (layer_norm_rows, [_random((4, 768)), _random(768), _random(768)], 1e-5, False),
}


def _types(args) -> list[TensorType]:
    names = {dtype: name for name, dtype in NUMPY_DTYPES.items()}
    return [TensorType(names[a.dtype], a.shape) for a in args]


@pytest.fixture(autouse=True)
def no_thread_variable(monkeypatch):
    monkeypatch.delenv(THREADS_VARIABLE, raising=False)


@pytest.mark.parametrize("case", CASES)
def test_results_do_not_depend_on_the_thread_count(case):
    fn, args, tolerance, splits = CASES[case]
    results = {}
    for threads in (1, 2, 3):
        compiled = fxn.compile(fn, threads=threads)
        results[threads] = np.asarray(compiled(*args))
        module = str(compiled.concrete_function(_types(args)).lowered.module)
        assert ("omp.parallel" in module) == (splits and threads > 1), (case, threads)
    for threads in (2, 3):
        assert results[threads].tobytes() == results[1].tobytes(), (case, threads)
    expected = _torch(fn)(*args)
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(results[1], expected, rtol=0, atol=tolerance * scale)


def test_thread_count_is_the_num_threads_clause():
    """threads=N asks each parallel region for N threads; the default asks for none (the runtime's: every core)."""
    args = CASES["elementwise 1080x1920"][1]
    for threads, pushed in ((3, True), (None, False)):
        lowered = fxn.compile(scale_add, threads=threads).lower(_types(args), "host")
        text = llvm_ir(lowered.module)
        assert "@__kmpc_fork_call" in text
        calls = re.findall(r"call void @__kmpc_push_num_threads\(ptr @\w+, i32 %[\w.]+, i32 (\d+)\)", text)
        assert calls == (["3"] * len(calls) if pushed else []) and (calls or not pushed)


def test_thread_variable_sets_the_default(monkeypatch):
    args = CASES["elementwise 1080x1920"][1]
    monkeypatch.setenv(THREADS_VARIABLE, "1")
    assert "omp." not in str(fxn.compile(scale_add).lower(_types(args), "host").module)
    monkeypatch.setenv(THREADS_VARIABLE, "2")
    assert "omp.parallel" in str(fxn.compile(scale_add).lower(_types(args), "host").module)
    # An explicit count wins over the variable.
    assert "omp." not in str(fxn.compile(scale_add, threads=1).lower(_types(args), "host").module)


@pytest.mark.parametrize("value", ["0", "two", "-3", "1.5"])
def test_bad_thread_variable_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv(THREADS_VARIABLE, value)
    with pytest.raises(ValueError, match=f"{THREADS_VARIABLE} must be a whole number >= 1, not '{value}'"):
        fxn.compile(scale_add)(*CASES["elementwise 1-D"][1])


@pytest.mark.parametrize("threads, error, message", [
    (0, ValueError, "threads must be >= 1, not 0"),
    (-2, ValueError, "threads must be >= 1, not -2"),
    ("4", TypeError, "threads must be an int >= 1 or None, not str"),
    (2.0, TypeError, "threads must be an int >= 1 or None, not float"),
    (True, TypeError, "threads must be an int >= 1 or None, not bool"),
])
def test_bad_thread_count_is_refused_at_the_decorator(threads, error, message):
    with pytest.raises(error, match=message):
        fxn.compile(scale_add, threads=threads)


def test_targets_without_threads_compile_serial_code():
    """Only a target declaring threads parallelizes: the others' pipelines split nothing, whatever is asked."""
    for spec in ("neon", "wasm_simd"):
        text = pipeline_text(spec, threads=4)
        assert "fxn-parallelize{chunks=1 " in text and "chunks=1}" in text and "num-threads=0" in text
    host = pipeline_text("host", threads=4)
    assert "fxn-parallelize{chunks=4 " in host and "convert-scf-to-openmp{num-threads=4}" in host
    from fxn.backends import resolve_target

    assert not thread_plan(8, resolve_target("wasm_simd")[1]).parallel
    assert thread_plan(None, resolve_target("host")[1]).num_threads == 0


def test_destination_entry_runs_on_threads():
    x, y = CASES["elementwise 1080x1920"][1]
    compiled = fxn.compile(scale_add, threads=2)
    out = np.empty_like(x)
    assert compiled(x, y, out=out) is out
    assert out.tobytes() == fxn.compile(scale_add, threads=1)(x, y).tobytes()


PREDICTOR = """
import fxn
import torch

@fxn.compile(threads=2)
def blur(x: fxn.Tensor[fxn.f32, 1, 8, 128, 128], w: fxn.Tensor[fxn.f32, 16, 8, 3, 3]) -> fxn.Tensor[fxn.f32, 1, 16, 128, 128]:
    return torch.nn.functional.conv2d(x, w, padding=1)
"""


def test_artifact_links_the_openmp_runtime(tmp_path):
    """fxn compile of a threaded predictor: a library needing libomp.so.5, said in the manifest and the header,
    called through its C ABI with the same results as the JIT's."""
    source = tmp_path / "blur.py"
    source.write_text(textwrap.dedent(PREDICTOR))
    out = tmp_path / "out"
    result = subprocess.run([FXN, "compile", str(source), "-o", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "blur.json").read_text())
    assert manifest["libraries"] == [OPENMP_LIBRARY]
    assert "__kmpc_fork_call" in manifest["imports"]
    assert OPENMP_LIBRARY in (out / "blur.h").read_text()
    needed = subprocess.run(["llvm-readelf-22", "--dynamic", str(out / "libblur.so")], capture_output=True,
                            text=True, check=True).stdout
    assert f"[{OPENMP_LIBRARY}]" in needed

    x, w = _random((1, 8, 128, 128)), _random((16, 8, 3, 3))
    library = ctypes.CDLL(str(out / manifest["library"]))
    descriptors = [descriptor_type(4)(a.ctypes.data, a.ctypes.data, 0, a.shape, tuple(s // 4 for s in a.strides))
                   for a in (x, w)]
    result, status = descriptor_type(4)(), Status()
    getattr(library, manifest["predictors"][0]["symbols"]["memref"])(
        ctypes.byref(result), *map(ctypes.byref, descriptors), ctypes.byref(status))
    assert status.site == 0
    computed = np.ctypeslib.as_array(ctypes.cast(result.aligned, ctypes.POINTER(ctypes.c_float)), (1, 16, 128, 128))
    computed = computed.copy()
    ctypes.CDLL(ctypes.util.find_library("c")).free(ctypes.c_void_p(result.allocated))
    expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1).numpy()
    np.testing.assert_allclose(computed, expected, rtol=0, atol=1e-4 * float(np.abs(expected).max()))
    assert computed.tobytes() == np.asarray(fxn.compile(threads=1)(_blur)(x, w)).tobytes()


def _blur(x, w):
    return F.conv2d(x, w, padding=1)


def test_without_the_openmp_runtime_the_default_is_serial_and_asking_for_threads_says_so(monkeypatch):
    import fxn.threads as threads

    monkeypatch.setattr(threads, "OPENMP_LIBRARY", "libomp-missing.so.5")
    threads.openmp_runtime.cache_clear()
    try:
        args = CASES["elementwise 1080x1920"][1]
        assert "omp." not in str(fxn.compile(scale_add).lower(_types(args), "host").module)
        with pytest.raises(threads.OpenMPMissing, match=r"libomp-missing\.so\.5 does not load .*threads=1"):
            fxn.compile(scale_add, threads=2)(*args)
    finally:
        threads.openmp_runtime.cache_clear()
