"""CPython: the loops as written, run by the interpreter (Python floats are f64)."""

from bench import workloads
from bench.timing import PositionChecked, PythonCalls, skipped


def loops() -> dict:
    x, y, z = workloads.LOOP_X, workloads.LOOP_Y, workloads.LOOP_Z
    return {
        case: PythonCalls(workloads.fma_as_written, x, y, z, n_iter) if kernel == "as_written"
        else PythonCalls(workloads.fma_chain, x, z, n_iter)
        for case, kernel, n_iter in workloads.loop_cases()
    }


def python_loops() -> dict:
    """The kernels as written, but Mandelbrot on the small grid only (the large one takes seconds a call)."""
    kernels = {"mandelbrot": workloads.mandelbrot, "stencil": workloads.stencil}
    return {
        case: skipped("too slow") if kernel == "mandelbrot" and args[:2] != workloads.MANDELBROT_SMALL
        else PositionChecked(PythonCalls(kernels[kernel], *args))
        for case, kernel, args in workloads.python_loop_cases()
    }


SECTIONS = {"a": loops, "e": python_loops}
