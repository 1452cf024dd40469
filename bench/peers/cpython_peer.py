"""CPython: the loops as written, run by the interpreter (Python floats are f64)."""

from bench import workloads
from bench.timing import PythonCalls


def loops() -> dict:
    x, y, z = workloads.LOOP_X, workloads.LOOP_Y, workloads.LOOP_Z
    return {
        case: PythonCalls(workloads.fma_as_written, x, y, z, n_iter) if kernel == "as_written"
        else PythonCalls(workloads.fma_chain, x, z, n_iter)
        for case, kernel, n_iter in workloads.loop_cases()
    }


SECTIONS = {"a": loops}
