"""Vectorization on the host: the target's vector width in the generated code, results equal to the interpreter's."""

import numpy as np
import pytest

import fxn
from fxn.backends import host_target
from fxn.compiler import entry_points, jit, lower_to_llvm, pipeline_text
from fxn.dialects import new_context
from fxn.mlir import llvm
from fxn.pipeline import build_pipeline
from fxn.runtime import Executable
from fxn.source import parse_module

MODULE = """
func.func @fma(%x: tensor<?xf32>, %y: tensor<?xf32>, %z: tensor<?xf32>) -> tensor<?xf32> {
  %0 = "fxn.fma"(%x, %y, %z) : (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
func.func @mul_add(%x: tensor<?xf32>, %y: tensor<?xf32>, %z: tensor<?xf32>) -> tensor<?xf32> {
  %0 = "fxn.mul"(%x, %y) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %1 = "fxn.add"(%0, %z) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %1 : tensor<?xf32>
}
func.func @fma_rows(%x: tensor<?x?xf32>, %y: tensor<?xf32>, %z: tensor<f32>) -> tensor<?x?xf32> {
  %0 = "fxn.fma"(%x, %y, %z) : (tensor<?x?xf32>, tensor<?xf32>, tensor<f32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
func.func @fma_static(%x: tensor<1003xf32>, %y: tensor<1003xf32>, %z: tensor<1003xf32>) -> tensor<1003xf32> {
  %0 = "fxn.fma"(%x, %y, %z) : (tensor<1003xf32>, tensor<1003xf32>, tensor<1003xf32>) -> tensor<1003xf32>
  return %0 : tensor<1003xf32>
}
func.func @mul_i8(%x: tensor<?xi8>, %y: tensor<?xi8>) -> tensor<?xi8> {
  %0 = "fxn.mul"(%x, %y) : (tensor<?xi8>, tensor<?xi8>) -> tensor<?xi8>
  return %0 : tensor<?xi8>
}
func.func @chain(%x: tensor<f32>, %z: tensor<f32>, %n: tensor<i32>) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %count = tensor.extract %n[] : tensor<i32>
  %end = arith.index_cast %count : i32 to index
  %r = scf.for %i = %c0 to %end step %c1 iter_args(%acc = %z) -> (tensor<f32>) {
    %m = "fxn.mul"(%acc, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %a = "fxn.add"(%m, %z) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    scf.yield %a : tensor<f32>
  }
  return %r : tensor<f32>
}
"""

SIZES = [0, 1, 7, 8, 9, 1000]


@pytest.fixture(scope="module")
def host():
    backend, target = host_target()
    return backend.name, target


@pytest.fixture(scope="module")
def compiled(host):
    """``(functions by name, LLVM IR text)`` of MODULE compiled once for the host."""
    module = parse_module(MODULE, "vectorize.mlir", new_context())
    signatures = entry_points(module)
    lower_to_llvm(module, host[0], fast_math=True)  # mul_add below checks the contraction
    llvm_ir = str(llvm.translate_module_to_llvmir(module.operation))
    engine = jit(module)
    return {name: Executable(engine, name, s.args, s.results) for name, s in signatures.items()}, llvm_ir


