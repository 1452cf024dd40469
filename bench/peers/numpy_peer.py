"""numpy: ``x*y + z`` with temporaries, with ``out=``, and ``np.copyto`` for the memory bandwidth; section (f)'s
reductions, softmax, layer_norm and matmul (its BLAS, one thread)."""

import numpy as np

from bench import workloads
from bench.timing import PythonCalls


def fma(x, y, z):
    return x * y + z


def fma_into(x, y, z, out):
    np.multiply(x, y, out=out)
    return np.add(out, z, out=out)


def copy_into(source, out):
    np.copyto(out, source)
    return out


def arrays() -> dict:
    results = {}
    for case, n in workloads.array_cases():
        x, y, z = workloads.float_arrays(n)
        out = np.empty_like(x)
        results[f"numpy {case}"] = PythonCalls(fma, x, y, z)
        results[f"numpy out= {case}"] = PythonCalls(fma_into, x, y, z, out)
        results[f"copyto {case}"] = PythonCalls(copy_into, x, out)
    return results


def softmax_rows(x):
    exp = np.exp(x - x.max(-1, keepdims=True))
    return exp / exp.sum(-1, keepdims=True)


def layer_norm_rows(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdims=True)
    centered = x - mean
    variance = np.mean(centered * centered, -1, keepdims=True)
    return centered / np.sqrt(variance + eps) * weight + bias


HEAVY_KERNELS = {"sum": np.sum, "mean_rows": lambda x: x.mean(-1), "softmax": softmax_rows,
                 "layer_norm": layer_norm_rows, "matmul": np.matmul}


def heavy_ops() -> dict:
    return workloads.heavy_calls(HEAVY_KERNELS, dict.fromkeys(("conv_stride2", "conv", "depthwise"), "no conv2d"))


SECTIONS = {"b": arrays, "f": heavy_ops}
