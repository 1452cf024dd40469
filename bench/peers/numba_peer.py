"""numba: the same Python source compiled by ``numba.njit`` (compilation happens before timing)."""

import numba
import numpy as np

from bench import workloads
from bench.timing import PositionChecked, PythonCalls

fastmath = numba.njit(fastmath=True)


def loops() -> dict:
    as_written, chain = fastmath(workloads.fma_as_written), fastmath(workloads.fma_chain)
    x, y, z = (np.float32(v) for v in (workloads.LOOP_X, workloads.LOOP_Y, workloads.LOOP_Z))
    return {
        case: PythonCalls(as_written, x, y, z, n_iter) if kernel == "as_written" else PythonCalls(chain, x, z, n_iter)
        for case, kernel, n_iter in workloads.loop_cases()
    }


@numba.njit
def fma_array(x, y, z):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = x[i] * y[i] + z[i]
    return out


def arrays() -> dict:
    results = {}
    for case, n in workloads.array_cases():
        x, y, z = workloads.float_arrays(n)
        results[case] = PythonCalls(fma_array, x, y, z)
    return results


add_scalars = numba.njit(workloads.add_scalars)
mul_add_arrays = numba.njit(workloads.mul_add_arrays)


def overhead() -> dict:
    return workloads.overhead_calls(add_scalars, mul_add_arrays)


@numba.njit(fastmath=True)
def preprocess(image, out_h, out_w, mean, std):
    """Bilinear resize with half-pixel centres, then (pixel - mean) / std, written CHW."""
    h, w, channels = image.shape
    x0 = np.empty(out_w, np.int64)
    x1 = np.empty(out_w, np.int64)
    tx = np.empty(out_w, np.float32)
    for j in range(out_w):
        sx = max((j + 0.5) * (w / out_w) - 0.5, 0.0)
        x0[j] = min(int(sx), w - 1)
        x1[j] = min(x0[j] + 1, w - 1)
        tx[j] = sx - x0[j]
    out = np.empty((channels, out_h, out_w), np.float32)
    for c in range(channels):
        for i in range(out_h):
            sy = max((i + 0.5) * (h / out_h) - 0.5, 0.0)
            y0 = min(int(sy), h - 1)
            y1 = min(y0 + 1, h - 1)
            ty = np.float32(sy - y0)
            for j in range(out_w):
                top = image[y0, x0[j], c] * (1 - tx[j]) + image[y0, x1[j], c] * tx[j]
                bottom = image[y1, x0[j], c] * (1 - tx[j]) + image[y1, x1[j], c] * tx[j]
                out[c, i, j] = (top * (1 - ty) + bottom * ty - mean[c]) / std[c]
    return out


def preprocessing() -> dict:
    mean, std = np.array(workloads.MEAN, np.float32), np.array(workloads.STD, np.float32)
    results = {}
    for case, shape in workloads.image_cases():
        image = workloads.image(shape)
        results[case] = PythonCalls(preprocess, image, *workloads.OUTPUT_SIZE, mean, std)
    return results


def python_loops() -> dict:
    """The kernels as written, by plain ``numba.njit`` (no fastmath: one rounding per operation, as in Python)."""
    kernels = {"mandelbrot": numba.njit(workloads.mandelbrot), "stencil": numba.njit(workloads.stencil)}
    return {case: PositionChecked(PythonCalls(kernels[kernel], *args))
            for case, kernel, args in workloads.python_loop_cases()}


# Section (f): loops with fastmath, so that LLVM may reorder the sums into vector accumulators.


@numba.njit(fastmath=True)
def sum_all(x):
    total = np.float32(0)
    for i in range(x.size):
        total += x[i]
    return total


@numba.njit(fastmath=True)
def mean_rows(x):
    rows, n = x.shape
    out = np.empty(rows, np.float32)
    for r in range(rows):
        total = np.float32(0)
        for i in range(n):
            total += x[r, i]
        out[r] = total / n
    return out


@numba.njit(fastmath=True)
def softmax_rows(x):
    rows, n = x.shape
    out = np.empty_like(x)
    for r in range(rows):
        largest = x[r, 0]
        for i in range(n):
            largest = max(largest, x[r, i])
        total = np.float32(0)
        for i in range(n):
            out[r, i] = np.exp(x[r, i] - largest)
            total += out[r, i]
        scale = np.float32(1) / total
        for i in range(n):
            out[r, i] *= scale
    return out


@numba.njit(fastmath=True)
def layer_norm_rows(x, weight, bias):
    rows, n = x.shape
    out = np.empty_like(x)
    for r in range(rows):
        total = np.float32(0)
        for i in range(n):
            total += x[r, i]
        mean = total / n
        squares = np.float32(0)
        for i in range(n):
            squares += (x[r, i] - mean) * (x[r, i] - mean)
        scale = np.float32(1) / np.sqrt(squares / n + np.float32(1e-5))
        for i in range(n):
            out[r, i] = (x[r, i] - mean) * scale * weight[i] + bias[i]
    return out


HEAVY_KERNELS = {"sum": sum_all, "mean_rows": mean_rows, "softmax": softmax_rows, "layer_norm": layer_norm_rows}
HEAVY_SKIPS = {"matmul": "@ is numpy's BLAS", "conv_stride2": "no conv2d", "conv": "no conv2d",
               "depthwise": "no conv2d"}


def heavy_ops() -> dict:
    return workloads.heavy_calls(HEAVY_KERNELS, HEAVY_SKIPS)


SECTIONS = {"a": loops, "b": arrays, "c": overhead, "d": preprocessing, "e": python_loops, "f": heavy_ops}