def random_f32(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def test_fma_uses_one_register_of_the_target_per_vector(compiled, host):
    lanes = host[1].lanes(32)
    llvm_ir = compiled[1]
    assert lanes > 1
    assert f"@llvm.fma.v{lanes}f32(" in llvm_ir
    assert f"@llvm.masked.load.v{lanes}f32" in llvm_ir  # the remainder of a dynamic size
    # The multiply and add of x*y+z are allowed to contract; LLVM fuses them into the same FMA.
    assert f"fmul contract <{lanes} x float>" in llvm_ir and f"fadd contract <{lanes} x float>" in llvm_ir


@pytest.mark.parametrize("size", SIZES)
def test_dynamic_sizes_match_the_interpreter(compiled, size):
    functions = compiled[0]
    x, y, z = (random_f32(size, seed) for seed in range(3))
    expected = fxn.interpret(MODULE, x, y, z, entry="fma")
    np.testing.assert_array_equal(functions["fma"](x, y, z)[0], expected)
    # Contracted x*y+z rounds once, exactly as fxn.fma does.
    np.testing.assert_array_equal(functions["mul_add"](x, y, z)[0], expected)


@pytest.mark.parametrize("shape", [(3, 0), (2, 1), (3, 9), (5, 16), (4, 1001)])
def test_broadcast_rows_and_static_remainder_match_the_interpreter(compiled, shape):
    functions = compiled[0]
    x, y, z = random_f32(shape, 0), random_f32(shape[-1], 1), random_f32((), 2)
    expected = fxn.interpret(MODULE, x, y, z, entry="fma_rows")
    np.testing.assert_array_equal(functions["fma_rows"](x, y, z)[0], expected)
    a, b, c = (random_f32(1003, seed) for seed in range(3))
    np.testing.assert_array_equal(functions["fma_static"](a, b, c)[0], fxn.interpret(MODULE, a, b, c, entry="fma_static"))


@pytest.mark.parametrize("size", [31, 32, 33, 100])
def test_narrow_integers_use_more_lanes(compiled, host, size):
    lanes = host[1].lanes(8)
    assert f"<{lanes} x i8>" in compiled[1]
    rng = np.random.default_rng(size)
    x, y = (rng.integers(-128, 128, size).astype(np.int8) for _ in range(2))
    np.testing.assert_array_equal(compiled[0]["mul_i8"](x, y)[0], fxn.interpret(MODULE, x, y, entry="mul_i8"))


def test_loop_carried_scalars_stay_in_registers(compiled, host):
    module = parse_module(MODULE, "vectorize.mlir", new_context())
    pass_manager, _ = build_pipeline(pipeline_text(host[0], ("lowered", "vectorized")), module.context)
    pass_manager.run(module.operation)
    loops = [line for line in str(module).splitlines() if "scf.for" in line and "iter_args" in line]
    assert any(line.endswith("-> (f32) {") for line in loops), loops
    # r = r * 0.5 + 1 is exact in f32 for these few iterations: 1, 1.5, 1.75, ...
    run = compiled[0]["chain"]
    for n in (0, 1, 10):
        (result,) = run(np.array(0.5, np.float32), np.array(1.0, np.float32), np.array(n, np.int32))
        assert result == np.float32(2 - 2.0 ** -n)


REDUCTIONS = """
func.func @reduce(%x: tensor<?x?x{dtype}>) -> tensor<?x{dtype}> {{
  %0 = "fxn.reduce"(%x) {{axes = array<i64: -1>, keepdims = false, kind = "{kind}"}} : (tensor<?x?x{dtype}>) -> tensor<?x{dtype}>
  return %0 : tensor<?x{dtype}>
}}
func.func @total(%x: tensor<1000x{dtype}>) -> tensor<{dtype}> {{
  %0 = "fxn.reduce"(%x) {{axes = array<i64: 0>, keepdims = false, kind = "{kind}"}} : (tensor<1000x{dtype}>) -> tensor<{dtype}>
  return %0 : tensor<{dtype}>
}}
"""


def _reduction_functions(host, kind, dtype):
    text = REDUCTIONS.format(kind=kind, dtype=dtype)
    module = parse_module(text, "reductions.mlir", new_context())
    signatures = entry_points(module)
    lower_to_llvm(module, host[0])
    llvm_ir = str(llvm.translate_module_to_llvmir(module.operation))
    engine = jit(module)
    return text, {name: Executable(engine, name, s.args, s.results) for name, s in signatures.items()}, llvm_ir


def _sum_error_bound(x: np.ndarray, partials: int) -> np.ndarray:
    """The bound the fxn.reduce docstring states for a sum of rows with ``partials`` partial sums."""
    n = x.shape[-1]
    unit_roundoff = np.finfo(x.dtype).eps / 2
    return (n / partials + np.log2(partials) + 1) * unit_roundoff * np.abs(x.astype(np.float64)).sum(-1)


@pytest.mark.parametrize("kind, dtype", [("sum", "f32"), ("sum", "f64"), ("mean", "f32"), ("max", "f32"),
                                         ("min", "f64"), ("sum", "i32"), ("prod", "i8"), ("max", "ui8")])
def test_reductions_along_rows_use_vector_accumulators(host, kind, dtype):
    """Rows reduced in several vector accumulators (a loop carrying vectors, a tree at the end) agree with the
    interpreter: exactly for integers and extrema, within the docstring's bound for float sums."""
    text, functions, llvm_ir = _reduction_functions(host, kind, dtype)
    element_bits = {"f32": 32, "f64": 64, "i32": 32, "i8": 8, "ui8": 8}[dtype]
    lanes = host[1].lanes(element_bits)
    assert f"<{4 * lanes} x " in llvm_ir  # four vector registers of partial results
    rng = np.random.default_rng(0)
    numpy_dtype = {"f32": np.float32, "f64": np.float64, "i32": np.int32, "i8": np.int8, "ui8": np.uint8}[dtype]
    for shape in [(3, 1001), (2, 4 * lanes), (5, 2 * lanes + 1), (1, 7), (0, 9), (4, 0)][: 6 if kind in ("sum", "prod") else 4]:
        if dtype.startswith("f"):
            x = rng.standard_normal(shape).astype(numpy_dtype)
        else:
            x = rng.integers(0, 100, shape).astype(numpy_dtype)
        (result,) = functions["reduce"](x)
        expected = fxn.interpret(text, x, entry="reduce")
        if kind in ("sum", "mean") and dtype.startswith("f"):
            bound = _sum_error_bound(x, 4 * lanes) / (x.shape[-1] if kind == "mean" and x.shape[-1] else 1)
            assert np.all(np.abs(result.astype(np.float64) - expected) <= bound), (shape, result, expected)
        else:
            np.testing.assert_array_equal(result, expected)
    x = (rng.standard_normal(1000) if dtype.startswith("f") else rng.integers(0, 3, 1000)).astype(numpy_dtype)
    (total,) = functions["total"](x)
    expected = fxn.interpret(text, x, entry="total")
    if kind in ("sum", "mean") and dtype.startswith("f"):
        bound = _sum_error_bound(x, 4 * lanes) / (1000 if kind == "mean" else 1)
        assert abs(float(total) - float(expected)) <= bound
    else:
        np.testing.assert_array_equal(total, expected)
