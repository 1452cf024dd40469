"""fxn: the same kernels through ``@fxn.compile``; the preprocessing predictor as fxn IR (it takes a uint8 image)."""

from __future__ import annotations

import numpy as np

import fxn
from bench import workloads
from bench.timing import PythonCalls, skipped
from fxn.backends import host_backend
from fxn.compiler import entry_points, jit, lower_to_llvm
from fxn.dialects import new_context
from fxn.runtime import Executable
from fxn.source import parse_module


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
    arrays_ = workloads.float_arrays(workloads.OVERHEAD_ARRAY_SIZE, count=4)
    return {
        "2 scalars": PythonCalls(add_scalars, 1.0, 2.0),
        "4 arrays": PythonCalls(mul_add_arrays, *arrays_),
    }


def compile_ir(text: str, name: str) -> Executable:
    """Function ``name`` of an fxn IR module, compiled for the host."""
    backend, _ = host_backend()
    module = parse_module(text, "bench.mlir", new_context())
    signature = entry_points(module)[name]
    lower_to_llvm(module, backend.name)
    return Executable(jit(module), name, signature.args, signature.results)


def preprocess_ir(shape) -> str:
    """The predictor in fxn IR. fxn has no u8: the image comes as an i8 view and is widened back."""
    h, w, c = shape
    out_h, out_w = workloads.OUTPUT_SIZE
    image, chw, pixels = f"tensor<{h}x{w}x{c}xi8>", f"tensor<{c}x{h}x{w}xi8>", f"tensor<{c}x{h}x{w}xf32>"
    mask, result, channel = f"tensor<{c}x{h}x{w}xi1>", f"tensor<{c}x{out_h}x{out_w}xf32>", "tensor<3x1x1xf32>"

    def per_channel(values):
        return "[" + ", ".join(f"[[{v}]]" for v in values) + "]"

    return f"""
func.func @preprocess(%image: {image}) -> {result} {{
  %chw = "fxn.transpose"(%image) {{permutation = array<i64: 2, 0, 1>}} : ({image}) -> {chw}
  %signed = "fxn.cast"(%chw) : ({chw}) -> {pixels}
  %zero = "fxn.constant"() {{value = dense<0.0> : tensor<f32>}} : () -> tensor<f32>
  %wrap = "fxn.constant"() {{value = dense<256.0> : tensor<f32>}} : () -> tensor<f32>
  %negative = "fxn.compare"(%signed, %zero) {{predicate = "lt"}} : ({pixels}, tensor<f32>) -> {mask}
  %wrapped = "fxn.add"(%signed, %wrap) : ({pixels}, tensor<f32>) -> {pixels}
  %unsigned = "fxn.select"(%negative, %wrapped, %signed) : ({mask}, {pixels}, {pixels}) -> {pixels}
  %resized = "fxn.resize"(%unsigned) {{align_corners = false, antialias = false, mode = "bilinear", size = array<i64: {out_h}, {out_w}>}} : ({pixels}) -> {result}
  %mean = "fxn.constant"() {{value = dense<{per_channel(workloads.MEAN)}> : {channel}}} : () -> {channel}
  %std = "fxn.constant"() {{value = dense<{per_channel(workloads.STD)}> : {channel}}} : () -> {channel}
  %centered = "fxn.sub"(%resized, %mean) : ({result}, {channel}) -> {result}
  %normalized = "fxn.div"(%centered, %std) : ({result}, {channel}) -> {result}
  return %normalized : {result}
}}
"""


def preprocessing() -> dict:
    results = {"notes": ["(d) fxn: the predictor as fxn IR taking an i8 view of the image "
                         "(@fxn.compile refuses uint8 arrays: fxn has no u8 type yet)"]}
    for case, shape in workloads.image_cases():
        try:
            preprocess = compile_ir(preprocess_ir(shape), "preprocess")
        except Exception as error:  # a lowering fxn lacks: the table says so and the other columns still run
            results[case] = skipped(f"n/a ({str(error).splitlines()[0][:80]})")
            continue
        results[case] = PythonCalls(preprocess, workloads.image(shape).view(np.int8))
    return results


SECTIONS = {"a": loops, "b": arrays, "c": overhead, "d": preprocessing}
