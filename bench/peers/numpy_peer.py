"""numpy: ``x*y + z`` with temporaries, with ``out=``, and ``np.copyto`` for the memory bandwidth."""

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


SECTIONS = {"b": arrays}
