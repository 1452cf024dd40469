"""fxn: the same kernels through ``@fxn.compile``; the preprocessing predictor is the torch peer's code."""

from __future__ import annotations

import numpy as np

import fxn
from bench import workloads
from bench.timing import PositionChecked, PythonCalls, skipped


def loops() -> dict:
    # The peers contract (C's FP_CONTRACT ON, numba fastmath=True): so does fxn, by request.
    as_written = fxn.compile(fast_math=True)(workloads.fma_as_written)
    chain = fxn.compile(fast_math=True)(workloads.fma_chain)
    x, y, z = workloads.LOOP_X, workloads.LOOP_Y, workloads.LOOP_Z
    return {
        case: PythonCalls(as_written, x, y, z, n_iter) if kernel == "as_written" else PythonCalls(chain, x, z, n_iter)
        for case, kernel, n_iter in workloads.loop_cases()
    }


@fxn.compile
def fma_array(x, y, z):
    return x * y + z


def fma_array_into(x, y, z, out):
    return fma_array(x, y, z, out=out)


def arrays() -> dict:
    """Each case twice: the result in a new array, and written into a preallocated one (``out=``)."""
    results = {}
    for case, n in workloads.array_cases():
        inputs = workloads.float_arrays(n)
        results[case] = PythonCalls(fma_array, *inputs)
        results[f"fxn out= {case}"] = PythonCalls(fma_array_into, *inputs, np.empty_like(inputs[0]))
    return results


add_scalars = fxn.compile(workloads.add_scalars)
mul_add_arrays = fxn.compile(workloads.mul_add_arrays)


def overhead() -> dict:
    return workloads.overhead_calls(add_scalars, mul_add_arrays)


def preprocessing() -> dict:
    """The torch peer's own code (``interpolate`` then normalize) through ``@fxn.compile``, on the uint8 image."""
    import torch

    from bench.peers.torch_peer import normalized

    preprocess = fxn.compile(normalized)
    mean = torch.tensor(workloads.MEAN).reshape(3, 1, 1)
    std = torch.tensor(workloads.STD).reshape(3, 1, 1)
    return {case: PythonCalls(preprocess, workloads.image(shape), mean, std) for case, shape in workloads.image_cases()}


def python_loops() -> dict:
    """The kernels as written, by plain ``fxn.compile`` (no fast_math, as numba's plain njit).

    Each case is run once here (a kernel compiles at its first call); a
    kernel fxn cannot compile or run is skipped, fxn's message in the notes.
    """
    kernels = {"mandelbrot": fxn.compile(workloads.mandelbrot), "stencil": fxn.compile(workloads.stencil)}
    results, failed = {}, {}
    for case, kernel, args in workloads.python_loop_cases():
        if kernel not in failed:
            try:
                kernels[kernel](*args)
            except Exception as error:  # noqa: BLE001 - any failure is reported; the other peers carry on
                message = (str(error).strip().splitlines() or [""])[0]
                failed[kernel] = f"(e) fxn fails on {kernel} ({case}): {type(error).__name__}: {message}"
        results[case] = skipped("fails") if kernel in failed else PositionChecked(PythonCalls(kernels[kernel], *args))
    return {**results, "notes": list(failed.values())}


def heavy_ops() -> dict:
    """Section (f)'s torch kernels through plain ``@fxn.compile`` (compiled at a first call before timing); a
    kernel fxn cannot compile or run is skipped, fxn's message in the notes."""
    from bench.torch_kernels import KERNELS

    results, notes = {}, []
    for case, kernel, _ in workloads.HEAVY_CASES:
        compiled, inputs = fxn.compile(KERNELS[kernel]), workloads.heavy_inputs(case)
        try:
            compiled(*inputs)
        except Exception as error:  # noqa: BLE001 - any failure is reported; the other peers carry on
            message = (str(error).strip().splitlines() or [""])[0]
            notes.append(f"(f) fxn fails on {case}: {type(error).__name__}: {message}")
            results[case] = skipped("fails")
            continue
        results[case] = PositionChecked(PythonCalls(compiled, *inputs))
    return {**results, "notes": notes}


def networks() -> dict:
    """Section (g): the predictors of examples/cnn.py (compiled at a first call before timing)."""
    cnn = workloads.cnn_example()
    results = {}
    for case, kernel in workloads.NETWORK_CASES:
        predictor, frame = getattr(cnn, kernel), workloads.network_input(kernel)
        predictor(frame)
        results[case] = PositionChecked(PythonCalls(predictor, frame))
    return results


SECTIONS = {"a": loops, "b": arrays, "c": overhead, "d": preprocessing, "e": python_loops, "f": heavy_ops,
            "g": networks}
