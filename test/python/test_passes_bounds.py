"""fxn-canonicalize and fxn-constant-fold never expand a splat past their element bound.

A splat constant stands for any number of elements; expanding one of
4096x4096 f32 would take 64 MiB, of 100000x100000 37 GiB, and one of
4294967296x4294967296 cannot even be counted in an int64.
"""

import time
import tracemalloc

import pytest

from fxn.dialects import new_context
from fxn.pipeline import build_pipeline
from fxn.source import parse_module

SHAPES = ["4096x4096", "100000x100000", "4294967296x4294967296"]


def ops_on_splats(shape: str) -> str:
    t = f"tensor<{shape}xf32>"
    return f"""
    func.func @f(%x: {t}) -> ({t}, {t}, {t}, tensor<2x3xf32>, tensor<f32>) {{
      %one = "fxn.constant"() {{value = dense<1.0> : {t}}} : () -> {t}
      %two = "fxn.constant"() {{value = dense<2.0> : {t}}} : () -> {t}
      %s = "fxn.constant"() {{value = dense<3.0> : tensor<f32>}} : () -> tensor<f32>
      %0 = "fxn.mul"(%x, %one) : ({t}, {t}) -> {t}
      %1 = "fxn.add"(%two, %two) : ({t}, {t}) -> {t}
      %2 = "fxn.broadcast_to"(%s) {{shape = array<i64: {shape.replace("x", ", ")}>}} : (tensor<f32>) -> {t}
      %3 = "fxn.slice"(%two) {{limits = array<i64: 2, 3>, starts = array<i64: 0, 0>, strides = array<i64: 1, 1>}} : ({t}) -> tensor<2x3xf32>
      %4 = "fxn.reduce"(%two) {{axes = array<i64: 0, 1>, keepdims = false, kind = "sum"}} : ({t}) -> tensor<f32>
      return %0, %1, %2, %3, %4 : {t}, {t}, {t}, tensor<2x3xf32>, tensor<f32>
    }}
    """


def run_measured(pipeline: str, text: str) -> tuple[str, int, float]:
    """The module after ``pipeline``, the pass's peak traced allocation in bytes and its seconds."""
    context = new_context()
    module = parse_module(text, "<test>", context)
    pass_manager, _ = build_pipeline(pipeline, context)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with context:
            pass_manager.run(module.operation)
    finally:
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return str(module), peak, seconds


@pytest.mark.parametrize("shape", SHAPES)
def test_canonicalize_reads_splats_as_one_value(shape):
    result, peak, seconds = run_measured("builtin.module(func.func(fxn-canonicalize))", ops_on_splats(shape))
    assert peak < 4 * 2**20 and seconds < 10
    assert '"fxn.mul"' not in result  # x * 1 folded
    assert '"fxn.add"' in result and '"fxn.reduce"' in result


@pytest.mark.parametrize("shape", SHAPES)
def test_constant_fold_folds_splats_as_splats(shape):
    result, peak, seconds = run_measured("builtin.module(fxn-constant-fold)", ops_on_splats(shape))
    assert peak < 4 * 2**20 and seconds < 10
    assert f"dense<4.000000e+00> : tensor<{shape}xf32>" in result  # 2 + 2
    assert f"dense<3.000000e+00> : tensor<{shape}xf32>" in result  # broadcast_to
    assert "dense<2.000000e+00> : tensor<2x3xf32>" in result  # slice
    assert '"fxn.reduce"' in result and '"fxn.mul"' in result  # would need the elements / not constant
    assert '"fxn.add"' not in result and '"fxn.broadcast_to"' not in result and '"fxn.slice"' not in result
