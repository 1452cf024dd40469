"""C built with ``clang-22 -O3 -march=native`` at benchmark time; kernels timed inside C, overhead through ctypes."""

from __future__ import annotations

import ctypes
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from bench import workloads
from bench.timing import PositionChecked

SOURCES = Path(__file__).resolve().parent.parent / "c"
COMPILER = ["clang-22", "-O3", "-march=native", "-shared", "-fPIC"]

f32, i64, f64 = ctypes.c_float, ctypes.c_long, ctypes.c_double
pointer = ctypes.c_void_p


def build() -> ctypes.CDLL:
    """Compile bench/c/*.c into a shared library in a temporary directory and load it."""
    with tempfile.TemporaryDirectory(prefix="fxn-bench-") as build_dir:
        library = Path(build_dir) / "libbench.so"
        subprocess.run([*COMPILER, *sorted(map(str, SOURCES.glob("*.c"))), "-o", str(library)], check=True)
        return ctypes.CDLL(str(library))  # stays mapped after the directory is removed


def declare(library: ctypes.CDLL, name: str, restype, *argtypes):
    function = getattr(library, name)
    function.restype, function.argtypes = restype, list(argtypes)
    return function


class TimedScalarKernel:
    """A batch timed by ``time_*(args..., calls, &result)`` in C: no Python in the loop."""

    def __init__(self, timer, *args):
        self.timer = timer
        self.args = args
        self.slot = ctypes.c_float()
        self.result = None

    def __call__(self, count: int) -> float:
        elapsed = self.timer(*self.args, count, ctypes.byref(self.slot))
        self.result = self.slot.value
        return elapsed


class TimedArrayKernel:
    """A batch timed by ``time_*(inputs..., out, n, calls)`` in C; keeps the arrays alive, ``out`` is the result."""

    def __init__(self, timer, inputs: list[np.ndarray], out: np.ndarray):
        self.timer = timer
        self.arrays = [*inputs, out]
        self.result = out

    def __call__(self, count: int) -> float:
        return self.timer(*(a.ctypes.data for a in self.arrays), self.result.size, count)


def loops() -> dict:
    library = build()
    as_written = declare(library, "time_fma_as_written", f64, f32, f32, f32, i64, i64, ctypes.POINTER(f32))
    chain = declare(library, "time_fma_chain", f64, f32, f32, i64, i64, ctypes.POINTER(f32))
    x, y, z = workloads.LOOP_X, workloads.LOOP_Y, workloads.LOOP_Z
    return {
        case: TimedScalarKernel(as_written, x, y, z, n_iter) if kernel == "as_written"
        else TimedScalarKernel(chain, x, z, n_iter)
        for case, kernel, n_iter in workloads.loop_cases()
    }


def arrays() -> dict:
    timer = declare(build(), "time_fma_array", f64, pointer, pointer, pointer, pointer, i64, i64)
    results = {}
    for case, n in workloads.array_cases():
        inputs = workloads.float_arrays(n)
        results[case] = TimedArrayKernel(timer, inputs, np.empty_like(inputs[0]))
    return results


def overhead() -> dict:
    library = build()
    add_scalars = declare(library, "add_scalars", f32, f32, f32)
    mul_add = declare(library, "mul_add_arrays", None, pointer, pointer, pointer, pointer, pointer, i64)
    out = np.empty(workloads.OVERHEAD_ARRAY_SIZE, np.float32)

    def mul_add_arrays(a, b, c, d):
        mul_add(a.ctypes.data, b.ctypes.data, c.ctypes.data, d.ctypes.data, out.ctypes.data, a.size)
        return out

    return workloads.overhead_calls(add_scalars, mul_add_arrays)


class TimedResultKernel:
    """A batch timed by ``time_*(args..., calls, out)`` in C, whose kernel allocates its result (freed per call);
    a last, untimed call's result is copied into ``out``, which is the result."""

    def __init__(self, timer, args: tuple, out: np.ndarray):
        self.timer = timer
        self.args = args  # keeps array arguments alive
        self.result = out

    def __call__(self, count: int) -> float:
        arguments = (a.ctypes.data if isinstance(a, np.ndarray) else a for a in self.args)
        return self.timer(*arguments, count, self.result.ctypes.data)


def python_loops() -> dict:
    library = build()
    mandelbrot = declare(library, "time_mandelbrot", f64, i64, i64, i64, i64, pointer)
    stencil = declare(library, "time_stencil", f64, pointer, i64, i64, pointer)
    results = {}
    for case, kernel, args in workloads.python_loop_cases():
        if kernel == "mandelbrot":
            width, height, _ = args
            batch = TimedResultKernel(mandelbrot, args, np.empty((height, width), np.int32))
        else:
            (x,) = args
            batch = TimedResultKernel(stencil, (x, x.size), np.empty_like(x))
        results[case] = PositionChecked(batch)
    return results


def peak() -> dict:
    """Section (f)'s measure of the machine: independent vector FMA chains (bench/c/peak.c)."""
    library = build()
    timer = declare(library, "time_fma_peak", f64, i64, ctypes.POINTER(f32))
    flops = declare(library, "fma_peak_flops", i64)()
    if flops != workloads.PEAK_FLOPS_PER_CALL:
        raise RuntimeError(f"bench/c/peak.c does {flops} flops a call, workloads.PEAK_FLOPS_PER_CALL says "
                           f"{workloads.PEAK_FLOPS_PER_CALL}")

    class Peak:
        slot = ctypes.c_float()
        result = None

        def __call__(self, count: int) -> float:
            elapsed = timer(count, ctypes.byref(self.slot))
            self.result = self.slot.value
            return elapsed

    return {workloads.PEAK_CASE: Peak()}


SECTIONS = {"a": loops, "b": arrays, "c": overhead, "e": python_loops, "f": peak}
